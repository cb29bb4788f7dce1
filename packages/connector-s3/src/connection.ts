/**
 * `S3Connection`: Amazon S3 (and, configured with an endpoint, any S3-compatible server) as an
 * object store on core's `CloudStorageConnection`. This class moves bytes with the AWS SDK —
 * ListObjectsV2, HeadObject, ranged GetObject pinned by `If-Match`, streamed multipart uploads
 * through lib-storage's `Upload` (bounded part size and queue, aborted on failure), batched
 * DeleteObjects, CopyObject with `If-None-Match` — and maps failures to core's typed errors. The
 * base does the rest: tables as files through the file formats (Parquet footers and column
 * chunks fetched by range), globs and directories, save modes, Spark `s3a://` reads and writes,
 * health, lineage.
 */
import { Readable } from 'node:stream';
import type { z } from 'zod';
import {
  CloudStorageConnection,
  getFileFormats,
  globMatcher,
  globPrefix,
  HealthSkip,
  isGlob,
  QueryError,
  SparkleError,
  WriteError,
  type ConnectionInit,
  type DatasetRef,
  type Endpoint,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
  type SparkHadoopOptions,
} from '@sparkle/core';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, credentialSource, loadS3Sdk, type S3Sdk } from './client.js';
import { s3ConfigSchema, type S3Config } from './config.js';
import { isNotFound, isPreconditionFailed, s3Error } from './errors.js';
import { s3aHadoopOptions } from './spark.js';

/** S3's largest single-request copy; bigger objects are copied by streaming through an upload. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;
/** HEADs in flight while `deleteObjects` finds which keys exist. */
const STAT_CONCURRENCY = 16;

/** One entry `discover()` finds: a bucket, a prefix ("directory"), an object, or a table (a path with its inferred schema). */
export interface S3DiscoveredEntry {
  kind: 'bucket' | 'prefix' | 'object' | 'table';
  /** Key relative to the connection's root (buckets: the bucket name). */
  name: string;
  /** `s3a://bucket/key`. */
  uri: string;
  size?: number;
  /** For `table`: the format and the Arrow schema's columns. */
  format?: string;
  objects?: number;
  columns?: Array<{ name: string; type: string; nullable: boolean }>;
}

function bodyIterable(body: ObjectBody): AsyncIterable<Uint8Array> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return (async function* () {
      yield bytes;
    })();
  }
  return body;
}

/**
 * The `s3` connection (alias `aws_s3`): a bucket, optionally below a prefix, as an object store
 * and as tables in files.
 *
 * @example
 * ```ts
 * await using lake = await getConnection<S3Connection>('s3', { config: { region: 'eu-west-1', bucket: 'lake', prefix: 'raw' } });
 * for await (const o of lake.listObjects({ glob: 'orders/**\/*.parquet' })) console.log(o.key, o.size);
 * const frame = await lake.readTable('orders/*.parquet', { columns: ['id', 'total'] }); // only those column chunks are fetched
 * await lake.writeTable(frame, 'clean/orders.parquet', { mode: 'overwrite' });
 * ```
 */
export class S3Connection<C extends S3Config = S3Config> extends CloudStorageConnection<C> {
  static override schema: z.ZodType = s3ConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Amazon S3: objects and Parquet/CSV/JSONL/Arrow tables in a bucket';

  /**
   * S3's guarantees: a PUT or completed multipart upload is visible whole or not at all;
   * `If-None-Match: *` is enforced by the server; there is no rename; listings are strongly
   * consistent (since December 2020). S3-compatible servers are assumed to match; override where
   * one does not.
   */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: true, atomicRename: false, listAfterWrite: 'strong' };

  #client: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;

  constructor(init: ConnectionInit) {
    super(init as never);
    this.onClose(async () => {
      const pending = this.#client;
      this.#client = undefined;
      if (pending) (await pending.catch(() => undefined))?.client.destroy();
    });
  }

  /** The bucket. */
  get bucket(): string {
    return this.config.bucket;
  }

  /** The prefix every key lives under (`''` or ending in `/`). */
  get rootPrefix(): string {
    return this.config.prefix ?? '';
  }

  /**
   * The SDK client, created on first use (the SDK is imported then, not when the package is).
   * Exposed for what the object-store contract does not cover (tagging, lifecycle, presigning)
   * and for instrumentation: a middleware added to its stack sees every request this
   * connection makes.
   *
   * @example
   * ```ts
   * const client = await lake.s3Client();
   * client.middlewareStack.add((next) => async (args) => { console.log('request'); return next(args); }, { step: 'build' });
   * ```
   */
  async s3Client(): Promise<S3Client> {
    return (await this.#sdkClient()).client;
  }

  #sdkClient(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    this.assertOpen();
    this.#client ??= loadS3Sdk(this.type).then((sdk) => ({ sdk, client: createS3Client(sdk, this.config) }));
    return this.#client;
  }

  /** The full S3 key of a connection key: root prefix + the confined key. */
  protected s3Key(key: string): string {
    return `${this.rootPrefix}${this.key(key)}`;
  }

  /** A connection key from a full S3 key. */
  protected relativeKey(s3Key: string): string {
    return s3Key.slice(this.rootPrefix.length);
  }

  #context(operation: string, key?: string) {
    return {
      connector: this.type,
      operation,
      target: key === undefined ? `s3://${this.bucket}/${this.rootPrefix}` : `s3://${this.bucket}/${key}`,
      bucket: this.bucket,
      ...(key !== undefined ? { key } : {}),
      redact: (text: string) => this.redact(text),
    };
  }

  /** Runs one SDK call, turning its failure into a typed error that names the object. */
  async #send<T>(operation: string, key: string | undefined, call: (client: S3Client, sdk: S3Sdk) => Promise<T>, kind: 'read' | 'write' = 'read'): Promise<T> {
    const { client, sdk } = await this.#sdkClient();
    try {
      return await call(client, sdk);
    } catch (error) {
      throw s3Error(error, this.#context(operation, key), kind);
    }
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  /**
   * Lists objects under `prefix` and/or matching `glob`, in key order, page by page
   * (ListObjectsV2, 1000 keys a page); the literal part of a glob is pushed down as the list
   * prefix. Zero-byte "folder" markers (keys ending in `/`) are not objects and are skipped.
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ? this.#listPrefix(options.prefix) : '';
    const glob = options.glob ? this.key(options.glob, 'glob') : undefined;
    const fromGlob = glob ? globPrefix(glob) : '';
    const pushed = fromGlob.startsWith(prefix) ? fromGlob : prefix;
    const matches = glob ? globMatcher(glob) : () => true;
    let yielded = 0;
    let token: string | undefined;
    do {
      options.signal?.throwIfAborted();
      const want = options.limit !== undefined && !glob ? Math.min(1000, Math.max(1, options.limit - yielded)) : 1000;
      const page = await this.#send('ListObjectsV2', undefined, (client, sdk) =>
        client.send(
          new sdk.s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.rootPrefix}${pushed}`, MaxKeys: want, ...(token ? { ContinuationToken: token } : {}) }),
          options.signal ? { abortSignal: options.signal } : {},
        ),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue;
        const key = this.relativeKey(o.Key);
        if (!key.startsWith(prefix) || !matches(key)) continue;
        if (options.limit !== undefined && yielded >= options.limit) return;
        yielded++;
        yield { key, size: o.Size ?? 0, ...(o.LastModified ? { lastModified: o.LastModified } : {}), ...(o.ETag ? { etag: o.ETag } : {}) };
      }
      if (options.limit !== undefined && yielded >= options.limit) return;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** A list prefix confined like a key (no `..`, not absolute); a trailing `/` is kept. */
  #listPrefix(prefix: string): string {
    const trailing = prefix.endsWith('/');
    const clean = this.key(prefix, 'prefix');
    return trailing && !clean.endsWith('/') ? `${clean}/` : clean;
  }

  /**
   * The "directories" directly under a prefix (ListObjectsV2 with delimiter `/`): common
   * prefixes, relative to the root and ending in `/`, plus the objects at that level.
   *
   * @example
   * ```ts
   * const { prefixes } = await lake.listPrefixes('events/'); // ['events/date=2024-01-01/', …]
   * ```
   */
  async listPrefixes(prefix = '', options: { signal?: AbortSignal; limit?: number } = {}): Promise<{ prefixes: string[]; objects: ObjectInfo[] }> {
    const at = prefix ? this.#listPrefix(prefix.endsWith('/') ? prefix : `${prefix}/`) : '';
    const prefixes: string[] = [];
    const objects: ObjectInfo[] = [];
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let token: string | undefined;
    do {
      const page = await this.#send('ListObjectsV2', undefined, (client, sdk) =>
        client.send(
          new sdk.s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.rootPrefix}${at}`, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
          options.signal ? { abortSignal: options.signal } : {},
        ),
      );
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix && prefixes.length < limit) prefixes.push(this.relativeKey(p.Prefix));
      for (const o of page.Contents ?? []) {
        if (o.Key && !o.Key.endsWith('/') && objects.length < limit) objects.push({ key: this.relativeKey(o.Key), size: o.Size ?? 0, ...(o.ETag ? { etag: o.ETag } : {}) });
      }
      token = page.IsTruncated && prefixes.length + objects.length < limit ? page.NextContinuationToken : undefined;
    } while (token);
    return { prefixes, objects };
  }

  /** HeadObject: size, etag, content type, user metadata; `undefined` when there is no such object. */
  async statObject(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const s3Key = this.s3Key(key);
    const relative = this.relativeKey(s3Key);
    try {
      const head = await this.#send('HeadObject', s3Key, (client, sdk) =>
        client.send(new sdk.s3.HeadObjectCommand({ Bucket: this.bucket, Key: s3Key }), options.signal ? { abortSignal: options.signal } : {}),
      );
      return {
        key: relative,
        size: head.ContentLength ?? 0,
        ...(head.LastModified ? { lastModified: head.LastModified } : {}),
        ...(head.ETag ? { etag: head.ETag } : {}),
        ...(head.ContentType ? { contentType: head.ContentType } : {}),
        ...(head.Metadata && Object.keys(head.Metadata).length ? { metadata: head.Metadata } : {}),
      };
    } catch (error) {
      if (SparkleError.isInstance(error) && error.details.notFound && error.details.s3Code !== 'NoSuchBucket') return undefined;
      throw error;
    }
  }

  /**
   * Streams an object's bytes, or a byte range of them (`Range: bytes=start-end`). With
   * `ifMatch` the read is pinned to that ETag: an object replaced since fails with a retryable
   * `QueryError` naming it, so multi-range reads (Parquet) never mix two versions.
   */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    const s3Key = this.s3Key(key);
    const start = Math.max(0, options.range?.start ?? 0);
    const end = options.range?.end;
    if (end !== undefined && end <= start) return;
    const range = options.range ? `bytes=${start}-${end === undefined ? '' : end - 1}` : undefined;
    let body: Readable | undefined;
    try {
      const { client, sdk } = await this.#sdkClient();
      const response = await client.send(
        new sdk.s3.GetObjectCommand({ Bucket: this.bucket, Key: s3Key, ...(range ? { Range: range } : {}), ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}) }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      body = response.Body as Readable | undefined;
    } catch (error) {
      if (SparkleError.isInstance(error)) throw error;
      // A range starting at or past the end of the object: nothing to read.
      if ((error as { name?: string }).name === 'InvalidRange') return;
      throw await this.#readError(error, s3Key, options.ifMatch);
    }
    if (!body) return;
    try {
      for await (const chunk of body) {
        options.signal?.throwIfAborted();
        yield chunk as Uint8Array;
      }
    } catch (error) {
      if (SparkleError.isInstance(error)) throw error;
      throw s3Error(error, this.#context('GetObject', s3Key));
    } finally {
      // A consumer that stops early (or a failure) must not leave the socket half-read.
      if (!body.readableEnded) body.destroy();
    }
  }

  /** The typed error of a failed GetObject: changed since `ifMatch`, a "directory", or what s3Error says. */
  async #readError(error: unknown, s3Key: string, ifMatch: string | undefined): Promise<SparkleError> {
    const uri = `s3://${this.bucket}/${s3Key}`;
    if (ifMatch && isPreconditionFailed(error)) {
      return new QueryError(`${uri} changed while it was being read (its ETag is no longer ${ifMatch}); read it again`, {
        connector: this.type,
        retryable: true,
        cause: error,
        details: { key: this.relativeKey(s3Key), bucket: this.bucket, changed: true },
      });
    }
    if (isNotFound(error)) {
      const underIt = await this.listPrefixes(this.relativeKey(s3Key), { limit: 1 }).catch(() => ({ prefixes: [], objects: [] }));
      const isPrefix = underIt.prefixes.length + underIt.objects.length > 0;
      return new QueryError(
        isPrefix
          ? `${uri} is a prefix (a "directory" with objects under it), not an object; read it as a table, or list it with listObjects({ prefix })`
          : `No object ${uri}${ifMatch ? ' (it was deleted while being read)' : ''}; check the key`,
        { connector: this.type, cause: error, details: { key: this.relativeKey(s3Key), bucket: this.bucket, notFound: true, ...(isPrefix ? { isPrefix: true } : {}) } },
      );
    }
    return s3Error(error, this.#context('GetObject', s3Key));
  }

  /**
   * Stores bytes under a key, whole or not at all. Small buffers go in one PutObject; streams go
   * through lib-storage's `Upload` (multipart past one part, `partSize` × `queueSize` bytes in
   * memory at most), which aborts the multipart upload when a part or the input fails, so no
   * partial object ever becomes visible and the previous version stays readable.
   * `ifNoneMatch: '*'` is sent with the PutObject / CompleteMultipartUpload: a key that exists
   * (or was created meanwhile) fails with `TABLE_EXISTS`.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const s3Key = this.s3Key(key);
    const partSize = Math.max(options.partSize ?? this.config.partSize, 5 * 1024 * 1024);
    const queueSize = options.concurrency ?? this.config.queueSize;
    const common = {
      Bucket: this.bucket,
      Key: s3Key,
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      ...(options.metadata ? { Metadata: options.metadata } : {}),
      ...(options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
    };
    let size = 0;
    let inputError: unknown;
    try {
      const { client, sdk } = await this.#sdkClient();
      if (typeof body === 'string' || body instanceof Uint8Array) {
        const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
        if (bytes.byteLength <= partSize) {
          const result = await client.send(new sdk.s3.PutObjectCommand({ ...common, Body: bytes, ContentLength: bytes.byteLength }), options.signal ? { abortSignal: options.signal } : {});
          options.onProgress?.(bytes.byteLength);
          return { key: this.relativeKey(s3Key), size: bytes.byteLength, ...(result.ETag ? { etag: result.ETag } : {}) };
        }
      }
      // The input is counted (and its own failure kept) as lib-storage pulls it.
      const counted = async function* (source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
        try {
          for await (const chunk of source) {
            size += chunk.byteLength;
            yield chunk;
          }
        } catch (error) {
          inputError ??= error;
          throw error;
        }
      };
      const abort = new AbortController();
      const onAbort = () => abort.abort(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const upload = new sdk.storage.Upload({
          client,
          params: { ...common, Body: Readable.from(counted(bodyIterable(body)), { objectMode: false }) },
          partSize,
          queueSize,
          leavePartsOnError: false,
          abortController: abort,
        });
        if (options.onProgress) upload.on('httpUploadProgress', (p) => p.loaded !== undefined && options.onProgress!(p.loaded));
        const result = await upload.done();
        options.signal?.throwIfAborted();
        return { key: this.relativeKey(s3Key), size, ...(result.ETag ? { etag: result.ETag } : {}) };
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    } catch (error) {
      if (inputError !== undefined) throw inputError;
      if (options.ifNoneMatch && isPreconditionFailed(error)) {
        throw this.#exists(s3Key, 'create-only put', error);
      }
      throw s3Error(error, this.#context(this.#uploadOperation(error), s3Key), 'write');
    }
  }

  /** `TABLE_EXISTS` for a create-only write whose target exists. */
  #exists(s3Key: string, what: string, cause?: unknown): SparkleError {
    return new SparkleError('TABLE_EXISTS', `s3://${this.bucket}/${s3Key} already exists (${what} refused); use mode 'overwrite', another key, or delete it first`, {
      connector: this.type,
      ...(cause !== undefined ? { cause } : {}),
      details: { key: this.relativeKey(s3Key), bucket: this.bucket },
    });
  }

  #uploadOperation(error: unknown): string {
    const name = (error as { $metadata?: unknown; name?: string })?.name;
    return name === 'AbortError' ? 'Upload' : 'PutObject';
  }

  /**
   * Deletes keys; missing ones are not an error and are not counted. S3's DeleteObjects reports
   * every key as deleted whether it existed or not, so existence is checked by HEAD first (16 at
   * a time); the deletes then go in batches of up to `deleteBatchSize` (1000) keys.
   */
  async deleteObjects(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const s3Keys = [...new Set(keys.map((k) => this.s3Key(k)))];
    const existing: string[] = [];
    for (let i = 0; i < s3Keys.length; i += STAT_CONCURRENCY) {
      const slice = s3Keys.slice(i, i + STAT_CONCURRENCY);
      const found = await Promise.all(slice.map((k) => this.statObject(this.relativeKey(k), options)));
      slice.forEach((k, j) => found[j] && existing.push(k));
    }
    let deleted = 0;
    for (let i = 0; i < existing.length; i += this.config.deleteBatchSize) {
      const batch = existing.slice(i, i + this.config.deleteBatchSize);
      const result = await this.#send(
        'DeleteObjects',
        batch[0],
        (client, sdk) =>
          client.send(new sdk.s3.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false } }), options.signal ? { abortSignal: options.signal } : {}),
        'write',
      );
      if (result.Errors?.length) {
        const first = result.Errors.slice(0, 3).map((e) => `${e.Key} (${e.Code})`).join(', ');
        throw new WriteError(`DeleteObjects on s3://${this.bucket}/ failed for ${result.Errors.length} key(s): ${first}`, {
          connector: this.type,
          details: { bucket: this.bucket, failed: result.Errors.map((e) => e.Key), deleted: result.Deleted?.length ?? 0 },
        });
      }
      deleted += result.Deleted?.length ?? batch.length;
    }
    return deleted;
  }

  /**
   * Server-side copy (CopyObject) of objects up to 5 GiB, pinned to the source's ETag; larger
   * ones are streamed through a multipart upload. `ifNoneMatch: '*'` makes the copy create-only
   * (`TABLE_EXISTS` when the target exists).
   */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    const source = this.s3Key(from);
    const target = this.s3Key(to);
    const info = await this.statObject(this.relativeKey(source), options);
    if (!info) {
      throw new QueryError(`No object s3://${this.bucket}/${source} to copy; check the key`, { connector: this.type, details: { key: this.relativeKey(source), bucket: this.bucket, notFound: true } });
    }
    if (info.size > MAX_COPY_BYTES) {
      return this.putObject(this.relativeKey(target), this.getObject(this.relativeKey(source), { ...(info.etag ? { ifMatch: info.etag } : {}), ...(options.signal ? { signal: options.signal } : {}) }), options);
    }
    // AWS enforces If-None-Match on CopyObject atomically; some S3-compatible servers (moto among
    // them) ignore it, so an existing target is also refused up front (racy only on those).
    if (options.ifNoneMatch && (await this.statObject(this.relativeKey(target), options))) throw this.#exists(target, 'create-only copy');
    const copySource = `${this.bucket}/${source.split('/').map(encodeURIComponent).join('/')}`;
    try {
      const { client, sdk } = await this.#sdkClient();
      const result = await client.send(
        new sdk.s3.CopyObjectCommand({
          Bucket: this.bucket,
          Key: target,
          CopySource: copySource,
          ...(info.etag ? { CopySourceIfMatch: info.etag } : {}),
          ...(options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      return { key: this.relativeKey(target), size: info.size, ...(result.CopyObjectResult?.ETag ? { etag: result.CopyObjectResult.ETag } : {}) };
    } catch (error) {
      if (isPreconditionFailed(error)) {
        if (options.ifNoneMatch && (await this.statObject(this.relativeKey(target), options))) throw this.#exists(target, 'create-only copy', error);
        throw new QueryError(`s3://${this.bucket}/${source} changed while it was being copied; copy it again`, { connector: this.type, retryable: true, cause: error, details: { key: this.relativeKey(source), changed: true } });
      }
      throw s3Error(error, this.#context('CopyObject', target), 'write');
    }
  }

  /** `s3a://bucket/prefix/key`: the URI Spark's Hadoop S3A filesystem reads and writes. */
  objectUri(key: string): string {
    return `s3a://${this.bucket}/${this.rootPrefix}${key}`;
  }

  /** OpenLineage names S3 datasets `s3://bucket` + the key (not the Hadoop `s3a` scheme). */
  protected override datasetForKey(key: string): DatasetRef {
    return { namespace: `s3://${this.bucket}`, name: `${this.rootPrefix}${key}` };
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  /** Hadoop S3A options: endpoint, path style, SSL, region and the credentials provider with its keys (secret ones marked). */
  protected override sparkHadoopOptions(): SparkHadoopOptions {
    return s3aHadoopOptions(this.config);
  }

  // -------------------------------------------------------------------------------------------
  // Health and discovery
  // -------------------------------------------------------------------------------------------

  /** The endpoint's host and port (or S3's regional endpoint), for the network tier. */
  protected override endpoints(): Endpoint[] {
    const url = new URL(this.config.endpoint ?? `https://s3.${this.config.region ?? process.env.AWS_REGION ?? 'us-east-1'}.amazonaws.com`);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }

  /**
   * Credentials first (so "no credentials" is not reported as a listing failure), then the
   * base's read-only list of at most one key under the root (ListBucket on bucket + prefix).
   */
  protected override async checkAuth(signal: AbortSignal): Promise<void | HealthSkip | string> {
    const source = credentialSource(this.config);
    if (source !== 'anonymous') {
      const client = await this.s3Client();
      try {
        await client.config.credentials();
      } catch (error) {
        throw s3Error(Object.assign(error as object, { name: 'CredentialsProviderError' }), this.#context('resolve credentials'));
      }
    }
    const listed = await super.checkAuth(signal);
    return `credentials from ${source}; ${String(listed)}`;
  }

  /**
   * What is there. With a `path` (key, prefix or glob): that table, its format and the Arrow
   * schema the file formats infer from it. Without: the prefixes and objects directly under the
   * root (at most `limit`, default 100), each described as a table where a schema can be
   * inferred (a prefix is read as a directory); with `buckets: true` also the account's buckets
   * (when the credentials may list them).
   *
   * @example
   * ```ts
   * await lake.discover();                              // [{ kind: 'prefix', name: 'orders/', columns: [...] }, …]
   * await lake.discover({ path: 'orders/*.parquet' });  // [{ kind: 'table', columns: [{ name: 'id', type: 'Int64' }, …] }]
   * ```
   */
  async discover(options: { path?: string; signal?: AbortSignal; buckets?: boolean; limit?: number } = {}): Promise<S3DiscoveredEntry[]> {
    if (options.path) return [await this.#describe(options.path, 'table', options.signal)];
    const out: S3DiscoveredEntry[] = [];
    if (options.buckets) {
      const listed = await this.#send('ListBuckets', undefined, (client, sdk) => client.send(new sdk.s3.ListBucketsCommand({}))).catch(() => undefined);
      for (const b of listed?.Buckets ?? []) if (b.Name) out.push({ kind: 'bucket', name: b.Name, uri: `s3a://${b.Name}/` });
    }
    const { prefixes, objects } = await this.listPrefixes('', { limit: options.limit ?? 100, ...(options.signal ? { signal: options.signal } : {}) });
    for (const p of prefixes) out.push(await this.#describe(p.replace(/\/$/, ''), 'prefix', options.signal).catch(() => ({ kind: 'prefix' as const, name: p, uri: this.objectUri(p) })));
    for (const o of objects) {
      out.push(await this.#describe(o.key, 'object', options.signal).catch(() => ({ kind: 'object' as const, name: o.key, uri: this.objectUri(o.key), size: o.size })));
    }
    return out;
  }

  /** A path's objects, format and inferred columns. */
  async #describe(path: string, kind: S3DiscoveredEntry['kind'], signal?: AbortSignal): Promise<S3DiscoveredEntry> {
    const objects = await this.resolveObjects(path, signal);
    const formats = await getFileFormats();
    const first = objects[0]!.key;
    const plan = await formats.planRead(this, objects, { ...this.fileFormatOptions(first), ...(signal ? { signal } : {}) });
    return {
      kind,
      name: path,
      uri: this.objectUri(this.key(path, isGlob(path) ? 'glob' : 'key')),
      format: this.formatNameOf(first) ?? 'unknown',
      objects: objects.length,
      size: objects.reduce((n, o) => n + o.size, 0),
      columns: (plan.schema?.fields ?? []).map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
    };
  }
}

export { type S3Config } from './config.js';
