/**
 * `SftpConnection` (type `sftp`): an SSH server's files as an object store, through
 * `ssh2-sftp-client`. Keys are paths under `root`; reads stream (ranged with the SFTP read
 * stream's start/end); writes land under a temp name and are renamed into place, so readers see a
 * file whole or not at all; the server's host key is pinned. Tables, globs, save modes, Spark specs
 * and health come from core's `CloudStorageConnection`.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import type SftpClient from 'ssh2-sftp-client';
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
import { sftpConfigSchema, type SftpConfig } from './config.js';
import { HostKeyMismatchError, sshFingerprint } from './host-key.js';
import { readRanges, type RawSftp } from './ranged-read.js';

/** Temp files of writes in flight carry this in their name (and are left out of listings). */
const TEMP_MARK = '.sparkle-tmp-';

interface RemoteStat {
  size: number;
  modifyTime: number;
  isDirectory: boolean;
  isFile: boolean;
}

function etagOf(s: { size: number; modifyTime: number }): string {
  return `"${s.size.toString(16)}-${s.modifyTime.toString(16)}"`;
}

function bodyChunks(body: ObjectBody): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (typeof body === 'string') return [Buffer.from(body, 'utf8')];
  if (body instanceof Uint8Array) return [body];
  return body;
}

/** ssh2-sftp-client reports a missing path with code ENOENT (or SFTP status 2). */
function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 2;
}

/**
 * An SFTP server as an object store.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-sftp';
 *
 * await using sftp = await getConnection('sftp', { env: 'prod' }); // config/connections/sftp/{common,prod}.json
 * for await (const o of sftp.listObjects({ glob: 'incoming/*.csv' })) console.log(o.key, o.size);
 * const orders = await sftp.readTable('incoming/orders-*.csv');
 * await sftp.writeTable(orders, 'outgoing/orders.parquet', { mode: 'overwrite' });
 * ```
 */
export class SftpConnection extends CloudStorageConnection<SftpConfig> {
  static override schema: z.ZodType = sftpConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'SFTP servers as an object store: list, ranged reads, atomic writes (temp name + rename), host-key pinning; tables through the shared file formats';

  /**
   * OpenSSH's semantics: a put is whole or absent (temp + `posix-rename@openssh.com`), create-only
   * puts use the plain SFTP rename, which OpenSSH refuses onto an existing file (link + unlink),
   * renames are atomic, and a listing sees every finished write.
   */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: true, atomicRename: true, listAfterWrite: 'strong' };
  #client: Promise<SftpClient> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#client;
      this.#client = undefined;
      if (pending) await pending.then((c) => c.end()).catch(() => undefined);
    });
  }

  protected override endpoints(): Endpoint[] {
    return [{ host: this.config.host, port: this.config.port }];
  }

  /** `host:port` as errors name it. */
  get #where(): string {
    return `sftp://${this.config.username}@${this.config.host}:${this.config.port}`;
  }

  /** The logged-in client: one SSH connection and SFTP channel per connection, opened on first use. */
  protected client(): Promise<SftpClient> {
    this.assertOpen();
    this.#client ??= this.#connect().catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  async #connect(): Promise<SftpClient> {
    const c = this.config;
    let Client: typeof SftpClient;
    try {
      Client = (await import('ssh2-sftp-client')).default;
    } catch (cause) {
      throw new MissingDriverError(this.type, 'ssh2-sftp-client', cause);
    }
    const pinned = c.hostKeyFingerprint === undefined ? [] : Array.isArray(c.hostKeyFingerprint) ? c.hostKeyFingerprint : [c.hostKeyFingerprint];
    let presented: string | undefined;
    let privateKey: string | Buffer | undefined = c.privateKey;
    if (c.privateKeyPath) {
      privateKey = await readFile(c.privateKeyPath).catch((cause: unknown) => {
        throw new InvalidArgumentError(`${this.type}: cannot read privateKeyPath ${c.privateKeyPath} (${(cause as Error).message}); point it at the private key file`, { connector: this.type });
      });
    }
    const client = new Client(`sparkle-${this.type}`);
    // The library re-emits errors outside a call (a dropped connection) as 'error' events; a
    // listener keeps them from crashing the process, and the next call reports them.
    client.on('error', () => undefined);
    try {
      await client.connect({
        host: c.host,
        port: c.port,
        username: c.username,
        ...(c.password ? { password: c.password } : {}),
        ...(privateKey ? { privateKey } : {}),
        ...(c.passphrase ? { passphrase: c.passphrase } : {}),
        readyTimeout: c.connectTimeoutMs,
        promiseLimit: c.maxConcurrency,
        retries: 0,
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          return c.allowUnknownHostKey && pinned.length === 0 ? true : pinned.includes(presented);
        },
      } as SftpClient.ConnectOptions);
    } catch (error) {
      await client.end().catch(() => undefined);
      if (presented && pinned.length && !pinned.includes(presented)) throw new HostKeyMismatchError(this.type, `${c.host}:${c.port}`, presented, pinned);
      throw this.#connectError(error);
    }
    return client;
  }

  /** A typed, redacted error for a failed login or connection. */
  #connectError(error: unknown): SparkleError {
    const message = this.redact(error instanceof Error ? error.message : String(error));
    const level = (error as { level?: unknown } | null)?.level;
    const code = (error as { code?: unknown } | null)?.code;
    if (level === 'client-authentication' || /authentication methods failed/i.test(message)) {
      return new AuthenticationError(`${this.type}: ${this.#where} refused the credentials (${message}); check username and password, or that the key's public half is in the server's authorized keys`, { connector: this.type, cause: error });
    }
    if (/passphrase|privateKey|private key|parse/i.test(message)) {
      return new InvalidArgumentError(`${this.type}: the private key could not be used (${message}); check privateKey/privateKeyPath, and passphrase for an encrypted key`, { connector: this.type, cause: error });
    }
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) || level === 'client-socket' || level === 'client-timeout' || /timed out|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/i.test(message)) {
      return new ConnectionFailedError(`${this.type}: cannot reach ${this.#where} (${message})`, { connector: this.type, cause: error, details: { host: this.config.host, port: this.config.port } });
    }
    return this.wrapError(error, `connect to ${this.#where}`);
  }

  /** A typed, redacted error for a failed SFTP call on `path`. */
  #callError(error: unknown, what: string, path: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const message = this.redact(error instanceof Error ? error.message : String(error));
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EACCES' || code === 3) {
      return new AuthenticationError(`${this.type}: permission denied to ${what} ${path} on ${this.#where} (${message})`, { connector: this.type, cause: error, details: { path } });
    }
    return new QueryError(`${this.type}: ${what} ${path} on ${this.#where} failed: ${message}`, { connector: this.type, cause: error, details: { path } });
  }

  /** The absolute server path of a (confined) key. */
  remotePath(key: string): string {
    const confined = this.key(key);
    return confined === '' ? this.config.root : posix.join(this.config.root, confined);
  }

  /** Stat of a server path; `undefined` when it does not exist. */
  async #stat(client: SftpClient, path: string): Promise<RemoteStat | undefined> {
    try {
      return (await client.stat(path)) as RemoteStat;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.#callError(error, 'stat', path);
    }
  }

  #info(key: string, s: RemoteStat): ObjectInfo {
    return { key, size: s.size, lastModified: new Date(s.modifyTime), etag: etagOf(s) };
  }

  /**
   * Lists files (not directories) under `prefix` and/or matching `glob`, in key order, walking
   * only the directories that can hold matches. Links to files are listed; links to directories
   * are not followed. Temp files of writes in flight are left out.
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const client = await this.client();
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
      let entries: Array<{ type: string; name: string; size: number; modifyTime: number }>;
      try {
        entries = await client.list(dir);
      } catch (error) {
        if (isNotFound(error)) return;
        throw self.#callError(error, 'list', dir);
      }
      const sortName = (e: { type: string; name: string }) => (e.type === 'd' ? `${e.name}/` : e.name);
      entries.sort((a, b) => (sortName(a) < sortName(b) ? -1 : sortName(a) > sortName(b) ? 1 : 0));
      for (const e of entries) {
        if (e.name === '.' || e.name === '..' || e.name.includes(TEMP_MARK)) continue;
        const key = dirKey === '' ? e.name : `${dirKey}/${e.name}`;
        if (e.type === 'd') {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk(key);
          continue;
        }
        if (!key.startsWith(prefix) || !matches(key)) continue;
        if (e.type === '-') yield { key, size: e.size, lastModified: new Date(e.modifyTime), etag: etagOf(e) };
        else if (e.type === 'l') {
          const s = await self.#stat(client, posix.join(dir, e.name));
          if (s?.isFile) yield self.#info(key, s);
        }
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
    const s = await this.#stat(await this.client(), path);
    return s?.isFile ? this.#info(this.key(key), s) : undefined;
  }

  /** Streams a file's bytes, or a range of them (the SFTP read stream's `start`/`end`). */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    const path = this.remotePath(key);
    const client = await this.client();
    const s = await this.#stat(client, path);
    if (!s?.isFile) throw new QueryError(`${this.type}: no file ${key} under ${this.config.root} on ${this.#where}`, { connector: this.type, details: { notFound: true, key } });
    if (options.ifMatch !== undefined && options.ifMatch !== etagOf(s)) {
      throw new QueryError(`${this.type}: ${path} changed while it was being read (etag ${etagOf(s)}, expected ${options.ifMatch}); read it again`, { connector: this.type, retryable: true, details: { key } });
    }
    const start = Math.max(0, options.range?.start ?? 0);
    const end = Math.min(s.size, options.range?.end ?? s.size);
    if (start >= end) return;
    const sftp = (client as unknown as { sftp?: RawSftp }).sftp;
    if (!sftp) {
      // No raw channel to read with (another client build): the library's sequential read stream.
      yield* this.#streamRange(client, path, start, end, options.signal);
      return;
    }
    try {
      yield* readRanges(sftp, path, start, end, { concurrency: this.config.readConcurrency, chunkSize: this.config.readChunkSize, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw this.#callError(error, 'read', path);
    }
  }

  async *#streamRange(client: SftpClient, path: string, start: number, end: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    // The stream's `end` is inclusive (as fs.createReadStream's); ranges here are end-exclusive.
    const stream = client.createReadStream(path, { start, end: end - 1 }) as Readable;
    try {
      for await (const chunk of stream) {
        signal?.throwIfAborted();
        yield chunk as Buffer;
      }
    } catch (error) {
      throw this.#callError(error, 'read', path);
    } finally {
      // Closing the remote handle can still fail after we are done (the channel closes with the
      // close request pending: "No response from server"); that must not become an uncaught
      // error in the caller's process, so the stream keeps a listener to its end.
      stream.on('error', () => undefined);
      stream.destroy();
    }
  }

  /**
   * Stores bytes under a key, whole or not at all: written to a temp name in the target's
   * directory, then renamed over the target (`posix-rename@openssh.com`); with `ifNoneMatch: '*'`
   * the plain SFTP rename, which fails instead of replacing (`TABLE_EXISTS`). Missing directories
   * are created. A failed write removes its temp file.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const target = this.remotePath(key);
    const confined = this.key(key);
    if (confined === '') throw new InvalidArgumentError(`${this.type}: cannot write to the root itself; give a file key such as 'out/data.csv'`, { connector: this.type });
    const client = await this.client();
    const existing = await this.#stat(client, target);
    if (existing?.isDirectory) throw new InvalidArgumentError(`${this.type}: '${key}' is a directory; write to a file path`, { connector: this.type, details: { key } });
    if (existing && options.ifNoneMatch === '*') throw this.#exists(target);
    const dir = posix.dirname(target);
    try {
      if (!(await this.#stat(client, dir))) await client.mkdir(dir, true);
    } catch (error) {
      throw this.#callError(error, 'create directory', dir);
    }
    const temp = posix.join(dir, `.${posix.basename(target)}${TEMP_MARK}${randomUUID()}`);
    let written = 0;
    const chunks = bodyChunks(body);
    const counted = (async function* () {
      for await (const chunk of chunks) {
        options.signal?.throwIfAborted();
        written += chunk.byteLength;
        options.onProgress?.(written);
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    })();
    try {
      await client.put(Readable.from(counted), temp);
    } catch (error) {
      await client.delete(temp, true).catch(() => undefined);
      throw this.#callError(error, 'write', temp);
    }
    try {
      if (options.ifNoneMatch === '*') await client.rename(temp, target);
      else await client.posixRename(temp, target);
    } catch (error) {
      await client.delete(temp, true).catch(() => undefined);
      if (options.ifNoneMatch === '*' && (await this.#stat(client, target))) throw this.#exists(target);
      throw this.#callError(error, 'rename into place', target);
    }
    const s = await this.#stat(client, target);
    return s ? this.#info(confined, s) : { key: confined, size: written };
  }

  #exists(path: string): SparkleError {
    return new SparkleError('TABLE_EXISTS', `${this.type}: ${path} already exists on ${this.#where}; write with mode 'overwrite', or to another path`, { connector: this.type, details: { path } });
  }

  /** Deletes files; missing ones are not an error. Returns how many were deleted. */
  async deleteObjects(keys: readonly string[], _options: { signal?: AbortSignal } = {}): Promise<number> {
    const client = await this.client();
    let n = 0;
    for (const key of keys) {
      const path = this.remotePath(key);
      try {
        await client.delete(path);
        n++;
      } catch (error) {
        if (!isNotFound(error)) throw this.#callError(error, 'delete', path);
      }
    }
    return n;
  }

  /** SFTP has no server-side copy: the bytes stream down and back up through an atomic put. */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    return this.copyThroughProcess(from, to, options);
  }

  /**
   * Renames a file atomically: `posix-rename@openssh.com` (replaces the target), or with
   * `overwrite: false` the plain SFTP rename, which fails with `TABLE_EXISTS` on an existing target.
   */
  async renameObject(from: string, to: string, options: { signal?: AbortSignal; overwrite?: boolean } = {}): Promise<void> {
    const source = this.remotePath(from);
    const target = this.remotePath(to);
    const client = await this.client();
    const dir = posix.dirname(target);
    if (!(await this.#stat(client, dir))) await client.mkdir(dir, true);
    try {
      if (options.overwrite === false) await client.rename(source, target);
      else await client.posixRename(source, target);
    } catch (error) {
      if (options.overwrite === false && (await this.#stat(client, target))) throw this.#exists(target);
      throw this.#callError(error, 'rename', source);
    }
  }

  /** `sftp://user@host:port/<root>/<key>`: the URI Hadoop's SFTPFileSystem reads. */
  objectUri(key: string): string {
    const path = key === '' ? this.config.root : posix.join(this.config.root, key);
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return `sftp://${encodeURIComponent(this.config.username)}@${this.config.host}:${this.config.port}${encoded}`;
  }

  /**
   * Hadoop's `sftp://` filesystem (hadoop-common's SFTPFileSystem): host, port, user and
   * password or key file. It does not check host keys, which the README says plainly.
   */
  protected override sparkHadoopOptions(): SparkHadoopOptions {
    const c = this.config;
    const options: Record<string, string> = {
      'spark.hadoop.fs.sftp.impl': 'org.apache.hadoop.fs.sftp.SFTPFileSystem',
      'spark.hadoop.fs.sftp.host': c.host,
      'spark.hadoop.fs.sftp.host.port': String(c.port),
      [`spark.hadoop.fs.sftp.user.${c.host}`]: c.username,
    };
    const secretOptions: string[] = [];
    if (c.password) {
      const name = `spark.hadoop.fs.sftp.password.${c.host}.${c.username}`;
      options[name] = c.password;
      secretOptions.push(name);
    }
    if (c.privateKeyPath) options['spark.hadoop.fs.sftp.keyfile'] = c.privateKeyPath;
    return { options, secretOptions };
  }

  /** The auth tier: log in, stat `root` (it must be a directory), then the base's listing of it. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    const client = await this.client();
    const s = await this.#stat(client, this.config.root);
    if (!s) throw new QueryError(`${this.type}: root ${this.config.root} does not exist on ${this.#where}; create it or fix 'root'`, { connector: this.type, details: { notFound: true } });
    if (!s.isDirectory) throw new QueryError(`${this.type}: root ${this.config.root} on ${this.#where} is not a directory`, { connector: this.type });
    const listed = await super.checkAuth(signal);
    return `logged in to ${this.#where}; stat ${this.config.root}: directory; ${typeof listed === 'string' ? listed : 'listed'}`;
  }
}
