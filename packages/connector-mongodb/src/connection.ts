/**
 * `MongodbConnection`: MongoDB (and wire-compatible servers) as a document store with the
 * official `mongodb` driver.
 *
 * Typed filters become Mongo filter documents (values as BSON values, never spliced text) and
 * projections are pushed down; reads split into `_id` ranges whose bounds are found by the
 * server (sorted by `_id`, skipping to evenly spaced positions — the Spark connector's
 * paginate-into-partitions strategy, which needs no `$sample`); upserts are unordered
 * `bulkWrite` replaceOne-with-upsert in bounded batches with per-item errors; overwrite writes a
 * temporary collection and renames it over the target.
 */
import { z } from 'zod';
import {
  AuthenticationError,
  ConnectionFailedError,
  discoverCollections,
  InvalidArgumentError,
  MissingDriverError,
  NoSQLConnection,
  QueryError,
  secret,
  SparkleError,
  WriteError,
  upsertInBatches,
  type BulkWriteResult,
  type ConnectionInit,
  type DatasetRef,
  type DiscoveredCollection,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type Endpoint,
  type FindDocumentsOptions,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type UpsertDocumentsOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import type { AnyBulkWriteOperation, Db, MongoClient } from 'mongodb';
import { toMongoFilter } from './filter.js';
import { readAhead } from './read-ahead.js';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/;

/** Config of the `mongodb` connection. */
export const mongodbConfigSchema = z
  .looseObject({
    /** `mongodb://` or `mongodb+srv://` connection string; a secret, since it may carry the password. */
    uri: secret(z.string().regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI')).optional(),
    /** Seed hosts (`host` or `host:port`) when no `uri` is given. */
    hosts: z.array(z.string().regex(HOST, 'host or host:port')).min(1).optional(),
    host: z.string().regex(HOST).default('localhost'),
    port: z.coerce.number().int().positive().default(27017),
    /** The database holding the collections. */
    database: z.string().regex(/^[^/\\. "$*<>:|?]{1,63}$/, 'a MongoDB database name'),
    username: z.string().optional(),
    password: secret(z.string()).optional(),
    authSource: z.string().optional(),
    authMechanism: z.enum(['SCRAM-SHA-1', 'SCRAM-SHA-256', 'MONGODB-X509', 'PLAIN', 'MONGODB-AWS']).optional(),
    replicaSet: z.string().optional(),
    tls: z.boolean().default(false),
    /** CA file for TLS. */
    tlsCAFile: z.string().optional(),
    /** Documents per bulkWrite. */
    batchSize: z.coerce.number().int().positive().max(100_000).default(1000),
    /** Read partitions when a read does not say `numPartitions`. */
    partitions: z.coerce.number().int().positive().max(10_000).default(1),
    connectTimeoutMs: z.coerce.number().int().positive().default(10_000),
  })
  .refine((c) => !(c.uri && (c.username !== undefined || c.password !== undefined)), { message: "give credentials either in 'uri' or as 'username'/'password', not both" });

export type MongodbConfig = z.output<typeof mongodbConfigSchema>;

/** Server error codes a later retry can get past (elections, shutdowns, throttling). */
/** Documents read ahead of the caller when a find does not say `pageSize` (then it is one page). */
const DEFAULT_READ_AHEAD = 1000;

const RETRYABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 16500, 50]);
/** Server error codes that mean the credentials were refused or lack a privilege. */
const AUTH_CODES = new Set([18, 13, 11]);

/**
 * The `mongodb` connection (alias `mongo`).
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-mongodb';
 * await using mongo = await getConnection('mongodb', { config: { uri: process.env.MONGO_URI, database: 'shop' } });
 * const frame = await mongo.readTable('orders', { filter: where.eq('status', 'open'), columns: ['_id', 'total'], numPartitions: 4 });
 * ```
 */
export class MongodbConnection extends NoSQLConnection<MongodbConfig> {
  static override schema: z.ZodType = mongodbConfigSchema;
  static override family = 'nosql';
  static override description = 'MongoDB (official driver): filters as Mongo filter documents, _id-range partitions, bulkWrite upserts';
  #client: Promise<MongoClient> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#client;
      this.#client = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close();
    });
  }

  /** The seed list and whether it came from `uri`. */
  #hosts(): string[] {
    const { uri, hosts, host, port } = this.config;
    if (uri) {
      const authority = uri.replace(/^mongodb(\+srv)?:\/\//, '').split('/')[0]!.split('@').at(-1)!;
      return authority.split(',');
    }
    return hosts ?? [`${host}:${port}`];
  }

  /** The connection string without credentials (they go in the client options). */
  #uriWithoutSecrets(): string {
    return `mongodb://${this.#hosts().join(',')}/`;
  }

  async #connect(): Promise<MongoClient> {
    let driver: typeof import('mongodb');
    try {
      driver = await import('mongodb');
    } catch (cause) {
      throw new MissingDriverError(this.type, 'mongodb', cause);
    }
    const c = this.config;
    const client = new driver.MongoClient(c.uri ?? this.#uriWithoutSecrets(), {
      ...(c.username !== undefined ? { auth: { username: c.username, ...(c.password !== undefined ? { password: c.password } : {}) } } : {}),
      ...(c.authSource ? { authSource: c.authSource } : {}),
      ...(c.authMechanism ? { authMechanism: c.authMechanism } : {}),
      ...(c.replicaSet ? { replicaSet: c.replicaSet } : {}),
      ...(c.tls ? { tls: true } : {}),
      ...(c.tlsCAFile ? { tlsCAFile: c.tlsCAFile } : {}),
      serverSelectionTimeoutMS: c.connectTimeoutMs,
      connectTimeoutMS: c.connectTimeoutMs,
      // int64 values as bigints (exact), binary data as bytes: what Arrow's int64 and binary take.
      useBigInt64: true,
      promoteBuffers: true,
      appName: 'sparkle',
    });
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw this.#error(error, `Connecting to MongoDB at ${this.#hosts().join(',')}`);
    }
    return client;
  }

  /** The database handle (the client connects on first use). */
  protected async db(): Promise<Db> {
    this.assertOpen();
    this.#client ??= this.#connect();
    try {
      return (await this.#client).db(this.config.database);
    } catch (error) {
      this.#client = undefined;
      throw error;
    }
  }

  /** Types a driver failure (auth codes, server selection, retryable codes), secrets scrubbed. */
  #error(error: unknown, what: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const classified = this.wrapError(error, what);
    const e = error as { name?: string; code?: unknown; errorLabels?: string[]; errorLabelSet?: Set<string> };
    const code = typeof e.code === 'number' ? e.code : undefined;
    if (code !== undefined && AUTH_CODES.has(code)) {
      return new AuthenticationError(`${what} failed: MongoDB refused the credentials or a privilege (${classified.message}). Check 'username'/'password' (or the uri's user info), 'authSource' and the user's roles`, {
        connector: this.type,
        cause: classified,
        details: { driverCode: code },
      });
    }
    if (classified.code !== 'QUERY_FAILED') return classified;
    if (e.name === 'MongoServerSelectionError' || e.name === 'MongoNetworkError' || e.name === 'MongoNetworkTimeoutError') {
      return new ConnectionFailedError(`${what} failed: cannot reach a MongoDB server (${classified.message})`, { connector: this.type, cause: classified });
    }
    const retryable = (code !== undefined && RETRYABLE_CODES.has(code)) || Boolean(e.errorLabelSet?.has('RetryableWriteError'));
    return new QueryError(classified.message, { connector: this.type, cause: classified, retryable, details: code !== undefined ? { driverCode: code } : {} });
  }

  async #call<T>(what: string, run: (db: Db) => Promise<T>): Promise<T> {
    const db = await this.db();
    try {
      return await run(db);
    } catch (error) {
      throw this.#error(error, what);
    }
  }

  protected override endpoints(): Endpoint[] {
    if (this.config.uri?.startsWith('mongodb+srv://')) return [];
    return this.#hosts().map((h) => {
      const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h)!;
      return { host: m[1]!, port: m[2] ? Number(m[2]) : 27017 };
    });
  }

  /** Auth tier: connect and authenticate, `ping`, and the server's version from `buildInfo`. */
  protected override async checkAuth(): Promise<string> {
    await this.#call('ping', (db) => db.command({ ping: 1 }));
    const info = await this.#call('buildInfo', (db) => db.command({ buildInfo: 1 }));
    return `ping ok, MongoDB ${String(info.version)}${info.ferretdb ? ' (FerretDB)' : ''}`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const hosts = this.#hosts();
    return { namespace: `mongodb://${hosts.join(',')}`, name: `${this.config.database}.${collection}` };
  }

  #collectionName(collection: string): string {
    if (!/^[^$\0]{1,200}$/.test(collection) || collection.startsWith('system.')) {
      throw new InvalidArgumentError(`Invalid MongoDB collection name '${collection}': no '$', no NUL, not 'system.*'`, { connector: this.type });
    }
    return collection;
  }

  /** A key argument as an equality filter: a value is `_id`; an object names its fields. */
  #keyFilter(key: DocumentKey): Record<string, unknown> {
    return key !== null && typeof key === 'object' ? { ...key } : { _id: key };
  }

  /** `{ a: 1, 'b.c': 1 }`, with `_id: 0` unless `_id` was asked for. */
  #projection(fields: readonly string[] | undefined): Record<string, 0 | 1> | undefined {
    if (!fields?.length) return undefined;
    const out: Record<string, 0 | 1> = {};
    for (const f of fields) out[f] = 1;
    if (!fields.includes('_id')) out._id = 0;
    return out;
  }

  async listCollections(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    options.signal?.throwIfAborted();
    const infos = await this.#call('listCollections', (db) => db.listCollections({}, { nameOnly: true }).toArray());
    return infos.map((c) => c.name).filter((n) => !n.startsWith('system.')).sort();
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const projection = this.#projection(options.projection);
    const doc = await this.#call(`findOne in ${collection}`, (db) => db.collection(this.#collectionName(collection)).findOne(this.#keyFilter(key), projection ? { projection } : {}));
    return doc ?? undefined;
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    yield* this.#find(collection, options);
  }

  /** The filter document of a find: the typed filter, a `native` Mongo filter document, and a partition's `_id` range. */
  #filterOf(options: FindDocumentsOptions, range?: { from?: unknown; to?: unknown }): Record<string, unknown> {
    const parts: Array<Record<string, unknown>> = [];
    if (options.filter) parts.push(toMongoFilter(options.filter));
    if (options.native !== undefined) {
      if (options.native === null || typeof options.native !== 'object' || Array.isArray(options.native)) {
        throw new InvalidArgumentError('native: expected a MongoDB filter document (an object)', { connector: this.type });
      }
      parts.push(options.native as Record<string, unknown>);
    }
    if (range?.from !== undefined) parts.push({ _id: { $gte: range.from } });
    if (range?.to !== undefined) parts.push({ _id: { $lt: range.to } });
    return parts.length === 0 ? {} : parts.length === 1 ? parts[0]! : { $and: parts };
  }

  async *#find(collection: string, options: FindDocumentsOptions, range?: { from?: unknown; to?: unknown }): AsyncGenerator<Document> {
    const db = await this.db();
    const filter = this.#filterOf(options, range);
    const projection = this.#projection(options.projection);
    const cursor = db.collection(this.#collectionName(collection)).find(filter, {
      ...(projection ? { projection } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.pageSize ? { batchSize: options.pageSize } : {}),
      ...(range ? { sort: { _id: 1 } } : {}),
    });
    try {
      // One batch read ahead: the next getMore runs while the caller converts this batch.
      for await (const doc of readAhead(cursor, options.pageSize ?? DEFAULT_READ_AHEAD)) {
        options.signal?.throwIfAborted();
        yield doc;
      }
    } catch (error) {
      throw this.#error(error, `find in ${collection}`);
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  /**
   * `_id` ranges: the server sorts by `_id` and returns the `_id`s at evenly spaced positions of
   * the matching documents; those are the split points. When `_id`s of different BSON types
   * share the collection, ranges would miss documents (Mongo compares within a type), so the
   * read is one partition.
   */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const name = this.#collectionName(collection);
    const wanted = options.partitions ?? this.config.partitions;
    const single: DocumentPartition[] = [{ description: `${collection} (one partition)`, find: (o) => this.#find(collection, o) }];
    if (wanted <= 1) return single;
    const filter = this.#filterOf(options);
    const bounds = await this.#call(`splitting ${collection}`, async (db) => {
      const c = db.collection(name);
      const count = await c.countDocuments(filter);
      const n = Math.min(wanted, count);
      if (n <= 1) return undefined;
      const ends = await Promise.all([1, -1].map((dir) => c.find(filter, { projection: { _id: 1 }, sort: { _id: dir as 1 | -1 }, limit: 1 }).next()));
      if (bsonKind(ends[0]?._id) !== bsonKind(ends[1]?._id)) return undefined;
      const points: unknown[] = [];
      for (let i = 1; i < n; i++) {
        const at = await c.find(filter, { projection: { _id: 1 }, sort: { _id: 1 }, skip: Math.floor((i * count) / n), limit: 1 }).next();
        if (at) points.push(at._id);
      }
      return points;
    });
    if (!bounds?.length) return single;
    return Array.from({ length: bounds.length + 1 }, (_, i) => {
      const range = { from: i === 0 ? undefined : bounds[i - 1], to: bounds[i] };
      return {
        description: `${collection} _id in [${i === 0 ? 'min' : String(range.from)}, ${range.to === undefined ? 'max' : String(range.to)})`,
        find: (o: FindDocumentsOptions) => this.#find(collection, o, range),
      };
    });
  }

  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    return this.#upsert(this.#collectionName(collection), documents, options);
  }

  /**
   * Unordered `bulkWrite` of `replaceOne` with `upsert` per document, `batchSize` at a time.
   * Write errors are reported per item (their batch index mapped back to the input position);
   * items failing with a retryable code are retried with backoff up to `itemRetries` times. A
   * failure of a whole batch (the server went away) throws a `WriteError` saying how many
   * documents were written before it.
   */
  async #upsert(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    const db = await this.db();
    const target = db.collection(collection);
    const keyFields = options.keyFields?.length ? options.keyFields : ['_id'];
    const batchSize = options.batchSize ?? this.config.batchSize;
    return upsertInBatches(documents, {
      keyFields,
      batchSize,
      ...(options.itemRetries !== undefined ? { itemRetries: options.itemRetries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      send: async (items, written) => {
        const ops: AnyBulkWriteOperation<Document>[] = items.map((item) => ({
          replaceOne: { filter: Object.fromEntries(keyFields.map((f) => [f, item.doc[f]])), replacement: item.doc, upsert: true },
        }));
        try {
          await target.bulkWrite(ops, { ordered: false });
          return [];
        } catch (error) {
          const writeErrors = (error as { writeErrors?: Array<{ index: number; code: number; errmsg?: string }> | { index: number; code: number; errmsg?: string } }).writeErrors;
          const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : undefined;
          if (!list?.length) {
            const typed = this.#error(error, `bulkWrite into ${collection}`);
            throw new WriteError(`Writing a batch of ${items.length} document(s) to '${collection}' failed (${written} written before it): ${typed.message}`, {
              connector: this.type,
              cause: typed,
              retryable: typed.retryable,
              details: { committed: written > 0, written },
            });
          }
          return list.map((w) => ({ item: items[w.index]!, message: this.redact(`${w.errmsg ?? 'write error'} (code ${w.code})`), retryable: RETRYABLE_CODES.has(w.code) }));
        }
      },
    });
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const name = this.#collectionName(collection);
    if (!keys.length) return 0;
    options.signal?.throwIfAborted();
    const simple = keys.every((k) => k === null || typeof k !== 'object');
    const filter = simple ? { _id: { $in: [...keys] } } : { $or: keys.map((k) => this.#keyFilter(k)) };
    const result = await this.#call(`deleteMany in ${collection}`, (db) => db.collection<Document>(name).deleteMany(filter as Record<string, unknown>));
    return result.deletedCount;
  }

  /**
   * Overwrite: the documents go into a temporary collection; only when every one was written is
   * it renamed over the target (`renameCollection` with `dropTarget`), so a failed write leaves
   * the old data. Servers without `dropTarget` (FerretDB 1.x) get a guarded swap instead: the
   * old collection is renamed aside, the new one into place, then the old one dropped — on a
   * failure between the renames the old collection is renamed back.
   */
  protected override async replaceCollection(collection: string, documents: AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    const name = this.#collectionName(collection);
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const temp = `${name}__sparkle_tmp_${suffix}`;
    const db = await this.db();
    let result: BulkWriteResult;
    try {
      result = await this.#upsert(temp, documents, options);
    } catch (error) {
      await db.collection(temp).drop().catch(() => undefined);
      if (SparkleError.isInstance(error)) error.details.committed = false;
      throw error;
    }
    if (result.failed.length) {
      await db.collection(temp).drop().catch(() => undefined);
      return { written: 0, failed: result.failed };
    }
    if (result.written === 0) await db.createCollection(temp).catch(() => undefined);
    try {
      await db.renameCollection(temp, name, { dropTarget: true });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 238) {
        await db.collection(temp).drop().catch(() => undefined);
        throw new WriteError(`Renaming the new documents over '${name}' failed; the old documents are kept: ${this.#error(error, 'renameCollection').message}`, {
          connector: this.type,
          cause: error,
          details: { committed: false },
        });
      }
      await this.#guardedSwap(db, temp, name, suffix);
    }
    return result;
  }

  /** The swap for servers whose `renameCollection` has no `dropTarget` (code 238, NotImplemented). */
  async #guardedSwap(db: Db, temp: string, name: string, suffix: string): Promise<void> {
    const aside = `${name}__sparkle_old_${suffix}`;
    const exists = (await this.listCollections()).includes(name);
    try {
      if (exists) await db.renameCollection(name, aside);
    } catch (error) {
      await db.collection(temp).drop().catch(() => undefined);
      throw new WriteError(`Moving the old '${name}' aside failed; it is unchanged: ${this.#error(error, 'renameCollection').message}`, { connector: this.type, cause: error, details: { committed: false } });
    }
    try {
      await db.renameCollection(temp, name);
    } catch (error) {
      if (exists) await db.renameCollection(aside, name).catch(() => undefined);
      await db.collection(temp).drop().catch(() => undefined);
      throw new WriteError(`Renaming the new documents into '${name}' failed; the old documents were put back: ${this.#error(error, 'renameCollection').message}`, {
        connector: this.type,
        cause: error,
        details: { committed: false },
      });
    }
    if (exists) await db.collection(aside).drop().catch(() => undefined);
  }

  /**
   * Every collection with columns inferred from a sample of its documents.
   * @example
   * ```ts
   * import type { MongodbConnection } from '@sparkle/connector-mongodb';
   * declare const mongo: MongodbConnection;
   * for (const c of await mongo.discover({ sampleSize: 100 })) console.log(c.name, c.columns);
   * ```
   */
  async discover(options: { sampleSize?: number; collections?: readonly string[] } = {}): Promise<DiscoveredCollection[]> {
    return discoverCollections(this, options);
  }

  // -------------------------------------------------------------------------------------------
  // Spark: the MongoDB Spark connector (format `mongodb`)
  // -------------------------------------------------------------------------------------------

  /** The connection string Spark gets: the `uri`, or one built from the fields (credentials percent-encoded). */
  #sparkUri(): string {
    const c = this.config;
    if (c.uri) return c.uri;
    const auth = c.username !== undefined ? `${encodeURIComponent(c.username)}${c.password !== undefined ? `:${encodeURIComponent(c.password)}` : ''}@` : '';
    const params = new URLSearchParams();
    if (c.replicaSet) params.set('replicaSet', c.replicaSet);
    if (c.authSource) params.set('authSource', c.authSource);
    if (c.authMechanism) params.set('authMechanism', c.authMechanism);
    if (c.tls) params.set('tls', 'true');
    const query = params.toString();
    return `mongodb://${auth}${this.#hosts().join(',')}/${query ? `?${query}` : ''}`;
  }

  /** A read through the MongoDB Spark connector (10.x / 11.x). */
  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    const partitioned = (options.numPartitions ?? this.config.partitions) > 1;
    return {
      format: 'mongodb',
      options: {
        'connection.uri': this.#sparkUri(),
        database: this.config.database,
        collection: this.#collectionName(table),
        // One partition is said outright: the connector's default (SamplePartitioner) would
        // size the collection with collStats, which wire-compatible servers (FerretDB) refuse.
        ...(partitioned
          ? {
              partitioner: 'com.mongodb.spark.sql.connector.read.partitioner.PaginateIntoPartitionsPartitioner',
              'partitioner.options.max.number.of.partitions': String(options.numPartitions ?? this.config.partitions),
            }
          : { partitioner: 'com.mongodb.spark.sql.connector.read.partitioner.SinglePartitionPartitioner' }),
        ...(options.sampleSize ? { sampleSize: String(options.sampleSize) } : {}),
        ...options.options,
      },
      // With a schema the Spark connector skips its inference, a `$sample` aggregation that
      // some wire-compatible servers (FerretDB) do not implement.
      ...(options.schema ? { schema: options.schema } : {}),
      secretOptions: ['connection.uri'],
    };
  }

  /** A write through the MongoDB Spark connector: upserts by `idFieldList` (default `_id`), unordered. */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    return {
      format: 'mongodb',
      options: {
        'connection.uri': this.#sparkUri(),
        database: this.config.database,
        collection: this.#collectionName(table),
        operationType: 'replace',
        upsertDocument: 'true',
        ordered: 'false',
        maxBatchSize: String(options.batchSize ?? this.config.batchSize),
        ...options.options,
      },
      mode: options.mode ?? 'errorIfExists',
      secretOptions: ['connection.uri'],
    };
  }
}

/** The BSON type family of an `_id` (numbers are one family, as Mongo compares them). */
function bsonKind(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value !== 'object') return typeof value;
  if (value instanceof Date) return 'date';
  return (value as { _bsontype?: string })._bsontype ?? (Array.isArray(value) ? 'array' : 'object');
}

