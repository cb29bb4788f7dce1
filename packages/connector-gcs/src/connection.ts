/**
 * `GcsConnection`: Google Cloud Storage as an object store, through the official
 * `@google-cloud/storage` client (imported on first use). `CloudStorageConnection` owns the
 * shared behaviour — tables as files through the file formats, globs and directories, save
 * modes, Spark reads on `gs://` URIs, the list-then-stat health check, OpenLineage names; this
 * class moves the bytes:
 *
 * - reads are ranged and pinned to a generation when the caller has one (`ifMatch`: our etag *is*
 *   the generation), so an object replaced between the ranged reads of one Parquet file fails
 *   typed and retryable, naming the object, instead of mixing two versions;
 * - streamed puts go through a resumable upload session in chunks of `uploadChunkBytes`, so
 *   memory stays within about one chunk and the object appears only when the last chunk lands;
 * - create-only puts and copies send `ifGenerationMatch=0`, enforced by GCS itself.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Bucket, File, FileMetadata, Storage, StorageOptions } from '@google-cloud/storage';
import type { JWT } from 'google-auth-library';
import {
  CloudStorageConnection,
  discoverObjects,
  globMatcher,
  globPrefix,
  InvalidArgumentError,
  MissingDriverError,
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
import { gcsConfigSchema, parseServiceAccountKey, UPLOAD_CHUNK_UNIT, type GcsConfig, type ServiceAccountKey } from './config.js';
import { gcsError, statusOf, type GcsFailure } from './errors.js';

const DEFAULT_HOST = 'storage.googleapis.com';
/** OAuth scopes of a service-account token for Cloud Storage. */
const STORAGE_SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/devstorage.full_control'];
const LIST_PAGE = 1000;
const DELETE_CONCURRENCY = 8;
const encoder = new TextEncoder();

/**
 * The `gcs` connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-gcs';
 *
 * await using lake = await getConnection('gcs', {
 *   config: { project: 'analytics', bucket: 'lake', prefix: 'raw', credentials: { keyFile: '/secrets/sa.json' } },
 * });
 * for await (const o of lake.listObjects({ glob: 'orders/*.parquet' })) console.log(o.key, o.size);
 * const frame = await lake.readTable('orders/*.parquet');        // one partition per row group
 * await lake.writeTable(frame, 'clean/orders.parquet', { mode: 'overwrite' });
 * ```
 */
export class GcsConnection extends CloudStorageConnection<GcsConfig> {
  static override schema = gcsConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Google Cloud Storage: buckets as an object store (ranged reads pinned to a generation, resumable uploads) and tables in files, gs:// for Spark';

  readonly #key: ServiceAccountKey | undefined;
  #storage: Promise<{ storage: Storage; reads: Storage }> | undefined;
  /** Set once the bucket answered, so a 404 on an object is the object's, not the bucket's. */
  #bucketSeen = false;

  constructor(init: ConnectionInit) {
    super(init);
    const json = this.config.credentials?.serviceAccountJson;
    // The schema already refused a bad key; parse once here and keep it private (never in config output).
    const parsed = json === undefined ? undefined : parseServiceAccountKey(json);
    this.#key = typeof parsed === 'object' ? parsed : undefined;
  }

  /** GCS: uploads appear whole, `ifGenerationMatch=0` is atomic, no rename, strongly consistent listing. */
  get storeSemantics(): ObjectStoreSemantics {
    return { atomicPut: true, conditionalPut: true, atomicRename: false, listAfterWrite: 'strong' };
  }

  /** Values never to print: the key JSON (by schema) and, on their own, its private key and key id. */
  #secrets(): string[] {
    if (!this.#key) return [...this.secretValues()];
    // Each line of the PEM body too: a server or library may echo a fragment of the key.
    const lines = this.#key.private_key.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-----'));
    return [...this.secretValues(), this.#key.private_key, ...lines, ...(this.#key.private_key_id ? [this.#key.private_key_id] : [])];
  }

  /** The `Storage` client, created once on first use with the configured credentials and retries. */
  protected async storage(): Promise<Storage> {
    return (await this.#clients()).storage;
  }

  /**
   * Two clients on one auth: `storage` retries by itself; `reads` does not, because the client's
   * retry of a read *stream* can pipe a late response into a stream it already destroyed (an
   * unhandled ERR_STREAM_UNABLE_TO_PIPE); `getObject` retries its reads itself.
   */
  #clients(): Promise<{ storage: Storage; reads: Storage }> {
    this.assertOpen();
    this.#storage ??= (async () => {
      let mod: typeof import('@google-cloud/storage');
      try {
        mod = await import('@google-cloud/storage');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@google-cloud/storage', cause);
      }
      const c = this.config;
      const key = this.#key ?? (c.credentials?.keyFile ? await this.#readKeyFile(c.credentials.keyFile) : undefined);
      const auth = key ? await this.#jwt(key) : undefined;
      const options: StorageOptions = {
        ...(c.project ?? key?.project_id ? { projectId: c.project ?? key?.project_id } : {}),
        ...(c.apiEndpoint ? { apiEndpoint: c.apiEndpoint.replace(/\/+$/, ''), useAuthWithCustomEndpoint: c.authenticateEndpoint } : {}),
        // A service-account key becomes its own auth client (the client library's credentials/keyFilename options are deprecated); none: ADC.
        ...(auth ? { authClient: auth } : {}),
        retryOptions: {
          autoRetry: c.maxRetries > 0,
          maxRetries: c.maxRetries,
          retryDelayMultiplier: 2,
          maxRetryDelay: 32,
          // Retry only what is safe to repeat: reads, and writes carrying a generation precondition.
          idempotencyStrategy: mod.IdempotencyStrategy.RetryConditional,
        },
      };
      return { storage: new mod.Storage(options), reads: new mod.Storage({ ...options, retryOptions: { ...options.retryOptions, autoRetry: false, maxRetries: 0 } }) };
    })();
    // A failure (unreadable key file) is not cached: the next call tries again.
    this.#storage.catch(() => (this.#storage = undefined));
    return this.#storage;
  }

  /** Reads and checks a key file, with errors naming the file and never its content. */
  async #readKeyFile(path: string): Promise<ServiceAccountKey> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new InvalidArgumentError(`Cannot read the service-account key file credentials.keyFile (${path}): ${(cause as NodeJS.ErrnoException).code ?? 'error'}; check the path`, { connector: this.type });
    }
    const parsed = parseServiceAccountKey(text);
    if (typeof parsed === 'string') throw new InvalidArgumentError(`The service-account key file credentials.keyFile (${path}) ${parsed}`, { connector: this.type });
    return parsed;
  }

  /** A JWT auth client for a service-account key (google-auth-library, imported with the storage client). */
  async #jwt(key: ServiceAccountKey): Promise<JWT> {
    let Jwt: typeof JWT;
    try {
      ({ JWT: Jwt } = await import('google-auth-library'));
    } catch (cause) {
      throw new MissingDriverError(this.type, 'google-auth-library', cause);
    }
    return new Jwt({ email: key.client_email, key: key.private_key, ...(key.private_key_id ? { keyId: key.private_key_id } : {}), scopes: STORAGE_SCOPES });
  }

  protected async bucket(): Promise<Bucket> {
    return (await this.storage()).bucket(this.config.bucket);
  }

  #root(): string {
    const p = this.config.prefix.replace(/^\/+/, '');
    return p && !p.endsWith('/') ? `${p}/` : p;
  }

  /** The object name in the bucket of a (confined) key. */
  #name(key: string): string {
    return this.#root() + key;
  }

  objectUri(key: string): string {
    return `gs://${this.config.bucket}/${this.#root()}${key}`;
  }

  #failure(op: GcsFailure['op'], key?: string): GcsFailure {
    return { op, target: key === undefined ? `gs://${this.config.bucket}` : this.objectUri(key), ...(key !== undefined ? { key } : {}), connector: this.type, secrets: this.#secrets() };
  }

  /** A 404 names the bucket when the bucket itself is missing (checked once per connection). */
  async #notFound(error: unknown, failure: GcsFailure): Promise<Error> {
    if (statusOf(error) === 404 && !this.#bucketSeen) {
      const bucket = await this.bucket();
      const [exists] = await bucket.exists().catch(() => [true]);
      if (!exists) {
        return new QueryError(`The bucket gs://${this.config.bucket} does not exist (or the account cannot see it); check 'bucket' in the connection config`, {
          connector: this.type,
          details: { bucket: this.config.bucket, notFound: true, bucketMissing: true },
        });
      }
      this.#bucketSeen = true;
    }
    return gcsError(error, failure);
  }

  #info(key: string, md: FileMetadata): ObjectInfo {
    const user = md.metadata ? Object.fromEntries(Object.entries(md.metadata).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)])) : undefined;
    return {
      key,
      size: Number(md.size ?? 0),
      ...(md.updated ? { lastModified: new Date(md.updated) } : {}),
      // The generation is GCS's version token: reads pin it, preconditions compare it.
      ...(md.generation !== undefined ? { etag: String(md.generation) } : {}),
      ...(md.contentType ? { contentType: md.contentType } : {}),
      ...(user && Object.keys(user).length ? { metadata: user } : {}),
    };
  }

  protected override endpoints(): Endpoint[] {
    if (!this.config.apiEndpoint) return [{ host: DEFAULT_HOST, port: 443 }];
    const url = new URL(this.config.apiEndpoint);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  async *listObjects(options: ListObjectsOptions = {}): AsyncGenerator<ObjectInfo> {
    const root = this.#root();
    const match = options.glob ? globMatcher(this.key(options.glob, 'glob')) : undefined;
    const prefix = options.glob ? globPrefix(options.glob) : (options.prefix ?? '');
    if (prefix) this.key(prefix.endsWith('/') ? `${prefix}x` : prefix, 'prefix');
    const bucket = await this.bucket();
    let pageToken: string | undefined;
    let seen = 0;
    do {
      options.signal?.throwIfAborted();
      let files: File[];
      let next: { pageToken?: string } | null | undefined;
      try {
        [files, next] = (await bucket.getFiles({ prefix: root + prefix, autoPaginate: false, maxResults: LIST_PAGE, ...(pageToken ? { pageToken } : {}) })) as unknown as [File[], { pageToken?: string } | null];
      } catch (error) {
        throw await this.#notFound(error, this.#failure('list', prefix));
      }
      this.#bucketSeen = true;
      for (const file of files) {
        const key = file.name.slice(root.length);
        // Folder placeholders (`dir/`, made by consoles and some tools) are not objects.
        if (key === '' || key.endsWith('/')) continue;
        if (match && !match(key)) continue;
        yield this.#info(key, file.metadata);
        if (options.limit !== undefined && ++seen >= options.limit) return;
      }
      pageToken = next?.pageToken;
    } while (pageToken);
  }

  async statObject(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const k = this.key(key);
    options.signal?.throwIfAborted();
    const file = (await this.bucket()).file(this.#name(k));
    try {
      const [md] = await file.getMetadata();
      this.#bucketSeen = true;
      return this.#info(k, md);
    } catch (error) {
      const failure = await this.#notFound(error, this.#failure('stat', k));
      if ((failure as { details?: { notFound?: boolean; bucketMissing?: boolean } }).details?.notFound && !(failure as { details?: { bucketMissing?: boolean } }).details?.bucketMissing) return undefined;
      throw failure;
    }
  }

  /**
   * Streams an object or a byte range of it. `ifMatch` is a generation (as `statObject` and
   * `listObjects` report in `etag`): the read asks for exactly that generation, and when it is
   * gone — the object was replaced or deleted since — fails with a retryable `QueryError`
   * (`details.changed`) naming the object and both generations.
   */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncGenerator<Uint8Array> {
    const k = this.key(key);
    const start = options.range?.start ?? 0;
    const end = options.range?.end;
    if (start < 0 || (end !== undefined && end < start)) {
      throw new QueryError(`Range ${start}-${end ?? ''} is not a valid byte range of ${this.objectUri(k)}`, { connector: this.type, details: { key: k } });
    }
    if (end === start) return;
    let generation: number | undefined;
    if (options.ifMatch !== undefined) {
      generation = Number(options.ifMatch);
      if (!/^\d+$/.test(options.ifMatch)) {
        throw new QueryError(`ifMatch '${options.ifMatch}' is not a GCS generation (the etag statObject reports) for ${this.objectUri(k)}`, { connector: this.type, details: { key: k } });
      }
    }
    const file = (await this.#clients()).reads.bucket(this.config.bucket).file(this.#name(k), generation !== undefined ? { generation } : {});
    const ranged = start > 0 || end !== undefined;
    for (let attempt = 0; ; attempt++) {
      let yielded = false;
      const stream = file.createReadStream({
        ...(start > 0 ? { start } : {}),
        ...(end !== undefined ? { end: end - 1 } : {}),
        // A range has no whole-object checksum to compare; a whole read is checked with CRC32C.
        validation: ranged ? false : 'crc32c',
        decompress: false,
      });
      const abort = () => stream.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
      options.signal?.addEventListener('abort', abort, { once: true });
      try {
        options.signal?.throwIfAborted();
        for await (const chunk of stream) {
          yielded = true;
          yield chunk as Uint8Array;
        }
        return;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (generation !== undefined && statusOf(error) === 404) throw await this.#changed(k, generation, error);
        if (statusOf(error) === 416) {
          throw new QueryError(`Range ${start}-${end ?? ''} is outside ${this.objectUri(k)}`, { connector: this.type, details: { key: k } });
        }
        const failure = await this.#notFound(error, this.#failure('read', k));
        // Retried only before the first byte: after it, the caller holds part of the bytes.
        if (!yielded && attempt < this.config.maxRetries && SparkleError.isRetryable(failure)) {
          await delay(Math.min(200 * 2 ** attempt, 5_000) * (0.5 + Math.random() / 2), undefined, options.signal ? { signal: options.signal } : {});
          continue;
        }
        throw failure;
      } finally {
        options.signal?.removeEventListener('abort', abort);
        stream.destroy();
      }
    }
  }

  /** The error for a pinned read whose generation is gone: replaced (retryable) or deleted (not found). */
  async #changed(key: string, generation: number, error: unknown): Promise<Error> {
    const now = await this.statObject(key).catch(() => undefined);
    if (!now) {
      return new QueryError(`${this.objectUri(key)} was deleted while it was being read (generation ${generation})`, {
        connector: this.type,
        cause: gcsError(error, this.#failure('read', key)),
        details: { key, notFound: true, changed: true, generation: String(generation) },
      });
    }
    return new QueryError(`${this.objectUri(key)} changed while it was being read (generation ${generation}, now ${now.etag}); read it again`, {
      connector: this.type,
      retryable: true,
      cause: gcsError(error, this.#failure('read', key)),
      details: { key, changed: true, generation: String(generation), currentGeneration: now.etag },
    });
  }

  /**
   * Stores an object. A buffer of at most `singleRequestMaxBytes` goes in one request; anything
   * larger, and every stream, through a resumable session in `partSize` (default
   * `uploadChunkBytes`) chunks — the object becomes visible only when the session completes, and
   * a failure or abort before that leaves nothing. `ifNoneMatch: '*'` sends `ifGenerationMatch=0`.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const k = this.key(key);
    options.signal?.throwIfAborted();
    const file = (await this.bucket()).file(this.#name(k));
    const bytes = typeof body === 'string' ? encoder.encode(body) : body instanceof Uint8Array ? body : undefined;
    const single = bytes !== undefined && bytes.byteLength <= this.config.singleRequestMaxBytes;
    const chunkSize = Math.ceil((options.partSize ?? this.config.uploadChunkBytes) / UPLOAD_CHUNK_UNIT) * UPLOAD_CHUNK_UNIT;
    const write = file.createWriteStream({
      resumable: !single,
      ...(single ? {} : { chunkSize }),
      metadata: {
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
      },
      ...(options.ifNoneMatch === '*' ? { preconditionOpts: { ifGenerationMatch: 0 } } : {}),
      validation: 'crc32c',
    });
    let written = 0;
    const progress = new Transform({
      transform(chunk: Buffer, _enc, done) {
        written += chunk.byteLength;
        options.onProgress?.(written);
        done(null, chunk);
      },
    });
    const source = bytes !== undefined ? Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]) : Readable.from(toBuffers(body as AsyncIterable<Uint8Array>));
    try {
      await pipeline(source, progress, write, ...(options.signal ? [{ signal: options.signal }] : []) as []);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw await this.#notFound(error, this.#failure('write', k));
    }
    this.#bucketSeen = true;
    const md = file.metadata;
    return md?.size !== undefined ? this.#info(k, md) : ((await this.statObject(k)) ?? { key: k, size: written });
  }

  async deleteObjects(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const confined = keys.map((k) => this.key(k));
    const bucket = await this.bucket();
    let deleted = 0;
    const queue = [...confined];
    const worker = async () => {
      for (let k = queue.shift(); k !== undefined; k = queue.shift()) {
        options.signal?.throwIfAborted();
        try {
          await bucket.file(this.#name(k)).delete();
          deleted += 1;
        } catch (error) {
          const failure = await this.#notFound(error, this.#failure('delete', k));
          const details = (failure as { details?: { notFound?: boolean; bucketMissing?: boolean } }).details;
          if (!details?.notFound || details.bucketMissing) throw failure;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, confined.length) }, worker));
    this.#bucketSeen ||= deleted > 0;
    return deleted;
  }

  /** Server-side copy (GCS rewrites it in the bucket); `ifNoneMatch: '*'` sends `ifGenerationMatch=0` for the target. */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    const source = this.key(from);
    const target = this.key(to);
    options.signal?.throwIfAborted();
    const bucket = await this.bucket();
    if (options.ifNoneMatch === '*' && (await this.statObject(target, options))) {
      // GCS enforces the precondition below atomically; this early look also covers emulators
      // that ignore preconditions on rewrite (fake-gcs-server), and fails before any bytes move.
      throw gcsError(Object.assign(new Error('exists'), { code: 412 }), this.#failure('copy', target));
    }
    try {
      const [copied] = await bucket.file(this.#name(source)).copy(bucket.file(this.#name(target)), options.ifNoneMatch === '*' ? { preconditionOpts: { ifGenerationMatch: 0 } } : {});
      const md = copied.metadata;
      return md?.size !== undefined ? this.#info(target, md) : ((await this.statObject(target)) ?? { key: target, size: 0 });
    } catch (error) {
      // A 404 is the source's (the target need not exist); a 412 the target's.
      const failure = await this.#notFound(error, this.#failure('copy', statusOf(error) === 412 ? target : source));
      throw failure;
    }
  }

  /**
   * The root's top-level prefixes and objects, or, for a path, its objects and inferred schema.
   * @example
   * ```ts
   * const [orders] = await conn.discover({ path: 'orders/*.parquet' });
   * ```
   */
  async discover(options: DiscoverObjectsOptions = {}): Promise<DiscoveredObjects[]> {
    return discoverObjects(this, options);
  }

  // -------------------------------------------------------------------------------------------
  // Spark: the GCS connector for Hadoop
  // -------------------------------------------------------------------------------------------

  /**
   * Hadoop options of the GCS connector: the file system classes, the project, and the
   * credentials — a key file path on Spark's machines (`sparkKeyFile`, else `credentials.keyFile`)
   * under both the 3.x (`fs.gs.auth.*`) and 2.2.x (`google.cloud.auth.*`) names; an inline key as
   * email + private key id + private key (secret); otherwise Application Default Credentials.
   */
  protected override sparkHadoopOptions(): SparkHadoopOptions {
    const c = this.config;
    const options: Record<string, string> = {
      'fs.gs.impl': 'com.google.cloud.hadoop.fs.gcs.GoogleHadoopFileSystem',
      'fs.AbstractFileSystem.gs.impl': 'com.google.cloud.hadoop.fs.gcs.GoogleHadoopFS',
    };
    const secretOptions: string[] = [];
    const project = c.project ?? this.#key?.project_id;
    if (project) options['fs.gs.project.id'] = project;
    const keyFile = c.sparkKeyFile ?? c.credentials?.keyFile;
    if (keyFile) {
      Object.assign(options, {
        'fs.gs.auth.type': 'SERVICE_ACCOUNT_JSON_KEYFILE',
        'fs.gs.auth.service.account.json.keyfile': keyFile,
        'google.cloud.auth.service.account.enable': 'true',
        'google.cloud.auth.service.account.json.keyfile': keyFile,
      });
    } else if (this.#key) {
      Object.assign(options, {
        'google.cloud.auth.service.account.enable': 'true',
        'fs.gs.auth.service.account.email': this.#key.client_email,
        'fs.gs.auth.service.account.private.key': this.#key.private_key,
        ...(this.#key.private_key_id ? { 'fs.gs.auth.service.account.private.key.id': this.#key.private_key_id } : {}),
      });
      secretOptions.push('fs.gs.auth.service.account.private.key');
      if (this.#key.private_key_id) secretOptions.push('fs.gs.auth.service.account.private.key.id');
    } else if (c.apiEndpoint && !c.authenticateEndpoint) {
      options['fs.gs.auth.type'] = 'UNAUTHENTICATED';
    } else {
      options['fs.gs.auth.type'] = 'APPLICATION_DEFAULT';
    }
    if (c.apiEndpoint) options['fs.gs.storage.root.url'] = c.apiEndpoint.replace(/\/*$/, '/');
    return { options, secretOptions };
  }
}

/** Stream chunks as Buffers (what the upload stream takes), without copying. */
async function* toBuffers(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const chunk of body) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
