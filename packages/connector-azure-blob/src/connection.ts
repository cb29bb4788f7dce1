/**
 * `AzureBlobConnection` (type `azure_blob`, alias `wasbs`): an Azure Blob Storage container as
 * an object store, through `@azure/storage-blob` (imported on first use). Core's
 * `CloudStorageConnection` owns the rest — tables as files through the file formats, globs and
 * directories, save modes, Spark reads through `wasbs://` URIs, the list-then-stat health check,
 * OpenLineage names.
 *
 * Puts are block uploads: a streamed body goes up in `blockSize` blocks, at most `concurrency`
 * in flight, and becomes visible only when the block list is committed at the end — a failed
 * upload leaves the previous object (or none) and no partial one. Blob Storage has no rename, so
 * overwriting writes the new blob whole and then switches to it in that commit.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  CloudStorageConnection,
  globMatcher,
  globPrefix,
  MissingDriverError,
  QueryError,
  type ConnectionInit,
  type DiscoveredTable,
  type Endpoint,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
  type SparkHadoopOptions,
} from '@sparkle/core';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { azureStorageConfigSchema, confinedPrefix, requireAccount, resolveAzureTarget, tokenCredential, type AzureTarget } from './azure-config.js';
import { azureError, azureStatus, type AzureErrorContext } from './azure-errors.js';
import { wasbsHadoopOptions } from './azure-spark.js';
import { discoverStore } from './azure-discover.js';

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

/** Turns any body into a Node stream for the SDK's `uploadStream`. */
export function bodyStream(body: ObjectBody): Readable {
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')]);
  if (body instanceof Uint8Array) return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
  return Readable.from(
    (async function* () {
      for await (const chunk of body) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    })(),
  );
}

/** Bytes of a Node readable as Uint8Array chunks. */
export async function* streamChunks(stream: NodeJS.ReadableStream | undefined): AsyncGenerator<Uint8Array> {
  if (!stream) return;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

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
export class AzureBlobConnection extends CloudStorageConnection<AzureBlobConfig> {
  static override schema: z.ZodType = azureBlobConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Azure Blob Storage: a container as an object store; CSV, JSON lines, Arrow and Parquet tables in blobs';

  /** Block blobs: atomic commit, `If-None-Match: *` enforced by the service, no rename, strong listing. */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: true, atomicRename: false, listAfterWrite: 'strong' };

  #target: AzureTarget | undefined;
  #clients: Promise<{ service: BlobServiceClient; container: ContainerClient }> | undefined;

  constructor(init: ConnectionInit) {
    super(init as never);
    // The SDK clients hold no sockets of their own beyond the shared agent; dropping them is enough.
    this.onClose(() => {
      this.#clients = undefined;
    });
  }

  /** Account, service URL and credential plan (resolved once; config errors surface here). */
  protected get target(): AzureTarget {
    return (this.#target ??= resolveAzureTarget(this.config, 'blob', this.type));
  }

  /** The container's name (the `schema` of `discover()` entries). */
  get containerName(): string {
    return this.config.container;
  }

  /** `container 'raw' in account 'lake'`, for messages. */
  protected get where(): string {
    return `container '${this.config.container}' in account '${this.config.account ?? this.target.account}'`;
  }

  /** The blob service and container clients, created on first use. */
  protected clients(): Promise<{ service: BlobServiceClient; container: ContainerClient }> {
    this.assertOpen();
    this.#clients ??= this.#openClients().catch((error: unknown) => {
      this.#clients = undefined;
      throw error;
    });
    return this.#clients;
  }

  async #openClients(): Promise<{ service: BlobServiceClient; container: ContainerClient }> {
    let sdk: typeof import('@azure/storage-blob');
    try {
      sdk = await import('@azure/storage-blob');
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/storage-blob', cause);
    }
    const target = this.target;
    const options = { retryOptions: { maxTries: this.config.maxTries, retryDelayInMs: 500, maxRetryDelayInMs: 15_000 } };
    let service: BlobServiceClient;
    if (target.credential.kind === 'sharedKey') {
      service = new sdk.BlobServiceClient(target.serviceUrl, new sdk.StorageSharedKeyCredential(target.account, target.credential.accountKey), options);
    } else if (target.credential.kind === 'sas') {
      service = new sdk.BlobServiceClient(`${target.serviceUrl}?${target.credential.sasToken}`, new sdk.AnonymousCredential(), options);
    } else {
      service = new sdk.BlobServiceClient(target.serviceUrl, (await tokenCredential(this.config.auth, this.type)) as never, options);
    }
    return { service, container: service.getContainerClient(this.config.container) };
  }

  /** Error context for a call on `key`. */
  protected errorContext(what: string, key?: string, extra: Partial<AzureErrorContext> = {}): AzureErrorContext {
    return { connector: this.type, what, container: this.where, secrets: this.secretValues(), ...(key !== undefined ? { key } : {}), ...extra };
  }

  /** The config prefix, confined. */
  protected get rootPrefix(): string {
    return confinedPrefix(this.config.prefix, this.type);
  }

  /** The blob name of a (confined) key. */
  protected blobName(key: string): string {
    return this.rootPrefix ? `${this.rootPrefix}/${key}` : key;
  }

  /** The key of a blob name under the root. */
  protected keyOfBlob(name: string): string {
    return this.rootPrefix ? name.slice(this.rootPrefix.length + 1) : name;
  }

  protected override endpoints(): Endpoint[] {
    const url = new URL(this.target.serviceUrl);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  /**
   * Lists blobs in name order: the prefix (and a glob's literal part) goes to the service, the
   * glob is matched here. Directory markers of hierarchical accounts (`hdi_isfolder`) are skipped.
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ? this.key(options.prefix, 'prefix') : '';
    const glob = options.glob ? this.key(options.glob, 'glob') : undefined;
    const fromGlob = glob ? globPrefix(glob) : '';
    const literal = fromGlob.startsWith(prefix) ? fromGlob : prefix;
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
          const key = this.keyOfBlob(blob.name);
          if (!key.startsWith(prefix) || !matches(key)) continue;
          if (options.limit !== undefined && n >= options.limit) return;
          n++;
          yield {
            key,
            size: blob.properties.contentLength ?? 0,
            ...(blob.properties.lastModified ? { lastModified: blob.properties.lastModified } : {}),
            ...(blob.properties.etag ? { etag: blob.properties.etag } : {}),
            ...(blob.properties.contentType ? { contentType: blob.properties.contentType } : {}),
            ...(blob.metadata && Object.keys(blob.metadata).length ? { metadata: blob.metadata } : {}),
          };
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
      const p = await container.getBlobClient(this.blobName(k)).getProperties(options.signal ? { abortSignal: options.signal } : {});
      if (p.metadata?.hdi_isfolder === 'true') return undefined;
      return {
        key: k,
        size: p.contentLength ?? 0,
        ...(p.lastModified ? { lastModified: p.lastModified } : {}),
        ...(p.etag ? { etag: p.etag } : {}),
        ...(p.contentType ? { contentType: p.contentType } : {}),
        ...(p.metadata && Object.keys(p.metadata).length ? { metadata: p.metadata } : {}),
      };
    } catch (error) {
      const { status, code } = azureStatus(error);
      if (status === 404 && code !== 'ContainerNotFound') return undefined;
      throw azureError(error, this.errorContext(`stat ${k}`, k));
    }
  }

  /**
   * Streams a blob, or a byte range of it. With `ifMatch`, the service refuses (412) when the
   * blob changed since that ETag: a retryable `QueryError` naming the key. A range starting at
   * or past the end reads nothing.
   */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    const k = this.key(key);
    const start = Math.max(0, options.range?.start ?? 0);
    const end = options.range?.end;
    if (end !== undefined && end <= start) return;
    const { container } = await this.clients();
    let body: NodeJS.ReadableStream | undefined;
    try {
      const response = await container.getBlobClient(this.blobName(k)).download(start, end === undefined ? undefined : end - start, {
        ...(options.ifMatch ? { conditions: { ifMatch: options.ifMatch } } : {}),
        ...(options.signal ? { abortSignal: options.signal } : {}),
        // The SDK resumes a dropped download where it stopped, pinned to the first response's ETag.
        maxRetryRequests: 3,
      });
      body = response.readableStreamBody;
    } catch (error) {
      if (azureStatus(error).code === 'InvalidRange') return;
      throw azureError(error, this.errorContext(`read ${k}`, k));
    }
    try {
      yield* streamChunks(body);
    } catch (error) {
      throw azureError(error, this.errorContext(`read ${k}`, k));
    }
  }

  /**
   * Uploads a blob whole or not at all: blocks of `partSize` (config `blockSize`), `concurrency`
   * at once, committed in one block list at the end; `ifNoneMatch: '*'` makes the commit fail
   * with `TABLE_EXISTS` when the blob exists.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const k = this.key(key);
    const { container } = await this.clients();
    const blob = container.getBlockBlobClient(this.blobName(k));
    let size = 0;
    const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        yield chunk;
      }
    };
    const stream = bodyStream(typeof body === 'string' || body instanceof Uint8Array ? body : counted(body));
    if (typeof body === 'string') size = Buffer.byteLength(body);
    else if (body instanceof Uint8Array) size = body.byteLength;
    try {
      const response = await blob.uploadStream(stream, options.partSize ?? this.config.blockSize, options.concurrency ?? this.config.concurrency, {
        ...(options.contentType ? { blobHTTPHeaders: { blobContentType: options.contentType } } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(options.ifNoneMatch ? { conditions: { ifNoneMatch: '*' } } : {}),
        ...(options.signal ? { abortSignal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: (p: { loadedBytes: number }) => options.onProgress!(p.loadedBytes) } : {}),
      });
      return { key: k, size, ...(response.etag ? { etag: response.etag } : {}), ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
    } catch (error) {
      stream.destroy();
      throw azureError(error, this.errorContext(`write ${k}`, k, { createOnly: options.ifNoneMatch === '*' }));
    }
  }

  /** Deletes blobs (eight at a time); missing ones are not an error. Returns how many existed. */
  async deleteObjects(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const confined = keys.map((key) => this.key(key));
    const { container } = await this.clients();
    let deleted = 0;
    for (let at = 0; at < confined.length; at += 8) {
      options.signal?.throwIfAborted();
      const results = await Promise.all(
        confined.slice(at, at + 8).map(async (k) => {
          try {
            return (await container.getBlobClient(this.blobName(k)).deleteIfExists(options.signal ? { abortSignal: options.signal } : {})).succeeded;
          } catch (error) {
            throw azureError(error, this.errorContext(`delete ${k}`, k));
          }
        }),
      );
      deleted += results.filter(Boolean).length;
    }
    return deleted;
  }

  /** Server-side copy within the account, pinned to the source's ETag; `ifNoneMatch: '*'` refuses an existing target. */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    const source = this.key(from);
    const target = this.key(to);
    const info = await this.statObject(source, options);
    if (!info) throw new QueryError(`copy ${source} failed: no object '${source}' in ${this.where}`, { connector: this.type, details: { notFound: true, key: source } });
    const { container } = await this.clients();
    try {
      const poller = await container.getBlobClient(this.blobName(target)).beginCopyFromURL(container.getBlobClient(this.blobName(source)).url, {
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

  /** `wasbs://<container>@<account>.blob.core.windows.net/<prefix>/<key>`: how Spark (hadoop-azure) names the blob. */
  objectUri(key: string): string {
    const t = this.target;
    return `wasbs://${this.config.container}@${t.account}.blob.${t.endpointSuffix}/${key ? this.blobName(key) : this.rootPrefix}`;
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
        if (item.kind === 'prefix') out.push(this.keyOfBlob(item.name));
      }
    } catch (error) {
      throw azureError(error, this.errorContext('list prefixes'));
    }
    return out;
  }

  /**
   * Without options: the prefixes below the root. With `path` (a key, directory or glob): that
   * path with the columns the file formats infer for it.
   *
   * @example
   * ```ts
   * await conn.discover();                              // [{ schema: 'raw', name: 'events/', columns: [] }, …]
   * await conn.discover({ path: 'events/*.parquet' });  // [{ schema: 'raw', name: 'events/*.parquet', columns: [{ name: 'id', sparkType: 'bigint', … }] }]
   * ```
   */
  async discover(options: { path?: string; signal?: AbortSignal } = {}): Promise<DiscoveredTable[]> {
    return discoverStore(this, options);
  }

}
