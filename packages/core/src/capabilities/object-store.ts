/**
 * The object-store capability: what S3, S3-compatible servers, ADLS Gen2, Azure Blob, GCS, HDFS,
 * SFTP, FTP and the local filesystem have in common — shaped after the AWS SDK's S3 commands
 * (ListObjectsV2, HeadObject, ranged GetObject, multipart PutObject via lib-storage,
 * DeleteObjects, CopyObject) and Node's `fs`, which the others map onto.
 *
 * Keys are `/`-separated paths relative to the connection's root (bucket + prefix, container,
 * base directory). A connector confines every key to that root: `..` segments, absolute paths and
 * (for filesystems) symlinks leading outside are refused with `InvalidArgumentError`.
 */

/** What one stored object is. */
export interface ObjectInfo {
  /** Key relative to the connection's root, `/`-separated, no leading `/`. */
  key: string;
  /** Size in bytes. */
  size: number;
  lastModified?: Date;
  /** Entity tag or other version token (quoted as the store returns it). */
  etag?: string;
  contentType?: string;
  /** User metadata (`x-amz-meta-*`, blob metadata). */
  metadata?: Record<string, string>;
}

/** `listObjects` options. */
export interface ListObjectsOptions {
  /** Only keys starting with this prefix (pushed down to the store). */
  prefix?: string;
  /**
   * A glob over the whole key (`raw/2024-*\/*.csv`, `**\/*.parquet`), matched client-side after
   * the prefix before the first wildcard is pushed down.
   */
  glob?: string;
  /** Stop after this many objects. */
  limit?: number;
  signal?: AbortSignal;
}

/** A byte range: `start` inclusive, `end` exclusive (omitted: to the end of the object). */
export interface ByteRange {
  start: number;
  end?: number;
}

/** `getObject` options. */
export interface GetObjectOptions {
  range?: ByteRange;
  /** Fail with a retryable error when the object changed since this etag (consistent multi-range reads). */
  ifMatch?: string;
  signal?: AbortSignal;
}

/** Bytes to store: one buffer, or a stream of chunks of unknown total length. */
export type ObjectBody = Uint8Array | string | AsyncIterable<Uint8Array>;

/** `putObject` options. */
export interface PutObjectOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /**
   * `'*'`: create only — fail with `ObjectExistsError`-style `WRITE_FAILED` (code `TABLE_EXISTS`)
   * when the key exists (S3 `If-None-Match: *`, GCS `ifGenerationMatch=0`, Azure `If-None-Match: *`,
   * `O_EXCL` locally). Table formats commit their logs with it; stores that cannot do it
   * atomically say so in {@link ObjectStoreSemantics.conditionalPut}.
   */
  ifNoneMatch?: '*';
  /** Multipart part size in bytes for streamed bodies (S3 minimum 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once (bounds memory to partSize × concurrency). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (bytesWritten: number) => void;
}

/** Honest atomicity of one store, so table formats and writers can choose a safe protocol. */
export interface ObjectStoreSemantics {
  /** A reader sees an object whole or not at all (true for every object store; local uses temp + rename). */
  atomicPut: boolean;
  /** `ifNoneMatch: '*'` is enforced by the store itself, atomically. */
  conditionalPut: boolean;
  /** `renameObject` exists and is atomic (filesystems, HDFS, ADLS with HNS; not S3 or GCS). */
  atomicRename: boolean;
  /** Whether a list right after a write sees it (S3 and GCS are strongly consistent today). */
  listAfterWrite: 'strong' | 'eventual';
}

/**
 * The object-store capability. A connection that implements these methods is detected as
 * `object_store` by {@link capabilitiesOf}.
 *
 * @example
 * ```ts
 * for await (const info of store.listObjects({ glob: 'raw/**\/*.csv' })) console.log(info.key, info.size);
 * const head = await store.getObject('raw/a.csv', { range: { start: 0, end: 1024 } });
 * await store.putObject('out/b.json', JSON.stringify({ ok: true }), { ifNoneMatch: '*' });
 * ```
 */
export interface ObjectStore {
  /** The store's atomicity, stated per connector. */
  readonly storeSemantics: ObjectStoreSemantics;
  /** Lists objects (not directories/prefixes) in key order where the store guarantees it. */
  listObjects(options?: ListObjectsOptions): AsyncIterable<ObjectInfo>;
  /** Metadata of one object, or `undefined` when it does not exist. */
  statObject(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | undefined>;
  /** Streams an object's bytes (or a range of them). Missing object: `QueryError` with code `QUERY_FAILED` and `details.notFound`. */
  getObject(key: string, options?: GetObjectOptions): AsyncIterable<Uint8Array>;
  /** Stores bytes under a key, whole or not at all; streamed bodies go multipart. */
  putObject(key: string, body: ObjectBody, options?: PutObjectOptions): Promise<ObjectInfo>;
  /** Deletes keys; missing keys are not an error. Returns how many were deleted. */
  deleteObjects(keys: readonly string[], options?: { signal?: AbortSignal }): Promise<number>;
  /** Server-side copy where the store has one; otherwise get + put. */
  copyObject(from: string, to: string, options?: { signal?: AbortSignal; ifNoneMatch?: '*' }): Promise<ObjectInfo>;
  /** Atomic rename; only present where {@link ObjectStoreSemantics.atomicRename} is true. */
  renameObject?(from: string, to: string, options?: { signal?: AbortSignal; overwrite?: boolean }): Promise<void>;
  /** The URI Spark (Hadoop) uses for a key: `s3a://bucket/k`, `abfss://fs@acct.dfs.core.windows.net/k`, `gs://b/k`, `file:/abs/k`. */
  objectUri(key: string): string;
}
