/**
 * `ElasticsearchConnection`: Elasticsearch (and, with caveats, OpenSearch) as a document store
 * with the official `@elastic/elasticsearch` client, imported on first use.
 *
 * Typed filters become query DSL objects (`filter.ts`), projections `_source` includes; reads
 * page with a point-in-time and `search_after`, split into `slice`s of that point in time for
 * parallel partitions (how the ES Spark connector splits an index); fields the index mapping
 * types as `date` come back as `Date`s so the base infers Arrow timestamps, nested objects become
 * structs. Upserts are `_bulk` `index` actions in bounded batches, per-item errors reported (429
 * retried with backoff); overwrite writes a new index and swaps the alias atomically.
 */
import { readFileSync } from 'node:fs';
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
  type BulkItem,
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
import type { Client } from '@elastic/elasticsearch';
import { toEsQuery, type QueryDsl } from './filter.js';
import { parseInt64Json, stringifyInt64Json } from './int64-json.js';

/** Config of the `elasticsearch` connection. */
export const elasticsearchConfigSchema = z
  .looseObject({
    /**
     * The server: `elasticsearch`, or `opensearch` (2.x) — then the client skips its Elasticsearch
     * product check and sends plain JSON content types, point-in-time calls use OpenSearch's
     * `/_search/point_in_time` endpoints and pages sort on `_id` (OpenSearch 2.x has no
     * `_shard_doc`); Spark options target opensearch-hadoop (`opensearch.*`). The `opensearch`
     * alias resolves to this same type, so say it here.
     */
    distribution: z.enum(['elasticsearch', 'opensearch']).default('elasticsearch'),
    /** Node URLs (`http(s)://host:port`); the client round-robins over them. */
    nodes: z.array(z.url({ protocol: /^https?$/ })).min(1).default(['http://localhost:9200']),
    /** Basic auth user. */
    username: z.string().optional(),
    password: secret(z.string()).optional(),
    /** An API key (the base64 `id:key` form Elasticsearch returns as `encoded`). */
    apiKey: secret(z.string()).optional(),
    /** A bearer (service account) token. */
    bearer: secret(z.string()).optional(),
    /** PEM file of the CA that signed the nodes' TLS certificates. */
    caFile: z.string().optional(),
    /** Shards and replicas of indices this connection creates (overwrite, first write). */
    numberOfShards: z.coerce.number().int().positive().optional(),
    numberOfReplicas: z.coerce.number().int().min(0).optional(),
    /** `_bulk` actions per request. */
    batchSize: z.coerce.number().int().positive().max(100_000).default(1000),
    /** Hits per search page. */
    pageSize: z.coerce.number().int().positive().max(10_000).default(1000),
    /** Read slices when a read does not say `numPartitions`. */
    partitions: z.coerce.number().int().positive().max(1024).default(1),
    /** `refresh` of bulk writes: `wait_for` makes writes visible to the next read. */
    refresh: z.enum(['true', 'false', 'wait_for']).default('wait_for'),
    /** How long a point in time stays open between pages. */
    keepAlive: z.string().regex(/^\d+[smh]$/).default('1m'),
    requestTimeoutMs: z.coerce.number().int().positive().default(30_000),
  })
  .refine((c) => [c.password !== undefined || c.username !== undefined, c.apiKey !== undefined, c.bearer !== undefined].filter(Boolean).length <= 1, {
    message: "give one of 'username'/'password', 'apiKey' or 'bearer'",
  });

export type ElasticsearchConfig = z.output<typeof elasticsearchConfigSchema>;

/** Index names Elasticsearch accepts (lowercase, no `\ / * ? " < > | , #`, not starting with `-_+`). */
const INDEX = /^[a-z0-9][a-z0-9._-]{0,254}$/;
/** Marks the indices behind an alias that overwrite created. */
const BACKING = '__sparkle_';

type Hit = { _id: string; _source?: Document; sort?: unknown[] };
type Mapping = Map<string, { type: string; keyword?: string }>;

/**
 * The `elasticsearch` connection (aliases `elastic`, `opensearch`).
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-elasticsearch';
 * await using es = await getConnection('elasticsearch', { config: { nodes: ['http://localhost:9200'], apiKey: process.env.ES_API_KEY } });
 * const frame = await es.readTable('orders', { filter: where.eq('status', 'open'), columns: ['_id', 'total'], numPartitions: 4 });
 * ```
 */
export class ElasticsearchConnection extends NoSQLConnection<ElasticsearchConfig> {
  static override schema: z.ZodType = elasticsearchConfigSchema;
  static override family = 'nosql';
  static override description = 'Elasticsearch (official client): filters as query DSL, sliced point-in-time reads, _bulk upserts, alias-swap overwrite';
  #client: Promise<Client> | undefined;
  readonly #mappings = new Map<string, Promise<Mapping>>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#client;
      this.#client = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close();
    });
  }

  async #connect(): Promise<Client> {
    let driver: typeof import('@elastic/elasticsearch');
    try {
      driver = await import('@elastic/elasticsearch');
    } catch (cause) {
      throw new MissingDriverError(this.type, '@elastic/elasticsearch', cause);
    }
    const c = this.config;
    let ca: string | undefined;
    if (c.caFile) {
      try {
        ca = readFileSync(c.caFile, 'utf8');
      } catch (cause) {
        throw new InvalidArgumentError(`caFile: cannot read '${c.caFile}'; point it at the PEM file of the cluster's CA`, { connector: this.type, cause });
      }
    }
    const auth = c.apiKey !== undefined ? { apiKey: c.apiKey } : c.bearer !== undefined ? { bearer: c.bearer } : c.username !== undefined ? { username: c.username, password: c.password ?? '' } : undefined;
    // int64 values stay exact both ways (plain JSON would round longs beyond 2^53).
    class Int64Serializer extends driver.Serializer {
      override serialize(object: Record<string, unknown>): string {
        return stringifyInt64Json(object);
      }
      override deserialize<T = unknown>(json: string): T {
        return parseInt64Json<T>(json);
      }
    }
    // OpenSearch: no product check (it sends no x-elastic-product header) and plain JSON
    // content types (it refuses Elasticsearch's vendored compatible-with media types).
    class OpenSearchTransport extends driver.Transport {
      constructor(opts: ConstructorParameters<typeof driver.Transport>[0]) {
        super({ ...opts, productCheck: undefined, vendoredHeaders: { jsonContentType: 'application/json', ndjsonContentType: 'application/x-ndjson', accept: 'application/json' } });
      }
    }
    return new driver.Client({
      nodes: c.nodes,
      Serializer: Int64Serializer,
      ...(c.distribution === 'opensearch' ? { Transport: OpenSearchTransport } : {}),
      ...(auth ? { auth } : {}),
      ...(ca ? { tls: { ca } } : {}),
      requestTimeout: c.requestTimeoutMs,
      maxRetries: 2,
    });
  }

  protected async client(): Promise<Client> {
    this.assertOpen();
    this.#client ??= this.#connect();
    try {
      return await this.#client;
    } catch (error) {
      this.#client = undefined;
      throw error;
    }
  }

  /** Types a client failure by HTTP status and error type, secrets scrubbed. */
  #error(error: unknown, what: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const e = error as { name?: string; meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } } }; message?: string };
    const status = e.meta?.statusCode;
    const reason = e.meta?.body?.error ? `${e.meta.body.error.type ?? 'error'}: ${e.meta.body.error.reason ?? ''}` : (e.message ?? String(error));
    const message = this.redact(`${what} failed: ${reason}${status ? ` (HTTP ${status})` : ''}`);
    if (status === 401 || status === 403) {
      return new AuthenticationError(`${message}. Check 'username'/'password', 'apiKey' or 'bearer' and the user's index privileges`, { connector: this.type, details: { status } });
    }
    if (e.name === 'ConnectionError' || e.name === 'TimeoutError' || e.name === 'NoLivingConnectionsError') {
      return new ConnectionFailedError(`${message}; is a node listening at ${this.config.nodes.join(', ')}?`, { connector: this.type });
    }
    if (e.name === 'ProductNotSupportedError') {
      return new ConnectionFailedError(`${message}. The server is not Elasticsearch; for OpenSearch set 'distribution': 'opensearch'`, { connector: this.type, retryable: false });
    }
    const retryable = status === 429 || status === 502 || status === 503 || status === 504;
    return new QueryError(message, { connector: this.type, retryable, details: { ...(status ? { status } : {}), ...(e.meta?.body?.error?.type ? { errorType: e.meta.body.error.type } : {}) } });
  }

  async #call<T>(what: string, run: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await run(client);
    } catch (error) {
      throw this.#error(error, what);
    }
  }

  #index(collection: string): string {
    if (!INDEX.test(collection)) {
      throw new InvalidArgumentError(`Invalid Elasticsearch index name '${collection}': lowercase letters, digits, '.', '_', '-', starting with a letter or digit`, { connector: this.type });
    }
    return collection;
  }

  protected override endpoints(): Endpoint[] {
    return this.config.nodes.map((n) => {
      const u = new URL(n);
      return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
    });
  }

  /** Auth tier: `GET /` (authenticated), naming the cluster's distribution and version. */
  protected override async checkAuth(): Promise<string> {
    const info = await this.#call('GET /', (c) => c.info());
    return `${(info.version as { distribution?: string }).distribution ?? 'elasticsearch'} ${info.version.number} (cluster ${info.cluster_name})`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const u = new URL(this.config.nodes[0]!);
    return { namespace: `elasticsearch://${u.host}`, name: collection };
  }

  async listCollections(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    options.signal?.throwIfAborted();
    const indices = await this.#call('listing indices', (c) => c.indices.get({ index: '*', expand_wildcards: 'open' }));
    const names = new Set<string>();
    for (const [name, info] of Object.entries(indices)) {
      if (!name.includes(BACKING) && !name.startsWith('.')) names.add(name);
      for (const alias of Object.keys(info.aliases ?? {})) if (!alias.startsWith('.')) names.add(alias);
    }
    return [...names].sort();
  }

  /** Field types from the index mapping (dotted paths), cached per index; empty when the index has none. */
  async #mapping(index: string): Promise<Mapping> {
    let pending = this.#mappings.get(index);
    if (!pending) {
      pending = this.#call(`reading the mapping of ${index}`, (c) => c.indices.getMapping({ index })).then((res) => {
        const out: Mapping = new Map();
        const walk = (props: Record<string, { type?: string; properties?: Record<string, unknown>; fields?: Record<string, { type?: string }> }> | undefined, prefix: string) => {
          for (const [name, p] of Object.entries(props ?? {})) {
            const path = prefix + name;
            const keyword = Object.entries(p.fields ?? {}).find(([, f]) => f.type === 'keyword')?.[0];
            out.set(path, { type: p.type ?? 'object', ...(keyword ? { keyword: `${path}.${keyword}` } : {}) });
            if (p.properties) walk(p.properties as never, `${path}.`);
          }
        };
        for (const m of Object.values(res)) walk(m.mappings?.properties as never, '');
        return out;
      });
      pending.catch(() => this.#mappings.delete(index));
      this.#mappings.set(index, pending);
    }
    return pending;
  }

  /** A hit as a document: `_id` back in it (integers written as numbers come back as numbers), `date` fields as `Date`s. */
  #document(hit: Hit, mapping: Mapping, withId: boolean): Document {
    const source = hit._source ?? {};
    const doc: Document = withId ? { _id: /^-?(0|[1-9]\d{0,15})$/.test(hit._id) ? Number(hit._id) : hit._id, ...source } : { ...source };
    const revive = (value: unknown, prefix: string): unknown => {
      if (Array.isArray(value)) return value.map((v) => revive(v, prefix));
      if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, `${prefix}.${k}`)]));
      }
      if (typeof value === 'string' && mapping.get(prefix)?.type === 'date') {
        const d = new Date(value);
        return Number.isNaN(d.getTime()) ? value : d;
      }
      return value;
    };
    for (const [k, v] of Object.entries(doc)) if (k !== '_id') doc[k] = revive(v, k);
    return doc;
  }

  /** `_source` includes of a projection (`_id` is metadata: not a source field). */
  #source(projection: readonly string[] | undefined): { _source?: string[] | false } {
    if (!projection?.length) return {};
    const fields = projection.filter((f) => f !== '_id');
    return { _source: fields.length ? fields : false };
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const index = this.#index(collection);
    if (key !== null && typeof key === 'object') throw new InvalidArgumentError('getDocument: Elasticsearch documents have one _id; pass it as a string or number', { connector: this.type });
    const client = await this.client();
    const source = this.#source(options.projection);
    let hit: Hit;
    try {
      hit = (await client.get({ index, id: String(key), ...(source._source !== undefined ? { _source: source._source as never } : {}) })) as Hit;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return undefined;
      throw this.#error(error, `get ${collection}/${String(key)}`);
    }
    return this.#document(hit, await this.#mapping(index), !options.projection?.length || options.projection.includes('_id'));
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    yield* this.#find(collection, options);
  }

  /** The query of a find: the typed filter and a `native` DSL object, ANDed. */
  async #query(index: string, options: FindDocumentsOptions): Promise<QueryDsl> {
    const parts: QueryDsl[] = [];
    if (options.filter) {
      const mapping = await this.#mapping(index);
      parts.push(toEsQuery(options.filter, (f) => mapping.get(f)?.keyword ?? f));
    }
    if (options.native !== undefined) {
      if (options.native === null || typeof options.native !== 'object' || Array.isArray(options.native)) {
        throw new InvalidArgumentError('native: expected an Elasticsearch query DSL object, e.g. { match: { title: "x" } }', { connector: this.type });
      }
      parts.push(options.native as QueryDsl);
    }
    return parts.length === 0 ? { match_all: {} } : parts.length === 1 ? parts[0]! : { bool: { filter: parts } };
  }

  /** Pages one slice of a point in time with `search_after` on `_shard_doc` (`_id` on OpenSearch), closing the point in time at the end. */
  async *#find(collection: string, options: FindDocumentsOptions, slice?: { id: number; max: number }): AsyncGenerator<Document> {
    const index = this.#index(collection);
    const query = await this.#query(index, options);
    const mapping = await this.#mapping(index);
    const withId = !options.projection?.length || options.projection.includes('_id');
    const keepAlive = this.config.keepAlive;
    const opensearch = this.config.distribution === 'opensearch';
    let pitId = await this.#call(`opening a point in time on ${collection}`, async (c) =>
      opensearch
        ? ((await c.transport.request({ method: 'POST', path: `/${encodeURIComponent(index)}/_search/point_in_time`, querystring: { keep_alive: keepAlive } })) as { pit_id: string }).pit_id
        : (await c.openPointInTime({ index, keep_alive: keepAlive })).id,
    );
    let left = options.limit ?? Infinity;
    let after: unknown[] | undefined;
    try {
      while (left > 0) {
        options.signal?.throwIfAborted();
        const size = Math.min(options.pageSize ?? this.config.pageSize, left);
        const res = await this.#call(`searching ${collection}`, (c) =>
          c.search({
            pit: { id: pitId, keep_alive: keepAlive },
            query: query as never,
            size,
            // `_shard_doc` is the cheap PIT tiebreaker; OpenSearch 2.x lacks it and sorts on `_id`.
            sort: [opensearch ? { _id: 'asc' } : { _shard_doc: 'asc' }] as never,
            track_total_hits: false,
            ...this.#source(options.projection),
            ...(slice ? { slice: { id: String(slice.id), max: slice.max } } : {}),
            ...(after ? { search_after: after as never } : {}),
          }),
        );
        if (res.pit_id) pitId = res.pit_id;
        const hits = res.hits.hits as Hit[];
        for (const hit of hits) yield this.#document(hit, mapping, withId);
        left -= hits.length;
        if (hits.length < size) break;
        after = hits.at(-1)!.sort;
      }
    } finally {
      const client = await this.client().catch(() => undefined);
      const close = opensearch
        ? client?.transport.request({ method: 'DELETE', path: '/_search/point_in_time', body: { pit_id: [pitId] } })
        : client?.closePointInTime({ id: pitId });
      await close?.catch(() => undefined);
    }
  }

  /** `partitions` slices of one index, each paged through its own point in time (the ES Spark connector's split). */
  async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const max = Math.max(1, options.partitions ?? this.config.partitions);
    if (max === 1) return [{ description: collection, find: (o) => this.#find(collection, o) }];
    return Array.from({ length: max }, (_, id) => ({ description: `${collection} slice ${id}/${max}`, find: (o: FindDocumentsOptions) => this.#find(collection, o, { id, max }) }));
  }

  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    return this.#upsert(this.#index(collection), documents, options);
  }

  /**
   * `_bulk` `index` actions, `batchSize` at a time: each document replaces the one with its id
   * (the key field(s), joined with `|` for a compound key). Per-item errors are reported with
   * their input position; items refused with 429 are retried with backoff up to `itemRetries`
   * times. A failure of a whole request throws a `WriteError` saying how much was written.
   */
  async #upsert(index: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    const client = await this.client();
    const keyFields = options.keyFields?.length ? options.keyFields : ['_id'];
    const batchSize = options.batchSize ?? this.config.batchSize;
    type Item = BulkItem & { id: string };
    this.#mappings.delete(index);
    return upsertInBatches<Item>(documents, {
      keyFields,
      batchSize,
      ...(options.itemRetries !== undefined ? { itemRetries: options.itemRetries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      toItem: (doc, i, key) => {
        const id = keyFields.map((f) => String(doc[f] instanceof Date ? (doc[f] as Date).toISOString() : doc[f])).join('|');
        // `_id` is metadata in Elasticsearch: it cannot be a source field.
        const { _id: _drop, ...source } = doc;
        return { index: i, key, id, doc: jsonSafe(source) as Document };
      },
      send: async (items, written) => {
        const operations = items.flatMap((item) => [{ index: { _index: index, _id: item.id } }, item.doc]);
        let res;
        try {
          res = await client.bulk({ operations, refresh: this.config.refresh === 'wait_for' ? 'wait_for' : this.config.refresh === 'true' });
        } catch (error) {
          const typed = this.#error(error, `_bulk into ${index}`);
          throw new WriteError(`Writing a batch of ${items.length} document(s) to '${index}' failed (${written} written before it): ${typed.message}`, {
            connector: this.type,
            cause: typed,
            retryable: typed.retryable,
            details: { committed: written > 0, written },
          });
        }
        return res.items.flatMap((entry, i) => {
          const r = entry.index!;
          if (!r.error) return [];
          return [{ item: items[i]!, message: this.redact(`${r.error.type}: ${r.error.reason ?? ''} (HTTP ${r.status})`), retryable: r.status === 429 }];
        });
      },
    });
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const index = this.#index(collection);
    if (!keys.length) return 0;
    options.signal?.throwIfAborted();
    const operations = keys.map((k) => ({ delete: { _index: index, _id: k !== null && typeof k === 'object' ? Object.values(k).map(String).join('|') : String(k) } }));
    const res = await this.#call(`_bulk delete in ${collection}`, (c) => c.bulk({ operations, refresh: this.config.refresh === 'wait_for' ? 'wait_for' : this.config.refresh === 'true' }));
    return res.items.filter((i) => i.delete?.result === 'deleted').length;
  }

  /**
   * Overwrite: the documents go into a new index `<name>__sparkle_<suffix>`; only when every one
   * was written does one `_aliases` request point the alias `<name>` at it, removing the old
   * index (when `<name>` was a concrete index) or the old backing indices — atomically, so
   * readers see the old or the new documents, never a mix. A failed write deletes the new index.
   */
  protected override async replaceCollection(collection: string, documents: AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    const name = this.#index(collection);
    const fresh = `${name}${BACKING}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const c = this.config;
    await this.#call(`creating ${fresh}`, (cl) =>
      cl.indices.create({ index: fresh, ...(c.numberOfShards || c.numberOfReplicas !== undefined ? { settings: { ...(c.numberOfShards ? { number_of_shards: c.numberOfShards } : {}), ...(c.numberOfReplicas !== undefined ? { number_of_replicas: c.numberOfReplicas } : {}) } } : {}) }),
    );
    const drop = () => this.#call(`deleting ${fresh}`, (cl) => cl.indices.delete({ index: fresh })).catch(() => undefined);
    let result: BulkWriteResult;
    try {
      result = await this.#upsert(fresh, documents, options);
    } catch (error) {
      await drop();
      if (SparkleError.isInstance(error)) error.details.committed = false;
      throw error;
    }
    if (result.failed.length) {
      await drop();
      return { written: 0, failed: result.failed };
    }
    const client = await this.client();
    const current = await client.indices.get({ index: name }).catch(() => ({}) as Record<string, { aliases?: Record<string, unknown> }>);
    const actions: unknown[] = [{ add: { index: fresh, alias: name } }];
    const oldBacking: string[] = [];
    for (const [idx, info] of Object.entries(current)) {
      if (idx === name) actions.push({ remove_index: { index: idx } });
      else if (info.aliases && name in info.aliases) oldBacking.push(idx);
    }
    try {
      await client.indices.updateAliases({ actions: actions as never });
    } catch (error) {
      await drop();
      throw new WriteError(`Swapping the alias '${name}' to the new documents failed; the old documents are kept: ${this.#error(error, '_aliases').message}`, { connector: this.type, details: { committed: false } });
    }
    for (const idx of oldBacking) await client.indices.delete({ index: idx }).catch(() => undefined);
    this.#mappings.delete(name);
    return result;
  }

  /**
   * Every index and alias with columns inferred from a sample of its documents.
   * @example
   * ```ts
   * import type { ElasticsearchConnection } from '@sparkle/connector-elasticsearch';
   * declare const es: ElasticsearchConnection;
   * for (const c of await es.discover({ sampleSize: 100 })) console.log(c.name, c.columns);
   * ```
   */
  async discover(options: { sampleSize?: number; collections?: readonly string[] } = {}): Promise<DiscoveredCollection[]> {
    return discoverCollections(this, options);
  }

  // -------------------------------------------------------------------------------------------
  // Spark: elasticsearch-hadoop (format `org.elasticsearch.spark.sql`) or opensearch-hadoop (`opensearch`)
  // -------------------------------------------------------------------------------------------

  #sparkPrefix(): string {
    return this.config.distribution === 'opensearch' ? 'opensearch' : 'es';
  }

  /** Connection options shared by reads and writes, with the names of the secret ones. */
  #sparkConnection(): { options: Record<string, string>; secretOptions: string[] } {
    const p = this.#sparkPrefix();
    const c = this.config;
    const urls = c.nodes.map((n) => new URL(n));
    const options: Record<string, string> = {
      [`${p}.nodes`]: urls.map((u) => u.hostname).join(','),
      [`${p}.port`]: urls[0]!.port || (urls[0]!.protocol === 'https:' ? '443' : '80'),
      [`${p}.nodes.wan.only`]: 'true',
      ...(urls[0]!.protocol === 'https:' ? { [`${p}.net.ssl`]: 'true' } : {}),
    };
    const secretOptions: string[] = [];
    if (c.username !== undefined) {
      options[`${p}.net.http.auth.user`] = c.username;
      if (c.password !== undefined) {
        options[`${p}.net.http.auth.pass`] = c.password;
        secretOptions.push(`${p}.net.http.auth.pass`);
      }
    }
    if (c.apiKey !== undefined || c.bearer !== undefined) {
      options[`${p}.net.http.header.Authorization`] = c.apiKey !== undefined ? `ApiKey ${c.apiKey}` : `Bearer ${c.bearer}`;
      secretOptions.push(`${p}.net.http.header.Authorization`);
    }
    return { options, secretOptions };
  }

  #sparkFormat(): string {
    return this.#sparkPrefix() === 'opensearch' ? 'opensearch' : 'org.elasticsearch.spark.sql';
  }

  /** A read through elasticsearch-hadoop: the typed filter as `es.query` (DSL JSON), columns as `es.read.field.include`. */
  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    const p = this.#sparkPrefix();
    const { options: conn, secretOptions } = this.#sparkConnection();
    const find = this.findOptionsOf(table, options);
    return {
      format: this.#sparkFormat(),
      options: {
        ...conn,
        [`${p}.resource`]: this.#index(table),
        ...(find.filter ? { [`${p}.query`]: JSON.stringify({ query: toEsQuery(find.filter, (f) => f) }) } : {}),
        ...(find.projection?.length ? { [`${p}.read.field.include`]: find.projection.filter((f) => f !== '_id').join(',') } : {}),
        ...(options.fetchSize ? { [`${p}.scroll.size`]: String(options.fetchSize) } : {}),
      },
      secretOptions,
    };
  }

  /** A write through elasticsearch-hadoop: `upsert` by `es.mapping.id` when `idFieldList` names one field, else `index`. */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const p = this.#sparkPrefix();
    const { options: conn, secretOptions } = this.#sparkConnection();
    const { idFieldList, ...rest } = options.options ?? {};
    const id = idFieldList?.split(',').map((s) => s.trim()).filter(Boolean);
    if (id && id.length > 1) throw new InvalidArgumentError(`idFieldList: elasticsearch-hadoop maps one field to _id (${p}.mapping.id); got ${id.length}`, { connector: this.type });
    return {
      format: this.#sparkFormat(),
      options: {
        ...conn,
        [`${p}.resource`]: this.#index(table),
        ...(id?.length ? { [`${p}.mapping.id`]: id[0]!, [`${p}.write.operation`]: 'upsert' } : { [`${p}.write.operation`]: 'index' }),
        [`${p}.batch.size.entries`]: String(options.batchSize ?? this.config.batchSize),
        ...rest,
      },
      mode: options.mode ?? 'errorIfExists',
      secretOptions,
    };
  }
}

/** A document as JSON takes it: safe int64s as numbers (bigger ones stay bigints, written exactly), bytes as base64 (ES `binary`). */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(jsonSafe);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
}
