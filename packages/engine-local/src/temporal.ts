/**
 * Exact calendar arithmetic for Arrow dates, times and timestamps: SQL/ISO text ⇄ days since
 * the epoch, microseconds or nanoseconds, without going through JavaScript `Date` (which only
 * holds milliseconds and drops the digits databases keep). Text without a zone is read as UTC.
 */

const MICROS_PER_DAY = 86_400_000_000n;
const NANOS_PER_DAY = 86_400_000_000_000n;

/** Value of `n` ASCII digits of `text` at `at`, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The common `YYYY-MM-DD HH:MM:SS[.f…]` shape (up to 6 fractional digits, no zone) parsed
 * without a regular expression — drivers send millions of these; `undefined` for anything else.
 */
function fastTimestampMicros(text: string): number | undefined {
  const len = text.length;
  if (len < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const sep = text.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return undefined;
  const y = digitsAt(text, 0, 4);
  const mo = digitsAt(text, 5, 2);
  const d = digitsAt(text, 8, 2);
  const hh = digitsAt(text, 11, 2);
  const mi = digitsAt(text, 14, 2);
  const ss = digitsAt(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || hh < 0 || mi < 0 || ss < 0) return undefined;
  let frac = 0;
  if (len > 19) {
    if (text.charCodeAt(19) !== 46 || len > 26 || len === 20) return undefined;
    const f = digitsAt(text, 20, len - 20);
    if (f < 0) return undefined;
    frac = f * 10 ** (6 - (len - 20));
  }
  const days = daysFromCivil(y, mo, d);
  // Within ±273 years of 1970 the sum stays below 2^53 and number math is exact; beyond, bigints.
  if (days <= -100_000 || days >= 100_000) return undefined;
  return days * 86_400_000_000 + (hh * 3600 + mi * 60 + ss) * 1_000_000 + frac;
}

/**
 * Date, optional time (`T`, space, or Db2's `-` before `HH.MM.SS`), up to 9 fractional digits,
 * optional zone (`Z`, `UTC`, `+05`, `+0530`, `+05:30`).
 */
const TIMESTAMP_TEXT = /^(-?\d{4,})-(\d{2})-(\d{2})(?:(?:[ T]|-(?=\d{2}\.))(\d{2})[:.](\d{2})(?:[:.](\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * SQL/ISO timestamp text → nanoseconds since the epoch, exactly (up to 9 fractional digits).
 * Text without a zone is UTC. Other text `Date.parse` understands is accepted at its
 * millisecond precision.
 *
 * @example
 * ```ts
 * parseTimestampNanos('1970-01-01 00:00:00.000000123'); // 123n
 * ```
 */
export function parseTimestampNanos(text: string): bigint {
  const m = TIMESTAMP_TEXT.exec(text.trim());
  if (!m) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new RangeError(`Not a timestamp: ${JSON.stringify(text.slice(0, 60))}`);
    return BigInt(ms) * 1_000_000n;
  }
  const days = BigInt(daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])));
  const secs = BigInt(Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0));
  let nanos = days * NANOS_PER_DAY + secs * 1_000_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const zone = m[8]?.toUpperCase();
  if (zone && zone !== 'Z' && zone !== 'UTC') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
    nanos -= sign * offsetMinutes * 60_000_000_000n;
  }
  return nanos;
}

/**
 * SQL/ISO timestamp text → microseconds since the epoch. Refuses (RangeError) text whose
 * digits beyond the sixth fractional one are not zero, rather than dropping them.
 *
 * @example
 * ```ts
 * parseTimestampMicros('2024-02-29 23:59:59.123456'); // 1709251199123456n
 * ```
 */
export function parseTimestampMicros(text: string): bigint {
  const fast = fastTimestampMicros(text);
  if (fast !== undefined) return BigInt(fast);
  const nanos = parseTimestampNanos(text);
  if (nanos % 1000n !== 0n) throw new RangeError(`Timestamp ${JSON.stringify(text.slice(0, 60))} has more than 6 fractional digits`);
  return nanos / 1000n;
}

/** Microseconds since the epoch → `YYYY-MM-DD HH:MM:SS.ffffff` (UTC). */
export function formatTimestampMicros(micros: bigint): string {
  // Plain numbers are exact below 2^53 µs (±285 years around 1970) and much faster than bigint math.
  if (micros < 9_007_199_254_740_991n && micros > -9_007_199_254_740_991n) return formatTimestampMicrosNumber(Number(micros));
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const secs = Number(rest / 1_000_000n);
  const frac = String(rest % 1_000_000n).padStart(6, '0');
  return `${formatDateDays(Number(days))} ${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}.${frac}`;
}

/** {@link formatTimestampMicros} for a safe-integer number of microseconds. */
export function formatTimestampMicrosNumber(micros: number): string {
  const days = Math.floor(micros / 86_400_000_000);
  const rest = micros - days * 86_400_000_000;
  const secs = Math.floor(rest / 1_000_000);
  const frac = rest - secs * 1_000_000;
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor(secs / 60) % 60;
  const ss = secs % 60;
  return `${formatDateDays(days)} ${hh < 10 ? '0' : ''}${hh}:${mm < 10 ? '0' : ''}${mm}:${ss < 10 ? '0' : ''}${ss}.${String(frac).padStart(6, '0')}`;
}

/**
 * `YYYY-MM-DD` (anything after the day is ignored) → days since the epoch; other text
 * `Date.parse` understands is taken at UTC midnight of its day.
 */
export function parseDateDays(text: string): number {
  if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const y = digitsAt(text, 0, 4);
    const m = digitsAt(text, 5, 2);
    const d = digitsAt(text, 8, 2);
    if (y >= 0 && m >= 0 && d >= 0) return daysFromCivil(y, m, d);
  }
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(text.trim());
  if (m) return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RangeError(`Not a date: ${JSON.stringify(text.slice(0, 60))}`);
  return Math.floor(ms / 86_400_000);
}

/** Days since the epoch → `YYYY-MM-DD` (proleptic Gregorian, any year). */
export function formatDateDays(days: number): string {
  const [y, m, d] = civilFromDays(days);
  const year = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

/** `[-]HH:MM:SS[.ffffff]` → microseconds (hours may exceed 24, as MySQL's TIME allows). */
export function parseTimeMicros(text: string): bigint {
  const m = /^(-?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`Not a time (up to 6 fractional digits): ${JSON.stringify(text.slice(0, 60))}`);
  const v = (BigInt(m[2]!) * 3600n + BigInt(m[3]!) * 60n + BigInt(m[4]!)) * 1_000_000n + BigInt((m[5] ?? '').padEnd(6, '0') || '0');
  return m[1] ? -v : v;
}

/** Microseconds → `[-]HH:MM:SS.ffffff`. */
export function formatTimeMicros(micros: bigint): string {
  const neg = micros < 0n;
  const v = neg ? -micros : micros;
  const secs = v / 1_000_000n;
  return `${neg ? '-' : ''}${pad2(Number(secs / 3600n))}:${pad2(Number((secs / 60n) % 60n))}:${pad2(Number(secs % 60n))}.${String(v % 1_000_000n).padStart(6, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// Howard Hinnant's civil-calendar algorithms (proleptic Gregorian), exact for any year.
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}
