/**
 * `RedisConnection`: Redis as a document/key-value store with node-redis (`redis`).
 *
 * A collection is a key prefix: document `k` of collection `orders` lives under `orders:k`
 * (spark-redis's `<table>:<key>` layout). Documents are JSON strings (model `json`, types kept)
 * or hashes (model `hash`, what spark-redis reads and writes). Keys are found with SCAN (never
 * KEYS) filtered by MATCH pattern and TYPE; a typed filter on the key field becomes direct
 * key reads (`eq`, `in`) or a key pattern (`prefix`), everything else is evaluated client-side
 * with core's `matchesFilter` after the values are fetched — Redis has no query language over
 * values. Writes are MULTI transactions of bounded batches; reads split into hash-slot ranges
 * the way spark-redis splits them.
 */
import { z } from 'zod';
import {
  discoverCollections,
  InvalidArgumentError,
  matchesFilter,
  MissingDriverError,
  NoSQLConnection,
  QueryError,
  secret,
  UnsupportedOperationError,
  WriteError,
  upsertInBatches,
  type BulkItem,
  type BulkWriteResult,
  type ConnectionInit,
  type DatasetRef,
  type DiscoveredCollection,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type Endpoint,
  type Filter,
  type FindDocumentsOptions,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type UpsertDocumentsOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import { decodeJson, encodeHash, encodeJson, project } from './codec.js';
import { isRetryableReply, redisError } from './errors.js';
import { keySlot, slotRanges } from './slots.js';

/** Config of the `redis` connection. */
export const redisConfigSchema = z
  .looseObject({
    /** `redis[s]://[user[:password]@]host[:port][/db]`; a secret, since it may carry the password. */
    url: secret(z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')).optional(),
    host: z.string().min(1).default('localhost'),
    port: z.coerce.number().int().positive().default(6379),
    /** Database number (SELECT). */
    database: z.coerce.number().int().min(0).default(0),
    /** ACL user (Redis 6+); without it the `default` user. */
    username: z.string().optional(),
    password: secret(z.string()).optional(),
    /** TLS: `true`, or the options of Node's `tls.connect` that matter here. */
    tls: z.union([z.boolean(), z.looseObject({ ca: z.string().optional(), rejectUnauthorized: z.boolean().optional(), servername: z.string().optional() })]).default(false),
    /** How a document is stored: a JSON string (types kept) or a hash (spark-redis's `model: hash`). */
    model: z.enum(['json', 'hash']).default('json'),
    /** The key field of documents (spark-redis's `key.column`). */
    keyField: z.string().min(1).default('_id'),
    /** SCAN's COUNT hint: keys per round trip. */
    scanCount: z.coerce.number().int().positive().default(1000),
    /** Documents per MULTI of an upsert. */
    batchSize: z.coerce.number().int().positive().max(100_000).default(500),
    /** MULTI batches of an upsert in flight at once, pipelined on the one connection (in order). */
    writeConcurrency: z.coerce.number().int().positive().max(64).default(8),
    /** Read partitions (hash-slot ranges) when the read does not say `numPartitions`. */
    partitions: z.coerce.number().int().positive().max(16384).default(1),
    connectTimeoutMs: z.coerce.number().int().positive().default(10_000),
  })
  .refine((c) => !(c.url && (c.username !== undefined || c.password !== undefined)), {
    message: "give credentials either in 'url' or as 'username'/'password', not both",
  });

export type RedisConfig = z.output<typeof redisConfigSchema>;

/** The node-redis calls this connection makes (a structural subset of its client). */
interface RedisMulti {
  set(key: string, value: string): RedisMulti;
  del(keys: string | string[]): RedisMulti;
  hSet(key: string, fields: Record<string, string>): RedisMulti;
  rename(key: string, to: string): RedisMulti;
  exec(): Promise<unknown[]>;
}
interface RedisClient {
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  destroy(): void;
  ping(): Promise<string>;
  info(section?: string): Promise<string>;
  get(key: string): Promise<string | null>;
  mGet(keys: string[]): Promise<Array<string | null>>;
  hGetAll(key: string): Promise<Record<string, string>>;
  del(keys: string | string[]): Promise<number>;
  multi(): RedisMulti;
  scanIterator(options: { MATCH?: string; COUNT?: number; TYPE?: string }): AsyncIterable<string[]>;
}

/** Collection names: no `:` (the key separator) and no glob characters, so a name is its own pattern. */
const COLLECTION = /^[A-Za-z0-9_.-]{1,200}$/;

/** Natural order of keys (`c:2` before `c:10`). */
const KEY_ORDER = new Intl.Collator('en', { numeric: true });

/** Escapes glob metacharacters for a SCAN MATCH pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** One key value's text in a Redis key (dates as ISO text, so a key reads the same in every client). */
function keyText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new InvalidArgumentError(`a Redis key field must hold a string, number, boolean or date, not ${value === null ? 'null' : typeof value}`);
}

/**
 * The `redis` connection.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-redis';
 * await using redis = await getConnection('redis', { config: { host: '127.0.0.1', port: 6379 } });
 * await redis.upsertDocuments('orders', [{ _id: 1, status: 'open', total: 12.5 }]);
 * const frame = await redis.readTable('orders', { filter: where.eq('status', 'open'), numPartitions: 4 });
 * ```
 */
export class RedisConnection extends NoSQLConnection<RedisConfig> {
  static override schema: z.ZodType = redisConfigSchema;
  static override family = 'nosql';
  static override description = 'Redis (node-redis): documents as JSON strings or hashes under <collection>:<key>';
  #client: Promise<RedisClient> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#client;
      this.#client = undefined;
      if (pending) (await pending.catch(() => undefined))?.destroy();
    });
  }

  /** Host and port, from `url` when given. */
  #address(): { host: string; port: number; database: number } {
    const { url, host, port, database } = this.config;
    if (!url) return { host, port, database };
    const u = new URL(url);
    const db = u.pathname.replace(/^\//, '');
    return { host: u.hostname || 'localhost', port: u.port ? Number(u.port) : 6379, database: db ? Number(db) : database };
  }

  /** The connected client (one per connection, connected on first use). */
  protected async client(): Promise<RedisClient> {
    this.assertOpen();
    this.#client ??= this.#connect();
    try {
      return await this.#client;
    } catch (error) {
      this.#client = undefined;
      throw error;
    }
  }

  async #connect(): Promise<RedisClient> {
    let redis: typeof import('redis');
    try {
      redis = await import('redis');
    } catch (cause) {
      throw new MissingDriverError(this.type, 'redis', cause);
    }
    const { url, username, password, tls, connectTimeoutMs } = this.config;
    const { host, port, database } = this.#address();
    let connected = false;
    const client = redis.createClient({
      ...(url ? { url } : {}),
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      database,
      // The first connect fails fast (a typed, retryable error for the caller to retry); once
      // connected, node-redis reconnects with a bounded backoff.
      socket: {
        ...(url ? {} : { host, port }),
        connectTimeout: connectTimeoutMs,
        reconnectStrategy: (retries: number, cause: Error) => (!connected || retries > 20 ? cause : Math.min(50 * 2 ** retries, 2000)),
        ...(tls ? { tls: true as const, ...(typeof tls === 'object' ? tls : {}) } : {}),
      },
    }) as unknown as RedisClient;
    // node-redis emits socket errors as events; the failing command rejects with them too.
    client.on('error', () => undefined);
    try {
      await client.connect();
      connected = true;
    } catch (error) {
      client.destroy();
      throw redisError(error, `Connecting to Redis at ${host}:${port}`, this);
    }
    return client;
  }

  /** Runs one call, typing its failure. */
  async #call<T>(what: string, run: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await run(client);
    } catch (error) {
      throw redisError(error, what, this);
    }
  }

  protected override endpoints(): Endpoint[] {
    const { host, port } = this.#address();
    return [{ host, port }];
  }

  /** Auth tier: connect (AUTH and SELECT happen there), then PING. */
  protected override async checkAuth(): Promise<string> {
    const pong = await this.#call('PING', (c) => c.ping());
    const info = await this.#call('INFO server', (c) => c.info('server'));
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    return `${pong}${version ? `, Redis ${version}` : ''}`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const { host, port, database } = this.#address();
    return { namespace: `redis://${host}:${port}`, name: `${database}.${collection}` };
  }

  #prefix(collection: string): string {
    if (!COLLECTION.test(collection)) {
      throw new InvalidArgumentError(
        `Invalid Redis collection name '${collection}': use letters, digits, '_', '.', '-' (':' separates the collection from the key)`,
        { connector: this.type },
      );
    }
    return `${collection}:`;
  }

  /** The key text of a document key argument (a value, or `{ field: value }` for each key field). */
  #keyOf(key: DocumentKey, keyFields: readonly string[] = [this.config.keyField]): string {
    if (key !== null && typeof key === 'object') {
      const record = key as Record<string, unknown>;
      const missing = keyFields.filter((f) => record[f] === undefined);
      if (missing.length || Object.keys(record).length !== keyFields.length) {
        throw new InvalidArgumentError(`Redis keys here are made of ${keyFields.map((f) => `'${f}'`).join(', ')}; got fields ${Object.keys(record).join(', ')}`, {
          connector: this.type,
        });
      }
      return keyFields.map((f) => keyText(record[f])).join(':');
    }
    return keyText(key);
  }

  /** The SCAN TYPE of this model's values. */
  #valueType(): string {
    return this.config.model === 'json' ? 'string' : 'hash';
  }

  /** Scans keys matching a pattern, each once (SCAN may repeat keys while the table rehashes). */
  async *#scan(client: RedisClient, pattern: string, count: number, signal?: AbortSignal): AsyncGenerator<string[]> {
    const seen = new Set<string>();
    try {
      for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: count, TYPE: this.#valueType() })) {
        signal?.throwIfAborted();
        // Keys of one batch in natural key order: a small collection (one batch) reads in a
        // stable order, so a bounded schema sample is the same from run to run.
        const fresh = keys.filter((k) => !seen.has(k)).sort(KEY_ORDER.compare);
        for (const k of fresh) seen.add(k);
        if (fresh.length) yield fresh;
      }
    } catch (error) {
      throw redisError(error, `SCAN ${pattern}`, this);
    }
  }

  /** Reads documents by key (absent keys are skipped). */
  async #fetch(client: RedisClient, keys: string[]): Promise<Array<{ key: string; doc: Document }>> {
    if (!keys.length) return [];
    const out: Array<{ key: string; doc: Document }> = [];
    try {
      if (this.config.model === 'json') {
        const values = await client.mGet(keys);
        values.forEach((text, i) => {
          if (text !== null) out.push({ key: keys[i]!, doc: this.#decode(keys[i]!, text) });
        });
      } else {
        const multi = client.multi() as unknown as { hGetAll(key: string): unknown; exec(): Promise<unknown[]> };
        for (const key of keys) multi.hGetAll(key);
        const values = (await multi.exec()) as Array<Record<string, string>>;
        values.forEach((fields, i) => {
          if (fields && Object.keys(fields).length) out.push({ key: keys[i]!, doc: { ...fields } });
        });
      }
    } catch (error) {
      throw redisError(error, `Reading ${keys.length} key(s) from Redis`, this);
    }
    return out;
  }

  #decode(key: string, text: string): Document {
    try {
      const doc = decodeJson(text);
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a JSON object');
      return doc;
    } catch (cause) {
      throw new QueryError(`Redis key '${key}' does not hold a JSON document (${(cause as Error).message}); with model 'json' every string under the collection prefix must be one — set model 'hash' for hashes`, {
        connector: this.type,
        cause,
      });
    }
  }

  /**
   * What a filter says about keys: exact keys (`eq`/`in` on the single key field, alone or in a
   * top-level `and`) or a key prefix (`prefix` on it); otherwise nothing and the read scans.
   */
  #keyPushdown(filter: Filter | undefined): { keys: string[] } | { prefix: string } | undefined {
    if (!filter) return undefined;
    const key = this.config.keyField;
    const parts = 'and' in filter ? filter.and : [filter];
    for (const part of parts) {
      if (!('field' in part) || part.field !== key) continue;
      const ok = (v: unknown) => v !== null && (typeof v !== 'number' || Number.isFinite(v));
      if (part.op === 'eq' && ok(part.value)) return { keys: [keyText(part.value)] };
      if (part.op === 'in' && part.values.every(ok)) return { keys: [...new Set(part.values.map(keyText))] };
      if (part.op === 'prefix') return { prefix: part.value };
    }
    return undefined;
  }

  async listCollections(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const client = await this.client();
    const names = new Set<string>();
    for await (const keys of this.#scan(client, '*:*', this.config.scanCount, options.signal)) {
      for (const k of keys) {
        const name = k.slice(0, k.indexOf(':'));
        if (COLLECTION.test(name)) names.add(name);
      }
    }
    return [...names].sort();
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const full = this.#prefix(collection) + this.#keyOf(key);
    const [found] = await this.#fetch(await this.client(), [full]);
    return found ? project(found.doc, options.projection) : undefined;
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    yield* this.#find(collection, options);
  }

  /** Finds documents, optionally only those whose keys fall in a hash-slot range `[from, to)`. */
  async *#find(collection: string, options: FindDocumentsOptions, slots?: [number, number]): AsyncGenerator<Document> {
    const prefix = this.#prefix(collection);
    if (options.native !== undefined) {
      throw new UnsupportedOperationError('Redis has no query language over values here: use a typed filter (key filters become key reads or patterns)', { connector: this.type });
    }
    const client = await this.client();
    const pushdown = this.#keyPushdown(options.filter);
    const count = options.pageSize ?? this.config.scanCount;
    const batches: AsyncIterable<string[]> =
      pushdown && 'keys' in pushdown
        ? (async function* () {
            for (let i = 0; i < pushdown.keys.length; i += count) yield pushdown.keys.slice(i, i + count).map((k) => prefix + k);
          })()
        : this.#scan(client, prefix + (pushdown && 'prefix' in pushdown ? globEscape(pushdown.prefix) : '') + '*', count, options.signal);
    let n = 0;
    for await (const batch of batches) {
      const keys = slots ? batch.filter((k) => {
        const s = keySlot(k);
        return s >= slots[0] && s < slots[1];
      }) : batch;
      for (const { doc } of await this.#fetch(client, keys)) {
        if (options.filter && !matchesFilter(doc, options.filter)) continue;
        if (options.limit !== undefined && n >= options.limit) return;
        n++;
        yield project(doc, options.projection);
      }
      if (options.limit !== undefined && n >= options.limit) return;
    }
  }

  /**
   * Hash-slot ranges, as spark-redis splits a read: each partition scans the collection's keys and
   * reads the values of the keys in its slot range. A read by exact keys is one partition.
   */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    this.#prefix(collection);
    const pushdown = this.#keyPushdown(options.filter);
    const n = pushdown && 'keys' in pushdown ? 1 : (options.partitions ?? this.config.partitions);
    if (n <= 1) return [{ description: `${collection} (all slots)`, find: (o) => this.#find(collection, o) }];
    return slotRanges(n).map((range) => ({
      description: `${collection} slots [${range[0]}, ${range[1]})`,
      find: (o: FindDocumentsOptions) => this.#find(collection, o, range),
    }));
  }

  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    const { written, failed } = await this.#upsert(this.#prefix(collection), documents, options, false);
    return { written, failed };
  }

  /**
   * Writes documents in MULTI transactions of `batchSize` (each batch all-or-nothing on the
   * server); items whose command failed with a retryable reply (OOM, LOADING …) are retried with
   * backoff up to `itemRetries` times, then reported. `writeConcurrency` batches are in flight at
   * once: node-redis pipelines them on the one connection and Redis runs them in the order sent,
   * so a key written twice keeps its later value. The written keys are collected only when
   * `collectKeys` (an overwrite renames them; a plain upsert would hold them all for nothing).
   */
  async #upsert(prefix: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions, collectKeys: boolean): Promise<BulkWriteResult & { keys: string[] }> {
    const client = await this.client();
    const keyFields = options.keyFields?.length ? options.keyFields : [this.config.keyField];
    const batchSize = options.batchSize ?? this.config.batchSize;
    const keys: string[] = [];
    type Item = BulkItem & { redisKey: string };
    const result = await upsertInBatches<Item>(documents, {
      keyFields,
      batchSize,
      concurrency: this.config.writeConcurrency,
      backoff: { baseMs: 50, maxMs: 2000 },
      ...(options.itemRetries !== undefined ? { itemRetries: options.itemRetries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      toItem: (doc, index, key) => ({ index, key, doc, redisKey: prefix + this.#keyOf(key, keyFields) }),
      ...(collectKeys
        ? {
            onWritten: (items: Item[]) => {
              for (const item of items) keys.push(item.redisKey);
            },
          }
        : {}),
      send: async (items, written) => {
        const multi = client.multi();
        const owner: number[] = [];
        for (const [i, item] of items.entries()) {
          if (this.config.model === 'json') {
            multi.set(item.redisKey, encodeJson(item.doc));
            owner.push(i);
          } else {
            multi.del(item.redisKey).hSet(item.redisKey, encodeHash(item.doc));
            owner.push(i, i);
          }
        }
        try {
          await multi.exec();
          return [];
        } catch (error) {
          const indexes = (error as { errorIndexes?: number[] }).errorIndexes;
          const replies = (error as { replies?: unknown[] }).replies;
          if (!Array.isArray(indexes)) {
            throw new WriteError(`Writing a batch of ${items.length} document(s) to Redis failed (${written} written before): ${redisError(error, 'MULTI', this).message}`, {
              connector: this.type,
              cause: redisError(error, 'MULTI', this),
              retryable: true,
              details: { committed: written > 0, written },
            });
          }
          const bad = new Map<number, string>();
          for (const at of indexes) bad.set(owner[at]!, this.redact(String((replies?.[at] as Error | undefined)?.message ?? 'command failed')));
          return [...bad].map(([i, message]) => ({ item: items[i]!, message, retryable: isRetryableReply(message) }));
        }
      },
    });
    return { ...result, keys };
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const prefix = this.#prefix(collection);
    const full = keys.map((k) => prefix + this.#keyOf(k));
    let deleted = 0;
    for (let i = 0; i < full.length; i += this.config.batchSize) {
      options.signal?.throwIfAborted();
      deleted += await this.#call('DEL', (c) => c.del(full.slice(i, i + this.config.batchSize)));
    }
    return deleted;
  }

  /**
   * Overwrite: the documents go under a temporary prefix first; only when every one was written
   * does one MULTI delete the collection's old keys and RENAME the new ones into place, so
   * readers see the old or the new collection, and a failed write leaves the old data.
   * (On Redis Cluster the RENAMEs would cross slots: overwrite is for a single server.)
   */
  protected override async replaceCollection(collection: string, documents: AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    const prefix = this.#prefix(collection);
    const temp = `${collection}.sparkle-tmp-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}:`;
    const client = await this.client();
    const result = await this.#upsert(temp, documents, options, true);
    if (result.failed.length) {
      for (let i = 0; i < result.keys.length; i += 1000) await this.#call('DEL', (c) => c.del(result.keys.slice(i, i + 1000)));
      return { written: 0, failed: result.failed };
    }
    const old: string[] = [];
    for await (const keys of this.#scan(client, `${prefix}*`, this.config.scanCount, options.signal)) old.push(...keys);
    const multi = client.multi();
    for (let i = 0; i < old.length; i += 1000) multi.del(old.slice(i, i + 1000));
    for (const key of result.keys) multi.rename(key, prefix + key.slice(temp.length));
    try {
      await multi.exec();
    } catch (error) {
      throw new WriteError(`Swapping the new documents into '${collection}' failed; the old documents are kept: ${redisError(error, 'MULTI', this).message}`, {
        connector: this.type,
        cause: error,
        details: { committed: false },
      });
    }
    return { written: result.written, failed: [] };
  }

  /**
   * Every collection (key prefix) with columns inferred from a sample of its documents.
   * @example
   * ```ts
   * import type { RedisConnection } from '@sparkle/connector-redis';
   * declare const redis: RedisConnection;
   * for (const c of await redis.discover({ sampleSize: 50 })) console.log(c.name, c.columns);
   * ```
   */
  async discover(options: { sampleSize?: number; collections?: readonly string[] } = {}): Promise<DiscoveredCollection[]> {
    return discoverCollections(this, options);
  }

  // -------------------------------------------------------------------------------------------
  // Spark: spark-redis (`org.apache.spark.sql.redis`), hashes under `<table>:<key>`
  // -------------------------------------------------------------------------------------------

  #sparkOptions(table: string): Record<string, string> {
    if (this.config.model !== 'hash') {
      throw new UnsupportedOperationError(
        `spark-redis reads and writes hashes, but this connection stores JSON strings (model 'json'); set model 'hash' to share '${table}' with Spark`,
        { connector: this.type },
      );
    }
    this.#prefix(table);
    const { host, port, database } = this.#address();
    const url = this.config.url ? new URL(this.config.url) : undefined;
    const user = url?.username ? decodeURIComponent(url.username) : this.config.username;
    const password = url?.password ? decodeURIComponent(url.password) : this.config.password;
    return {
      table,
      'key.column': this.config.keyField,
      model: 'hash',
      host,
      port: String(port),
      dbNum: String(database),
      ...(user ? { user } : {}),
      ...(password ? { auth: password } : {}),
    };
  }

  /** A spark-redis read of collection `table` (model `hash` only). */
  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    return {
      format: 'org.apache.spark.sql.redis',
      options: {
        ...this.#sparkOptions(table),
        'infer.schema': 'true',
        ...(options.numPartitions ? { 'partitions.number': String(options.numPartitions) } : {}),
        'scan.count': String(this.config.scanCount),
      },
      secretOptions: ['auth'],
    };
  }

  /** A spark-redis write into collection `table` (model `hash` only). */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    return {
      format: 'org.apache.spark.sql.redis',
      options: { ...this.#sparkOptions(table), 'max.pipeline.size': String(options.batchSize ?? this.config.batchSize), ...options.options },
      mode: options.mode ?? 'errorIfExists',
      secretOptions: ['auth'],
    };
  }
}
