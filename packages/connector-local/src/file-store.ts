/**
 * The local filesystem as an object store: keys are `/`-separated paths under a base directory,
 * confined to it after resolving symlinks (see confine.ts). Puts are atomic (a temp file in the
 * target's directory, fsynced, then renamed — or hard-linked for `ifNoneMatch: '*'`, which fails
 * instead of replacing, as `O_EXCL` would), renames are atomic, and a list sees every finished
 * write. Everything else — tables read and written through the file formats, Spark specs, health,
 * lineage — is core's `CloudStorageConnection`, as for every object store.
 */
import { constants, type Dirent } from 'node:fs';
import { access, link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CloudStorageConnection,
  fileDataset,
  globMatcher,
  globPrefix,
  InvalidArgumentError,
  isGlob,
  QueryError,
  SparkleError,
  type ConnectionInit,
  type DatasetRef,
  type FileFormatOptions,
  type GetObjectOptions,
  type ListObjectsOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStoreSemantics,
  type PutObjectOptions,
} from '@sparkle/core';
import { writeAtomically } from '@sparkle/engine-local';
import type { FileFormat } from '@sparkle/formats';
import { assertRealInside, assertRealInsideSync, keyOfPath, lexicalPath, realBaseOf, realBaseOfSync } from './confine.js';

/** The config every filesystem-backed connection shares. */
export interface FileStoreConfig {
  /** Directory every key resolves against; keys may not leave it. Default: the working directory. */
  basePath?: string;
  /** Rows per Arrow batch on read. */
  batchSize?: number;
}

const READ_CHUNK = 1 << 20;

/** A stat's etag: inode, size and modification time in ns (changes with any rewrite, even a same-size one). */
function etagOf(s: { ino: bigint; size: bigint; mtimeNs: bigint }): string {
  return `"${s.ino.toString(16)}-${s.size.toString(16)}-${s.mtimeNs.toString(16)}"`;
}

function bodyChunks(body: ObjectBody): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (typeof body === 'string') return [Buffer.from(body, 'utf8')];
  if (body instanceof Uint8Array) return [body];
  return body;
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A connection over files under `basePath`: the filesystem's half of an object store (list,
 * stat, ranged get, atomic put, delete, copy, rename, confined to `basePath` with symlinks
 * resolved) on core's `CloudStorageConnection`, which reads and writes tables in files through
 * the file formats. `local` and `parquet` are two configurations of it; subclasses say which
 * format a key is in and with which settings.
 *
 * @example
 * ```ts
 * class JsonLinesConnection extends FileStoreConnection {
 *   protected formatFor() { return 'jsonl' as const; }
 *   protected settingsFor() { return { samplingRows: 1000 }; }
 * }
 * ```
 */
export abstract class FileStoreConnection<C extends FileStoreConfig = FileStoreConfig> extends CloudStorageConnection<C> {
  /** The filesystem's honest semantics: atomic put (temp + rename), create-only put (link), atomic rename, strong listing. */
  readonly storeSemantics: ObjectStoreSemantics = { atomicPut: true, conditionalPut: true, atomicRename: true, listAfterWrite: 'strong' };

  constructor(init: ConnectionInit) {
    super(init as never);
  }

  /** The absolute base directory (`basePath`, or the working directory when unset). */
  get basePath(): string {
    return resolve(this.config.basePath ?? '.');
  }

  /** The format of a key for this connection (an explicit per-call `format` option wins where the subclass allows). */
  protected abstract formatFor(key: string, options?: { options?: Record<string, string> }): FileFormat;

  /** Format settings (CSV dialect, Parquet codec, sampling) for a key, from config and per-call options. */
  protected abstract settingsFor(format: FileFormat, key: string, options?: { options?: Record<string, string> }): Record<string, unknown>;

  /** The base's format hook: this connection's format for the key, its settings, and the read batch size. */
  protected override fileFormatOptions(key: string, options: { options?: Record<string, string> } = {}): FileFormatOptions {
    const format = this.formatFor(key, options);
    return { format, settings: { ...(this.config.batchSize ? { batchSize: this.config.batchSize } : {}), ...this.settingsFor(format, key, options) } };
  }

  // -------------------------------------------------------------------------------------------
  // Keys and paths
  // -------------------------------------------------------------------------------------------

  /**
   * A key under `basePath`: relative keys are confined as every store's are (no `..`, no
   * absolute or URL forms); an absolute path is accepted when it lies under `basePath` (as copied
   * from a shell) and becomes its relative key; `.` (or '') names `basePath` itself ('').
   */
  protected override key(key: string, what = 'key'): string {
    if (key === '' || key === '.' || key === './') return '';
    if (isAbsolute(key)) {
      const relativeKey = keyOfPath(this.basePath, lexicalPath(this.basePath, key, this.type));
      return relativeKey === '' ? '' : super.key(relativeKey, what);
    }
    return super.key(key, what);
  }

  /** Absolute path of a table name or key (a file, directory or glob); refuses keys that leave `basePath` (lexically). */
  resolvePath(table: string): string {
    const key = this.key(table, isGlob(table) ? 'glob' : 'key');
    return key === '' ? this.basePath : lexicalPath(this.basePath, key, this.type);
  }

  /** The key of a table name: its `/`-separated path relative to `basePath`. */
  keyOf(table: string): string {
    return keyOfPath(this.basePath, this.resolvePath(table));
  }

  /** The absolute path of a key, checked after resolving links (see {@link assertRealInside}). */
  async #realPath(key: string): Promise<string> {
    const path = this.resolvePath(key);
    await assertRealInside(await realBaseOf(this.basePath), this.basePath, path, this.type);
    return path;
  }

  /** {@link resolvePath} plus the symlink check, synchronously (for Spark descriptions). */
  protected confinedPathSync(table: string): string {
    const path = this.resolvePath(table);
    const literal = isGlob(table) ? this.resolvePath(globPrefix(this.keyOf(table)) || '.') : path;
    assertRealInsideSync(realBaseOfSync(this.basePath), this.basePath, literal, this.type);
    return path;
  }

  /** Spark reads and writes the key's `file:` URI once links on its way are checked. */
  protected override sparkPath(key: string): string {
    this.confinedPathSync(key);
    return this.objectUri(key);
  }

  /** The files a table name stands for (a file, a directory's visible files, a glob's matches): the base's {@link resolveObjects}. */
  objectsFor(table: string): Promise<ObjectInfo[]> {
    return this.resolveObjects(table);
  }

  /** OpenLineage file naming: namespace `file`, name the absolute path (not URI-encoded). */
  protected override datasetForKey(key: string): DatasetRef {
    return fileDataset(this.resolvePath(key));
  }

  // -------------------------------------------------------------------------------------------
  // ObjectStore
  // -------------------------------------------------------------------------------------------

  /**
   * Lists files (not directories) under `prefix` and/or matching `glob`, in key order, walking
   * directories in that order so `limit` stops the walk early. Symbolic links are not followed
   * into directories; a link to a file is listed only when its target is inside `basePath`.
   */
  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    this.assertOpen();
    const prefix = options.prefix ?? '';
    const fromGlob = options.glob ? globPrefix(options.glob) : '';
    // Walk from the deepest directory both the prefix and the glob agree on.
    const literal = fromGlob.startsWith(prefix) ? fromGlob : prefix;
    const startKey = literal.slice(0, literal.lastIndexOf('/') + 1).replace(/\/$/, '');
    const realBase = await realBaseOf(this.basePath);
    const start = startKey ? this.resolvePath(startKey) : this.basePath;
    // The walk's root may itself be a link: it must lead inside (below it, links are not followed).
    await assertRealInside(realBase, this.basePath, start, this.type);
    const startStat = await stat(start).catch(() => undefined);
    if (!startStat?.isDirectory()) return;
    const matches = options.glob ? globMatcher(options.glob) : () => true;
    const base = this.basePath;
    async function* walk(dir: string): AsyncGenerator<string> {
      options.signal?.throwIfAborted();
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      // A directory sorts as `name/`, so a depth-first walk yields keys in key order.
      const sortName = (e: Dirent) => (e.isDirectory() ? `${e.name}/` : e.name);
      entries.sort((a, b) => (sortName(a) < sortName(b) ? -1 : sortName(a) > sortName(b) ? 1 : 0));
      for (const e of entries) {
        const path = join(dir, e.name);
        const key = keyOfPath(base, path);
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk(path);
        } else if (e.isFile() || e.isSymbolicLink()) {
          if (key.startsWith(prefix) && matches(key)) yield key;
        }
      }
    }
    let n = 0;
    for await (const key of walk(start)) {
      if (options.limit !== undefined && n >= options.limit) return;
      const info = await this.#statInside(key, realBase, true);
      if (!info) continue;
      n++;
      yield info;
    }
  }

  /** Stat of a key; links to targets outside are skipped (`quiet`) or refused. */
  async #statInside(key: string, realBase: string, quiet: boolean): Promise<ObjectInfo | undefined> {
    const path = this.resolvePath(key);
    try {
      await assertRealInside(realBase, this.basePath, path, this.type);
    } catch (error) {
      if (quiet && SparkleError.isInstance(error)) return undefined;
      throw error;
    }
    const s = await stat(path, { bigint: true }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!s?.isFile()) return undefined;
    return { key: keyOfPath(this.basePath, path), size: Number(s.size), lastModified: new Date(Number(s.mtimeMs)), etag: etagOf(s) };
  }

  /** Size, modification time and etag of a file; `undefined` when it does not exist or is a directory. */
  async statObject(key: string, _options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    this.assertOpen();
    return this.#statInside(key, await realBaseOf(this.basePath), false);
  }

  /** Streams a file's bytes, or a range of them; `ifMatch` fails (retryably) when the file changed. */
  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    this.assertOpen();
    const path = await this.#realPath(key);
    const handle = await open(path, constants.O_RDONLY).catch((error: unknown) => {
      if (isNotFound(error)) throw new QueryError(`No file ${key} under ${this.basePath}`, { connector: this.type, details: { notFound: true, path } });
      throw this.wrapError(error, `read ${path}`);
    });
    try {
      const s = await handle.stat({ bigint: true });
      if (!s.isFile()) throw new QueryError(`${path} is not a file`, { connector: this.type, details: { notFound: true, path } });
      // A link swapped between the check and the open would give a handle on another file: the
      // check is repeated and the opened file must be the one the checked path leads to.
      const real = await assertRealInside(await realBaseOf(this.basePath), this.basePath, path, this.type);
      const checked = await stat(real, { bigint: true }).catch(() => undefined);
      if (!checked || checked.ino !== s.ino || checked.dev !== s.dev) {
        throw new QueryError(`${path} changed while it was being opened; read it again`, { connector: this.type, retryable: true, details: { path } });
      }
      if (options.ifMatch !== undefined && options.ifMatch !== etagOf(s)) {
        throw new QueryError(`${path} changed while it was being read (etag ${etagOf(s)}, expected ${options.ifMatch}); read it again`, { connector: this.type, retryable: true, details: { path } });
      }
      const size = Number(s.size);
      let position = Math.max(0, options.range?.start ?? 0);
      const end = Math.min(size, options.range?.end ?? size);
      while (position < end) {
        options.signal?.throwIfAborted();
        const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - position));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * Stores bytes under a key, whole or not at all: a temp file beside it, fsynced, then renamed
   * into place — or, with `ifNoneMatch: '*'`, hard-linked, which fails with `TABLE_EXISTS`
   * instead of replacing a file another writer put there first. Missing directories are created.
   */
  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    this.assertOpen();
    let path = await this.#realPath(key);
    await this.#refuseDirectory(path, key);
    // Directories are created first and the check repeated, so a link planted on the way is caught.
    await mkdir(dirname(path), { recursive: true });
    path = await this.#realPath(key);
    let written = 0;
    await writeAtomically(
      path,
      async (handle) => {
        for await (const chunk of bodyChunks(body)) {
          options.signal?.throwIfAborted();
          await handle.write(chunk);
          written += chunk.byteLength;
          options.onProgress?.(written);
        }
      },
      { mode: options.ifNoneMatch === '*' ? 'create' : 'overwrite', connector: this.type, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return (await this.statObject(key)) ?? { key: this.keyOf(key), size: written };
  }

  async #refuseDirectory(path: string, key: string): Promise<void> {
    const s = await stat(path).catch(() => undefined);
    if (s?.isDirectory()) throw new InvalidArgumentError(`'${key}' is a directory; write to a file path`, { connector: this.type, details: { path } });
  }

  /** Deletes files; missing ones are not an error. Returns how many were deleted. */
  async deleteObjects(keys: readonly string[], _options: { signal?: AbortSignal } = {}): Promise<number> {
    this.assertOpen();
    let n = 0;
    for (const key of keys) {
      const path = this.resolvePath(key);
      // The entry itself is removed (a link, not its target), after its directory is checked.
      await assertRealInside(await realBaseOf(this.basePath), this.basePath, dirname(path), this.type);
      await unlink(path).then(
        () => n++,
        (error: unknown) => {
          if (!isNotFound(error)) throw error;
        },
      );
    }
    return n;
  }

  /** Copies a file (streamed through an atomic put). */
  async copyObject(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    this.assertOpen();
    const source = await this.statObject(from);
    if (!source) throw new QueryError(`No file ${from} under ${this.basePath} to copy`, { connector: this.type, details: { notFound: true } });
    return this.putObject(to, this.getObject(from, { ifMatch: source.etag!, ...(options.signal ? { signal: options.signal } : {}) }), options);
  }

  /**
   * Renames a file atomically (`rename(2)`); with `overwrite: false` it links then unlinks, so an
   * existing target fails with `TABLE_EXISTS` instead of being replaced. Default: overwrite.
   */
  async renameObject(from: string, to: string, options: { signal?: AbortSignal; overwrite?: boolean } = {}): Promise<void> {
    this.assertOpen();
    const source = await this.#realPath(from);
    const target = await this.#realPath(to);
    await this.#refuseDirectory(target, to);
    await mkdir(dirname(target), { recursive: true });
    await this.#realPath(to);
    if (options.overwrite === false) {
      try {
        await link(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new SparkleError('TABLE_EXISTS', `${target} already exists; write with mode 'overwrite', or to another path`, { connector: this.type, details: { path: target } });
        }
        throw error;
      }
      await unlink(source);
    } else await rename(source, target);
  }

  /** `file:///abs/path` — the URI of a key, as Spark (Hadoop) reads and writes it. */
  objectUri(key: string): string {
    return pathToFileURL(this.resolvePath(key)).href;
  }

  // -------------------------------------------------------------------------------------------
  // Health: the base lists the root (auth); the probe also checks the directory itself
  // -------------------------------------------------------------------------------------------

  /** `basePath` must exist and be readable (an empty listing would not tell a missing one apart); then the base's stat. */
  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    this.assertOpen();
    const directory = await probeDirectory(this.basePath);
    await super.checkProbe(signal);
    return directory;
  }
}

/**
 * Checks a base directory exists and can be read and written; the message says what was found.
 *
 * @example
 * ```ts
 * await probeDirectory('/data'); // '/data is readable and writable'
 * ```
 */
export async function probeDirectory(dir: string): Promise<string> {
  const s = await stat(dir).catch(() => undefined);
  if (!s) throw new QueryError(`basePath ${dir} does not exist; create it or point basePath at an existing directory`, { details: { path: dir } });
  if (!s.isDirectory()) throw new QueryError(`basePath ${dir} is not a directory`, { details: { path: dir } });
  await access(dir, constants.R_OK).catch((cause: unknown) => {
    throw new QueryError(`basePath ${dir} is not readable`, { cause });
  });
  const writable = await access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );
  return `${dir} is readable${writable ? ' and writable' : ' (read-only)'}`;
}
