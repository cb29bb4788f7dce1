/**
 * `AzureBlobConnection` (type `azure_blob`, alias `wasbs`): an Azure Blob Storage container as
 * an object store, through `@azure/storage-blob` (imported on first use). The shared
 * `AzureStorageConnection` (./azure-connection.ts, also the base of `adls`) owns target,
 * clients, reads, deletes and `discover()`; core's `CloudStorageConnection` owns the rest — tables as files through the file formats, globs and
 * directories, save modes, Spark reads through `wasbs://` URIs, the list-then-stat health check,
 * OpenLineage names.
 *
 * Puts are block uploads: a streamed body goes up in `blockSize` blocks, at most `concurrency`
 * in flight, and becomes visible only when the block list is committed at the end — a failed
 * upload leaves the previous object (or none) and no partial one. Blob Storage has no rename, so
 * overwriting writes the new blob whole and then switches to it in that commit.
 */
import { z } from 'zod';
import {
  globMatcher,
  QueryError,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
  type SparkHadoopOptions,
} from '@sparkle/core';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { azureStorageConfigSchema, requireAccount } from './azure-config.js';
import { azureError, azureStatus } from './azure-errors.js';
import { wasbsHadoopOptions } from './azure-spark.js';
import { AzureStorageConnection, countedBodyStream, objectInfoOf, type AzureClientOptions } from './azure-connection.js';

/** Container names: 3–63 lower-case letters, digits and single hyphens, starting and ending alphanumeric. */
export const containerName = z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a container name is 3-63 lower-case letters, digits and single hyphens');

/** Page size of a listing: a small `limit` without a glob (the health check's one key) asks for no more. */
function pageSize(limit: number | undefined, glob: string | undefined): number {
  return limit !== undefined && !glob ? Math.min(1000, Math.max(1, limit)) : 1000;
}

/**
 * Config of `azure_blob`: the container plus what every Azure store takes (account, prefix,
 * endpoint, auth, retries, upload block size and concurrency) and the object-store fields
 * (format, formatOptions).
 */
export const azureBlobConfigSchema = azureStorageConfigSchema
  .extend({
    container: containerName,
  })
  .superRefine(requireAccount);

export type AzureBlobConfig = z.output<typeof azureBlobConfigSchema>;

type BlobSdk = typeof import('@azure/storage-blob');
type BlobClients = { service: BlobServiceClient; container: ContainerClient };

/**
 * Azure Blob Storage, one container (optionally below a prefix), as an object store and as
 * tables in files.
 *
 * @example
 * ```ts
 * await using lake = await getConnection('azure_blob', {
 *   config: { account: 'lake', container: 'raw', auth: { type: 'accountKey', accountKey: '${AZURE_STORAGE_KEY}' } },
 * });
 * const frame = await lake.readTable('events/2024-*.parquet');
 * await lake.writeTable(frame, 'clean/events.parquet', { mode: 'overwrite' });
 * ```
 */
export class AzureBlobConnection extends AzureStorageConnection<AzureBlobConfig, BlobSdk, BlobClients> {
  static override schema: z.ZodType = azureBlobConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Azure Blob Storage: a container as an object store; CSV, JSON lines, Arrow and Parquet tables in blobs';

  /** Block blobs: atomic commit, `If-None-Match: *` enforced by the service, no rename, strong listing. */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: true, atomicRename: false, listAfterWrite: 'strong' };

  protected readonly kind = { service: 'blob', scheme: 'wasbs', containerNoun: 'container', driver: '@azure/storage-blob' } as const;

  /** The container's name (the `schema` of `discover()` entries). */
  get containerName(): string {
    return this.config.container;
  }

  protected importSdk(): Promise<BlobSdk> {
    return import('@azure/storage-blob');
  }

  protected openClients(sdk: BlobSdk, serviceUrl: string, credential: unknown, options: AzureClientOptions): BlobClients {
    const service = new sdk.BlobServiceClient(serviceUrl, credential as never, options);
    return { service, container: service.getContainerClient(this.config.container) };
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  /**
   * Lists blobs in name order: the prefix (and a glob's literal part) goes to the service, the
   * glob is matched here. Directory markers of hierarchical accounts (`hdi_isfolder`) are skipped.
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const { prefix, glob, literal } = this.listScope(options);
    const matches = glob ? globMatcher(glob) : () => true;
    const { container } = await this.clients();
    const root = this.rootPrefix ? `${this.rootPrefix}/` : '';
    let n = 0;
    try {
      const pages = container.listBlobsFlat({ prefix: root + literal, includeMetadata: true }).byPage({ maxPageSize: pageSize(options.limit, glob) });
      for await (const page of pages) {
        options.signal?.throwIfAborted();
        for (const blob of page.segment.blobItems) {
          if (blob.metadata?.hdi_isfolder === 'true') continue;
          const key = this.keyOfPath(blob.name);
          if (!key.startsWith(prefix) || !matches(key)) continue;
          if (options.limit !== undefined && n >= options.limit) return;
          n++;
          yield objectInfoOf(key, blob.properties, blob.metadata);
        }
        if (options.limit !== undefined && n >= options.limit) return;
      }
    } catch (error) {
      throw azureError(error, this.errorContext(`list ${literal || '/'}`));
    }
  }

  /** Size, ETag, type and metadata of a blob; `undefined` when there is none (or it is a directory marker). */
  async statObject(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const k = this.key(key);
    const { container } = await this.clients();
    try {
      const p = await container.getBlobClient(this.pathOf(k)).getProperties(options.signal ? { abortSignal: options.signal } : {});
      if (p.metadata?.hdi_isfolder === 'true') return undefined;
      return objectInfoOf(k, p, p.metadata);
    } catch (error) {
      const { status, code } = azureStatus(error);
      if (status === 404 && code !== 'ContainerNotFound') return undefined;
      throw azureError(error, this.errorContext(`stat ${k}`, k));
    }
  }

  /** A download of a blob's range; the SDK resumes a dropped download where it stopped, pinned to the first response's ETag. */
  protected async readPath({ container }: BlobClients, path: string, start: number, count: number | undefined, options: GetObjectOptions): Promise<NodeJS.ReadableStream | undefined> {
    const response = await container.getBlobClient(path).download(start, count, {
      ...(options.ifMatch ? { conditions: { ifMatch: options.ifMatch } } : {}),
      ...(options.signal ? { abortSignal: options.signal } : {}),
      maxRetryRequests: 3,
    });
    return response.readableStreamBody;
  }

  /**
   * Uploads a blob whole or not at all: blocks of `partSize` (config `blockSize`), `concurrency`
   * at once, committed in one block list at the end; `ifNoneMatch: '*'` makes the commit fail
   * with `TABLE_EXISTS` when the blob exists.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const k = this.key(key);
    const { container } = await this.clients();
    const blob = container.getBlockBlobClient(this.pathOf(k));
    const { stream, size } = countedBodyStream(body);
    try {
      const response = await blob.uploadStream(stream, options.partSize ?? this.config.blockSize, options.concurrency ?? this.config.concurrency, {
        ...(options.contentType ? { blobHTTPHeaders: { blobContentType: options.contentType } } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(options.ifNoneMatch ? { conditions: { ifNoneMatch: '*' } } : {}),
        ...(options.signal ? { abortSignal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: (p: { loadedBytes: number }) => options.onProgress!(p.loadedBytes) } : {}),
      });
      return { key: k, size: size(), ...(response.etag ? { etag: response.etag } : {}), ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
    } catch (error) {
      stream.destroy();
      throw azureError(error, this.errorContext(`write ${k}`, k, { createOnly: options.ifNoneMatch === '*' }));
    }
  }

  protected async deletePath({ container }: BlobClients, path: string, signal: AbortSignal | undefined): Promise<boolean> {
    return (await container.getBlobClient(path).deleteIfExists(signal ? { abortSignal: signal } : {})).succeeded;
  }

  /** Server-side copy within the account, pinned to the source's ETag; `ifNoneMatch: '*'` refuses an existing target. */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    const source = this.key(from);
    const target = this.key(to);
    const info = await this.statObject(source, options);
    if (!info) throw new QueryError(`copy ${source} failed: no object '${source}' in ${this.where}`, { connector: this.type, details: { notFound: true, key: source } });
    const { container } = await this.clients();
    try {
      const poller = await container.getBlobClient(this.pathOf(target)).beginCopyFromURL(container.getBlobClient(this.pathOf(source)).url, {
        ...(info.etag ? { sourceConditions: { ifMatch: info.etag } } : {}),
        ...(options.ifNoneMatch ? { conditions: { ifNoneMatch: '*' } } : {}),
        ...(options.signal ? { abortSignal: options.signal } : {}),
        intervalInMs: 200,
      });
      await poller.pollUntilDone();
    } catch (error) {
      throw azureError(error, this.errorContext(`copy ${source} to ${target}`, target, { createOnly: options.ifNoneMatch === '*' }));
    }
    return (await this.statObject(target, options)) ?? { ...info, key: target };
  }

  protected override sparkHadoopOptions(): SparkHadoopOptions {
    return wasbsHadoopOptions(this.target, this.config.container, this.config.auth, this.type);
  }

  // -------------------------------------------------------------------------------------------
  // Discovery
  // -------------------------------------------------------------------------------------------

  /** The prefixes directly below the root (one list call with `/` as delimiter). */
  async listTopPrefixes(signal?: AbortSignal): Promise<string[]> {
    const { container } = await this.clients();
    const root = this.rootPrefix ? `${this.rootPrefix}/` : '';
    const out: string[] = [];
    try {
      for await (const item of container.listBlobsByHierarchy('/', { prefix: root })) {
        signal?.throwIfAborted();
        if (item.kind === 'prefix') out.push(this.keyOfPath(item.name));
      }
    } catch (error) {
      throw azureError(error, this.errorContext('list prefixes'));
    }
    return out;
  }
}
