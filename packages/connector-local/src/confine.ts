/**
 * Keys confined to a base directory, after resolving symlinks. A key is first resolved
 * lexically (`..` and absolute paths elsewhere are refused); then the real path of its nearest
 * existing ancestor — the file itself when it exists — must lie under the real path of the base.
 * So a symlink inside the base that points outside (to a file or a directory) cannot be read
 * through, listed through or written through.
 *
 * The race every path check has — a link swapped in between the check and the open — is closed
 * for reads (the store checks again after opening and compares the opened inode with the one the
 * checked path leads to) and narrowed for writes (a fresh temp file, `O_EXCL`, in a directory
 * checked after it is created); a directory swapped for a link during a write remains possible.
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '@sparkle/core';

function isInside(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/**
 * Resolves `path` against `base` lexically and refuses anything outside it.
 *
 * @example
 * ```ts
 * lexicalPath('/data', 'raw/a.csv');       // '/data/raw/a.csv'
 * lexicalPath('/data', '../../etc/passwd'); // throws InvalidArgumentError
 * ```
 */
export function lexicalPath(base: string, path: string, connector?: string): string {
  if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) {
    throw new InvalidArgumentError(`Invalid path ${JSON.stringify(path)}`, { connector });
  }
  const full = resolve(base, path);
  if (!isInside(base, full)) {
    throw new InvalidArgumentError(`Path '${path}' resolves outside the connection's basePath (${base}); use a path under it or change basePath`, { connector, details: { path } });
  }
  return full;
}

/** The `/`-separated key of an absolute path under `base`. */
export function keyOfPath(base: string, path: string): string {
  return relative(base, path).split(sep).join('/');
}

function outside(path: string, real: string, base: string, connector?: string): InvalidArgumentError {
  return new InvalidArgumentError(`Path ${path} leads outside the connection's basePath (${base}) through a symbolic link (to ${real}); links may only point inside basePath`, {
    connector,
    details: { path, realPath: real },
  });
}

/**
 * Checks that the real path of `path`'s nearest existing ancestor (itself when it exists) is
 * under `realBase`; returns that real path. `InvalidArgumentError` names the link's target.
 *
 * @example
 * ```ts
 * // /data/out -> /etc (a link planted inside the base)
 * await assertRealInside(await realBaseOf('/data'), '/data', '/data/out/passwd'); // throws InvalidArgumentError
 * ```
 */
export async function assertRealInside(realBase: string, base: string, path: string, connector?: string): Promise<string> {
  for (let at = path; ; at = dirname(at)) {
    // Above the base: the base does not exist yet, and nothing under it can be a link.
    if (!isInside(base, at)) return realBase;
    let real: string;
    try {
      real = await realpath(at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing entry (or a dangling link): look at its parent.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && at !== dirname(at)) continue;
      throw error;
    }
    if (!isInside(realBase, real)) throw outside(path, real, base, connector);
    return real;
  }
}

/** {@link assertRealInside} for synchronous callers (Spark descriptions, which Spark then reads). */
export function assertRealInsideSync(realBase: string, base: string, path: string, connector?: string): string {
  for (let at = path; ; at = dirname(at)) {
    // Above the base: the base does not exist yet, and nothing under it can be a link.
    if (!isInside(base, at)) return realBase;
    let real: string;
    try {
      real = realpathSync(at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && at !== dirname(at)) continue;
      throw error;
    }
    if (!isInside(realBase, real)) throw outside(path, real, base, connector);
    return real;
  }
}

/**
 * The real path of a base directory; while it does not exist yet, the real path of its nearest
 * existing ancestor joined with the rest (so a base under a linked directory such as macOS's
 * `/tmp` still compares equal once it is created).
 */
export async function realBaseOf(base: string): Promise<string> {
  let rest = '';
  for (let at = base; ; at = dirname(at)) {
    try {
      return resolve(await realpath(at), rest);
    } catch {
      if (at === dirname(at)) return base;
      rest = rest ? join(basename(at), rest) : basename(at);
    }
  }
}

/** {@link realBaseOf}, synchronously. */
export function realBaseOfSync(base: string): string {
  let rest = '';
  for (let at = base; ; at = dirname(at)) {
    try {
      return resolve(realpathSync(at), rest);
    } catch {
      if (at === dirname(at)) return base;
      rest = rest ? join(basename(at), rest) : basename(at);
    }
  }
}

export { isInside };
