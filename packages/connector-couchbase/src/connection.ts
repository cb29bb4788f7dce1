/**
 * `CouchbaseConnection`: Couchbase Server / Capella as a document store through the official
 * `couchbase` SDK (4.x, a native C++ core shipped prebuilt in its platform package). The SDK is
 * imported on first use, so importing this package never loads the native module.
 *
 * - Reads: SQL++ (N1QL) statements built from typed filters with named parameters (see
 *   `n1ql.ts`), projections pushed down, partitions as `META().id` ranges whose boundaries the
 *   query service finds (count, then the key at evenly spaced offsets in key order); KV `get`
 *   for one key or a list of keys; KV range scans (server 7.6+) by key range or prefix.
 * - Writes: KV upsert / insert / replace per document, `batchSize` documents in flight at a time,
 *   per-document failures reported (core's `upsertInBatches`), an optional durability level.
 *   `overwrite` is refused: Couchbase cannot swap a collection atomically.
 * - Collections are `collection` (in the configured `scope`) or `scope.collection`.
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
  TimeoutError,
  UnsupportedOperationError,
  WriteError,
  upsertInBatches,
  type BulkWriteResult,
  type ColumnSpec,
  type ColumnType,
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
import type { Bucket, Cluster, Collection } from 'couchbase';
import { boundaryStatement, bucketName, countStatement, rowToDocument, scopeOrCollectionName, selectStatement, type Keyspace, type N1qlStatement } from './n1ql.js';

const CONNECTION_STRING = /^couchbases?:\/\/[A-Za-z0-9.,:[\]_-]+(\/?)(\?[\w.=&%-]*)?$/;

/** Config of the `couchbase` connection. */
export const couchbaseConfigSchema = z.looseObject({
  /** `couchbase://host[,host…]` or `couchbases://…` (TLS); ports and `?key=value` SDK options allowed. No credentials here. */
  connectionString: z.string().regex(CONNECTION_STRING, 'couchbase://host[:port][,host…] or couchbases://… (no credentials in it)').default('couchbase://localhost'),
  username: z.string().min(1),
  password: secret(z.string()),
  bucket: z.string().regex(/^[A-Za-z0-9._%-]{1,100}$/, 'a Couchbase bucket name'),
  scope: z.string().regex(/^(_default|[A-Za-z0-9%-][A-Za-z0-9_%-]{0,250})$/, 'a Couchbase scope name').default('_default'),
  /** The collection `readTable`/`writeTable` use when given none of their own (Spark's `implicitCollection`). */
  collection: z.string().regex(/^(_default|[A-Za-z0-9%-][A-Za-z0-9_%-]{0,250})$/, 'a Couchbase collection name').optional(),
  /** PEM file of the CA that signed the cluster's certificate (`couchbases://`). */
  trustStorePath: z.string().optional(),
  /** Document field holding the key (`META().id`); Spark's `idFieldName`. */
  idField: z.string().regex(/^[A-Za-z_$@][\w$@-]*$/).default('_id'),
  /** How writes store a document: `upsert` (default), `insert` (fails per document when the key exists) or `replace` (fails when it does not). */
  writeMode: z.enum(['upsert', 'insert', 'replace']).default('upsert'),
  /** Synchronous durability of writes (server-side, needs replicas): `none`, `majority`, `majorityAndPersistActive`, `persistToMajority`. */
  durability: z.enum(['none', 'majority', 'majorityAndPersistActive', 'persistToMajority']).default('none'),
  /** Documents in flight at once during writes (and per KV multi-get). */
  batchSize: z.coerce.number().int().positive().max(10_000).default(128),
  /** Read partitions when a read does not say `numPartitions`. */
  partitions: z.coerce.number().int().positive().max(1_000).default(1),
  /** SQL++ scan consistency: `notBounded` (fast, may miss recent writes) or `requestPlus` (sees every write acknowledged before the query). */
  scanConsistency: z.enum(['notBounded', 'requestPlus']).default('requestPlus'),
  /** Read strings in `Date.toISOString()` form back as dates (how dates are written: JSON has no date type). */
  reviveDates: z.boolean().default(true),
  /** Columns per collection (`{ "orders": [{ "name": "_id", "type": "utf8" }, …] }`) used instead of inferring them from a sample. */
  schemas: z.record(z.string(), z.array(z.custom<ColumnSpec>(isColumnSpec, 'a column { name, type, nullable? } (types: bool, int32, int64, float64, utf8, binary, timestamp, date, { list }, { struct })'))).optional(),
  /** Create a missing collection (in an existing scope) on the first write into it. */
  createCollections: z.boolean().default(true),
  connectTimeoutMs: z.coerce.number().int().positive().default(10_000),
  kvTimeoutMs: z.coerce.number().int().positive().default(5_000),
  queryTimeoutMs: z.coerce.number().int().positive().default(75_000),
});

export type CouchbaseConfig = z.output<typeof couchbaseConfigSchema>;

type CouchbaseSdk = typeof import('couchbase');

/** SDK error class names that a later retry can get past. */
const RETRYABLE = new Set(['TemporaryFailureError', 'DocumentLockedError', 'UnambiguousTimeoutError', 'RateLimitedError', 'ServiceNotAvailableError', 'DurableWriteInProgressError', 'DurableWriteReCommitInProgressError', 'RequestCanceledError']);
/** Retryable only when repeating the write is harmless (upsert/replace are idempotent; an insert may already have landed). */
const AMBIGUOUS = new Set(['AmbiguousTimeoutError', 'DurabilityAmbiguousError']);

/** The first SQL++ error of a failed query (code and message), from the SDK error's context; undefined for non-query errors. */
function queryErrorOf(error: unknown): { code?: number; message?: string } | undefined {
  const context = (error as { context?: { statement?: unknown; first_error_code?: unknown; first_error_message?: unknown; http_response_body?: unknown } } | null)?.context;
  if (!context || typeof context.statement !== 'string') return undefined;
  if (typeof context.first_error_code === 'number') return { code: context.first_error_code, ...(typeof context.first_error_message === 'string' ? { message: context.first_error_message } : {}) };
  try {
    const first = (JSON.parse(String(context.http_response_body)) as { errors?: Array<{ code?: number; msg?: string }> }).errors?.[0];
    return first ? { ...(first.code !== undefined ? { code: first.code } : {}), ...(first.msg !== undefined ? { message: first.msg } : {}) } : {};
  } catch {
    return {};
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const SCALAR_TYPES = new Set(['bool', 'int32', 'int64', 'float64', 'utf8', 'binary', 'timestamp', 'date']);
function isColumnType(value: unknown): value is ColumnType {
  if (typeof value === 'string') return SCALAR_TYPES.has(value);
  if (!value || typeof value !== 'object') return false;
  if ('list' in value) return isColumnType((value as { list: unknown }).list);
  return 'struct' in value && Array.isArray((value as { struct: unknown }).struct) && ((value as { struct: unknown[] }).struct).every(isColumnSpec);
}
function isColumnSpec(value: unknown): value is ColumnSpec {
  const v = value as { name?: unknown; type?: unknown; nullable?: unknown } | null;
  return !!v && typeof v.name === 'string' && isColumnType(v.type) && (v.nullable === undefined || typeof v.nullable === 'boolean');
}

const sdkName = (error: unknown): string => (error && typeof error === 'object' ? ((error as { constructor?: { name?: string } }).constructor?.name ?? '') : '');

/**
 * The `couchbase` connection.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-couchbase';
 * await using cb = await getConnection('couchbase', {
 *   config: { connectionString: 'couchbases://cb.example.net', username: 'etl', password: process.env.CB_PASSWORD, bucket: 'shop', scope: 'sales' },
 * });
 * const frame = await cb.readTable('orders', { filter: where.eq('status', 'open'), columns: ['_id', 'total'], numPartitions: 4 });
 * ```
 */
export class CouchbaseConnection extends NoSQLConnection<CouchbaseConfig> {
  static override schema: z.ZodType = couchbaseConfigSchema;
  static override family = 'nosql';
  static override description = 'Couchbase (official SDK, lazy native module): SQL++ with named parameters, META().id-range partitions, KV get/upsert/range scan';
  #cluster: Promise<{ sdk: CouchbaseSdk; cluster: Cluster }> | undefined;
  readonly #created = new Set<string>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#cluster;
      this.#cluster = undefined;
      if (pending) await (await pending.catch(() => undefined))?.cluster.close();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Client
  // -------------------------------------------------------------------------------------------

  /** Loads the SDK (its native module) on first use; a missing or unloadable binary is a MISSING_DRIVER error. */
  protected async loadSdk(): Promise<CouchbaseSdk> {
    try {
      const sdk = (await import('couchbase')) as CouchbaseSdk & { default?: CouchbaseSdk };
      return typeof sdk.connect === 'function' ? sdk : sdk.default!;
    } catch (cause) {
      throw new MissingDriverError(this.type, 'couchbase', cause);
    }
  }

  async #connect(): Promise<{ sdk: CouchbaseSdk; cluster: Cluster }> {
    const sdk = await this.loadSdk();
    const c = this.config;
    try {
      const cluster = await sdk.connect(c.connectionString, {
        username: c.username,
        password: c.password,
        ...(c.trustStorePath ? { security: { trustStorePath: c.trustStorePath } } : {}),
        timeouts: { connectTimeout: c.connectTimeoutMs, bootstrapTimeout: c.connectTimeoutMs, kvTimeout: c.kvTimeoutMs, queryTimeout: c.queryTimeoutMs, managementTimeout: c.connectTimeoutMs },
      });
      return { sdk, cluster };
    } catch (error) {
      throw this.#error(error, `Connecting to Couchbase at ${c.connectionString}`);
    }
  }

  /** The SDK and the cluster (connected on first use). */
  protected async cluster(): Promise<{ sdk: CouchbaseSdk; cluster: Cluster }> {
    this.assertOpen();
    this.#cluster ??= this.#connect();
    try {
      return await this.#cluster;
    } catch (error) {
      this.#cluster = undefined;
      throw error;
    }
  }

  async #bucket(): Promise<{ sdk: CouchbaseSdk; cluster: Cluster; bucket: Bucket }> {
    const { sdk, cluster } = await this.cluster();
    return { sdk, cluster, bucket: cluster.bucket(this.config.bucket) };
  }

  /** `collection` (in the configured scope) or `scope.collection`, validated. */
  keyspace(collection: string): Keyspace {
    const parts = collection.split('.');
    if (parts.length > 2 || parts.some((p) => p === '')) {
      throw new InvalidArgumentError(`Invalid Couchbase collection '${collection}': use 'collection' or 'scope.collection'`, { connector: this.type });
    }
    const [scope, name] = parts.length === 2 ? parts : [this.config.scope, parts[0]!];
    return {
      bucket: bucketName(this.config.bucket, this.type),
      scope: scopeOrCollectionName(scope!, 'scope', this.type),
      collection: scopeOrCollectionName(name!, 'collection', this.type),
    };
  }

  async #collection(collection: string): Promise<{ sdk: CouchbaseSdk; cluster: Cluster; coll: Collection; ks: Keyspace }> {
    const ks = this.keyspace(collection);
    const { sdk, cluster, bucket } = await this.#bucket();
    return { sdk, cluster, coll: bucket.scope(ks.scope).collection(ks.collection), ks };
  }

  /** Types an SDK failure by its class; secrets scrubbed (the message never carries the password). */
  #error(error: unknown, what: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const name = sdkName(error);
    const classified = this.wrapError(error, what);
    const opts = { connector: this.type, cause: classified, details: { sdkError: name } };
    const query = queryErrorOf(error);
    if (query && (query.code === 12003 || name === 'BucketNotFoundError' || name === 'ScopeNotFoundError' || name === 'CollectionNotFoundError')) {
      return new InvalidArgumentError(
        `${what} failed: the query service does not know the keyspace (SQL++ error ${query.code ?? '12003'}: ${query.message ?? 'keyspace not found'}). Check 'bucket', the scope and the collection name`,
        { ...opts, details: { sdkError: name, queryCode: query.code } },
      );
    }
    switch (name) {
      case 'AuthenticationFailureError':
        return new AuthenticationError(`${what} failed: Couchbase refused the credentials of user '${this.config.username}'. Check 'username'/'password' and the user's roles on bucket '${this.config.bucket}'`, opts);
      case 'BucketNotFoundError':
        return new InvalidArgumentError(`${what} failed: bucket '${this.config.bucket}' does not exist or the user cannot see it. Check 'bucket' in the config`, opts);
      case 'ScopeNotFoundError':
      case 'CollectionNotFoundError':
        return new InvalidArgumentError(`${what} failed: ${name === 'ScopeNotFoundError' ? 'scope' : 'collection'} not found in bucket '${this.config.bucket}'. Check the collection name ('collection' or 'scope.collection') and 'scope'`, opts);
      case 'UnsupportedOperationError':
      case 'FeatureNotAvailableError':
        return new UnsupportedOperationError(`${what} failed: the Couchbase server does not support it (${classified.message})`, opts);
      case 'UnambiguousTimeoutError':
      case 'AmbiguousTimeoutError':
      case 'TimeoutError':
        return new TimeoutError(`${what} timed out (${classified.message}); check that the cluster is reachable and 'connectTimeoutMs'/'kvTimeoutMs'/'queryTimeoutMs'`, { ...opts, retryable: true });
      case 'ServiceNotAvailableError':
      case 'RequestCanceledError':
        return new ConnectionFailedError(`${what} failed: the Couchbase service is not available (${classified.message})`, { ...opts, retryable: true });
      case 'ParsingFailureError':
      case 'PlanningFailureError':
      case 'IndexNotFoundError':
        return new QueryError(
          `${what} failed: ${classified.message}${name === 'IndexNotFoundError' || name === 'PlanningFailureError' ? ' — SQL++ needs an index on the collection (CREATE PRIMARY INDEX, or one on the filtered fields)' : ''}`,
          opts,
        );
      default:
        if (classified.code !== 'QUERY_FAILED') return classified;
        return new QueryError(classified.message, { ...opts, retryable: RETRYABLE.has(name) });
    }
  }

  protected override endpoints(): Endpoint[] {
    const tls = this.config.connectionString.startsWith('couchbases://');
    const authority = this.config.connectionString.replace(/^couchbases?:\/\//, '').split(/[/?]/)[0]!;
    return authority.split(',').map((h) => {
      const m = /^\[?([^\]]+?)\]?(?::(\d+))?(?:=\w+)?$/.exec(h);
      return { host: m?.[1] ?? h, port: m?.[2] ? Number(m[2]) : tls ? 11207 : 11210 };
    });
  }

  /**
   * Auth tier: bootstrap (authenticates over KV), then ping the bucket's KV service — a bucket
   * that does not exist (or the user cannot open) answers with no KV endpoint.
   */
  protected override async checkAuth(): Promise<string> {
    const { bucket } = await this.#bucket();
    // A bucket opens asynchronously after bootstrap: until it has, its ping answers from no
    // node. An unknown bucket never opens, so the ping is repeated until connectTimeoutMs.
    let kv: Array<{ state?: unknown; error?: unknown }> = [];
    const deadline = Date.now() + this.config.connectTimeoutMs;
    for (;;) {
      try {
        const ping = await bucket.ping({ timeout: this.config.connectTimeoutMs });
        kv = (ping.services as Record<string, Array<{ state?: unknown; error?: unknown }>> | undefined)?.kv ?? [];
      } catch (error) {
        throw this.#error(error, `Pinging bucket '${this.config.bucket}'`);
      }
      if (kv.length || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!kv.length) {
      throw new InvalidArgumentError(`Bucket '${this.config.bucket}' does not exist or the user '${this.config.username}' cannot open it (its KV ping answered from no node). Check 'bucket' in the config`, {
        connector: this.type,
      });
    }
    const ok = kv.filter((e) => e.state === 0 || e.state === 'ok').length;
    if (!ok) throw new ConnectionFailedError(`Bucket '${this.config.bucket}': no KV node answered the ping (${kv.length} tried)`, { connector: this.type, retryable: true });
    return `ping ok: bucket '${this.config.bucket}' answered from ${ok} KV node(s)`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const ks = this.keyspace(collection);
    const authority = this.config.connectionString.replace(/^couchbases?:\/\//, '').split(/[/?]/)[0]!;
    return { namespace: `couchbase://${authority}`, name: `${ks.bucket}.${ks.scope}.${ks.collection}` };
  }

  // -------------------------------------------------------------------------------------------
  // Collections
  // -------------------------------------------------------------------------------------------

  /**
   * Scopes and collections of the bucket: those of the configured scope by name, the others as
   * `scope.collection`. A server without the collections API (before 7.0, or a mock) has only
   * `_default._default`, listed as `_default` — after a bucket ping proved the bucket exists.
   */
  async listCollections(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    options.signal?.throwIfAborted();
    const { bucket } = await this.#bucket();
    let scopes: Array<{ name: string; collections: Array<{ name: string }> }>;
    try {
      scopes = await bucket.collections().getAllScopes();
    } catch (error) {
      const name = sdkName(error);
      if (name !== 'BucketNotFoundError' && name !== 'FeatureNotAvailableError') throw this.#error(error, `Listing the collections of bucket '${this.config.bucket}'`);
      await this.checkAuth(); // throws when the bucket really is unknown
      scopes = [{ name: '_default', collections: [{ name: '_default' }] }];
    }
    const out: string[] = [];
    for (const scope of scopes) {
      if (scope.name.startsWith('_') && scope.name !== '_default') continue; // _system
      for (const c of scope.collections) out.push(scope.name === this.config.scope ? c.name : `${scope.name}.${c.name}`);
    }
    return out.sort();
  }

  /** Creates a missing collection once (write path, `createCollections`), then waits until KV knows it. */
  async #ensureCollection(ks: Keyspace, coll: Collection): Promise<void> {
    const id = `${ks.scope}.${ks.collection}`;
    if (this.#created.has(id) || !this.config.createCollections || ks.collection === '_default') return;
    this.#created.add(id);
    const { bucket } = await this.#bucket();
    try {
      await bucket.collections().createCollection(ks.collection, ks.scope);
    } catch (error) {
      const name = sdkName(error);
      if (name === 'CollectionExistsError') return;
      if (name === 'BucketNotFoundError' || name === 'FeatureNotAvailableError') return; // no collections API: KV says what is missing
      this.#created.delete(id);
      throw this.#error(error, `Creating collection '${id}' in bucket '${ks.bucket}'`);
    }
    // A new collection reaches every KV node's manifest shortly after; probe until a get answers.
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await coll.exists('__sparkle_probe__');
        return;
      } catch (error) {
        if (sdkName(error) !== 'CollectionNotFoundError' && sdkName(error) !== 'UnambiguousTimeoutError') return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // KV reads
  // -------------------------------------------------------------------------------------------

  /** A KV key from a document key: a value as text; a composite key's values joined by `::` in field order. */
  keyText(key: DocumentKey): string {
    if (key !== null && typeof key === 'object') return Object.values(key).map(String).join('::');
    return String(key);
  }

  /** ISO-8601 strings in `toISOString()` form back to dates, at any depth (`reviveDates`). */
  #revive(value: unknown): unknown {
    if (!this.config.reviveDates) return value;
    if (typeof value === 'string') return ISO_DATE.test(value) ? new Date(value) : value;
    if (Array.isArray(value)) return value.map((v) => this.#revive(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#revive(v)]));
    return value;
  }

  /** A configured schema (`schemas`) for the collection; undefined infers one from a sample. */
  protected override async collectionColumns(collection: string, _options: ReadTableOptions): Promise<ColumnSpec[] | undefined> {
    const ks = this.keyspace(collection);
    const schemas = this.config.schemas;
    return schemas?.[collection] ?? schemas?.[`${ks.scope}.${ks.collection}`] ?? (ks.scope === this.config.scope ? schemas?.[ks.collection] : undefined);
  }

  /** The document the SDK returned, with the key added as `idField` when it lacks one. */
  #withId(content: unknown, id: string, projection?: readonly string[]): Document {
    const doc = this.#revive(content && typeof content === 'object' && !Array.isArray(content) ? content : { value: content }) as Document;
    const idField = this.config.idField;
    if ((!projection?.length || projection.includes(idField)) && doc[idField] === undefined) return { [idField]: id, ...doc };
    return doc;
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const { coll } = await this.#collection(collection);
    const id = this.keyText(key);
    options.signal?.throwIfAborted();
    const project = options.projection?.filter((p) => p !== this.config.idField);
    try {
      const result = await coll.get(id, project?.length ? { project } : {});
      const doc = this.#withId(result.content, id, options.projection);
      return options.projection?.length && !project?.length ? { [this.config.idField]: doc[this.config.idField] } : doc;
    } catch (error) {
      if (sdkName(error) === 'DocumentNotFoundError') return undefined;
      throw this.#error(error, `KV get '${id}' in ${collection}`);
    }
  }

  /**
   * KV gets of a list of keys, `batchSize` in flight at a time, in input order; a missing key
   * yields nothing (its position is skipped).
   * @example
   * ```ts
   * import type { CouchbaseConnection } from '@sparkle/connector-couchbase';
   * declare const cb: CouchbaseConnection;
   * for await (const doc of cb.getDocuments('orders', ['o-1', 'o-2', 'o-9'])) console.log(doc);
   * ```
   */
  async *getDocuments(collection: string, keys: Iterable<DocumentKey>, options: { signal?: AbortSignal } = {}): AsyncGenerator<Document> {
    const list = [...keys];
    const width = this.config.batchSize;
    for (let i = 0; i < list.length; i += width) {
      const docs = await Promise.all(list.slice(i, i + width).map((k) => this.getDocument(collection, k, options)));
      for (const d of docs) if (d) yield d;
    }
  }

  /**
   * A KV range scan (Couchbase Server 7.6+): documents whose keys are in `[from, to)` or start
   * with `prefix`, in key order per vBucket, no index needed. A server without range scans fails
   * with UNSUPPORTED.
   * @example
   * ```ts
   * import type { CouchbaseConnection } from '@sparkle/connector-couchbase';
   * declare const cb: CouchbaseConnection;
   * for await (const doc of cb.scanDocuments('orders', { prefix: 'order::2024' })) console.log(doc);
   * ```
   */
  async *scanDocuments(collection: string, range: { from?: string; to?: string; prefix?: string; idsOnly?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<Document> {
    const { sdk, coll } = await this.#collection(collection);
    const type = range.prefix !== undefined
      ? new sdk.PrefixScan(range.prefix)
      : new sdk.RangeScan(range.from !== undefined ? new sdk.ScanTerm(range.from) : undefined, range.to !== undefined ? new sdk.ScanTerm(range.to, true) : undefined);
    try {
      for await (const item of events<{ id: string; content?: unknown }>(coll.scan(type, { idsOnly: range.idsOnly ?? false, timeout: this.config.queryTimeoutMs }) as unknown as Parameters<typeof events>[0], 'result')) {
        range.signal?.throwIfAborted();
        yield range.idsOnly ? { [this.config.idField]: item.id } : this.#withId(item.content, item.id);
      }
    } catch (error) {
      throw this.#error(error, `KV range scan of ${collection}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // SQL++ reads
  // -------------------------------------------------------------------------------------------

  /** Runs a statement with named parameters and streams its rows. */
  async *#query(what: string, { statement, parameters }: N1qlStatement, signal?: AbortSignal): AsyncGenerator<Record<string, unknown>> {
    const { sdk, cluster } = await this.cluster();
    const stream = cluster.query(statement, {
      parameters,
      scanConsistency: this.config.scanConsistency === 'requestPlus' ? sdk.QueryScanConsistency.RequestPlus : sdk.QueryScanConsistency.NotBounded,
      readOnly: true,
      timeout: this.config.queryTimeoutMs,
    });
    try {
      for await (const row of events<Record<string, unknown>>(stream, 'row')) {
        signal?.throwIfAborted();
        yield row;
      }
    } catch (error) {
      throw this.#error(error, what);
    }
  }

  /** The SQL++ statement a find runs (exposed for inspection and tests: values stay parameters). */
  findStatement(collection: string, options: FindDocumentsOptions = {}, idRange?: { from?: string; to?: string }): N1qlStatement {
    if (options.native !== undefined) {
      throw new UnsupportedOperationError(`${this.type} takes typed filters only; 'native' SQL++ text is not accepted (values must stay parameters)`, { connector: this.type });
    }
    return selectStatement(this.keyspace(collection), {
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.projection?.length ? { projection: options.projection } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(idRange ? { idRange, ordered: true } : {}),
    });
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    yield* this.#find(collection, options);
  }

  async *#find(collection: string, options: FindDocumentsOptions, idRange?: { from?: string; to?: string }): AsyncGenerator<Document> {
    const statement = this.findStatement(collection, options, idRange);
    for await (const row of this.#query(`SQL++ read of ${collection}`, statement, options.signal)) {
      yield this.#revive(rowToDocument(row, this.config.idField, options.projection)) as Document;
    }
  }

  /**
   * `META().id` ranges. The Couchbase Spark connector splits a query read by a numeric
   * `partitionColumn` with bounds the user gives; without one it reads in one partition. Here
   * the split needs no column: the query service counts the matching documents and returns the
   * key at evenly spaced offsets in key order (`ORDER BY META().id OFFSET k LIMIT 1`, served by
   * the primary index); those keys bound the partitions `[kᵢ, kᵢ₊₁)`.
   */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const wanted = options.partitions ?? this.config.partitions;
    const single: DocumentPartition[] = [{ description: `${collection} (one partition)`, find: (o) => this.#find(collection, o) }];
    if (wanted <= 1) return single;
    const ks = this.keyspace(collection);
    let count = 0;
    for await (const n of this.#query(`Counting ${collection}`, countStatement(ks, options.filter), options.signal)) count = Number(n);
    const n = Math.min(wanted, count);
    if (n <= 1) return single;
    const bounds: string[] = [];
    for (let i = 1; i < n; i++) {
      for await (const id of this.#query(`Splitting ${collection}`, boundaryStatement(ks, Math.floor((i * count) / n), options.filter), options.signal)) {
        if (bounds.at(-1) !== String(id)) bounds.push(String(id));
      }
    }
    return Array.from({ length: bounds.length + 1 }, (_, i) => {
      const range = { ...(i > 0 ? { from: bounds[i - 1]! } : {}), ...(i < bounds.length ? { to: bounds[i]! } : {}) };
      return {
        description: `${collection} META().id in [${range.from ?? 'min'}, ${range.to ?? 'max'})`,
        find: (o: FindDocumentsOptions) => this.#find(collection, o, range),
      };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions & { writeMode?: CouchbaseConfig['writeMode'] } = {}): Promise<BulkWriteResult> {
    const { sdk, coll, ks } = await this.#collection(collection);
    const keyFields = options.keyFields?.length ? options.keyFields : [this.config.idField];
    const mode = options.writeMode ?? this.config.writeMode;
    const durabilityLevel = {
      none: sdk.DurabilityLevel.None,
      majority: sdk.DurabilityLevel.Majority,
      majorityAndPersistActive: sdk.DurabilityLevel.MajorityAndPersistOnMaster,
      persistToMajority: sdk.DurabilityLevel.PersistToMajority,
    }[this.config.durability];
    const writeOptions = { timeout: this.config.kvTimeoutMs, ...(this.config.durability !== 'none' ? { durabilityLevel } : {}) };
    await this.#ensureCollection(ks, coll);
    return upsertInBatches(documents, {
      keyFields,
      batchSize: options.batchSize ?? this.config.batchSize,
      ...(options.itemRetries !== undefined ? { itemRetries: options.itemRetries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      toItem: (doc, index, key) => ({ index, key, doc: jsonDocument(doc, index) }),
      // One batch = at most batchSize KV writes in flight; each settles on its own.
      send: async (items, written) => {
        const settled = await Promise.allSettled(
          items.map((item) => {
            const id = this.keyText(item.key);
            return mode === 'insert' ? coll.insert(id, item.doc, writeOptions) : mode === 'replace' ? coll.replace(id, item.doc, writeOptions) : coll.upsert(id, item.doc, writeOptions);
          }),
        );
        const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ item: items[i]!, error: s.reason as unknown }] : []));
        if (failures.length === items.length && failures.every((f) => ['AuthenticationFailureError', 'BucketNotFoundError', 'ScopeNotFoundError', 'CollectionNotFoundError', 'UnsupportedOperationError'].includes(sdkName(f.error)))) {
          const typed = this.#error(failures[0]!.error, `KV ${mode} into ${collection}`);
          throw new WriteError(`Writing a batch of ${items.length} document(s) to '${collection}' failed (${written} written before it): ${typed.message}`, {
            connector: this.type,
            cause: typed,
            retryable: false,
            details: { committed: written > 0, written },
          });
        }
        return failures.map(({ item, error }) => {
          const name = sdkName(error);
          return {
            item,
            message: this.redact(`${name || 'error'}: ${(error as Error)?.message ?? String(error)} (key '${this.keyText(item.key)}')`),
            retryable: RETRYABLE.has(name) || (mode !== 'insert' && AMBIGUOUS.has(name)),
          };
        });
      },
    });
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const { coll } = await this.#collection(collection);
    let removed = 0;
    const width = this.config.batchSize;
    for (let i = 0; i < keys.length; i += width) {
      options.signal?.throwIfAborted();
      const settled = await Promise.allSettled(keys.slice(i, i + width).map((k) => coll.remove(this.keyText(k), { timeout: this.config.kvTimeoutMs })));
      for (const s of settled) {
        if (s.status === 'fulfilled') removed++;
        else if (sdkName(s.reason) !== 'DocumentNotFoundError') throw this.#error(s.reason, `KV remove in ${collection}`);
      }
    }
    return removed;
  }

  /**
   * Every collection with columns inferred from a sample of its documents (SQL++, so the
   * collection needs a primary index).
   * @example
   * ```ts
   * import type { CouchbaseConnection } from '@sparkle/connector-couchbase';
   * declare const cb: CouchbaseConnection;
   * for (const c of await cb.discover({ sampleSize: 100 })) console.log(c.name, c.columns);
   * ```
   */
  async discover(options: { sampleSize?: number; collections?: readonly string[] } = {}): Promise<DiscoveredCollection[]> {
    return discoverCollections(this, options);
  }

  // -------------------------------------------------------------------------------------------
  // Spark: the Couchbase Spark connector (couchbase.query / couchbase.kv)
  // -------------------------------------------------------------------------------------------

  /**
   * The Spark conf the Couchbase Spark connector reads when the session starts
   * (`spark.couchbase.connectionString`, `username`, `password`, implicit bucket/scope/collection):
   * it cannot be set per read, so it belongs in the Spark Connect server's configuration.
   */
  sparkConf(): Record<string, string> {
    const c = this.config;
    return {
      'spark.couchbase.connectionString': c.connectionString,
      'spark.couchbase.username': c.username,
      'spark.couchbase.password': c.password,
      'spark.couchbase.implicitBucket': c.bucket,
      'spark.couchbase.implicitScope': c.scope,
      ...(c.collection ? { 'spark.couchbase.implicitCollection': c.collection } : {}),
    };
  }

  #sparkKeyspace(table: string): Record<string, string> {
    const ks = this.keyspace(table);
    return { bucket: ks.bucket, scope: ks.scope, collection: ks.collection };
  }

  /** A read through `couchbase.query` (SQL++); `scanConsistency` as configured. Connection settings are Spark conf (see {@link sparkConf}). */
  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    if (options.filter) {
      throw new UnsupportedOperationError(`${this.type} over Spark: typed filters are not translated into couchbase.query's 'filter' option (it takes SQL++ text); filter the DataFrame instead`, {
        connector: this.type,
      });
    }
    return {
      format: 'couchbase.query',
      options: {
        ...this.#sparkKeyspace(table),
        scanConsistency: this.config.scanConsistency,
      },
      secretOptions: [],
    };
  }

  /**
   * A write through `couchbase.kv`. Spark's save mode picks the KV operation there (append and
   * overwrite upsert, errorIfExists inserts, ignore inserts and skips existing keys); only
   * `writeMode: 'replace'` is an option of its own. `idFieldName` names the key column.
   */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const durability = { none: undefined, majority: 'majority', majorityAndPersistActive: 'majorityAndPersistToActive', persistToMajority: 'PersistToMajority' }[this.config.durability];
    return {
      format: 'couchbase.kv',
      options: {
        ...this.#sparkKeyspace(table),
        idFieldName: options.options?.idFieldList?.split(',')[0]?.trim() || this.config.idField,
        ...(this.config.writeMode === 'replace' ? { writeMode: 'replace' } : {}),
        ...(durability ? { durability } : {}),
      },
      mode: options.mode ?? 'errorIfExists',
      secretOptions: [],
    };
  }
}

/** A document as JSON: dates as ISO text, safe bigints as numbers; an unsafe bigint or bytes fail that document alone. */
function jsonDocument(doc: Document, index: number): Document {
  const convert = (value: unknown, path: string): unknown => {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'bigint') {
      if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
      throw new InvalidArgumentError(`document #${index}: field '${path}' holds ${value}, beyond the ±2^53 that JSON numbers keep exactly; store it as a string`);
    }
    if (value instanceof Uint8Array) throw new InvalidArgumentError(`document #${index}: field '${path}' is binary; Couchbase JSON documents cannot hold bytes (encode it as base64 text)`);
    if (Array.isArray(value)) return value.map((v, i) => convert(v, `${path}[${i}]`));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, path ? `${path}.${k}` : k)]));
    return value;
  };
  return convert(doc, '') as Document;
}

/**
 * The items an SDK stream emits (`row` for queries, `result` for range scans) as an async
 * iterable, ending on `end` and throwing on `error`. The SDK pushes rows without backpressure,
 * so they queue here until the reader takes them.
 */
async function* events<T>(emitter: { on(event: string, listener: (...args: any[]) => void): unknown }, event: string): AsyncGenerator<T> {
  const queue: T[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  emitter.on(event, (item: T) => {
    queue.push(item);
    notify();
  });
  emitter.on('end', () => {
    done = true;
    notify();
  });
  emitter.on('error', (error: unknown) => {
    failure = error;
    done = true;
    notify();
  });
  // (The SDK's streamable is either awaited or listened to, never both: no .catch here.)
  for (;;) {
    if (queue.length) {
      yield queue.shift()!;
      continue;
    }
    if (failure !== undefined) throw failure;
    if (done) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
