/**
 * Glob matching over object keys with picomatch: `*`, `?`, `[ab]`, `[!ab]`, `{csv,tsv}`, `**`.
 * Every object store lists by a literal prefix (the part before the first wildcard, pushed down
 * to the store) and matches the rest client-side with the same matcher.
 */
import picomatch from 'picomatch';

/** True when `pattern` holds glob syntax. */
export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

/**
 * The literal directory prefix of a glob (`raw/2024-*\/*.csv` → `raw/`, `**\/*.csv` → ``), to
 * push down as a list prefix.
 *
 * @example
 * ```ts
 * globPrefix('raw/2024-*\/*.csv'); // 'raw/'
 * ```
 */
export function globPrefix(pattern: string): string {
  const { base, isGlob: glob } = picomatch.scan(pattern);
  if (!glob) return pattern;
  return base ? `${base}/` : '';
}

/**
 * A predicate for keys matching `pattern`. Dot-files and dot-directories match only when the
 * pattern names them (as shells and Spark do).
 *
 * @example
 * ```ts
 * const matches = keyMatcher('**\/*.parquet');
 * matches('a/b/part-0.parquet'); // true
 * ```
 */
export function keyMatcher(pattern: string): (key: string) => boolean {
  // Shells and Hadoop negate a class with `[!…]`; picomatch reads `!` there as a literal, so it
  // gets the `[^…]` spelling it negates.
  const isMatch = picomatch(pattern.replace(/(^|[^\\])\[!/g, '$1[^'), { dot: false });
  return (key) => isMatch(key);
}

/** True when a key is a hidden or bookkeeping file Spark skips in a directory (`.x`, `_SUCCESS`). */
export function isHiddenKey(key: string): boolean {
  return key.split('/').some((segment) => /^[._]/.test(segment));
}
