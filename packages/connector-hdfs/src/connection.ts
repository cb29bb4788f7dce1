/**
 * `HdfsConnection`: HDFS as an object store over WebHDFS or HttpFS (see `webhdfs.ts`).
 * `CloudStorageConnection` owns the shared behaviour — tables as files through the file formats,
 * globs and directories, save modes, Spark reads on `hdfs://` URIs, the list-then-stat health
 * check, OpenLineage names; this class maps keys to paths under `path` and moves the bytes.
 *
 * Writes are atomic: the bytes go to a hidden temporary file in the target's directory
 * (`.sparkle-tmp-…`, skipped by listings, as Spark skips dot-files), then one `RENAME` puts it in
 * place — with `renameoptions=OVERWRITE` (an atomic replace) or, for create-only puts,
 * `renameoptions=NONE` (the NameNode refuses an existing target, atomically). A failed write
 * deletes its temporary file; nothing half-written is ever at the key.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { posix } from 'node:path';
import {
  CloudStorageConnection,
  discoverObjects,
  globMatcher,
  globPrefix,
  QueryError,
  SparkleError,
  type ConnectionInit,
  type DiscoveredObjects,
  type DiscoverObjectsOptions,
  type Endpoint,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
  type SparkHadoopOptions,
} from '@sparkle/core';
import { hdfsConfigSchema, type HdfsConfig } from './config.js';
import { WebHdfsClient, type HdfsFileStatus } from './webhdfs.js';

/** Temporary files of writes in flight: hidden from listings (a leading dot, as Spark hides them). */
export const TEMP_PREFIX = '.sparkle-tmp-';
const encoder = new TextEncoder();

/**
 * The `hdfs` connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-hdfs';
 *
 * await using hdfs = await getConnection('hdfs', {
 *   config: { namenodes: ['http://nn1:9870', 'http://nn2:9870'], path: '/data/lake', user: 'etl', nameservice: 'prod' },
 * });
 * const frame = await hdfs.readTable('orders/*.parquet');
 * await hdfs.writeTable(frame, 'clean/orders.parquet', { mode: 'overwrite' }); // temp file + atomic rename
 * ```
 */
export class HdfsConnection extends CloudStorageConnection<HdfsConfig> {
  static override schema = hdfsConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'HDFS over WebHDFS or HttpFS: files as an object store with atomic (rename-based) writes, tables in files, hdfs:// for Spark';

  #client: WebHdfsClient | undefined;

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** HDFS: writes land by atomic rename (replace or refuse), rename exists, listings are strongly consistent. */
  get storeSemantics(): ObjectStoreSemantics {
    return { atomicPut: true, conditionalPut: true, atomicRename: true, listAfterWrite: 'strong' };
  }

  protected client(): WebHdfsClient {
    this.assertOpen();
    this.#client ??= new WebHdfsClient({
      namenodes: this.config.namenodes,
      endpoint: this.config.endpoint,
      user: this.config.delegationToken ? undefined : (this.config.user ?? userInfo().username),
      ...(this.config.delegationToken ? { delegationToken: this.config.delegationToken } : {}),
      connector: this.type,
      timeoutMs: this.config.requestTimeoutMs,
      maxRetries: this.config.maxRetries,
      secrets: this.secretValues(),
    });
    return this.#client;
  }

  /** The root directory, without a trailing slash (`''` for `/`). */
  #root(): string {
    return posix.normalize(this.config.path).replace(/\/+$/, '');
  }

  /** The absolute HDFS path of a (confined) key. */
  #path(key: string): string {
    return `${this.#root()}/${key}`;
  }

  /** `hdfs://<nameservice or first NameNode host:rpcPort>` — what Spark and lineage name the filesystem by. */
  #authority(): string {
    if (this.config.nameservice) return this.config.nameservice;
    const host = new URL(this.config.namenodes[0]!).hostname;
    return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${this.config.rpcPort}`;
  }

  objectUri(key: string): string {
    return `hdfs://${this.#authority()}${this.#root()}/${key}`;
  }

  #info(key: string, s: HdfsFileStatus): ObjectInfo {
    return {
      key,
      size: s.length,
      lastModified: new Date(s.modificationTime),
      // HDFS has no etag: the inode id changes on every (rename-based) replace, length and mtime on append.
      etag: `${s.fileId ?? 0}-${s.modificationTime}-${s.length}`,
    };
  }

  protected override endpoints(): Endpoint[] {
    return this.config.namenodes.map((n) => {
      const url = new URL(n);
      return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
    });
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  /**
   * Files under a prefix or matching a glob, in key order: a depth-first walk of the directories
   * the prefix can reach, each listed in pages and sorted as keys sort (`a/…` before `a-b`).
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncGenerator<ObjectInfo> {
    const match = options.glob ? globMatcher(this.key(options.glob, 'glob')) : undefined;
    const prefix = options.glob ? globPrefix(options.glob) : (options.prefix ?? '');
    if (prefix) this.key(prefix.endsWith('/') ? `${prefix}x` : prefix, 'prefix');
    const slash = prefix.lastIndexOf('/');
    const startDir = prefix.slice(0, slash + 1);
    const client = this.client();
    let seen = 0;
    const self = this;
    async function* walk(dir: string): AsyncGenerator<ObjectInfo> {
      const entries: HdfsFileStatus[] = [];
      for await (const e of client.list(self.#path(dir).replace(/\/$/, '') || '/', { op: 'LISTSTATUS', target: self.objectUri(dir) }, options.signal)) entries.push(e);
      entries.sort((a, b) => compare(sortName(a), sortName(b)));
      for (const e of entries) {
        options.signal?.throwIfAborted();
        const key = `${dir}${e.pathSuffix}`;
        if (e.pathSuffix.startsWith(TEMP_PREFIX)) continue;
        if (e.type === 'DIRECTORY') {
          // Descend only where keys can still start with the prefix.
          if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk(`${key}/`);
          continue;
        }
        if (e.type !== 'FILE' || !key.startsWith(prefix)) continue;
        if (match && !match(key)) continue;
        yield self.#info(key, e);
      }
    }
    for await (const info of walk(startDir)) {
      yield info;
      if (options.limit !== undefined && ++seen >= options.limit) return;
    }
  }

  async statObject(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const k = this.key(key);
    const status = await this.client().status(this.#path(k), { op: 'GETFILESTATUS', target: this.objectUri(k) }, options.signal);
    // A directory is not an object (reads of it go through the base's directory handling).
    return status?.type === 'FILE' ? this.#info(k, status) : undefined;
  }

  /**
   * Streams a file or a byte range (`OPEN` with offset and length). `ifMatch`: the file is stat'ed
   * first and a changed one (replaced, appended to) fails retryably, naming it.
   */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncGenerator<Uint8Array> {
    const k = this.key(key);
    const start = options.range?.start ?? 0;
    const end = options.range?.end;
    if (start < 0 || (end !== undefined && end < start)) {
      throw new QueryError(`Range ${start}-${end ?? ''} is not a valid byte range of ${this.objectUri(k)}`, { connector: this.type, details: { key: k } });
    }
    const client = this.client();
    const call = { op: 'OPEN', target: this.objectUri(k) };
    const status = await client.status(this.#path(k), call, options.signal);
    if (!status || status.type !== 'FILE') {
      throw new QueryError(`${this.objectUri(k)} ${status ? 'is a directory, not a file' : 'does not exist'}`, { connector: this.type, details: { key: k, notFound: true } });
    }
    if (options.ifMatch !== undefined) {
      const now = this.#info(k, status).etag;
      if (now !== options.ifMatch) {
        throw new QueryError(`${this.objectUri(k)} changed while it was being read (version ${options.ifMatch}, now ${now}); read it again`, {
          connector: this.type,
          retryable: true,
          details: { key: k, changed: true, expected: options.ifMatch, current: now },
        });
      }
    }
    if (start > status.length) throw new QueryError(`Range ${start}-${end ?? ''} is outside ${this.objectUri(k)} (${status.length} bytes)`, { connector: this.type, details: { key: k } });
    const length = Math.min(end ?? status.length, status.length) - start;
    if (length === 0) return;
    const response = await client.open(this.#path(k), start, length, call, options.signal);
    const body = response.body;
    if (!body) return;
    for await (const chunk of body) yield chunk;
  }

  /**
   * Stores a file atomically: the body streams to a temporary file beside the key (bounded memory:
   * the body is pulled as the DataNode takes it), then `RENAME` puts it in place.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const k = this.key(key);
    if (k === '' || k.endsWith('/')) throw new QueryError(`Cannot write to a directory key ('${key}')`, { connector: this.type, details: { key: k } });
    options.signal?.throwIfAborted();
    const client = this.client();
    const target = this.#path(k);
    const temp = posix.join(posix.dirname(target), `${TEMP_PREFIX}${posix.basename(target)}-${randomBytes(6).toString('hex')}`);
    const call = { op: 'CREATE', target: this.objectUri(k), write: true };
    if (options.ifNoneMatch === '*' && (await this.statObject(k, options))) {
      throw new SparkleError('TABLE_EXISTS', `${this.objectUri(k)} already exists (ifNoneMatch '*')`, { connector: this.type, details: { key: k } });
    }
    let written = 0;
    const progress = (n: number) => {
      written += n;
      options.onProgress?.(written);
    };
    const query = {
      overwrite: false,
      ...(this.config.replication ? { replication: this.config.replication } : {}),
      ...(this.config.blockSize ? { blocksize: this.config.blockSize } : {}),
      ...(this.config.permission ? { permission: this.config.permission } : {}),
    };
    try {
      const bytes = typeof body === 'string' ? encoder.encode(body) : body instanceof Uint8Array ? body : undefined;
      if (bytes) {
        await client.create(temp, bytes, query, call, options.signal);
        progress(bytes.byteLength);
      } else {
        await client.create(temp, counted(body as AsyncIterable<Uint8Array>, progress, options.signal), query, call, options.signal);
      }
      await this.#rename(temp, target, options.ifNoneMatch === '*' ? 'NONE' : 'OVERWRITE', this.objectUri(k), options.signal);
    } catch (error) {
      await client.call('DELETE', temp, 'DELETE', { recursive: false }, { op: 'DELETE', target: temp, write: true }).then((r) => r.discard()).catch(() => undefined);
      throw error;
    }
    return (await this.statObject(k)) ?? { key: k, size: written };
  }

  async #rename(from: string, to: string, mode: 'NONE' | 'OVERWRITE', shown: string, signal?: AbortSignal): Promise<void> {
    // renameoptions selects rename2: atomic; NONE refuses an existing target, OVERWRITE replaces it.
    const response = await this.client().call('PUT', from, 'RENAME', { destination: to, renameoptions: mode }, { op: 'RENAME', target: shown, write: true }, signal ? { signal } : {});
    await response.discard();
  }

  /** Atomic rename of one file to another key (replacing it only with `overwrite`). */
  async renameObject(from: string, to: string, options: { signal?: AbortSignal; overwrite?: boolean } = {}): Promise<void> {
    const source = this.key(from);
    const target = this.key(to);
    const status = await this.client().status(this.#path(source), { op: 'GETFILESTATUS', target: this.objectUri(source) }, options.signal);
    if (status?.type !== 'FILE') throw new QueryError(`${this.objectUri(source)} does not exist`, { connector: this.type, details: { key: source, notFound: true } });
    await this.client()
      .call('PUT', posix.dirname(this.#path(target)), 'MKDIRS', {}, { op: 'MKDIRS', target: this.objectUri(target), write: true }, options.signal ? { signal: options.signal } : {})
      .then((r) => r.discard());
    await this.#rename(this.#path(source), this.#path(target), options.overwrite ? 'OVERWRITE' : 'NONE', this.objectUri(target), options.signal);
  }

  async deleteObjects(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const confined = keys.map((k) => this.key(k));
    let deleted = 0;
    for (const k of confined) {
      options.signal?.throwIfAborted();
      // Only files are objects: a directory at the key is left alone.
      if (!(await this.statObject(k, options))) continue;
      const response = await this.client().call('DELETE', this.#path(k), 'DELETE', { recursive: false }, { op: 'DELETE', target: this.objectUri(k), write: true }, options.signal ? { signal: options.signal } : {});
      if (((await response.json()) as { boolean?: boolean }).boolean) deleted += 1;
    }
    return deleted;
  }

  /** WebHDFS has no copy: the bytes stream through this process into an atomic put. */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    return this.copyThroughProcess(from, to, options);
  }

  /**
   * The root's top-level directories and files, or, for a path, its files and inferred schema.
   * @example
   * ```ts
   * const [orders] = await conn.discover({ path: 'orders/*.parquet' });
   * ```
   */
  async discover(options: DiscoverObjectsOptions = {}): Promise<DiscoveredObjects[]> {
    return discoverObjects(this, options);
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  /**
   * HDFS needs no credentials per read (Spark's identity is its own, Kerberos at launch). With a
   * `nameservice`, the HA client settings Spark needs to resolve `hdfs://<nameservice>/` are
   * passed as options (Spark copies file-source options into the Hadoop configuration).
   */
  protected override sparkHadoopOptions(): SparkHadoopOptions {
    const ns = this.config.nameservice;
    if (!ns) return { options: {}, secretOptions: [] };
    const ids = this.config.namenodes.map((_, i) => `nn${i + 1}`);
    const options: Record<string, string> = {
      'dfs.nameservices': ns,
      [`dfs.ha.namenodes.${ns}`]: ids.join(','),
      [`dfs.client.failover.proxy.provider.${ns}`]: 'org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider',
    };
    this.config.namenodes.forEach((n, i) => {
      options[`dfs.namenode.rpc-address.${ns}.${ids[i]}`] = `${new URL(n).hostname}:${this.config.rpcPort}`;
    });
    return { options, secretOptions: [] };
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** A directory sorts as its name plus `/`, so a walk yields keys in the order they compare. */
const sortName = (e: HdfsFileStatus) => (e.type === 'DIRECTORY' ? `${e.pathSuffix}/` : e.pathSuffix);

/** The body's chunks, counted for progress as they are pulled (the upload pulls as the DataNode takes them). */
async function* counted(body: AsyncIterable<Uint8Array>, progress: (n: number) => void, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    signal?.throwIfAborted();
    progress(chunk.byteLength);
    yield chunk;
  }
}
