/**
 * `FtpConnection` (type `ftp`): an FTP or FTPS server's files as an object store through
 * `basic-ftp`. FTP runs one command at a time per control connection, so every call goes through
 * a queue on the connection's one client; a read that stops before the end of a file closes that
 * client (the only way to stop an FTP transfer) and the next call logs in again. Writes land
 * under a temp name and are renamed into place. Tables, globs, save modes, Spark specs and health
 * come from core's `CloudStorageConnection`.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { z } from 'zod';
import type { Client, FileInfo } from 'basic-ftp';
import {
  AuthenticationError,
  CloudStorageConnection,
  ConnectionFailedError,
  globMatcher,
  globPrefix,
  InvalidArgumentError,
  MissingDriverError,
  QueryError,
  SparkleError,
  type ConnectionInit,
  type Endpoint,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
  type SparkHadoopOptions,
} from '@sparkle/core';
import { ftpConfigSchema, type FtpConfig } from './config.js';

const TEMP_MARK = '.sparkle-tmp-';
const FILE = 1;
const DIRECTORY = 2;

function etagOf(info: { size: number; modifiedAt?: Date | undefined }): string {
  return `"${info.size.toString(16)}-${(info.modifiedAt?.getTime() ?? 0).toString(16)}"`;
}

function bodyChunks(body: ObjectBody): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (typeof body === 'string') return [Buffer.from(body, 'utf8')];
  if (body instanceof Uint8Array) return [body];
  return body;
}

/** FTP's "file unavailable" (550, 450) and a local-error answer that says the path is not there (some servers send 451 ENOENT). */
function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 550 || code === 450) return true;
  return code === 451 && /ENOENT|no such file|not found/i.test(error instanceof Error ? error.message : '');
}

/**
 * An FTP/FTPS server as an object store.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-ftp';
 *
 * await using ftp = await getConnection('ftp', { env: 'prod' }); // config/connections/ftp/{common,prod}.json
 * const rows = await ftp.readTable('incoming/*.csv');
 * await ftp.writeTable(rows, 'outgoing/report.csv', { mode: 'overwrite' });
 * ```
 */
export class FtpConnection extends CloudStorageConnection<FtpConfig> {
  static override schema: z.ZodType = ftpConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'FTP and FTPS servers as an object store (basic-ftp): list, reads, writes under a temp name then renamed; tables through the shared file formats';

  /**
   * A put is whole or absent (temp name + RNFR/RNTO, atomic on POSIX servers); FTP has no
   * create-only rename, so `ifNoneMatch` is a check-then-rename (not atomic); renames replace.
   */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: false, atomicRename: true, listAfterWrite: 'strong' };
  #client: Client | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      await this.#queue.catch(() => undefined);
      this.#client?.close();
      this.#client = undefined;
    });
  }

  protected override endpoints(): Endpoint[] {
    return [{ host: this.config.host, port: this.config.port }];
  }

  get #where(): string {
    return `ftp://${this.config.user}@${this.config.host}:${this.config.port}`;
  }

  /** Waits for the client's turn; the returned function gives it back. */
  async #turn(): Promise<() => void> {
    this.assertOpen();
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }

  /** The logged-in client (logging in again after a close). Call only during a turn. */
  async #ready(): Promise<Client> {
    if (this.#client && !this.#client.closed) return this.#client;
    let lib: typeof import('basic-ftp');
    try {
      lib = await import('basic-ftp');
    } catch (cause) {
      throw new MissingDriverError(this.type, 'basic-ftp', cause);
    }
    const c = this.config;
    const client = new lib.Client(c.connectTimeoutMs);
    try {
      await client.access({
        host: c.host,
        port: c.port,
        user: c.user,
        password: c.password ?? (c.user === 'anonymous' ? 'anonymous@' : ''),
        secure: c.tlsMode === 'none' ? false : c.tlsMode === 'implicit' ? 'implicit' : true,
        secureOptions: { rejectUnauthorized: c.tls.rejectUnauthorized, ...(c.tls.ca ? { ca: c.tls.ca } : {}), ...(c.tls.servername ? { servername: c.tls.servername } : {}) },
      });
    } catch (error) {
      client.close();
      throw this.#error(error, 'log in');
    }
    this.#client = client;
    return client;
  }

  /** Runs `fn` with the client in its turn. */
  async #run<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const release = await this.#turn();
    try {
      return await fn(await this.#ready());
    } finally {
      release();
    }
  }

  /** A typed, redacted error from a failed FTP call. */
  #error(error: unknown, what: string, path?: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const code = (error as { code?: unknown } | null)?.code;
    const message = this.redact(error instanceof Error ? error.message : String(error));
    const details = { ...(code !== undefined ? { ftpCode: code } : {}), ...(path ? { path } : {}) };
    if (code === 530 || code === 532) {
      return new AuthenticationError(`${this.type}: ${this.#where} refused to ${what} (${message}); check user and password`, { connector: this.type, cause: error, details });
    }
    if (/certificate|self[- ]signed|TLS|SSL|handshake/i.test(message) && typeof code !== 'number') {
      return new ConnectionFailedError(`${this.type}: TLS with ${this.#where} failed (${message}); check tlsMode and tls.ca`, { connector: this.type, cause: error, retryable: false, details });
    }
    if (typeof code === 'string' || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|ECONNRESET|Timeout|closed/i.test(message)) {
      return new ConnectionFailedError(`${this.type}: cannot ${what} on ${this.#where} (${message})`, { connector: this.type, cause: error, details });
    }
    if (typeof code === 'number' && code >= 400 && code < 500) {
      return new QueryError(`${this.type}: ${what}${path ? ` ${path}` : ''} on ${this.#where} was refused for now (${message}); retry later`, { connector: this.type, cause: error, retryable: true, details });
    }
    return new QueryError(`${this.type}: ${what}${path ? ` ${path}` : ''} on ${this.#where} failed: ${message}`, { connector: this.type, cause: error, details });
  }

  /** The absolute server path of a (confined) key. */
  remotePath(key: string): string {
    const confined = this.key(key);
    return confined === '' ? this.config.root : posix.join(this.config.root, confined);
  }

  /** The listing of a server directory; missing → undefined. Call only during a turn. */
  async #list(client: Client, dir: string): Promise<FileInfo[] | undefined> {
    try {
      return await client.list(dir);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.#error(error, 'list', dir);
    }
  }

  /** One file's listing entry, from its directory's listing. Call only during a turn. */
  async #entry(client: Client, path: string): Promise<FileInfo | undefined> {
    const entries = await this.#list(client, posix.dirname(path));
    return entries?.find((e) => e.name === posix.basename(path));
  }

  #info(key: string, e: FileInfo): ObjectInfo {
    return { key, size: e.size, ...(e.modifiedAt ? { lastModified: e.modifiedAt } : {}), etag: etagOf(e) };
  }

  /** Lists files under `prefix` and/or matching `glob`, in key order; temp files of writes in flight are left out. */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ? this.key(options.prefix, 'glob') : '';
    const glob = options.glob ? this.key(options.glob, 'glob') : undefined;
    const fromGlob = glob ? globPrefix(glob) : '';
    const literal = fromGlob.startsWith(prefix) ? fromGlob : prefix;
    const startKey = literal.slice(0, literal.lastIndexOf('/') + 1).replace(/\/$/, '');
    const matches = glob ? globMatcher(glob) : () => true;
    const self = this;
    let n = 0;
    async function* walk(dirKey: string): AsyncGenerator<ObjectInfo> {
      options.signal?.throwIfAborted();
      const dir = dirKey === '' ? self.config.root : posix.join(self.config.root, dirKey);
      const entries = (await self.#run((client) => self.#list(client, dir))) ?? [];
      const sortName = (e: FileInfo) => (e.type === DIRECTORY ? `${e.name}/` : e.name);
      entries.sort((a, b) => (sortName(a) < sortName(b) ? -1 : sortName(a) > sortName(b) ? 1 : 0));
      for (const e of entries) {
        if (e.name === '.' || e.name === '..' || e.name.includes(TEMP_MARK)) continue;
        const key = dirKey === '' ? e.name : `${dirKey}/${e.name}`;
        if (e.type === DIRECTORY) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk(key);
        } else if (e.type === FILE && key.startsWith(prefix) && matches(key)) yield self.#info(key, e);
      }
    }
    for await (const info of walk(startKey)) {
      if (options.limit !== undefined && n >= options.limit) return;
      n++;
      yield info;
    }
  }

  /** Size, modification time and etag of a file; `undefined` when it does not exist or is a directory. */
  async statObject(key: string, _options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const path = this.remotePath(key);
    const confined = this.key(key);
    if (confined === '') return undefined;
    const e = await this.#run((client) => this.#entry(client, path));
    return e?.type === FILE ? this.#info(confined, e) : undefined;
  }

  /**
   * Streams a file's bytes, or a range: the transfer starts at the range's start (REST); a range
   * that ends before the file does stops the transfer by closing the control connection.
   */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    const path = this.remotePath(key);
    const info = await this.statObject(key);
    if (!info) throw new QueryError(`${this.type}: no file ${key} under ${this.config.root} on ${this.#where}`, { connector: this.type, details: { notFound: true, key } });
    if (options.ifMatch !== undefined && options.ifMatch !== info.etag) {
      throw new QueryError(`${this.type}: ${path} changed while it was being read (etag ${info.etag}, expected ${options.ifMatch}); read it again`, { connector: this.type, retryable: true, details: { key } });
    }
    const start = Math.max(0, options.range?.start ?? 0);
    const end = Math.min(info.size, options.range?.end ?? info.size);
    if (start >= end) return;
    const release = await this.#turn();
    let client: Client;
    try {
      client = await this.#ready();
    } catch (error) {
      release();
      throw error;
    }
    const pass = new PassThrough();
    let failure: unknown;
    let settled = false;
    const transfer = client.downloadTo(pass, path, start).then(
      () => {
        settled = true;
        pass.end();
      },
      (error: unknown) => {
        settled = true;
        failure = error;
        pass.end();
      },
    );
    // Reading to the end of the file lets the transfer finish on its own; a shorter range cannot.
    const toEof = end === info.size;
    let remaining = end - start;
    try {
      for await (const chunk of pass as AsyncIterable<Buffer>) {
        options.signal?.throwIfAborted();
        if (remaining <= 0) continue;
        const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
        remaining -= piece.length;
        yield piece;
        if (remaining <= 0 && !toEof) break;
      }
      if (failure !== undefined && remaining > 0) throw this.#error(failure, 'read', path);
    } finally {
      if (!settled) {
        // Stopped before the server finished sending: closing the connection is how FTP aborts a transfer.
        client.close();
        this.#client = undefined;
      }
      await transfer;
      release();
    }
  }

  /**
   * Stores bytes under a key, whole or not at all: uploaded under a temp name in the target's
   * directory, then renamed over the target (RNFR/RNTO). Missing directories are created. With
   * `ifNoneMatch: '*'` an existing target fails with `TABLE_EXISTS` (checked, not atomic: FTP has no
   * create-only rename). A failed upload removes its temp file.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const target = this.remotePath(key);
    const confined = this.key(key);
    if (confined === '') throw new InvalidArgumentError(`${this.type}: cannot write to the root itself; give a file key such as 'out/data.csv'`, { connector: this.type });
    const dir = posix.dirname(target);
    const temp = posix.join(dir, `.${posix.basename(target)}${TEMP_MARK}${randomUUID()}`);
    // Streamed bodies are spooled to a local temp file first: the upload needs the one control
    // connection, and a body read from this same server (append, copy) would need it at the same time.
    const spooled = await this.#spool(body, options);
    return this.#run(async (client) => {
      const existing = await this.#entry(client, target);
      if (existing?.type === DIRECTORY) throw new InvalidArgumentError(`${this.type}: '${key}' is a directory; write to a file path`, { connector: this.type, details: { key } });
      if (existing && options.ifNoneMatch === '*') throw this.#exists(target);
      try {
        await client.ensureDir(dir);
        await client.cd('/');
      } catch (error) {
        throw this.#error(error, 'create directory', dir);
      }
      try {
        await client.uploadFrom(spooled.open(), temp);
      } catch (error) {
        await client.remove(temp, true).catch(() => undefined);
        throw this.#error(error, 'upload', temp);
      }
      if (options.ifNoneMatch === '*' && (await this.#entry(client, target))) {
        await client.remove(temp, true).catch(() => undefined);
        throw this.#exists(target);
      }
      try {
        await client.rename(temp, target);
      } catch (error) {
        await client.remove(temp, true).catch(() => undefined);
        throw this.#error(error, 'rename into place', target);
      }
      const e = await this.#entry(client, target);
      return e ? this.#info(confined, e) : { key: confined, size: spooled.size };
    }).finally(() => spooled.dispose());
  }

  /** The body as something that can be uploaded: a buffer, or a local temp file for a stream. */
  async #spool(body: ObjectBody, options: PutObjectOptions): Promise<{ size: number; open: () => Readable; dispose: () => Promise<void> }> {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      options.onProgress?.(bytes.length);
      return { size: bytes.length, open: () => Readable.from([bytes]), dispose: async () => undefined };
    }
    const file = join(tmpdir(), `sparkle-ftp-spool-${randomUUID()}`);
    const handle = await open(file, 'w', 0o600);
    let size = 0;
    try {
      for await (const chunk of bodyChunks(body)) {
        options.signal?.throwIfAborted();
        await handle.write(chunk);
        size += chunk.byteLength;
        options.onProgress?.(size);
      }
    } catch (error) {
      await handle.close();
      await unlink(file).catch(() => undefined);
      throw error;
    }
    await handle.close();
    return { size, open: () => createReadStream(file), dispose: () => unlink(file).catch(() => undefined) };
  }

  #exists(path: string): SparkleError {
    return new SparkleError('TABLE_EXISTS', `${this.type}: ${path} already exists on ${this.#where}; write with mode 'overwrite', or to another path`, { connector: this.type, details: { path } });
  }

  /** Deletes files; missing ones are not an error. Returns how many were deleted. */
  async deleteObjects(keys: readonly string[], _options: { signal?: AbortSignal } = {}): Promise<number> {
    const paths = keys.map((k) => this.remotePath(k));
    return this.#run(async (client) => {
      let n = 0;
      for (const path of paths) {
        try {
          await client.remove(path);
          n++;
        } catch (error) {
          if (!isMissing(error)) throw this.#error(error, 'delete', path);
        }
      }
      return n;
    });
  }

  /**
   * FTP has no server-side copy: the bytes come down and go back up through an atomic put
   * (putObject spools the stream locally before it uploads, so the download finishes first).
   */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    return this.copyThroughProcess(from, to, options);
  }

  /** Renames a file (RNFR/RNTO); with `overwrite: false` an existing target fails with `TABLE_EXISTS` (checked first). */
  async renameObject(from: string, to: string, options: { signal?: AbortSignal; overwrite?: boolean } = {}): Promise<void> {
    const source = this.remotePath(from);
    const target = this.remotePath(to);
    await this.#run(async (client) => {
      if (options.overwrite === false && (await this.#entry(client, target))) throw this.#exists(target);
      await client.ensureDir(posix.dirname(target));
      await client.cd('/');
      try {
        await client.rename(source, target);
      } catch (error) {
        throw this.#error(error, 'rename', source);
      }
    });
  }

  /** `ftp://user@host:port/<root>/<key>`: the URI Hadoop's FTPFileSystem reads. */
  objectUri(key: string): string {
    const path = key === '' ? this.config.root : posix.join(this.config.root, key);
    return `ftp://${encodeURIComponent(this.config.user)}@${this.config.host}:${this.config.port}${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Hadoop's FTPFileSystem (hadoop-common): host, port, user and password per host. Plain FTP only. */
  protected override sparkHadoopOptions(): SparkHadoopOptions {
    const c = this.config;
    const options: Record<string, string> = {
      'spark.hadoop.fs.ftp.impl': 'org.apache.hadoop.fs.ftp.FTPFileSystem',
      'spark.hadoop.fs.ftp.host': c.host,
      'spark.hadoop.fs.ftp.host.port': String(c.port),
      [`spark.hadoop.fs.ftp.user.${c.host}`]: c.user,
    };
    const secretOptions: string[] = [];
    if (c.password) {
      const name = `spark.hadoop.fs.ftp.password.${c.host}`;
      options[name] = c.password;
      secretOptions.push(name);
    }
    return { options, secretOptions };
  }
}
