// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
/**
 * `AdlsConnection`: Azure Data Lake Storage Gen2, an object store. `CloudStorageConnection` owns the shared
 * behaviour — tables as files through the file formats, globs and directories, save modes, Spark
 * reads through Hadoop URIs, the list-then-stat health check, OpenLineage dataset names; this
 * class adds the store's client (list, stat, ranged get, put, delete, copy).
 */
import { z } from 'zod';
import {
  CloudStorageConnection,
  cloudStorageConfigSchema,
  MissingDriverError,
  secret,
  UnsupportedOperationError,
  type ConnectionInit,
  type Endpoint,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStoreSemantics,
  type PutObjectOptions,
} from '@sparkle/core';

/** Config of the `adls` connection: the object-store shape (format, formatOptions) plus where and how to log in. TODO: the real fields. */
export const adlsConfigSchema = cloudStorageConfigSchema.extend({
  endpoint: z.url().optional(),
  bucket: z.string().default('data'),
  accessKeyId: z.string().optional(),
  secretAccessKey: secret(z.string()).optional(),
});

export type AdlsConfig = z.output<typeof adlsConfigSchema>;

/** What this connection needs from the store: the byte-moving calls of the `ObjectStore` capability. */
export type AdlsClient = ObjectStore;

/**
 * The `adls` connection.
 *
 * @example
 * ```ts
 * const conn = new AdlsConnection({ type: 'adls', config: { bucket: 'lake' } });
 * for await (const o of conn.listObjects({ glob: 'raw/*.csv' })) console.log(o.key, o.size);
 * const frame = await conn.readTable('raw/*.csv');
 * ```
 */
export class AdlsConnection extends CloudStorageConnection<AdlsConfig> {
  static override schema: z.ZodType = adlsConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Azure Data Lake Storage Gen2';
  readonly #client: AdlsClient | undefined;

  /** `client` replaces the store client (tests pass an in-memory object store). */
  constructor(init: ConnectionInit & { client?: AdlsClient }) {
    super(init);
    this.#client = init.client;
  }

  /** The store client. TODO: talk to the store here (its SDK or HTTP API). */
  protected async client(): Promise<AdlsClient> {
    if (this.#client) return this.#client;
    try {
      await import('@azure/storage-file-datalake'); // TODO: build the client from the driver
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/storage-file-datalake', cause);
    }
    throw new UnsupportedOperationError(`${this.type}: the store client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  /** The client's guarantees; without one, the weakest (nothing atomic, eventual listing) so nothing relies on more. TODO: state the store's own. */
  get storeSemantics(): ObjectStoreSemantics {
    return this.#client?.storeSemantics ?? { atomicPut: false, conditionalPut: false, atomicRename: false, listAfterWrite: 'eventual' };
  }

  /** What the network tier of `check()` must reach: the endpoint's host and port. */
  protected override endpoints(): Endpoint[] {
    if (!this.config.endpoint) return [];
    const url = new URL(this.config.endpoint);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }

  async *listObjects(options?: ListObjectsOptions): AsyncIterable<ObjectInfo> {
    yield* (await this.client()).listObjects(options);
  }

  async statObject(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | undefined> {
    return (await this.client()).statObject(this.key(key), options);
  }

  async *getObject(key: string, options?: GetObjectOptions): AsyncIterable<Uint8Array> {
    yield* (await this.client()).getObject(this.key(key), options);
  }

  async putObject(key: string, body: ObjectBody, options?: PutObjectOptions): Promise<ObjectInfo> {
    return (await this.client()).putObject(this.key(key), body, options);
  }

  async deleteObjects(keys: readonly string[], options?: { signal?: AbortSignal }): Promise<number> {
    return (await this.client()).deleteObjects(keys.map((k) => this.key(k)), options);
  }

  async copyObject(from: string, to: string, options?: { signal?: AbortSignal; ifNoneMatch?: '*' }): Promise<ObjectInfo> {
    return (await this.client()).copyObject(this.key(from), this.key(to), options);
  }

  /** The key's URI (lineage, Spark paths): the client's, else `adls://<bucket>/<key>`. TODO: the store's Hadoop scheme. */
  objectUri(key: string): string {
    return this.#client ? this.#client.objectUri(key) : `adls://${this.config.bucket}/${key}`;
  }
}
