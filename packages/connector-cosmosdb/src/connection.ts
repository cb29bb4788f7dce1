/**
 * `CosmosdbConnection`: Azure Cosmos DB for NoSQL as a document store, with the official
 * `@azure/cosmos` client (imported on first use).
 *
 * A connection is one database; its containers are the collections. Typed filters and
 * projections become parameterized SQL (`sql.ts`); a read with `numPartitions` > 1 runs that
 * query once per physical partition key range (the `x-ms-documentdb-partitionkeyrangeid` scope
 * the SDKs' parallel queries use), one engine partition each. Writes are
 * `items.executeBulkOperations` upserts with per-item results; the SDK retries 429s honouring
 * `x-ms-retry-after-ms` (bounded by `throttleRetries` / `throttleMaxWaitSeconds`), items still
 * throttled are retried by core's `upsertInBatches` and then reported as retryable.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { z } from 'zod';
import {
  AuthenticationError,
  discoverCollections,
  ConnectionFailedError,
  InvalidArgumentError,
  MissingDriverError,
  NoSQLConnection,
  QueryError,
  secret,
  SparkleError,
  UnsupportedOperationError,
  upsertInBatches,
  WriteError,
  where,
  type BulkItem,
  type BulkWriteResult,
  type ConnectionInit,
  type DatasetRef,
  type DiscoveredCollection,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type DocumentStore,
  type Endpoint,
  type FindDocumentsOptions,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type UpsertDocumentsOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import type { Container, CosmosClient, Database, OperationInput, PartitionKeyDefinition } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import { fromItem, itemId, toItem } from './documents.js';
import { toCosmosQuery, type CosmosQuerySpec } from './sql.js';

const aadSchema = z.strictObject({
  /** Entra ID tenant of the service principal. */
  tenantId: z.string().min(1),
  /** Application (client) id of the service principal. */
  clientId: z.string().min(1),
  /** Its client secret. */
  clientSecret: secret(z.string().min(1)),
});

/** Config of the `cosmosdb` connection. */
export const cosmosdbConfigSchema = z
  .looseObject({
    /** Account endpoint, e.g. `https://myaccount.documents.azure.com:443/`. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Account (master) key, primary or secondary; read-only keys can read. */
    key: secret(z.string().min(1)).optional(),
    /** `AccountEndpoint=https://…;AccountKey=…;` as the portal shows it (instead of endpoint + key). */
    connectionString: secret(z.string().min(1)).optional(),
    /** `key` (default when a key or connection string is given) or `aad` (Entra ID token credential). */
    authMethod: z.enum(['key', 'aad']).optional(),
    /** A service principal for `authMethod: "aad"`; without it the Azure default credential chain is used. */
    aad: aadSchema.optional(),
    /** The database whose containers this connection reads and writes. */
    database: z.string().min(1),
    /**
     * Fields that key a document when a write names none: the item `id` is their value as text
     * (joined with `|` for several). With other fields than `id`, reads hide that derived `id`.
     */
    keyFields: z.array(z.string().min(1)).min(1).default(['id']),
    /** Partition key path of containers this connection creates. */
    partitionKeyPath: z.string().regex(/^(\/[^/]+)+$/, 'a path like /id or /tenant/region').default('/id'),
    /** Provisioned RU/s of containers this connection creates (default: the account's default / serverless). */
    throughput: z.coerce.number().int().min(400).optional(),
    /** Create the database and container on the first write when missing. */
    createIfMissing: z.boolean().default(true),
    /**
     * Documents per `executeBulkOperations` call. The client splits a call into requests of at
     * most 100 operations per partition key range itself and pauses about a second before the
     * last partial requests of a call, so larger calls write faster.
     */
    batchSize: z.coerce.number().int().positive().max(100_000).default(5000),
    /** Items per query page (`maxItemCount`). */
    pageSize: z.coerce.number().int().positive().max(10_000).default(1000),
    /** Read partitions when a read does not say `numPartitions`; > 1 means one per partition key range. */
    partitions: z.coerce.number().int().positive().max(10_000).default(1),
    /** Times the SDK retries a throttled (429) request, waiting what `x-ms-retry-after-ms` says. */
    throttleRetries: z.coerce.number().int().min(0).max(100).default(9),
    /** Total time the SDK may spend waiting on 429s for one request. */
    throttleMaxWaitSeconds: z.coerce.number().int().min(0).max(3600).default(30),
    /** PEM file of a CA to trust besides the system's (the emulator's self-signed certificate). */
    caFile: z.string().min(1).optional(),
    /** Preferred regions, in order (geo-replicated accounts). */
    preferredRegions: z.array(z.string().min(1)).optional(),
    /** `timestamp`: ISO-8601 UTC strings read back as dates (Arrow timestamps); `text`: as strings. */
    dateStrings: z.enum(['timestamp', 'text']).default('timestamp'),
    /** Keep `_ts`, `_etag`, `_rid`, `_self`, `_attachments` in read documents. */
    systemProperties: z.boolean().default(false),
    requestTimeoutMs: z.coerce.number().int().positive().default(30_000),
  })
  .refine((c) => c.connectionString !== undefined || c.endpoint !== undefined, { message: "give 'endpoint' (or 'connectionString')", path: ['endpoint'] })
  .refine((c) => !(c.connectionString !== undefined && (c.endpoint !== undefined || c.key !== undefined)), {
    message: "give either 'connectionString' or 'endpoint' with 'key', not both",
    path: ['connectionString'],
  })
  .refine((c) => (c.authMethod === 'aad' ? c.key === undefined && c.connectionString === undefined : true), {
    message: "authMethod 'aad' uses a token credential; remove 'key' / 'connectionString'",
    path: ['authMethod'],
  })
  .refine((c) => c.authMethod === 'aad' || c.aad !== undefined || c.key !== undefined || c.connectionString !== undefined, {
    message: "give 'key' (e.g. \"${COSMOS_KEY}\"), a 'connectionString', or authMethod 'aad'",
    path: ['key'],
  });

export type CosmosdbConfig = z.output<typeof cosmosdbConfigSchema>;

/** Container ids: 1–255 characters, none of `/ \ ? #`, no trailing space. */
const CONTAINER = /^[^/\\?#]{1,255}$/;
/** The request header that scopes a query to one physical partition key range. */
const RANGE_HEADER = 'x-ms-documentdb-partitionkeyrangeid';

interface CosmosFailure {
  code?: number | string;
  substatus?: number;
  message?: string;
  body?: { code?: string; message?: string };
  retryAfterInMs?: number;
  name?: string;
  cause?: unknown;
}

/** A container as discovered: its columns, sample size and partition key paths. */
export interface DiscoveredContainer extends DiscoveredCollection {
  database: string;
  partitionKeyPaths: string[];
}

/**
 * The `cosmosdb` connection (alias `azure_cosmosdb`).
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-cosmosdb';
 * await using cosmos = await getConnection('cosmosdb', { config: { endpoint: 'https://acct.documents.azure.com:443/', key: process.env.COSMOS_KEY, database: 'shop' } });
 * const frame = await cosmos.readTable('orders', { filter: where.eq('status', 'open'), columns: ['id', 'total'], numPartitions: 4 });
 * ```
 */
export class CosmosdbConnection extends NoSQLConnection<CosmosdbConfig> {
  static override schema: z.ZodType = cosmosdbConfigSchema;
  static override family = 'nosql';
  static override description = 'Azure Cosmos DB for NoSQL (@azure/cosmos): parameterized SQL reads per partition key range, bulk upserts';
  #client: Promise<CosmosClient> | undefined;
  readonly #definitions = new Map<string, Promise<PartitionKeyDefinition>>();

  readonly #credential: TokenCredential | undefined;

  /**
   * `credential` is an Entra ID token credential to use instead of the config's (code only, e.g.
   * a `ManagedIdentityCredential` from `@azure/identity`); it implies `authMethod: "aad"`.
   */
  constructor(init: ConnectionInit & { credential?: TokenCredential }) {
    super(init);
    this.#credential = init.credential;
    this.onClose(async () => {
      const pending = this.#client;
      this.#client = undefined;
      (await pending?.catch(() => undefined))?.dispose();
    });
  }

  /** Endpoint and key from the config or its connection string. */
  #account(): { endpoint: string; key?: string } {
    const c = this.config;
    if (c.connectionString !== undefined) {
      const parts = new Map(
        c.connectionString
          .split(';')
          .filter(Boolean)
          .map((p) => {
            const i = p.indexOf('=');
            return [p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim()] as const;
          }),
      );
      const endpoint = parts.get('accountendpoint');
      const key = parts.get('accountkey');
      if (!endpoint || !key) throw new InvalidArgumentError("connectionString: expected 'AccountEndpoint=https://…;AccountKey=…;' as the portal shows it", { connector: this.type });
      return { endpoint, key };
    }
    return { endpoint: c.endpoint!, ...(c.key !== undefined ? { key: c.key } : {}) };
  }

  async #connect(): Promise<CosmosClient> {
    let driver: typeof import('@azure/cosmos');
    try {
      driver = await import('@azure/cosmos');
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/cosmos', cause);
    }
    const c = this.config;
    const { endpoint, key } = this.#account();
    let aadCredentials: TokenCredential | undefined = this.#credential;
    if (!aadCredentials && (c.authMethod === 'aad' || (key === undefined && c.aad))) {
      let identity: typeof import('@azure/identity');
      try {
        identity = await import('@azure/identity');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@azure/identity', cause);
      }
      aadCredentials = c.aad ? new identity.ClientSecretCredential(c.aad.tenantId, c.aad.clientId, c.aad.clientSecret) : new identity.DefaultAzureCredential();
    }
    let agent: Agent | undefined;
    if (c.caFile) {
      let ca: string;
      try {
        ca = readFileSync(c.caFile, 'utf8');
      } catch (cause) {
        throw new InvalidArgumentError(`caFile: cannot read '${c.caFile}'; point it at the PEM file of the CA to trust`, { connector: this.type, cause });
      }
      agent = new Agent({ ca, keepAlive: true });
    }
    return new driver.CosmosClient({
      endpoint,
      ...(agent ? { agent } : {}),
      ...(aadCredentials ? { aadCredentials } : { key: key! }),
      userAgentSuffix: 'sparkle',
      connectionPolicy: {
        requestTimeout: c.requestTimeoutMs,
        ...(c.preferredRegions ? { preferredLocations: c.preferredRegions } : {}),
        retryOptions: { maxRetryAttemptCount: c.throttleRetries, maxWaitTimeInSeconds: c.throttleMaxWaitSeconds, fixedRetryIntervalInMilliseconds: 0 },
      },
    });
  }

  /** The SDK client (created on first use, shared by every call of this connection). */
  protected async client(): Promise<CosmosClient> {
    this.assertOpen();
    this.#client ??= this.#connect();
    try {
      return await this.#client;
    } catch (error) {
      this.#client = undefined;
      throw error;
    }
  }

  async #database(): Promise<Database> {
    return (await this.client()).database(this.config.database);
  }

  #containerId(collection: string): string {
    if (!CONTAINER.test(collection) || collection.endsWith(' ')) {
      throw new InvalidArgumentError(`Invalid Cosmos DB container id '${collection}': 1–255 characters, none of '/', '\\', '?', '#', no trailing space`, { connector: this.type });
    }
    return collection;
  }

  async #container(collection: string, database = this.config.database): Promise<Container> {
    return (await this.client()).database(database).container(this.#containerId(collection));
  }

  /** Types an SDK failure by status code; never carries the key (the SDK's messages do not, and they are redacted anyway). */
  #error(error: unknown, what: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const e = error as CosmosFailure;
    const status = typeof e.code === 'number' ? e.code : /^\d+$/.test(String(e.code)) ? Number(e.code) : undefined;
    const reason = (e.body?.message ?? e.message ?? String(error)).split('\n')[0]!.replace(/ActivityId:.*$/, '').trim();
    const message = this.redact(`${what} failed: ${reason}${status ? ` (HTTP ${status}${e.substatus ? `/${e.substatus}` : ''})` : ''}`);
    const details = { ...(status ? { status } : {}), ...(e.substatus ? { substatus: e.substatus } : {}) };
    if (status === 401 || status === 403) {
      return new AuthenticationError(`${message}. Check 'key' (or 'connectionString' / the AAD role assignment) for ${this.#account().endpoint}`, { connector: this.type, details });
    }
    if (status === 404) {
      return new QueryError(`${message}. Check that database '${this.config.database}' and the container exist (listCollections() shows the containers)`, { connector: this.type, details: { ...details, notFound: true } });
    }
    if (status === 429) {
      return new QueryError(`${message}: throttled after ${this.config.throttleRetries} retries; raise the container's RU/s, 'throttleRetries' or 'throttleMaxWaitSeconds', or retry later`, {
        connector: this.type,
        retryable: true,
        details: { ...details, ...(e.retryAfterInMs ? { retryAfterMs: e.retryAfterInMs } : {}) },
      });
    }
    if (status === undefined) {
      const code = (e as { code?: unknown }).code ?? (e.cause as { code?: unknown } | undefined)?.code;
      if (e.name === 'RestError' || e.name === 'AbortError' || e.name === 'TimeoutError' || (typeof code === 'string' && /^E[A-Z]+/.test(code))) {
        return new ConnectionFailedError(`${message}; is the account reachable at ${this.#account().endpoint}?`, { connector: this.type, retryable: true, ...(typeof code === 'string' ? { details: { errno: code } } : {}) });
      }
    }
    const retryable = status === 408 || status === 410 || status === 449 || status === 500 || status === 503;
    return new QueryError(message, { connector: this.type, retryable, details });
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.#error(error, what);
    }
  }

  protected override endpoints(): Endpoint[] {
    const u = new URL(this.#account().endpoint);
    return [{ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 }];
  }

  /** Auth tier: reads the database account (authenticated), naming its regions and consistency. */
  protected override async checkAuth(): Promise<string> {
    const client = await this.client();
    const account = await this.#call('reading the database account', () => client.getDatabaseAccount());
    const r = account.resource!;
    const regions = r.readableLocations.map((l) => l.name).join(', ');
    return `database account (${r.consistencyPolicy ?? 'default'} consistency; readable in ${regions || 'one region'})`;
  }

  /** Probe tier: the database's metadata and its containers. */
  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    const db = await this.#database();
    await this.#call(`reading database '${this.config.database}'`, () => db.read());
    const collections = await this.listCollections({ signal });
    return `database '${this.config.database}': ${collections.length} collection(s) visible`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const u = new URL(this.#account().endpoint);
    return { namespace: `azurecosmos://${u.host}/dbs/${this.config.database}`, name: `colls/${collection}` };
  }

  /** Databases of the account. */
  async listDatabases(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    options.signal?.throwIfAborted();
    const client = await this.client();
    const { resources } = await this.#call('listing databases', () => client.databases.readAll({ abortSignal: options.signal } as never).fetchAll());
    return resources.map((d) => d.id).sort();
  }

  async listCollections(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    return (await this.#containers(this.config.database, options.signal)).map((c) => c.id).sort();
  }

  async #containers(database: string, signal?: AbortSignal): Promise<Array<{ id: string; partitionKey?: PartitionKeyDefinition }>> {
    signal?.throwIfAborted();
    const client = await this.client();
    const { resources } = await this.#call(`listing the containers of database '${database}'`, () => client.database(database).containers.readAll().fetchAll());
    return resources;
  }

  /** The partition key definition of a container, cached; a missing container fails typed. */
  async #definition(collection: string): Promise<PartitionKeyDefinition> {
    let pending = this.#definitions.get(collection);
    if (!pending) {
      pending = this.#container(collection).then((container) =>
        this.#call(`reading container '${collection}'`, async () => {
          const { resource } = await container.read();
          if (!resource) throw Object.assign(new Error(`container '${collection}' not found in database '${this.config.database}'`), { code: 404 });
          return resource.partitionKey ?? { paths: ['/_partitionKey'] };
        }),
      );
      pending.catch(() => this.#definitions.delete(collection));
      this.#definitions.set(collection, pending);
    }
    return pending;
  }

  #fromItem(item: Document): Document {
    return fromItem(item, { keyFields: this.config.keyFields, dateStrings: this.config.dateStrings, systemProperties: this.config.systemProperties });
  }

  /** Pages a query (scoped to one partition key range when given), yielding documents until `limit`. */
  async *#query(collection: string, spec: CosmosQuerySpec, options: FindDocumentsOptions, scope: { range?: string; partitionKey?: string; database?: string } = {}): AsyncGenerator<Document> {
    const { range, partitionKey } = scope;
    const container = await this.#container(collection, scope.database);
    let left = options.limit ?? Infinity;
    if (left <= 0) return;
    const pageSize = Math.min(options.pageSize ?? this.config.pageSize, left);
    const iterator = container.items.query(spec, {
      maxItemCount: pageSize,
      ...(options.signal ? { abortSignal: options.signal } : {}),
      ...(range !== undefined ? { initialHeaders: { [RANGE_HEADER]: range } } : {}),
      ...(partitionKey !== undefined ? { partitionKey } : {}),
    });
    const pages = iterator.getAsyncIterator()[Symbol.asyncIterator]();
    while (left > 0) {
      options.signal?.throwIfAborted();
      let next: IteratorResult<{ resources: Document[] }>;
      try {
        next = await pages.next();
      } catch (error) {
        throw this.#error(error, `querying container '${collection}'${range !== undefined ? ` (partition key range ${range})` : ''}`);
      }
      if (next.done) break;
      for (const item of next.value.resources) {
        if (left-- <= 0) break;
        yield this.#fromItem(item);
      }
    }
    await pages.return?.(undefined);
  }

  /** The query of a find; `native` is refused (Cosmos SQL text is not taken: values must be parameters). */
  #spec(options: FindDocumentsOptions): CosmosQuerySpec {
    if (options.native !== undefined) {
      throw new InvalidArgumentError('native: the cosmosdb connector takes typed filters only (they become parameterized SQL); SQL text is not accepted', { connector: this.type });
    }
    return toCosmosQuery(options.filter, options.projection);
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    const spec = this.#spec(options);
    yield* this.#query(collection, spec, options);
  }

  /**
   * One partition per physical partition key range when more than one is asked for (the
   * container's range count, whatever the number asked), each the same parameterized query
   * scoped to its range; one cross-partition query otherwise.
   */
  async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    this.#spec(options); // refuses a bad filter before any request
    if ((options.partitions ?? this.config.partitions) <= 1) return [{ description: collection, find: (o) => this.#query(collection, this.#spec(o), o) }];
    const container = await this.#container(collection);
    const { resources } = await this.#call(`reading the partition key ranges of '${collection}'`, () => container.readPartitionKeyRanges().fetchAll());
    return resources.map((r) => ({
      description: `${collection} partition key range ${r.id} [${r.minInclusive || '""'}, ${r.maxExclusive})`,
      find: (o: FindDocumentsOptions) => this.#query(collection, this.#spec(o), o, { range: r.id }),
    }));
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const id = itemId(key, this.config.keyFields);
    const definition = await this.#definition(collection);
    const byId = definition.paths.length === 1 && definition.paths[0] === '/id';
    const spec = toCosmosQuery(where.eq('id', id), options.projection);
    for await (const doc of this.#query(collection, spec, { limit: 1, ...(options.signal ? { signal: options.signal } : {}) }, byId ? { partitionKey: id } : {})) return doc;
    return undefined;
  }

  /** Creates the database and container (partition key `partitionKeyPath`, hash v2) when missing. */
  async #ensureContainer(collection: string): Promise<Container> {
    const id = this.#containerId(collection);
    const client = await this.client();
    const c = this.config;
    if (!c.createIfMissing) return client.database(c.database).container(id);
    const { database } = await this.#call(`creating database '${c.database}'`, () => client.databases.createIfNotExists({ id: c.database }));
    const { container } = await this.#call(`creating container '${id}'`, () =>
      database.containers.createIfNotExists({ id, partitionKey: { paths: [c.partitionKeyPath], version: 2 }, ...(c.throughput ? { throughput: c.throughput } : {}) }),
    );
    return container;
  }

  /**
   * Bulk upserts (`executeBulkOperations`, `batchSize` operations a call). Each item's result
   * is checked: 429s still throttled after the SDK's retries go back through core's
   * `upsertInBatches` (`itemRetries`) and are reported retryable; other refusals (400 bad
   * document, 413 too large, 403 no permission…) are reported with the item's input position.
   * A document that JSON cannot hold exactly (an int64 beyond ±2^53, NaN) fails alone.
   */
  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    const container = await this.#ensureContainer(collection);
    const pkPaths = (await this.#definition(collection)).paths;
    const keyFields = options.keyFields?.length ? options.keyFields : this.config.keyFields;
    type Item = BulkItem & { body: Document; partitionKey: unknown };
    const partitionKeyOf = (body: Document): unknown => {
      const values = pkPaths.map((p) => {
        const v = valueAt(body, p);
        if (v === undefined || (v !== null && typeof v === 'object')) {
          throw new InvalidArgumentError(`the document has no ${v === undefined ? '' : 'scalar '}value at the container's partition key path '${p}'`, { connector: this.type, details: { field: p.slice(1).replace(/\//g, '.') } });
        }
        return v;
      });
      return pkPaths.length === 1 ? values[0] : values;
    };
    return upsertInBatches<Item>(documents, {
      keyFields,
      batchSize: options.batchSize ?? this.config.batchSize,
      ...(options.itemRetries !== undefined ? { itemRetries: options.itemRetries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      toItem: (doc, index, key) => {
        const body = toItem(doc, key, keyFields);
        return { index, key, doc, body, partitionKey: partitionKeyOf(body) };
      },
      send: async (items, written) => {
        const operations: OperationInput[] = items.map((item) => ({ operationType: 'Upsert', partitionKey: item.partitionKey as never, resourceBody: item.body as never }));
        let results;
        try {
          results = await container.items.executeBulkOperations(operations, options.signal ? ({ abortSignal: options.signal } as never) : {});
        } catch (error) {
          const typed = this.#error(error, `bulk upsert into '${collection}'`);
          throw new WriteError(`Writing a batch of ${items.length} document(s) to '${collection}' failed (${written} written before it): ${typed.message}`, {
            connector: this.type,
            cause: typed,
            retryable: typed.retryable,
            details: { committed: written > 0, written },
          });
        }
        return results.flatMap((r, i) => {
          const status = r.response?.statusCode ?? (typeof r.error?.code === 'number' ? r.error.code : Number(r.error?.code ?? 500));
          if (!r.error && status < 400) return [];
          const e = r.error as CosmosFailure | undefined;
          const reason = (e?.body?.message ?? e?.message ?? 'refused').split('\n')[0]!.replace(/ActivityId:.*$/, '').trim();
          return [{ item: items[i]!, message: this.redact(`${reason} (HTTP ${status}${e?.substatus ? `/${e.substatus}` : ''})`), retryable: status === 429 || status === 408 || status === 503 || status === 410 }];
        });
      },
    });
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    if (!keys.length) return 0;
    const container = await this.#container(collection);
    const definition = await this.#definition(collection);
    const pkPaths = definition.paths;
    let deleted = 0;
    for (const key of keys) {
      options.signal?.throwIfAborted();
      const id = itemId(key, this.config.keyFields);
      // The partition key value of the item: its id for `/id` containers, else read from the item itself.
      const targets: Array<unknown> = [];
      if (pkPaths.length === 1 && pkPaths[0] === '/id') targets.push(id);
      else {
        const select = toCosmosQuery(where.eq('id', id));
        const { resources } = await this.#call(`finding '${id}' in '${collection}'`, () => container.items.query<Document>(select).fetchAll());
        for (const item of resources) targets.push(pkPaths.length === 1 ? valueAt(item, pkPaths[0]!) : pkPaths.map((p) => valueAt(item, p)));
      }
      for (const pk of targets) {
        try {
          await container.item(id, pk as never).delete();
          deleted++;
        } catch (error) {
          if ((error as CosmosFailure).code === 404) continue;
          throw this.#error(error, `deleting '${id}' from '${collection}'`);
        }
      }
    }
    return deleted;
  }

  /**
   * Containers with their partition key paths and columns inferred from a bounded sample
   * (`sampleSize`, default 100), in this connection's database or in the `databases` given.
   * @example
   * ```ts
   * import type { CosmosdbConnection } from '@sparkle/connector-cosmosdb';
   * declare const cosmos: CosmosdbConnection;
   * for (const c of await cosmos.discover({ sampleSize: 50 })) console.log(c.database, c.name, c.partitionKeyPaths, c.columns);
   * ```
   */
  async discover(options: { sampleSize?: number; collections?: readonly string[]; databases?: readonly string[]; signal?: AbortSignal } = {}): Promise<DiscoveredContainer[]> {
    const out: DiscoveredContainer[] = [];
    for (const database of options.databases ?? [this.config.database]) {
      const containers = await this.#containers(database, options.signal);
      const paths = new Map(containers.map((c) => [c.id, c.partitionKey?.paths ?? []]));
      const found = await discoverCollections(this.#readOnlyView(database, [...paths.keys()].sort()), {
        ...(options.sampleSize !== undefined ? { sampleSize: options.sampleSize } : {}),
        ...(options.collections ? { collections: options.collections.filter((name) => paths.has(name)) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      out.push(...found.map((d) => ({ ...d, database, partitionKeyPaths: paths.get(d.name) ?? [] })));
    }
    return out;
  }

  /** One database's containers as a read-only document store, for core's `discoverCollections`. */
  #readOnlyView(database: string, containers: string[]): DocumentStore {
    const readOnly = (): never => {
      throw new UnsupportedOperationError('discover() reads only', { connector: this.type });
    };
    return {
      listCollections: async () => containers,
      findDocuments: (collection, o = {}) => this.#query(collection, this.#spec(o), o, { database }),
      getDocument: async () => readOnly(),
      upsertDocuments: async () => readOnly(),
      deleteDocuments: async () => readOnly(),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Spark: the Azure Cosmos DB Spark connector (format `cosmos.oltp`)
  // -------------------------------------------------------------------------------------------

  #sparkConnection(table: string): { options: Record<string, string>; secretOptions: string[] } {
    const c = this.config;
    const { endpoint, key } = this.#account();
    const options: Record<string, string> = {
      'spark.cosmos.accountEndpoint': endpoint,
      'spark.cosmos.database': c.database,
      'spark.cosmos.container': this.#containerId(table),
    };
    const secretOptions: string[] = [];
    if (c.authMethod === 'aad' || (key === undefined && c.aad)) options['spark.cosmos.useAad'] = 'true';
    else {
      options['spark.cosmos.accountKey'] = key!;
      secretOptions.push('spark.cosmos.accountKey');
    }
    if (c.preferredRegions?.length) options['spark.cosmos.preferredRegionsList'] = c.preferredRegions.join(',');
    return { options, secretOptions };
  }

  /**
   * A read through `cosmos.oltp` with its schema inferred from a sample. A typed filter is
   * refused here: apply it as a DataFrame filter, which the Spark connector pushes down itself.
   */
  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    if (options.filter) {
      throw new UnsupportedOperationError("cosmosdb on Spark: pass the filter as a DataFrame filter (df.filter(...)); the cosmos.oltp source pushes it down itself", { connector: this.type });
    }
    const { options: conn, secretOptions } = this.#sparkConnection(table);
    const partitioned = (options.numPartitions ?? this.config.partitions) > 1;
    return {
      format: 'cosmos.oltp',
      options: {
        ...conn,
        'spark.cosmos.read.inferSchema.enabled': 'true',
        ...(partitioned ? { 'spark.cosmos.read.partitioning.strategy': 'Aggressive' } : {}),
      },
      secretOptions,
    };
  }

  /**
   * A write through `cosmos.oltp`, bulk: `append` upserts (`ItemOverwrite`, the connector's
   * default); `errorIfExists`/`ignore` create items that must not exist (`ItemAppend`).
   * `overwrite` is refused as it is for the local engine (no atomic container swap).
   */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite') {
      throw new UnsupportedOperationError("cosmosdb cannot replace a container atomically; write with mode 'append' (upsert by id) instead of 'overwrite'", { connector: this.type });
    }
    const { options: conn, secretOptions } = this.#sparkConnection(table);
    const { idFieldList: _ignored, ...rest } = options.options ?? {};
    return {
      format: 'cosmos.oltp',
      options: {
        ...conn,
        'spark.cosmos.write.strategy': mode === 'append' ? 'ItemOverwrite' : 'ItemAppend',
        'spark.cosmos.write.bulk.enabled': 'true',
        ...rest,
      },
      mode,
      secretOptions,
    };
  }
}

/** The value at a partition key path (`/a/b`) of an item. */
function valueAt(item: Document, path: string): unknown {
  let current: unknown = item;
  for (const part of path.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
