/**
 * Object keys: confinement to a connection's root and glob matching, shared by every object
 * store. Globs are matched with picomatch (the matcher fast-glob, chokidar and micromatch share),
 * so `*`, `**`, `?`, `[abc]` and `{a,b}` mean what users know from their shells.
 */
import picomatch from 'picomatch';
import { InvalidArgumentError } from '../errors.js';

/**
 * A key made safe for one store's root: `.` segments dropped, and `..` segments, absolute paths
 * (`/x`, `\x`, `C:\x`, `file:`-style URLs) and NUL bytes refused with `InvalidArgumentError`,
 * so no key given by a user or a config can reach outside the bucket prefix or base directory.
 *
 * @example
 * ```ts
 * confineKey('raw/./2024/a.csv'); // 'raw/2024/a.csv'
 * confineKey('../etc/passwd');    // throws InvalidArgumentError
 * ```
 */
export function confineKey(key: string, connector?: string, what = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError(`An object ${what} must be a non-empty string`, { connector });
  if (key.includes('\u0000')) throw new InvalidArgumentError(`The object ${what} ${JSON.stringify(key)} contains a NUL byte`, { connector });
  if (/^[\\/]/.test(key) || /^[A-Za-z]:[\\/]/.test(key) || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(key)) {
    throw new InvalidArgumentError(
      `The object ${what} ${JSON.stringify(key)} is absolute; give a key relative to the connection's root (e.g. 'raw/orders.csv')`,
      { connector, details: { key } },
    );
  }
  const segments = key.split(/[\\/]/);
  if (segments.includes('..')) {
    throw new InvalidArgumentError(`The object ${what} ${JSON.stringify(key)} leaves the connection's root ('..' segment), reaching outside it; keys must stay inside the root`, {
      connector,
      details: { key },
    });
  }
  const kept = key.split('/').filter((s, i, all) => s !== '.' && !(s === '' && i > 0 && i < all.length - 1));
  const clean = kept.join('/');
  if (clean.length === 0 || clean === '/') throw new InvalidArgumentError(`The object ${what} ${JSON.stringify(key)} names the root itself`, { connector });
  return clean;
}

/** True when `pattern` contains glob syntax (`*`, `?`, `[…]`, `{…}`, extglobs). */
export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

/**
 * The literal prefix of a glob (everything before the first segment with a wildcard), which a
 * store can push down as a list prefix.
 * @example
 * ```ts
 * globPrefix('raw/2024-*\/*.csv'); // 'raw/'
 * ```
 */
export function globPrefix(glob: string): string {
  const { base, isGlob: glob_ } = picomatch.scan(glob);
  if (!glob_) return glob;
  return base ? `${base}/` : '';
}

/**
 * A predicate testing keys against a glob. Like Spark's file listing, names starting with `.`
 * are only matched by a pattern that spells the dot.
 */
export function globMatcher(glob: string): (key: string) => boolean {
  // Shells and Hadoop negate a class with `[!…]`; picomatch reads `!` there as a literal, so it
  // gets the `[^…]` spelling it negates.
  const matcher = picomatch(glob.replace(/(^|[^\\])\[!/g, '$1[^'), { dot: false });
  // One argument only: picomatch's second parameter turns the result into an object (truthy).
  return (key: string) => matcher(key);
}

/**
 * True when a key (relative to a directory read as a table) is a hidden or bookkeeping file
 * Spark skips in a directory: any segment starting with `.` or `_` (`.x.tmp`, `_SUCCESS`).
 * @example
 * ```ts
 * isHiddenKey('_SUCCESS'); // true
 * isHiddenKey('part-0.parquet'); // false
 * ```
 */
export function isHiddenKey(key: string): boolean {
  return key.split('/').some((segment) => /^[._]/.test(segment));
}
