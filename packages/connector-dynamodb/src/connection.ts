/**
 * `DynamodbConnection`: AWS DynamoDB as a document store with `@aws-sdk/client-dynamodb` and
 * `@aws-sdk/lib-dynamodb` (the document client marshals JavaScript values).
 *
 * A collection is a table. A typed filter that pins the partition key (and optionally bounds the
 * sort key) becomes a Query's key condition; anything else is a Scan with a FilterExpression —
 * both built with expression attribute names and values, never spliced text. Reads split into
 * parallel Scan segments (what the EMR DynamoDB connector does); writes are BatchWriteItem of 25
 * with UnprocessedItems retried with backoff and reported per item when they persist.
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
  type BulkItemError,
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
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ExpressionContext, planQuery, toExpression, toKeyCondition } from './expression.js';

/** Config of the `dynamodb` connection. */
export const dynamodbConfigSchema = z.looseObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1').default('us-east-1'),
  /** A table the health probe describes (and the default of `listCollections` checks). */
  table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name').optional(),
  /** Another endpoint (DynamoDB Local, moto, a VPC endpoint). */
  endpoint: z.string().url().optional(),
  /** Static credentials; without them the SDK's default chain (env, profile, instance role). */
  accessKeyId: z.string().optional(),
  secretAccessKey: secret(z.string()).optional(),
  sessionToken: secret(z.string()).optional(),
  /** Create a missing table on first write, keyed by the write's key fields (on-demand billing). */
  createTables: z.boolean().default(true),
  /** Read strings in `Date.toISOString()` form back as dates (how dates are written). */
  reviveDates: z.boolean().default(true),
  /** Parallel Scan segments when a read does not say `numPartitions`. */
  partitions: z.coerce.number().int().positive().max(1_000_000).default(1),
  /** SDK attempts per request (throttling and 5xx are retried by the SDK first). */
  maxAttempts: z.coerce.number().int().positive().max(20).default(5),
  connectTimeoutMs: z.coerce.number().int().positive().default(10_000),
});

export type DynamodbConfig = z.output<typeof dynamodbConfigSchema>;

/** A table's primary key. */
interface KeySchema {
  hash: string;
  range?: string;
  types: Record<string, 'S' | 'N' | 'B'>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const AUTH_ERRORS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'AccessDeniedException', 'ExpiredTokenException', 'MissingAuthenticationTokenException', 'InvalidClientTokenId']);
const THROTTLE_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable', 'LimitExceededException']);
/** BatchWriteItem's hard limit. */
const BATCH_LIMIT = 25;

/** Dates as ISO text (DynamoDB has no date type); other values as they are. */
function toItem(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toItem);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array) && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toItem(v);
    return out;
  }
  return value;
}

/** ISO strings back to dates; sets to arrays (Arrow has no set). */
function fromItem(value: unknown, dates: boolean): unknown {
  if (typeof value === 'string') return dates && ISO_DATE.test(value) ? new Date(value) : value;
  if (Array.isArray(value)) return value.map((v) => fromItem(v, dates));
  if (value instanceof Set) return [...value].map((v) => fromItem(v, dates));
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromItem(v, dates);
    return out;
  }
  return value;
}

/** DynamoDB numbers (decimal text, up to 38 digits) as exact JavaScript values: safe integers and fractions as numbers, larger integers as bigints. */
function number(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/**
 * The `dynamodb` connection (alias `aws_dynamodb`).
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-dynamodb';
 * await using ddb = await getConnection('dynamodb', { config: { region: 'eu-central-1' } });
 * const frame = await ddb.readTable('orders', { filter: where.eq('customer', 'c-17'), numPartitions: 8 });
 * ```
 */
export class DynamodbConnection extends NoSQLConnection<DynamodbConfig> {
  static override schema: z.ZodType = dynamodbConfigSchema;
  static override family = 'nosql';
  static override description = 'AWS DynamoDB (AWS SDK v3): key conditions as Query, parallel Scan segments, BatchWriteItem with retried unprocessed items';
  #clients: Promise<{ raw: DynamoDBClient; docs: DynamoDBDocumentClient; lib: typeof import('@aws-sdk/lib-dynamodb'); ddb: typeof import('@aws-sdk/client-dynamodb') }> | undefined;
  readonly #keys = new Map<string, KeySchema>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#clients;
      this.#clients = undefined;
      if (pending) (await pending.catch(() => undefined))?.raw.destroy();
    });
  }

  async #connect() {
    let ddb: typeof import('@aws-sdk/client-dynamodb');
    let lib: typeof import('@aws-sdk/lib-dynamodb');
    try {
      ddb = await import('@aws-sdk/client-dynamodb');
      lib = await import('@aws-sdk/lib-dynamodb');
    } catch (cause) {
      throw new MissingDriverError(this.type, '@aws-sdk/client-dynamodb @aws-sdk/lib-dynamodb', cause);
    }
    const c = this.config;
    const raw = new ddb.DynamoDBClient({
      region: c.region,
      maxAttempts: c.maxAttempts,
      ...(c.endpoint ? { endpoint: c.endpoint } : {}),
      ...(c.accessKeyId && c.secretAccessKey
        ? { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) } }
        : {}),
      requestHandler: { connectionTimeout: c.connectTimeoutMs, requestTimeout: Math.max(c.connectTimeoutMs, 30_000) },
    });
    const docs = lib.DynamoDBDocumentClient.from(raw, {
      marshallOptions: { removeUndefinedValues: true },
      unmarshallOptions: { wrapNumbers: number },
    });
    this.configureClient(raw, docs);
    return { raw, docs, lib, ddb };
  }

  /** Hook for advanced use and tests: adjust the SDK clients (middleware, instrumentation) before first use. */
  protected configureClient(_client: DynamoDBClient, _documents: DynamoDBDocumentClient): void {}

  protected async clients() {
    this.assertOpen();
    this.#clients ??= this.#connect();
    try {
      return await this.#clients;
    } catch (error) {
      this.#clients = undefined;
      throw error;
    }
  }

  /** Types an SDK failure: credentials, throttling, a missing table, the network; secrets scrubbed. */
  #error(error: unknown, what: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const classified = this.wrapError(error, what);
    const name = (error as { name?: string }).name ?? '';
    if (AUTH_ERRORS.has(name)) {
      return new AuthenticationError(`${what} failed: AWS refused the credentials (${name}). Check 'accessKeyId'/'secretAccessKey' (or the default credential chain) and the IAM policy`, {
        connector: this.type,
        cause: classified,
      });
    }
    if (name === 'ResourceNotFoundException') {
      return new QueryError(`${what} failed: the table does not exist in ${this.config.region}${this.config.endpoint ? ` at ${this.config.endpoint}` : ''} (${classified.message})`, {
        connector: this.type,
        cause: classified,
        details: { notFound: true },
      });
    }
    if (THROTTLE_ERRORS.has(name)) return new QueryError(`${what} was throttled after ${this.config.maxAttempts} attempts: ${classified.message}`, { connector: this.type, cause: classified, retryable: true });
    if (name === 'TimeoutError' || name === 'RequestTimeout') return new TimeoutError(`${what} timed out: ${classified.message}`, { connector: this.type, cause: classified });
    if (classified.code === 'QUERY_FAILED' && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket hang up/i.test(String((error as Error).message))) {
      return new ConnectionFailedError(`${what} failed: cannot reach DynamoDB: ${classified.message}`, { connector: this.type, cause: classified });
    }
    return classified;
  }

  async #send<T>(what: string, run: (c: Awaited<ReturnType<DynamodbConnection['clients']>>) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const c = await this.clients();
    signal?.throwIfAborted();
    try {
      return await run(c);
    } catch (error) {
      throw this.#error(error, what);
    }
  }

  protected override endpoints(): Endpoint[] {
    const url = new URL(this.config.endpoint ?? `https://dynamodb.${this.config.region}.amazonaws.com`);
    return [{ host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443 }];
  }

  /** Auth tier: a signed ListTables call (DynamoDB has no separate login). */
  protected override async checkAuth(): Promise<string> {
    await this.#send('ListTables', ({ docs, ddb }) => docs.send(new ddb.ListTablesCommand({ Limit: 1 })));
    return `signed request accepted in ${this.config.region}`;
  }

  /** Probe tier: DescribeTable of the configured table, else the table list. */
  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    if (this.config.table) {
      const key = await this.#keySchema(this.config.table, true);
      return `table ${this.config.table} described (key ${key!.hash}${key!.range ? `, ${key!.range}` : ''}); 1 collection visible`;
    }
    return `${(await this.listCollections({ signal })).length} collection(s) visible`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    return { namespace: this.config.endpoint ? `dynamodb://${new URL(this.config.endpoint).host}` : `arn:aws:dynamodb:${this.config.region}`, name: `table/${collection}` };
  }

  #table(collection: string): string {
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(collection)) {
      throw new InvalidArgumentError(`Invalid DynamoDB table name '${collection}': 3–255 letters, digits, '_', '.', '-'`, { connector: this.type });
    }
    return collection;
  }

  /** The table's key schema (cached); `undefined` for a missing table unless `required`. */
  async #keySchema(collection: string, required = false): Promise<KeySchema | undefined> {
    const cached = this.#keys.get(collection);
    if (cached) return cached;
    const { docs, ddb } = await this.clients();
    try {
      const { Table } = await docs.send(new ddb.DescribeTableCommand({ TableName: this.#table(collection) }));
      const hash = Table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
      if (!hash) throw new QueryError(`DescribeTable of '${collection}' returned no partition key`, { connector: this.type });
      const range = Table?.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      const types = Object.fromEntries((Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName!, a.AttributeType as 'S' | 'N' | 'B']));
      const schema: KeySchema = { hash, ...(range ? { range } : {}), types };
      this.#keys.set(collection, schema);
      return schema;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException' && !required) return undefined;
      throw this.#error(error, `DescribeTable ${collection}`);
    }
  }

  /** Creates a table keyed by `keyFields` (types from a first document), on-demand billing, and waits until it is active. */
  async #createTable(collection: string, keyFields: readonly string[], sample: Document): Promise<KeySchema> {
    if (!this.config.createTables) {
      throw new QueryError(`Table '${collection}' does not exist and createTables is false; create it first`, { connector: this.type });
    }
    if (keyFields.length > 2) throw new InvalidArgumentError(`A DynamoDB key has at most two fields (partition, sort); got ${keyFields.join(', ')}`, { connector: this.type });
    const typeOf = (v: unknown): 'S' | 'N' | 'B' => (typeof v === 'number' || typeof v === 'bigint' ? 'N' : v instanceof Uint8Array ? 'B' : 'S');
    const types = Object.fromEntries(keyFields.map((f) => [f, typeOf(sample[f])]));
    await this.#send(`CreateTable ${collection}`, async ({ docs, ddb, raw }) => {
      try {
        await docs.send(
          new ddb.CreateTableCommand({
            TableName: collection,
            KeySchema: keyFields.map((f, i) => ({ AttributeName: f, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
            AttributeDefinitions: keyFields.map((f) => ({ AttributeName: f, AttributeType: types[f] })),
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
      }
      await ddb.waitUntilTableExists({ client: raw, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: collection });
    });
    this.#keys.delete(collection);
    return (await this.#keySchema(collection, true))!;
  }

  async listCollections(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await this.#send('ListTables', ({ docs, ddb }) => docs.send(new ddb.ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) })), options.signal);
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start);
    return names.sort();
  }

  /** A key argument as a DynamoDB key: a value for the partition key, or an object naming both key fields. */
  #keyOf(key: DocumentKey, schema: KeySchema): Record<string, unknown> {
    if (key !== null && typeof key === 'object') {
      const record = key as Record<string, unknown>;
      const wanted = [schema.hash, ...(schema.range ? [schema.range] : [])];
      if (Object.keys(record).length !== wanted.length || wanted.some((f) => record[f] === undefined)) {
        throw new InvalidArgumentError(`The key of this table is ${wanted.map((f) => `'${f}'`).join(', ')}; got fields ${Object.keys(record).join(', ')}`, { connector: this.type });
      }
      return toItem(record) as Record<string, unknown>;
    }
    if (schema.range) throw new InvalidArgumentError(`The table has a sort key '${schema.range}': pass { ${schema.hash}, ${schema.range} } as the key`, { connector: this.type });
    return { [schema.hash]: toItem(key) };
  }

  /** A ProjectionExpression for dotted paths. */
  #projection(fields: readonly string[] | undefined, ctx: ExpressionContext): string | undefined {
    return fields?.length ? fields.map((f) => ctx.path(f)).join(', ') : undefined;
  }

  #withNames(ctx: ExpressionContext) {
    return {
      ...(Object.keys(ctx.names).length ? { ExpressionAttributeNames: ctx.names } : {}),
      ...(Object.keys(ctx.values).length ? { ExpressionAttributeValues: ctx.values } : {}),
    };
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const schema = await this.#keySchema(this.#table(collection));
    if (!schema) return undefined;
    const ctx = new ExpressionContext();
    const projection = this.#projection(options.projection, ctx);
    const { Item } = await this.#send(
      `GetItem ${collection}`,
      ({ docs, lib }) => docs.send(new lib.GetCommand({ TableName: collection, Key: this.#keyOf(key, schema), ...(projection ? { ProjectionExpression: projection } : {}), ...this.#withNames(ctx) })),
      options.signal,
    );
    return Item ? (fromItem(Item, this.config.reviveDates) as Document) : undefined;
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    yield* this.#find(collection, options);
  }

  /** A Query when the filter pins the partition key, else a Scan (one segment of `segments` when given). */
  async *#find(collection: string, options: FindDocumentsOptions, segment?: { index: number; total: number }): AsyncGenerator<Document> {
    if (options.native !== undefined) throw new InvalidArgumentError('DynamoDB reads take a typed filter; there is no native query object here', { connector: this.type });
    const schema = await this.#keySchema(this.#table(collection));
    if (!schema) return;
    const { docs, lib } = await this.clients();
    const ctx = new ExpressionContext();
    const plan = segment ? undefined : planQuery(options.filter, schema.hash, schema.range);
    const residual = plan ? (plan.rest.length ? (plan.rest.length === 1 ? plan.rest[0] : { and: plan.rest }) : undefined) : options.filter;
    const keyCondition = plan ? toKeyCondition(plan.keyCondition, ctx) : undefined;
    const filterExpression = residual ? toExpression(residual, ctx) : undefined;
    const projection = this.#projection(options.projection, ctx);
    const base = {
      TableName: collection,
      ...(filterExpression ? { FilterExpression: filterExpression } : {}),
      ...(projection ? { ProjectionExpression: projection } : {}),
      ...(options.pageSize ? { Limit: options.pageSize } : {}),
      ...this.#withNames(ctx),
    };
    let start: Record<string, unknown> | undefined;
    let n = 0;
    do {
      const request = { ...base, ...(start ? { ExclusiveStartKey: start } : {}) };
      const page = await this.#send(
        `${keyCondition ? 'Query' : 'Scan'} ${collection}`,
        ({ docs: d }) =>
          keyCondition
            ? d.send(new lib.QueryCommand({ ...request, KeyConditionExpression: keyCondition }))
            : d.send(new lib.ScanCommand({ ...request, ...(segment ? { Segment: segment.index, TotalSegments: segment.total } : {}) })),
        options.signal,
      );
      void docs;
      for (const item of page.Items ?? []) {
        if (options.limit !== undefined && n >= options.limit) return;
        n++;
        yield fromItem(item, this.config.reviveDates) as Document;
      }
      start = page.LastEvaluatedKey;
    } while (start && (options.limit === undefined || n < options.limit));
  }

  /** Parallel Scan segments (`Segment`/`TotalSegments`); a read the key condition serves is one Query. */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const schema = await this.#keySchema(this.#table(collection));
    const total = options.partitions ?? this.config.partitions;
    if (!schema || total <= 1 || planQuery(options.filter, schema.hash, schema.range)) return [{ description: `${collection} (one request stream)`, find: (o) => this.#find(collection, o) }];
    return Array.from({ length: total }, (_, index) => ({
      description: `${collection} scan segment ${index + 1}/${total}`,
      find: (o: FindDocumentsOptions) => this.#find(collection, o, { index, total }),
    }));
  }

  /**
   * BatchWriteItem of up to 25 puts (a document whose key repeats in a batch starts the next
   * one). UnprocessedItems are retried with exponential backoff up to `itemRetries` times (default
   * 8) and then reported per item as retryable; a batch the service refuses as a whole
   * (validation) is retried item by item so the culprit is reported and the rest written.
   */
  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    const table = this.#table(collection);
    const { docs, lib } = await this.clients();
    let schema = await this.#keySchema(table);
    const keyFieldsOf = () => (schema ? [schema.hash, ...(schema.range ? [schema.range] : [])] : (options.keyFields?.length ? options.keyFields : ['_id']));
    if (schema && options.keyFields?.length && options.keyFields.join(',') !== keyFieldsOf().join(',')) {
      throw new InvalidArgumentError(`Table '${table}' is keyed by ${keyFieldsOf().join(', ')}, not ${options.keyFields.join(', ')}`, { connector: this.type });
    }
    const batchSize = Math.min(options.batchSize ?? BATCH_LIMIT, BATCH_LIMIT);
    const retries = options.itemRetries ?? 8;
    const failed: BulkItemError[] = [];
    let written = 0;
    let index = 0;
    type Item = { index: number; key: DocumentKey; keyText: string; item: Record<string, unknown> };
    let batch: Item[] = [];

    const putOne = async (item: Item): Promise<string | undefined> => {
      try {
        await docs.send(new lib.PutCommand({ TableName: table, Item: item.item }));
        return undefined;
      } catch (error) {
        return this.#error(error, 'PutItem').message;
      }
    };

    const flush = async () => {
      let pending = batch;
      batch = [];
      for (let attempt = 0; pending.length; attempt++) {
        options.signal?.throwIfAborted();
        let unprocessed: Item[];
        try {
          const out = await docs.send(new lib.BatchWriteCommand({ RequestItems: { [table]: pending.map((p) => ({ PutRequest: { Item: p.item } })) } }));
          const left = (out.UnprocessedItems?.[table] ?? []).map((r) => JSON.stringify(this.#keyOf(keyOfItem(r.PutRequest!.Item!, keyFieldsOf()), schema!), bigintText));
          const leftSet = new Set(left);
          unprocessed = pending.filter((p) => leftSet.has(p.keyText));
        } catch (error) {
          const name = (error as { name?: string }).name ?? '';
          if (THROTTLE_ERRORS.has(name)) {
            unprocessed = pending; // throttled as a whole after the SDK's own retries: back off and try again
          } else if (name === 'ValidationException') {
            for (const p of pending) {
              const message = await putOne(p);
              if (message) failed.push({ index: p.index, key: p.key, message, retryable: false });
              else written++;
            }
            pending = [];
            break;
          } else {
            const typed = this.#error(error, `BatchWriteItem ${table}`);
            throw Object.assign(typed, { details: { ...typed.details, committed: written > 0, written } });
          }
        }
        written += pending.length - unprocessed.length;
        if (unprocessed.length && attempt >= retries) {
          for (const p of unprocessed) failed.push({ index: p.index, key: p.key, message: `still unprocessed after ${retries} retries (throttled: raise the table's capacity or lower the write rate)`, retryable: true });
          break;
        }
        pending = unprocessed;
        if (pending.length) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 5000) * (0.5 + Math.random() / 2)));
      }
      options.onProgress?.(written);
    };

    for await (const doc of documents as AsyncIterable<Document>) {
      options.signal?.throwIfAborted();
      const i = index++;
      const keyFields = keyFieldsOf();
      const missing = keyFields.filter((f) => doc[f] === undefined || doc[f] === null);
      if (missing.length) {
        failed.push({ index: i, message: `document has no key field ${missing.map((f) => `'${f}'`).join(', ')}`, retryable: false });
        continue;
      }
      if (!schema) schema = await this.#createTable(table, keyFields, doc);
      const wrongType = keyFields.find((f) => {
        const v = doc[f];
        const t = schema!.types[f];
        return t && (t === 'N' ? typeof v !== 'number' && typeof v !== 'bigint' : t === 'B' ? !(v instanceof Uint8Array) : typeof v !== 'string');
      });
      if (wrongType) {
        failed.push({ index: i, key: doc[wrongType] as DocumentKey, message: `key field '${wrongType}' must be of DynamoDB type ${schema.types[wrongType]}`, retryable: false });
        continue;
      }
      const item = toItem(doc) as Record<string, unknown>;
      const keyValue = keyOfItem(doc, keyFields);
      const keyText = JSON.stringify(this.#keyOf(keyValue, schema), bigintText);
      if (batch.some((b) => b.keyText === keyText)) await flush();
      batch.push({ index: i, key: keyValue, keyText, item });
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length) await flush();
    else options.onProgress?.(written);
    return { written, failed };
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const schema = await this.#keySchema(this.#table(collection));
    if (!schema) return 0;
    let deleted = 0;
    // DeleteItem with ReturnValues tells whether the key existed (BatchWriteItem does not); 8 at a time.
    for (let i = 0; i < keys.length; i += 8) {
      const results = await Promise.all(
        keys.slice(i, i + 8).map((key) =>
          this.#send(`DeleteItem ${collection}`, ({ docs, lib }) => docs.send(new lib.DeleteCommand({ TableName: collection, Key: this.#keyOf(key, schema), ReturnValues: 'ALL_OLD' })), options.signal),
        ),
      );
      deleted += results.filter((r) => r.Attributes).length;
    }
    return deleted;
  }

  /**
   * Every table with columns inferred from a sample of its items.
   * @example
   * ```ts
   * import type { DynamodbConnection } from '@sparkle/connector-dynamodb';
   * declare const ddb: DynamodbConnection;
   * for (const t of await ddb.discover({ sampleSize: 100 })) console.log(t.name, t.columns);
   * ```
   */
  async discover(options: { sampleSize?: number; collections?: readonly string[] } = {}): Promise<DiscoveredCollection[]> {
    return discoverCollections(this, options);
  }

  // -------------------------------------------------------------------------------------------
  // Spark: no maintained DataFrame source exists. The mapping targets the `dynamodb` source of
  // audienceproject/spark-dynamodb (unmaintained, Spark 3.0 / Scala 2.12); credentials come
  // from the executors' default AWS chain, so none are passed as options.
  // -------------------------------------------------------------------------------------------

  /** A read through audienceproject's `dynamodb` source (golden options; see the README). */
  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    return {
      format: 'dynamodb',
      options: {
        tableName: this.#table(table),
        region: this.config.region,
        ...(options.numPartitions ? { readPartitions: String(options.numPartitions) } : {}),
        filterPushdown: 'true',
      },
      secretOptions: [],
    };
  }

  /** A write through audienceproject's `dynamodb` source (golden options; see the README). */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    return {
      format: 'dynamodb',
      options: { tableName: this.#table(table), region: this.config.region, writeBatchSize: String(Math.min(options.batchSize ?? BATCH_LIMIT, BATCH_LIMIT)), ...options.options },
      mode: options.mode ?? 'errorIfExists',
      secretOptions: [],
    };
  }
}

/** The key value of a document: the partition key's value, or both key fields by name. */
function keyOfItem(doc: Record<string, unknown>, keyFields: readonly string[]): DocumentKey {
  return (keyFields.length === 1 ? doc[keyFields[0]!] : Object.fromEntries(keyFields.map((f) => [f, doc[f]]))) as DocumentKey;
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}
