/**
 * `AdlsConnection` (type `adls`, alias `adls_gen2`): an Azure Data Lake Storage Gen2 filesystem
 * (a storage account with the hierarchical namespace) as an object store, through
 * `@azure/storage-file-datalake` (imported on first use). Auth, credentials, error mapping and
 * Hadoop keys are `@sparkle/connector-azure-blob`'s shared Azure helpers; tables, globs, modes,
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
  CloudStorageConnection,
  globMatcher,
  globPrefix,
  InvalidArgumentError,
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
import {
  abfssHadoopOptions,
  azureError,
  azureStatus,
  azureStorageConfigSchema,
  bodyStream,
  confinedPrefix,
  containerName,
  discoverStore,
  requireAccount,
  resolveAzureTarget,
  streamChunks,
  tokenCredential,
  type AzureErrorContext,
  type AzureTarget,
} from '@sparkle/connector-azure-blob';
import type { DataLakeFileSystemClient, DataLakeServiceClient } from '@azure/storage-file-datalake';

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
export class AdlsConnection extends CloudStorageConnection<AdlsConfig> {
  static override schema: z.ZodType = adlsConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Azure Data Lake Storage Gen2: a filesystem as an object store with atomic rename; CSV, JSON lines, Arrow and Parquet tables in files';

  /** Hierarchical namespace: puts are temp file + atomic rename, create-only enforced on the rename, strong listing. */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: true, atomicRename: true, listAfterWrite: 'strong' };

  #target: AzureTarget | undefined;
  #clients: Promise<{ service: DataLakeServiceClient; filesystem: DataLakeFileSystemClient }> | undefined;

  constructor(init: ConnectionInit) {
    super(init as never);
    this.onClose(() => {
      this.#clients = undefined;
    });
  }

  /** Account, DFS service URL and credential plan (resolved once; config errors surface here). */
  protected get target(): AzureTarget {
    return (this.#target ??= resolveAzureTarget(this.config, 'dfs', this.type));
  }

  /** The filesystem's name (the `schema` of `discover()` entries). */
  get containerName(): string {
    return this.config.filesystem;
  }

  protected get where(): string {
    return `filesystem '${this.config.filesystem}' in account '${this.target.account}'`;
  }

  protected clients(): Promise<{ service: DataLakeServiceClient; filesystem: DataLakeFileSystemClient }> {
    this.assertOpen();
    this.#clients ??= this.#openClients().catch((error: unknown) => {
      this.#clients = undefined;
      throw error;
    });
    return this.#clients;
  }

  async #openClients(): Promise<{ service: DataLakeServiceClient; filesystem: DataLakeFileSystemClient }> {
    let sdk: typeof import('@azure/storage-file-datalake');
    try {
      sdk = await import('@azure/storage-file-datalake');
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/storage-file-datalake', cause);
    }
    const target = this.target;
    const options = { retryOptions: { maxTries: this.config.maxTries, retryDelayInMs: 500, maxRetryDelayInMs: 15_000 } };
    let service: DataLakeServiceClient;
    if (target.credential.kind === 'sharedKey') {
      service = new sdk.DataLakeServiceClient(target.serviceUrl, new sdk.StorageSharedKeyCredential(target.account, target.credential.accountKey), options);
    } else if (target.credential.kind === 'sas') {
      service = new sdk.DataLakeServiceClient(`${target.serviceUrl}?${target.credential.sasToken}`, new sdk.AnonymousCredential(), options);
    } else {
      service = new sdk.DataLakeServiceClient(target.serviceUrl, (await tokenCredential(this.config.auth, this.type)) as never, options);
    }
    return { service, filesystem: service.getFileSystemClient(this.config.filesystem) };
  }

  protected errorContext(what: string, key?: string, extra: Partial<AzureErrorContext> = {}): AzureErrorContext {
    return { connector: this.type, what, container: this.where, secrets: this.secretValues(), ...(key !== undefined ? { key } : {}), ...extra };
  }

  protected get rootPrefix(): string {
    return confinedPrefix(this.config.prefix, this.type);
  }

  /** The path of a (confined) key in the filesystem. */
  protected pathOf(key: string): string {
    return this.rootPrefix ? `${this.rootPrefix}/${key}` : key;
  }

  protected keyOfPath(path: string): string {
    return this.rootPrefix ? path.slice(this.rootPrefix.length + 1) : path;
  }

  protected override endpoints(): Endpoint[] {
    const url = new URL(this.target.serviceUrl);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  /**
   * Lists files (not directories) recursively from the deepest directory the prefix and the
   * glob's literal part agree on, in the service's (path) order; the glob is matched here.
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ? this.key(options.prefix, 'prefix') : '';
    const glob = options.glob ? this.key(options.glob, 'glob') : undefined;
    const fromGlob = glob ? globPrefix(glob) : '';
    const literal = fromGlob.startsWith(prefix) ? fromGlob : prefix;
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
          yield { key, size: p.contentLength ?? 0, ...(p.lastModified ? { lastModified: p.lastModified } : {}), ...(p.etag ? { etag: p.etag } : {}) };
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
      return {
        key: k,
        size: p.contentLength ?? 0,
        ...(p.lastModified ? { lastModified: p.lastModified } : {}),
        ...(p.etag ? { etag: p.etag } : {}),
        ...(p.contentType ? { contentType: p.contentType } : {}),
        ...(Object.keys(metadata).length ? { metadata } : {}),
      };
    } catch (error) {
      const { status, code } = azureStatus(error);
      if (status === 404 && code !== 'ContainerNotFound' && code !== 'FilesystemNotFound') return undefined;
      throw azureError(error, this.errorContext(`stat ${k}`, k));
    }
  }

  /** Streams a file or a byte range of it; `ifMatch` → a retryable error naming the key when it changed. */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    const k = this.key(key);
    const start = Math.max(0, options.range?.start ?? 0);
    const end = options.range?.end;
    if (end !== undefined && end <= start) return;
    const { filesystem } = await this.clients();
    let body: NodeJS.ReadableStream | undefined;
    try {
      const response = await filesystem.getFileClient(this.pathOf(k)).read(start, end === undefined ? undefined : end - start, {
        ...(options.ifMatch ? { conditions: { ifMatch: options.ifMatch } } : {}),
        ...(options.signal ? { abortSignal: options.signal } : {}),
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
    let size = 0;
    const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        yield chunk;
      }
    };
    if (typeof body === 'string') size = Buffer.byteLength(body);
    else if (body instanceof Uint8Array) size = body.byteLength;
    const stream = bodyStream(typeof body === 'string' || body instanceof Uint8Array ? body : counted(body));
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
      return { key: k, size, ...(moved.etag ? { etag: moved.etag } : {}), ...(moved.lastModified ? { lastModified: moved.lastModified } : {}) };
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

  /** Deletes files (eight at a time); missing ones are not an error. Returns how many existed. */
  async deleteObjects(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const confined = keys.map((key) => this.key(key));
    const { filesystem } = await this.clients();
    let deleted = 0;
    for (let at = 0; at < confined.length; at += 8) {
      options.signal?.throwIfAborted();
      const results = await Promise.all(
        confined.slice(at, at + 8).map(async (k) => {
          try {
            return (await filesystem.getFileClient(this.pathOf(k)).deleteIfExists(false, options.signal ? { abortSignal: options.signal } : {})).succeeded;
          } catch (error) {
            throw azureError(error, this.errorContext(`delete ${k}`, k));
          }
        }),
      );
      deleted += results.filter(Boolean).length;
    }
    return deleted;
  }

  /** The DFS API has no copy: the file is streamed through this process (pinned to its ETag) into an atomic put. */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    const source = this.key(from);
    const target = this.key(to);
    const info = await this.statObject(source, options);
    if (!info) throw new QueryError(`copy ${source} failed: no object '${source}' in ${this.where}`, { connector: this.type, details: { notFound: true, key: source } });
    const signal = options.signal ? { signal: options.signal } : {};
    return this.putObject(target, this.getObject(source, { ...(info.etag ? { ifMatch: info.etag } : {}), ...signal }), {
      ...signal,
      ...(options.ifNoneMatch ? { ifNoneMatch: '*' } : {}),
      ...(info.contentType ? { contentType: info.contentType } : {}),
      ...(info.metadata ? { metadata: info.metadata } : {}),
    });
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

  /** `abfss://<filesystem>@<account>.dfs.core.windows.net/<prefix>/<key>`: how Spark's ABFS driver names the file. */
  objectUri(key: string): string {
    const t = this.target;
    return `abfss://${this.config.filesystem}@${t.account}.dfs.${t.endpointSuffix}/${key ? this.pathOf(key) : this.rootPrefix}`;
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

  /**
   * Without options: the directories below the root. With `path` (a file, directory or glob):
   * that path with the columns the file formats infer for it.
   *
   * @example
   * ```ts
   * await conn.discover({ path: 'sales/*.parquet' }); // [{ schema: 'curated', name: 'sales/*.parquet', columns: [...] }]
   * ```
   */
  async discover(options: { path?: string; signal?: AbortSignal } = {}): Promise<DiscoveredTable[]> {
    return discoverStore(this, options);
  }
}
