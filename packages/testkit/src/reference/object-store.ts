/**
 * `MemoryObjectStoreConnection`: the in-memory reference object store (type `memory_objects`).
 * Buckets live in the process, shared by every connection naming the same bucket, so a test can
 * write through one connection and read through another as it would against a server. It keeps
 * S3's semantics by default — whole-object puts, conditional create, no atomic rename, strong
 * list-after-write — and lets a test turn conditional puts off to see how a suite treats a store
 * that cannot honour them.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  CloudStorageConnection,
  cloudStorageConfigSchema,
  globMatcher,
  globPrefix,
  QueryError,
  SparkleError,
  type DatasetRef,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
} from '@sparkle/core';

/** Config of `memory_objects`. */
export const memoryObjectStoreConfigSchema = cloudStorageConfigSchema.extend({
  /** The bucket: connections naming the same bucket share its objects. */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,62}$/, { message: 'must be a bucket name: lower-case letters, digits, dots and dashes' }),
  /** Root prefix inside the bucket every key is relative to (like an S3 prefix). */
  prefix: z.string().default(''),
  /** Whether `ifNoneMatch: '*'` is enforced atomically (S3, GCS, Azure: yes). */
  conditionalPut: z.boolean().default(true),
  /** Bytes per chunk `getObject` yields (small values exercise multi-chunk readers). */
  chunkSize: z.coerce.number().int().positive().default(64 * 1024),
});

export type MemoryObjectStoreConfig = z.output<typeof memoryObjectStoreConfigSchema>;

interface StoredObject {
  bytes: Uint8Array;
  info: Omit<ObjectInfo, 'key'>;
}

const BUCKETS_KEY = Symbol.for('sparkle.testkit.memory-buckets');

function buckets(): Map<string, Map<string, StoredObject>> {
  const g = globalThis as Record<symbol, unknown>;
  g[BUCKETS_KEY] ??= new Map();
  return g[BUCKETS_KEY] as Map<string, Map<string, StoredObject>>;
}

const encoder = new TextEncoder();

async function collect(body: ObjectBody, onProgress?: (bytes: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body.slice();
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    signal?.throwIfAborted();
    parts.push(chunk.slice());
    total += chunk.byteLength;
    onProgress?.(total);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/**
 * The in-memory object store.
 * @example
 * ```ts
 * import '@sparkle/testkit';
 * await using store = await getConnection('memory_objects', { config: { bucket: 'lake' } });
 * await store.putObject('raw/a.txt', 'hello');
 * for await (const o of store.listObjects({ glob: 'raw/*.txt' })) console.log(o.key, o.size);
 * ```
 */
export class MemoryObjectStoreConnection extends CloudStorageConnection<MemoryObjectStoreConfig> {
  static override schema = memoryObjectStoreConfigSchema;
  static override description = 'In-memory object store (testkit reference implementation)';

  get storeSemantics(): ObjectStoreSemantics {
    return { atomicPut: true, conditionalPut: this.config.conditionalPut, atomicRename: false, listAfterWrite: 'strong' };
  }

  /** Empties a bucket (tests). */
  static reset(bucket: string): void {
    buckets().delete(bucket);
  }

  #objects(): Map<string, StoredObject> {
    const all = buckets();
    let bucket = all.get(this.config.bucket);
    if (!bucket) all.set(this.config.bucket, (bucket = new Map()));
    return bucket;
  }

  #root(): string {
    const p = this.config.prefix.replace(/^\/+/, '');
    return p && !p.endsWith('/') ? `${p}/` : p;
  }

  #full(key: string): string {
    return this.#root() + this.key(key);
  }

  #info(key: string, stored: StoredObject): ObjectInfo {
    return { key, ...stored.info, ...(stored.info.metadata ? { metadata: { ...stored.info.metadata } } : {}) };
  }

  async *listObjects(options: ListObjectsOptions = {}): AsyncGenerator<ObjectInfo> {
    this.assertOpen();
    const root = this.#root();
    const match = options.glob ? globMatcher(options.glob) : undefined;
    const prefix = options.glob ? globPrefix(options.glob) : (options.prefix ?? '');
    if (prefix) this.key(prefix.endsWith('/') ? `${prefix}x` : prefix, 'prefix');
    let seen = 0;
    const keys = [...this.#objects().keys()].filter((k) => k.startsWith(root + prefix)).sort();
    for (const full of keys) {
      options.signal?.throwIfAborted();
      const key = full.slice(root.length);
      if (match && !match(key)) continue;
      const stored = this.#objects().get(full);
      if (!stored) continue;
      yield this.#info(key, stored);
      if (options.limit !== undefined && ++seen >= options.limit) return;
    }
  }

  async statObject(key: string): Promise<ObjectInfo | undefined> {
    this.assertOpen();
    const stored = this.#objects().get(this.#full(key));
    return stored ? this.#info(this.key(key), stored) : undefined;
  }

  async *getObject(key: string, options: GetObjectOptions = {}): AsyncGenerator<Uint8Array> {
    this.assertOpen();
    const stored = this.#objects().get(this.#full(key));
    if (!stored) throw new QueryError(`No object '${key}' in ${this.objectUri('')}`, { connector: this.type, details: { notFound: true, key } });
    if (options.ifMatch !== undefined && options.ifMatch !== stored.info.etag) {
      throw new QueryError(`'${key}' changed since etag ${options.ifMatch} (now ${stored.info.etag}); read it again`, { connector: this.type, retryable: true });
    }
    const size = stored.bytes.byteLength;
    const start = options.range?.start ?? 0;
    const end = Math.min(options.range?.end ?? size, size);
    if (start < 0 || start > size || end < start) {
      throw new QueryError(`Range ${start}-${options.range?.end ?? ''} is outside '${key}' (${size} bytes)`, { connector: this.type, details: { key } });
    }
    for (let at = start; at < end; at += this.config.chunkSize) {
      options.signal?.throwIfAborted();
      yield stored.bytes.slice(at, Math.min(end, at + this.config.chunkSize));
    }
  }

  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    this.assertOpen();
    const full = this.#full(key);
    const bytes = await collect(body, options.onProgress, options.signal);
    options.signal?.throwIfAborted();
    // The object becomes visible only now, whole: as an S3 PUT or a completed multipart upload.
    if (options.ifNoneMatch === '*' && this.#objects().has(full)) {
      throw new SparkleError('TABLE_EXISTS', `${this.objectUri(this.key(key))} already exists (ifNoneMatch '*')`, { connector: this.type, details: { key } });
    }
    const stored: StoredObject = {
      bytes,
      info: {
        size: bytes.byteLength,
        lastModified: new Date(),
        etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.metadata ? { metadata: { ...options.metadata } } : {}),
      },
    };
    this.#objects().set(full, stored);
    return this.#info(this.key(key), stored);
  }

  async deleteObjects(keys: readonly string[]): Promise<number> {
    this.assertOpen();
    const fulls = keys.map((k) => this.#full(k));
    let deleted = 0;
    for (const full of fulls) if (this.#objects().delete(full)) deleted++;
    return deleted;
  }

  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    this.assertOpen();
    const source = this.#objects().get(this.#full(from));
    if (!source) throw new QueryError(`No object '${from}' to copy in ${this.objectUri('')}`, { connector: this.type, details: { notFound: true, key: from } });
    return this.putObject(to, source.bytes, { ...options, ...(source.info.contentType ? { contentType: source.info.contentType } : {}), ...(source.info.metadata ? { metadata: source.info.metadata } : {}) });
  }

  objectUri(key: string): string {
    return `memory://${this.config.bucket}/${this.#root()}${key}`;
  }

  /** Namespace `memory://bucket`, name the key under the bucket (as `s3://bucket` + key). */
  protected override datasetForKey(key: string): DatasetRef {
    return { namespace: `memory://${this.config.bucket}`, name: `${this.#root()}${key}` };
  }
}
