/**
 * The small subset of semver ranges a connector's `sparkle.core` field uses: `^1.2.3`,
 * `~1.2.3`, `>=1.2.3`, `>1.2.3`, `<=1.2.3`, `<2.0.0`, `=1.2.3` / `1.2.3`, `1.x`, `*`, comparators
 * joined by spaces (and), alternatives joined by `||`.
 *
 * Hand-written on purpose: core's only runtime dependency is zod, and discovery runs in every
 * process that opens a connection, so it does not pull a semver library in for one comparison.
 * Pre-release tags compare below their release (`1.0.0-rc.1` < `1.0.0`) and are otherwise
 * ignored; anything else is refused as unparseable rather than guessed.
 */

type Version = [number, number, number, boolean];

function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Boolean(m[4])] : undefined;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number) ? -1 : 1;
  return a[3] === b[3] ? 0 : a[3] ? -1 : 1;
}

/** A version written with `x`/`*` or missing parts (`1`, `1.2`, `1.x`): the lowest release it stands for and how many parts were given. */
function parsePartial(text: string): { v: Version; parts: number } | undefined {
  const full = parseVersion(text);
  if (full) return { v: full, parts: 3 };
  const m = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(text.trim());
  if (!m) return undefined;
  const nums = [m[1], m[2], m[3]].filter((p) => p !== undefined && !/^[xX*]$/.test(p)).map(Number);
  return { v: [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0, false], parts: nums.length };
}

function bump(v: Version, part: number): Version {
  return part === 0 ? [v[0] + 1, 0, 0, false] : part === 1 ? [v[0], v[1] + 1, 0, false] : [v[0], v[1], v[2] + 1, false];
}

/** One comparator as [low inclusive?, high exclusive?] checks. */
function comparator(token: string): ((v: Version) => boolean) | undefined {
  if (token === '*' || /^[xX]$/.test(token)) return () => true;
  const m = /^(\^|~|>=|<=|>|<|=)?(.+)$/.exec(token);
  if (!m) return undefined;
  const op = m[1] ?? '';
  const p = parsePartial(m[2]!);
  if (!p) return undefined;
  const { v, parts } = p;
  const between = (low: Version, high: Version) => (x: Version) => compare(x, low) >= 0 && compare(x, high) < 0;
  switch (op) {
    case '^': {
      // ^1.2.3 := <2.0.0; ^0.2.3 := <0.3.0; ^0.0.3 := <0.0.4 (the leftmost non-zero part is fixed).
      const fixed = v[0] > 0 || parts === 1 ? 0 : v[1] > 0 || parts === 2 ? 1 : 2;
      return between(v, bump(v, fixed));
    }
    case '~':
      return between(v, bump(v, parts >= 2 ? 1 : 0));
    case '>=':
      return (x) => compare(x, v) >= 0;
    case '>':
      return parts === 3 ? (x) => compare(x, v) > 0 : (x) => compare(x, bump(v, parts - 1)) >= 0;
    case '<=':
      return parts === 3 ? (x) => compare(x, v) <= 0 : (x) => compare(x, bump(v, parts - 1)) < 0;
    case '<':
      return (x) => compare(x, v) < 0;
    default:
      return parts === 3 ? (x) => compare(x, v) === 0 : between(v, bump(v, parts - 1));
  }
}

/**
 * Whether `version` satisfies `range`; `undefined` when either cannot be parsed.
 *
 * @example
 * ```ts
 * satisfiesRange('0.1.4', '^0.1.0'); // true
 * satisfiesRange('0.2.0', '^0.1.0'); // false (0.x minors are breaking)
 * satisfiesRange('1.4.0', '>=1.2.0 <2.0.0 || ^3.0.0'); // true
 * ```
 */
export function satisfiesRange(version: string, range: string): boolean | undefined {
  const v = parseVersion(version);
  if (!v) return undefined;
  let any = false;
  for (const alternative of range.split('||')) {
    const tokens = alternative
      .trim()
      .replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    const checks = (tokens.length ? tokens : ['*']).map(comparator);
    if (checks.some((c) => c === undefined)) return undefined;
    if (checks.every((c) => c!(v))) any = true;
  }
  return any;
}
