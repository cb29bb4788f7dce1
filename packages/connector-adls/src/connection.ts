/**
 * `AdlsConnection` (type `adls`, alias `adls_gen2`): an Azure Data Lake Storage Gen2 filesystem
 * (a storage account with the hierarchical namespace) as an object store, through
 * `@azure/storage-file-datalake` (imported on first use). Auth, credentials, error mapping and
 * Hadoop keys, lazily opened clients, reads, deletes and `discover()` are `@sparkle/connector-azure-blob`'s
 * shared `AzureStorageConnection` and helpers; tables, globs, modes,
 * Spark specs, health and lineage are core's `CloudStorageConnection`.
 *
 * ADLS Gen2 renames atomically, so a put never shows a partial file: the bytes go to a hidden
 * temporary file beside the target (create, appends in `blockSize` chunks with at most
 * `concurrency` in flight, flush), which is then renamed over the target in one step — with
 * `If-None-Match: *` on the destination for create-only puts. A failed upload deletes the
 * temporary file and leaves the target as it was.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  globMatcher,
  InvalidArgumentError,
  QueryError,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
  type SparkHadoopOptions,
} from '@sparkle/core';
import {
  abfssHadoopOptions,
  azureError,
  azureStatus,
  azureStorageConfigSchema,
  AzureStorageConnection,
  containerName,
  countedBodyStream,
  objectInfoOf,
  requireAccount,
  type AzureClientOptions,
} from '@sparkle/connector-azure-blob';
import type { DataLakeFileSystemClient, DataLakeServiceClient } from '@azure/storage-file-datalake';

type DataLakeSdk = typeof import('@azure/storage-file-datalake');
type DataLakeClients = { service: DataLakeServiceClient; filesystem: DataLakeFileSystemClient };

/**
 * A path as the client's `move()` needs its destination: it is set as the URL's path verbatim,
 * so `%`, `?` and `#` in names (Hive escapes `/` in partition values as `%2F`) must be encoded
 * by the caller, or the service would decode them into another path.
 */
function encodedPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * Config of `adls`: the filesystem (container) plus what every Azure store takes (account,
 * prefix, endpoint, auth, retries, upload block size and concurrency) and the object-store
 * fields (format, formatOptions).
 */
export const adlsConfigSchema = azureStorageConfigSchema
  .extend({
    filesystem: containerName,
  })
  .superRefine(requireAccount);

export type AdlsConfig = z.output<typeof adlsConfigSchema>;

/**
 * Azure Data Lake Storage Gen2, one filesystem (optionally below a directory prefix), as an
 * object store with atomic rename and as tables in files.
 *
 * @example
 * ```ts
 * await using lake = await getConnection('adls', {
 *   config: { account: 'lake', filesystem: 'curated', auth: { type: 'servicePrincipal', tenantId: '…', clientId: '…', clientSecret: '${AZURE_CLIENT_SECRET}' } },
 * });
 * await lake.writeTable(frame, 'sales/2024.parquet', { mode: 'overwrite' }); // temp file, then one atomic rename
 * ```
 */
export class AdlsConnection extends AzureStorageConnection<AdlsConfig, DataLakeSdk, DataLakeClients> {
  static override schema: z.ZodType = adlsConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Azure Data Lake Storage Gen2: a filesystem as an object store with atomic rename; CSV, JSON lines, Arrow and Parquet tables in files';

  /** Hierarchical namespace: puts are temp file + atomic rename, create-only enforced on the rename, strong listing. */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: true, atomicRename: true, listAfterWrite: 'strong' };

  protected readonly kind = { service: 'dfs', scheme: 'abfss', containerNoun: 'filesystem', driver: '@azure/storage-file-datalake' } as const;

  /** The filesystem's name (the `schema` of `discover()` entries). */
  get containerName(): string {
    return this.config.filesystem;
  }

  protected importSdk(): Promise<DataLakeSdk> {
    return import('@azure/storage-file-datalake');
  }

  protected openClients(sdk: DataLakeSdk, serviceUrl: string, credential: unknown, options: AzureClientOptions): DataLakeClients {
    const service = new sdk.DataLakeServiceClient(serviceUrl, credential as never, options);
    return { service, filesystem: service.getFileSystemClient(this.config.filesystem) };
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  /**
   * Lists files (not directories) recursively from the deepest directory the prefix and the
   * glob's literal part agree on, in the service's (path) order; the glob is matched here.
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const { prefix, glob, literal } = this.listScope(options);
    const directory = this.pathOf(literal.slice(0, literal.lastIndexOf('/') + 1).replace(/\/$/, '')).replace(/\/$/, '');
    const matches = glob ? globMatcher(glob) : () => true;
    const { filesystem } = await this.clients();
    let n = 0;
    try {
      const pages = filesystem.listPaths({ recursive: true, ...(directory ? { path: directory } : {}), ...(options.signal ? { abortSignal: options.signal } : {}) }).byPage({ maxPageSize: 1000 });
      for await (const page of pages) {
        for (const p of page.pathItems ?? []) {
          if (p.isDirectory || !p.name) continue;
          const key = this.keyOfPath(p.name);
          if (!key.startsWith(prefix) || !matches(key)) continue;
          if (options.limit !== undefined && n >= options.limit) return;
          n++;
          yield objectInfoOf(key, p);
        }
        if (options.limit !== undefined && n >= options.limit) return;
      }
    } catch (error) {
      // A directory that does not exist holds nothing; a missing filesystem is an error.
      if (azureStatus(error).code === 'PathNotFound') return;
      throw azureError(error, this.errorContext(`list ${literal || '/'}`));
    }
  }

  /** Size, ETag, type and metadata of a file; `undefined` when there is none or the path is a directory. */
  async statObject(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const k = this.key(key);
    const { filesystem } = await this.clients();
    try {
      const p = await filesystem.getFileClient(this.pathOf(k)).getProperties(options.signal ? { abortSignal: options.signal } : {});
      if (p.metadata?.hdi_isfolder === 'true') return undefined;
      const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).filter(([name]) => name !== 'hdi_isfolder'));
      return objectInfoOf(k, p, metadata);
    } catch (error) {
      const { status, code } = azureStatus(error);
      if (status === 404 && code !== 'ContainerNotFound' && code !== 'FilesystemNotFound') return undefined;
      throw azureError(error, this.errorContext(`stat ${k}`, k));
    }
  }

  /** A read of a file's range (the SDK resumes a dropped read, pinned to the first response's ETag). */
  protected async readPath({ filesystem }: DataLakeClients, path: string, start: number, count: number | undefined, options: GetObjectOptions): Promise<NodeJS.ReadableStream | undefined> {
    const response = await filesystem.getFileClient(path).read(start, count, {
      ...(options.ifMatch ? { conditions: { ifMatch: options.ifMatch } } : {}),
      ...(options.signal ? { abortSignal: options.signal } : {}),
      maxRetryRequests: 3,
    });
    return response.readableStreamBody;
  }

  /** A hidden temporary path beside `path` (dot-prefixed, so listings by Spark skip it). */
  #tempPath(path: string): string {
    const slash = path.lastIndexOf('/');
    return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${randomBytes(6).toString('hex')}.sparkle-tmp`;
  }

  /**
   * Writes a file whole or not at all: uploaded to a temporary file beside it, then renamed over
   * it atomically (`ifNoneMatch: '*'` → the rename refuses an existing target: `TABLE_EXISTS`).
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const k = this.key(key);
    const { filesystem } = await this.clients();
    const path = this.pathOf(k);
    const temp = this.#tempPath(path);
    await this.#refuseDirectory(k);
    const { stream, size } = countedBodyStream(body);
    const tempClient = filesystem.getFileClient(temp);
    try {
      await tempClient.uploadStream(stream, {
        chunkSize: options.partSize ?? this.config.blockSize,
        maxConcurrency: options.concurrency ?? this.config.concurrency,
        ...(options.contentType ? { pathHttpHeaders: { contentType: options.contentType } } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(options.signal ? { abortSignal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: (p: { loadedBytes: number }) => options.onProgress!(p.loadedBytes) } : {}),
      });
    } catch (error) {
      stream.destroy();
      await tempClient.deleteIfExists().catch(() => undefined);
      throw azureError(error, this.errorContext(`write ${k}`, k));
    }
    try {
      options.signal?.throwIfAborted();
      const moved = await tempClient.move(encodedPath(path), {
        ...(options.ifNoneMatch ? { destinationConditions: { ifNoneMatch: '*' } } : {}),
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
      return { key: k, size: size(), ...(moved.etag ? { etag: moved.etag } : {}), ...(moved.lastModified ? { lastModified: moved.lastModified } : {}) };
    } catch (error) {
      await tempClient.deleteIfExists().catch(() => undefined);
      throw azureError(error, this.errorContext(`write ${k}`, k, { createOnly: options.ifNoneMatch === '*' }));
    }
  }

  /** A key naming a directory cannot be written as a file. */
  async #refuseDirectory(key: string): Promise<void> {
    const { filesystem } = await this.clients();
    try {
      const p = await filesystem.getDirectoryClient(this.pathOf(key)).getProperties();
      if (p.metadata?.hdi_isfolder === 'true') {
        throw new InvalidArgumentError(`'${key}' is a directory in ${this.where}; write to a file path such as '${key}/part-0.parquet'`, { connector: this.type, details: { key } });
      }
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      if (azureStatus(error).status === 404 && azureStatus(error).code !== 'ContainerNotFound') return;
      throw azureError(error, this.errorContext(`stat ${key}`, key));
    }
  }

  protected async deletePath({ filesystem }: DataLakeClients, path: string, signal: AbortSignal | undefined): Promise<boolean> {
    return (await filesystem.getFileClient(path).deleteIfExists(false, signal ? { abortSignal: signal } : {})).succeeded;
  }

  /** The DFS API has no copy: the bytes stream through this process into an atomic put (content type and metadata kept). */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    return this.copyThroughProcess(from, to, options);
  }

  /**
   * Renames a file in one atomic step (the DFS rename). `overwrite: false` refuses an existing
   * target with `TABLE_EXISTS`; default: replace it. The target's directory is created first.
   */
  async renameObject(from: string, to: string, options: { signal?: AbortSignal; overwrite?: boolean } = {}): Promise<void> {
    const source = this.key(from);
    const target = this.key(to);
    const { filesystem } = await this.clients();
    await this.#refuseDirectory(target);
    const targetPath = this.pathOf(target);
    const parent = targetPath.includes('/') ? targetPath.slice(0, targetPath.lastIndexOf('/')) : '';
    const sourcePath = this.pathOf(source);
    const signal = options.signal ? { abortSignal: options.signal } : {};
    try {
      if (parent && parent !== sourcePath.slice(0, sourcePath.lastIndexOf('/'))) await filesystem.getDirectoryClient(parent).createIfNotExists(signal);
      await filesystem.getFileClient(sourcePath).move(encodedPath(targetPath), { ...(options.overwrite === false ? { destinationConditions: { ifNoneMatch: '*' } } : {}), ...signal });
    } catch (error) {
      const code = azureStatus(error).code;
      if (code === 'SourcePathNotFound') throw new QueryError(`rename ${source} failed: no object '${source}' in ${this.where}`, { connector: this.type, details: { notFound: true, key: source } });
      throw azureError(error, this.errorContext(`rename ${source} to ${target}`, target, { createOnly: options.overwrite === false }));
    }
  }

  protected override sparkHadoopOptions(): SparkHadoopOptions {
    return abfssHadoopOptions(this.target, this.config.auth);
  }

  // -------------------------------------------------------------------------------------------
  // Discovery
  // -------------------------------------------------------------------------------------------

  /** The directories directly below the root (a non-recursive list). */
  async listTopPrefixes(signal?: AbortSignal): Promise<string[]> {
    const { filesystem } = await this.clients();
    const out: string[] = [];
    try {
      for await (const p of filesystem.listPaths({ recursive: false, ...(this.rootPrefix ? { path: this.rootPrefix } : {}), ...(signal ? { abortSignal: signal } : {}) })) {
        if (p.isDirectory && p.name) out.push(`${this.keyOfPath(p.name)}/`);
      }
    } catch (error) {
      if (azureStatus(error).code === 'PathNotFound') return [];
      throw azureError(error, this.errorContext('list directories'));
    }
    return out;
  }
}
