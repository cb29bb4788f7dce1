/**
 * `AzureStorageConnection`: what the Azure object stores (`azure_blob` here, `adls` in
 * `@sparkle/connector-adls`) share on top of core's `CloudStorageConnection` — the resolved
 * target and credential, the SDK clients opened on first use, key ↔ path mapping below the
 * configured prefix, error context, endpoints, reads, deletes, Spark URIs and `discover()`.
 * Each service supplies only what differs: its SDK, how its clients are built, and the calls
 * whose shape the Blob and DFS APIs do not share.
 */
import { Readable } from 'node:stream';
import {
  CloudStorageConnection,
  globPrefix,
  MissingDriverError,
  type ConnectionInit,
  type DiscoveredTable,
  type Endpoint,
  type GetObjectOptions,
  type ObjectBody,
  type ObjectInfo,
} from '@sparkle/core';
import { confinedPrefix, resolveAzureTarget, tokenCredential, type AzureStorageConfig, type AzureTarget } from './azure-config.js';
import { azureError, azureStatus, type AzureErrorContext } from './azure-errors.js';
import { discoverStore } from './azure-discover.js';

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
 * A body as the upload stream plus its byte count: known up front for strings and byte arrays,
 * counted as the stream is read for iterables (so `size()` is final once the upload finished).
 */
export function countedBodyStream(body: ObjectBody): { stream: Readable; size: () => number } {
  let size = 0;
  if (typeof body === 'string') size = Buffer.byteLength(body);
  else if (body instanceof Uint8Array) size = body.byteLength;
  const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      yield chunk;
    }
  };
  const stream = bodyStream(typeof body === 'string' || body instanceof Uint8Array ? body : counted(body));
  return { stream, size: () => size };
}

/**
 * An `ObjectInfo` from the properties the Blob and DFS APIs return (a listing's item or a
 * properties call); empty metadata is left out.
 *
 * @example
 * ```ts
 * objectInfoOf('a.csv', { contentLength: 3, etag: '"0x1"' }); // { key: 'a.csv', size: 3, etag: '"0x1"' }
 * ```
 */
export function objectInfoOf(
  key: string,
  p: { contentLength?: number | undefined; lastModified?: Date | undefined; etag?: string | undefined; contentType?: string | undefined },
  metadata?: Record<string, string>,
): ObjectInfo {
  return {
    key,
    size: p.contentLength ?? 0,
    ...(p.lastModified ? { lastModified: p.lastModified } : {}),
    ...(p.etag ? { etag: p.etag } : {}),
    ...(p.contentType ? { contentType: p.contentType } : {}),
    ...(metadata && Object.keys(metadata).length ? { metadata } : {}),
  };
}

/** The credential classes every Azure storage SDK exports (each package its own). */
export interface AzureStorageSdk {
  StorageSharedKeyCredential: new (account: string, accountKey: string) => unknown;
  AnonymousCredential: new () => unknown;
}

/** Retry policy of the SDK clients: `maxTries` from the config, backoff 0.5–15 s. */
export interface AzureClientOptions {
  retryOptions: { maxTries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
}

/** Which service a connection speaks, its URI scheme for Spark, and the noun for its container in messages. */
export interface AzureServiceKind {
  /** Endpoint kind: `<account>.blob.…` or `<account>.dfs.…`. */
  service: 'blob' | 'dfs';
  /** Hadoop scheme of `objectUri()`: `wasbs` or `abfss`. */
  scheme: 'wasbs' | 'abfss';
  /** `container` or `filesystem`, as in `container 'raw' in account 'lake'`. */
  containerNoun: 'container' | 'filesystem';
  /** The SDK package, named by `MissingDriverError` when it cannot be imported. */
  driver: string;
}

/**
 * Base of the Azure storage connections. `TConfig` is the service's config (with its container
 * name), `TSdk` its SDK module, `TClients` the clients {@link openClients} builds from it.
 *
 * @example
 * ```ts
 * class MyBlobConnection extends AzureStorageConnection<MyConfig, typeof import('@azure/storage-blob'), { container: ContainerClient }> {
 *   protected readonly kind = { service: 'blob', scheme: 'wasbs', containerNoun: 'container', driver: '@azure/storage-blob' } as const;
 *   get containerName() { return this.config.container; }
 *   protected importSdk() { return import('@azure/storage-blob'); }
 *   protected openClients(sdk, url, credential, options) { return { container: new sdk.BlobServiceClient(url, credential as never, options).getContainerClient(this.config.container) }; }
 *   // …plus the object calls whose shape differs per service
 * }
 * ```
 */
export abstract class AzureStorageConnection<TConfig extends AzureStorageConfig, TSdk extends AzureStorageSdk, TClients> extends CloudStorageConnection<TConfig> {
  #target: AzureTarget | undefined;
  #clients: Promise<TClients> | undefined;

  constructor(init: ConnectionInit) {
    super(init as never);
    // The SDK clients hold no sockets of their own beyond the shared agent; dropping them is enough.
    this.onClose(() => {
      this.#clients = undefined;
    });
  }

  /** Service, URI scheme, message noun and SDK package of this connection. */
  protected abstract readonly kind: AzureServiceKind;

  /** The container's (filesystem's) name: the `schema` of `discover()` entries. */
  abstract get containerName(): string;

  /** Imports the service's SDK (called on first use, so a missing package fails there, not at load). */
  protected abstract importSdk(): Promise<TSdk>;

  /** Builds the service's clients for `serviceUrl` (a SAS is already in its query) and `credential`. */
  protected abstract openClients(sdk: TSdk, serviceUrl: string, credential: unknown, options: AzureClientOptions): TClients;

  /** Opens a read of `path` from `start`, `count` bytes (to the end when undefined). */
  protected abstract readPath(clients: TClients, path: string, start: number, count: number | undefined, options: GetObjectOptions): Promise<NodeJS.ReadableStream | undefined>;

  /** Deletes the object at `path` if it exists; whether it did. */
  protected abstract deletePath(clients: TClients, path: string, signal: AbortSignal | undefined): Promise<boolean>;

  /** The prefixes directly below the root (`raw/`, `clean/`). */
  abstract listTopPrefixes(signal?: AbortSignal): Promise<string[]>;

  /** Account, service URL and credential plan (resolved once; config errors surface here). */
  protected get target(): AzureTarget {
    return (this.#target ??= resolveAzureTarget(this.config, this.kind.service, this.type));
  }

  /** `container 'raw' in account 'lake'`, for messages. */
  protected get where(): string {
    return `${this.kind.containerNoun} '${this.containerName}' in account '${this.config.account ?? this.target.account}'`;
  }

  /** The service clients, created on first use (a failed attempt is retried on the next call). */
  protected clients(): Promise<TClients> {
    this.assertOpen();
    this.#clients ??= this.#openClients().catch((error: unknown) => {
      this.#clients = undefined;
      throw error;
    });
    return this.#clients;
  }

  async #openClients(): Promise<TClients> {
    let sdk: TSdk;
    try {
      sdk = await this.importSdk();
    } catch (cause) {
      throw new MissingDriverError(this.type, this.kind.driver, cause);
    }
    const target = this.target;
    const options: AzureClientOptions = { retryOptions: { maxTries: this.config.maxTries, retryDelayInMs: 500, maxRetryDelayInMs: 15_000 } };
    if (target.credential.kind === 'sharedKey') {
      return this.openClients(sdk, target.serviceUrl, new sdk.StorageSharedKeyCredential(target.account, target.credential.accountKey), options);
    }
    if (target.credential.kind === 'sas') {
      return this.openClients(sdk, `${target.serviceUrl}?${target.credential.sasToken}`, new sdk.AnonymousCredential(), options);
    }
    return this.openClients(sdk, target.serviceUrl, await tokenCredential(this.config.auth, this.type), options);
  }

  /** Error context for a call on `key`. */
  protected errorContext(what: string, key?: string, extra: Partial<AzureErrorContext> = {}): AzureErrorContext {
    return { connector: this.type, what, container: this.where, secrets: this.secretValues(), ...(key !== undefined ? { key } : {}), ...extra };
  }

  /** The config prefix, confined. */
  protected get rootPrefix(): string {
    return confinedPrefix(this.config.prefix, this.type);
  }

  /** The blob name (file path) of a (confined) key in the container. */
  protected pathOf(key: string): string {
    return this.rootPrefix ? `${this.rootPrefix}/${key}` : key;
  }

  /** The key of a blob name (file path) under the root. */
  protected keyOfPath(path: string): string {
    return this.rootPrefix ? path.slice(this.rootPrefix.length + 1) : path;
  }

  /** The prefix and glob of a listing, confined, and the literal part both agree on (what the service can filter by). */
  protected listScope(options: { prefix?: string; glob?: string }): { prefix: string; glob: string | undefined; literal: string } {
    const prefix = options.prefix ? this.key(options.prefix, 'prefix') : '';
    const glob = options.glob ? this.key(options.glob, 'glob') : undefined;
    const fromGlob = glob ? globPrefix(glob) : '';
    return { prefix, glob, literal: fromGlob.startsWith(prefix) ? fromGlob : prefix };
  }

  protected override endpoints(): Endpoint[] {
    const url = new URL(this.target.serviceUrl);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }

  /**
   * Streams an object, or a byte range of it. With `ifMatch`, the service refuses (412) when the
   * object changed since that ETag: a retryable `QueryError` naming the key. A range starting at
   * or past the end reads nothing.
   */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    const k = this.key(key);
    const start = Math.max(0, options.range?.start ?? 0);
    const end = options.range?.end;
    if (end !== undefined && end <= start) return;
    const clients = await this.clients();
    let body: NodeJS.ReadableStream | undefined;
    try {
      body = await this.readPath(clients, this.pathOf(k), start, end === undefined ? undefined : end - start, options);
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

  /** Deletes objects (eight at a time); missing ones are not an error. Returns how many existed. */
  async deleteObjects(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const confined = keys.map((key) => this.key(key));
    const clients = await this.clients();
    let deleted = 0;
    for (let at = 0; at < confined.length; at += 8) {
      options.signal?.throwIfAborted();
      const results = await Promise.all(
        confined.slice(at, at + 8).map(async (k) => {
          try {
            return await this.deletePath(clients, this.pathOf(k), options.signal);
          } catch (error) {
            throw azureError(error, this.errorContext(`delete ${k}`, k));
          }
        }),
      );
      deleted += results.filter(Boolean).length;
    }
    return deleted;
  }

  /** `<scheme>://<container>@<account>.<service>.core.windows.net/<prefix>/<key>`: how Spark's Azure drivers name the object. */
  objectUri(key: string): string {
    const t = this.target;
    return `${this.kind.scheme}://${this.containerName}@${t.account}.${this.kind.service}.${t.endpointSuffix}/${key ? this.pathOf(key) : this.rootPrefix}`;
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
