// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
/**
 * `CosmosdbConnection`: Cosmosdb connection, a document store. `NoSQLConnection` owns the shared
 * behaviour — collections as tables for the local engine with typed filters (never SQL), schemas
 * inferred from a bounded sample, bulk upserts that fail the write on any failed item, the
 * list-collections health probe; this class adds the system's client.
 */
import { z } from 'zod';
import {
  MissingDriverError,
  NoSQLConnection,
  secret,
  UnsupportedOperationError,
  type BulkWriteResult,
  type ConnectionInit,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type DocumentStore,
  type Endpoint,
  type FindDocumentsOptions,
  type UpsertDocumentsOptions,
} from '@sparkle/core';

/** Config of the `cosmosdb` connection. TODO: the real fields; mark secrets with `secret()`. */
export const cosmosdbConfigSchema = z.looseObject({
  host: z.string().default('localhost'),
  port: z.coerce.number().int().positive().optional(),
  database: z.string().optional(),
  user: z.string().optional(),
  password: secret(z.string()).optional(),
});

export type CosmosdbConfig = z.output<typeof cosmosdbConfigSchema>;

/** What this connection needs from the system: the calls of the `DocumentStore` capability. */
export type CosmosdbClient = DocumentStore;

/**
 * The `cosmosdb` connection.
 *
 * @example
 * ```ts
 * const conn = new CosmosdbConnection({ type: 'cosmosdb', config: { host: 'localhost', database: 'shop' } });
 * await conn.upsertDocuments('orders', [{ _id: 1, status: 'open' }]);
 * const frame = await conn.readTable('orders', { filter: { field: 'status', op: 'eq', value: 'open' } });
 * ```
 */
export class CosmosdbConnection extends NoSQLConnection<CosmosdbConfig> {
  static override schema: z.ZodType = cosmosdbConfigSchema;
  static override family = 'nosql';
  static override description = 'Cosmosdb connection';
  readonly #client: CosmosdbClient | undefined;

  /** `client` replaces the system's client (tests pass an in-memory document store). */
  constructor(init: ConnectionInit & { client?: CosmosdbClient }) {
    super(init);
    this.#client = init.client;
  }

  /** The system's client. TODO: talk to the system here (its driver or HTTP API). */
  protected async client(): Promise<CosmosdbClient> {
    if (this.#client) return this.#client;
    try {
      await import('@azure/cosmos'); // TODO: build the client from the driver
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/cosmos', cause);
    }
    throw new UnsupportedOperationError(`${this.type}: the document client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  /** What the network tier of `check()` must reach. */
  protected override endpoints(): Endpoint[] {
    const { host, port } = this.config;
    return port ? [{ host, port }] : [];
  }

  async listCollections(options?: { signal?: AbortSignal }): Promise<string[]> {
    return (await this.client()).listCollections(options);
  }

  async getDocument(collection: string, key: DocumentKey, options?: { projection?: readonly string[]; signal?: AbortSignal }): Promise<Document | undefined> {
    return (await this.client()).getDocument(collection, key, options);
  }

  async *findDocuments(collection: string, options?: FindDocumentsOptions): AsyncIterable<Document> {
    yield* (await this.client()).findDocuments(collection, options);
  }

  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options?: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    return (await this.client()).upsertDocuments(collection, documents, options);
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options?: { signal?: AbortSignal }): Promise<number> {
    return (await this.client()).deleteDocuments(collection, keys, options);
  }

  /** Read splits as the client makes them (token ranges, scan segments); one partition when it has none. TODO: the system's Spark connector's split. */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const client = await this.client();
    return client.documentPartitions ? client.documentPartitions(collection, options) : [{ description: collection, find: (o) => this.findDocuments(collection, o) }];
  }
}
