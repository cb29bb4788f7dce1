/**
 * File-system helpers for file connectors (local files, Parquet): paths confined to a base
 * directory, glob expansion, and atomic writes (temp file in the target's directory + rename).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, SparkleError } from '@sparkle/core';

/**
 * Resolves `path` against `basePath` and refuses anything that ends up outside it
 * (`../../etc/passwd`, an absolute path elsewhere).
 *
 * @example
 * ```ts
 * resolveInside('/data', 'raw/a.csv');        // '/data/raw/a.csv'
 * resolveInside('/data', '../../etc/passwd');  // throws InvalidArgumentError
 * ```
 */
export function resolveInside(basePath: string, path: string, connector?: string): string {
  if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) {
    throw new InvalidArgumentError(`Invalid path ${JSON.stringify(path)}`, { connector });
  }
  const base = resolve(basePath);
  const full = resolve(base, path);
  const rel = relative(base, full);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new InvalidArgumentError(`Path '${path}' resolves outside the connection's basePath (${base})`, { connector, details: { path } });
  }
  return full;
}

/** True when `pattern` contains glob syntax (`*`, `?`, `[...]`, `{a,b}`). */
export function hasGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^$()|\\/]/g, '\\$&');
}

/**
 * Translates one glob path segment into a regular expression: `*` any run of characters but
 * `/`, `?` one character, `[abc]`/`[!abc]` classes, `{a,b}` alternatives. Leading dots are only
 * matched explicitly (as in shells).
 */
export function globSegmentToRegExp(segment: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += escapeRegExp(c);
  }
  const dotSafe = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${dotSafe}${out}$`);
}

/**
 * Expands a glob (relative to `cwd`) to the sorted list of matching files. `**` matches any
 * number of directories. Patterns without glob syntax return the path itself when it is a file,
 * or the files of the directory (recursively, hidden and `_`-prefixed files skipped, as Spark does)
 * when it is a directory.
 */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const full = resolve(cwd, pattern);
  if (!hasGlob(pattern)) {
    const s = await stat(full).catch(() => undefined);
    if (!s) return [];
    if (s.isFile()) return [full];
    return (await walk(full)).filter((f) => !/^[._]/.test(basename(f))).sort();
  }
  const root = full.startsWith(sep) ? sep : '';
  const parts = full.split(sep).filter(Boolean);
  const firstGlob = parts.findIndex((p) => hasGlob(p) || p === '**');
  const start = root + parts.slice(0, firstGlob).join(sep);
  const segments = parts.slice(firstGlob);
  const results: string[] = [];
  await matchFrom(start || sep, segments, results);
  return [...new Set(results)].sort();
}

async function matchFrom(dir: string, segments: string[], out: string[]): Promise<void> {
  if (segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (head === '**') {
    // Zero directories…
    await matchFrom(dir, rest, out);
    // …or one more, keeping the `**`.
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await matchFrom(join(dir, e.name), segments, out);
    return;
  }
  const re = globSegmentToRegExp(head);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    const path = join(dir, e.name);
    if (rest.length === 0) {
      if (e.isFile()) out.push(path);
    } else if (e.isDirectory()) await matchFrom(path, rest, out);
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!/^[._]/.test(e.name)) out.push(...(await walk(path)));
    } else if (e.isFile()) out.push(path);
  }
  return out;
}

/** What an atomic write does with an existing target. */
export type AtomicMode = 'overwrite' | 'create' | 'append';

export interface AtomicWriteOptions {
  /** `create` fails if the target exists (atomically: no race); `overwrite` replaces it; `append` starts from a copy of it. */
  mode: AtomicMode;
  connector?: string;
  signal?: AbortSignal;
}

/**
 * Writes `target` atomically: `write` fills a temp file in the same directory, which is then
 * fsynced and renamed (or hard-linked, for `create`) into place. Readers see the old file or the
 * new one, never a partial one; a failure or abort leaves the target untouched.
 *
 * @example
 * ```ts
 * await writeAtomically('/data/out.csv', async (file) => { await file.write('a,b\n'); }, { mode: 'overwrite' });
 * ```
 */
export async function writeAtomically<T>(target: string, write: (file: FileHandle, tempPath: string) => Promise<T>, options: AtomicWriteOptions): Promise<T> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.sparkle-tmp`);
  let handle: FileHandle | undefined;
  try {
    if (options.mode === 'append') {
      await copyFile(target, temp, constants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      handle = await open(temp, 'a');
    } else handle = await open(temp, 'wx');
    const result = await write(handle, temp);
    options.signal?.throwIfAborted();
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.mode === 'create') {
      // link() fails with EEXIST instead of replacing: no window where another writer's file is clobbered.
      try {
        await link(temp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new SparkleError('TABLE_EXISTS', `${target} already exists`, { connector: options.connector, details: { path: target } });
        }
        throw error;
      }
      await unlink(temp).catch(() => undefined);
    } else await rename(temp, target);
    await syncDir(dir);
    return result;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Directory fsync is unsupported on some systems; the rename itself is still atomic.
  }
}

/** True when `path` exists. */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
