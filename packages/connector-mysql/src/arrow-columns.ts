/**
 * Column builders that turn driver values into Arrow vectors without losing precision.
 *
 * apache-arrow's generic builders take timestamps as (float) milliseconds and decimals as raw
 * words, so DATETIME(6) microseconds and DECIMAL(38, s) digits would not survive them. These
 * builders write typed arrays directly: timestamps as int64 microseconds, decimals as
 * 128-bit two's complement words, strings as UTF-8 with int32 offsets.
 */
import {
  Binary,
  Bool,
  DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  Type,
  Utf8,
  type Data,
} from 'apache-arrow';

const encoder = new TextEncoder();

/** Parses `-123.4500` into an unscaled bigint at `scale` (extra digits are refused, not rounded). */
export function decimalStringToBigInt(text: string, scale: number): bigint {
  const s = text.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`Not a decimal number: '${text}'`);
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let exp = -(m[3] ?? '').length + (m[4] ? Number(m[4]) : 0);
  // Rescale to the target scale.
  const shift = exp + scale;
  if (shift >= 0) digits += '0'.repeat(shift);
  else {
    const cut = digits.slice(digits.length + shift);
    if (/[1-9]/.test(cut)) throw new RangeError(`Decimal '${text}' has more than ${scale} fractional digits`);
    digits = digits.slice(0, digits.length + shift);
  }
  exp = 0;
  const value = BigInt(digits === '' ? '0' : digits);
  return m[1] === '-' ? -value : value;
}

/**
 * The unscaled value of a plain decimal string (`-123.45`) when it fits a safe integer and has
 * at most `scale` fractional digits; `undefined` otherwise (the bigint path handles the rest).
 */
function smallDecimal(text: string, scale: number): number | undefined {
  const len = text.length;
  if (len === 0 || len > 16) return undefined;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i = 1;
  }
  let value = 0;
  let fraction = -1;
  let digits = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (fraction >= 0) return undefined;
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0) return undefined;
  const fractionDigits = fraction < 0 ? 0 : fraction;
  if (fractionDigits > scale) return undefined;
  value *= 10 ** (scale - fractionDigits);
  if (!Number.isSafeInteger(value)) return undefined;
  return negative ? -value : value;
}

/** Renders an unscaled 128-bit decimal value as text with `scale` fractional digits. */
export function bigIntToDecimalString(value: bigint, scale: number): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** Reads the unscaled value of decimal row `index` from a Decimal128 Data. */
export function decimalWordsToBigInt(words: Uint32Array, index: number): bigint {
  const o = index * 4;
  let v = 0n;
  for (let i = 3; i >= 0; i--) v = (v << 32n) | BigInt(words[o + i]!);
  return BigInt.asIntN(128, v);
}

const MICROS_PER_DAY = 86_400_000_000n;

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
 * The common `YYYY-MM-DD HH:MM:SS[.f…]` shape parsed without a regular expression (drivers send
 * millions of these); `undefined` for anything else.
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
    if (text.charCodeAt(19) !== 46 || len > 26) return undefined;
    const f = digitsAt(text, 20, len - 20);
    if (f < 0) return undefined;
    frac = f * 10 ** (6 - (len - 20));
  }
  return daysFromCivil(y, mo, d) * 86_400_000_000 + (hh * 3600 + mi * 60 + ss) * 1_000_000 + frac;
}

/** `YYYY-MM-DD[ T]HH:MM:SS[.ffffff]` (taken as UTC) → microseconds since the epoch. */
export function parseTimestampMicros(text: string): bigint {
  const fast = fastTimestampMicros(text);
  if (fast !== undefined) return BigInt(fast);
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) throw new RangeError(`Not a timestamp: '${text}'`);
  const dayNumber = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const secs = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  const fracNumber = Number((m[7] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  if (!m[8] && dayNumber > -100_000 && dayNumber < 100_000) {
    // Within ±273 years of 1970 the sum stays below 2^53: one exact conversion instead of bigint math.
    return BigInt(dayNumber * 86_400_000_000 + secs * 1_000_000 + fracNumber);
  }
  const days = BigInt(dayNumber);
  const frac = BigInt(fracNumber);
  let micros = days * MICROS_PER_DAY + BigInt(secs) * 1_000_000n + frac;
  if (m[8] && m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1n : 1n;
    const hh = BigInt(m[8].slice(1, 3));
    const mm = BigInt(m[8].slice(-2));
    micros -= sign * (hh * 3600n + mm * 60n) * 1_000_000n;
  }
  return micros;
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
  return `${formatDate(Number(days))} ${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}.${frac}`;
}

/** `formatTimestampMicros` for a safe-integer number of microseconds. */
export function formatTimestampMicrosNumber(micros: number): string {
  const days = Math.floor(micros / 86_400_000_000);
  const rest = micros - days * 86_400_000_000;
  const secs = Math.floor(rest / 1_000_000);
  const frac = rest - secs * 1_000_000;
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor(secs / 60) % 60;
  const ss = secs % 60;
  return `${formatDate(days)} ${hh < 10 ? '0' : ''}${hh}:${mm < 10 ? '0' : ''}${mm}:${ss < 10 ? '0' : ''}${ss}.${String(frac).padStart(6, '0')}`;
}

/** `YYYY-MM-DD` → days since the epoch. */
export function parseDateDays(text: string): number {
  if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const y = digitsAt(text, 0, 4);
    const m = digitsAt(text, 5, 2);
    const d = digitsAt(text, 8, 2);
    if (y >= 0 && m >= 0 && d >= 0) return daysFromCivil(y, m, d);
  }
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(text.trim());
  if (!m) throw new RangeError(`Not a date: '${text}'`);
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Days since the epoch → `YYYY-MM-DD`. */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  const year = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

/** `[-]HH:MM:SS[.ffffff]` → microseconds. */
export function parseTimeMicros(text: string): bigint {
  const m = /^(-?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`Not a time: '${text}'`);
  const v = (BigInt(m[2]!) * 3600n + BigInt(m[3]!) * 60n + BigInt(m[4]!)) * 1_000_000n + BigInt((m[5] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  return m[1] ? -v : v;
}

export function formatTimeMicros(micros: bigint): string {
  const neg = micros < 0n;
  const v = neg ? -micros : micros;
  const secs = v / 1_000_000n;
  return `${neg ? '-' : ''}${pad2(Number(secs / 3600n))}:${pad2(Number((secs / 60n) % 60n))}:${pad2(Number(secs % 60n))}.${String(v % 1_000_000n).padStart(6, '0')}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

// Howard Hinnant's civil-calendar algorithms (proleptic Gregorian), exact for any year.
function daysFromCivil(y: number, m: number, d: number): number {
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

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/** Accepts driver values for one column and produces Arrow Data. */
export interface ColumnBuilder {
  readonly field: Field;
  /** Appends one value; `null`/`undefined` is a NULL. */
  append(value: unknown): void;
  /** Returns the Data of everything appended since the last flush, and resets. */
  flush(): Data;
  readonly length: number;
}

class Validity {
  bits = new Uint8Array(64);
  nulls = 0;
  set(index: number, valid: boolean): void {
    if (index >> 3 >= this.bits.length) {
      const next = new Uint8Array(this.bits.length * 2);
      next.set(this.bits);
      this.bits = next;
    }
    if (valid) this.bits[index >> 3]! |= 1 << (index & 7);
    else this.nulls++;
  }
  take(length: number): { bitmap: Uint8Array | undefined; nullCount: number } {
    const out = this.nulls ? this.bits.slice(0, (length + 7) >> 3) : undefined;
    const nullCount = this.nulls;
    this.bits = new Uint8Array(Math.max(64, this.bits.length));
    this.nulls = 0;
    return { bitmap: out, nullCount };
  }
}

type NumArray = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | Uint32Array | Uint8Array;
type NumCtor = { new (n: number): NumArray };

/** Fixed-width values (numbers, bigints, days, micros, decimal words). */
class FixedBuilder implements ColumnBuilder {
  private values: NumArray;
  private readonly validity = new Validity();
  length = 0;
  constructor(
    readonly field: Field,
    private readonly Ctor: NumCtor,
    private readonly stride: number,
    private readonly convert: (value: unknown, out: NumArray, offset: number) => void,
  ) {
    this.values = new Ctor(1024 * stride);
  }
  append(value: unknown): void {
    const i = this.length++;
    if ((i + 1) * this.stride > this.values.length) {
      const next = new this.Ctor(this.values.length * 2);
      next.set(this.values as never);
      this.values = next;
    }
    const valid = value !== null && value !== undefined;
    this.validity.set(i, valid);
    if (valid) this.convert(value, this.values, i * this.stride);
  }
  flush(): Data {
    const length = this.length;
    const { bitmap, nullCount } = this.validity.take(length);
    const data = makeData({ type: this.field.type as never, length, nullCount, nullBitmap: bitmap, data: this.values.slice(0, length * this.stride) as never });
    this.values = new this.Ctor(Math.max(1024 * this.stride, this.values.length));
    this.length = 0;
    return data as Data;
  }
}

class BoolBuilder implements ColumnBuilder {
  private values = new Uint8Array(128);
  private readonly validity = new Validity();
  length = 0;
  constructor(readonly field: Field) {}
  append(value: unknown): void {
    const i = this.length++;
    if (i >> 3 >= this.values.length) {
      const next = new Uint8Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    const valid = value !== null && value !== undefined;
    this.validity.set(i, valid);
    if (valid && toBool(value)) this.values[i >> 3]! |= 1 << (i & 7);
  }
  flush(): Data {
    const length = this.length;
    const { bitmap, nullCount } = this.validity.take(length);
    const data = makeData({ type: new Bool(), length, nullCount, nullBitmap: bitmap, data: this.values.slice(0, (length + 7) >> 3) });
    this.values = new Uint8Array(Math.max(128, this.values.length));
    this.length = 0;
    return data as Data;
  }
}

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return !(value === '0' || value === '' || value.toLowerCase() === 'false');
  if (value instanceof Uint8Array) return value.some((b) => b !== 0);
  return Boolean(value);
}

/** Variable-width values: UTF-8 strings or bytes. */
class VarBuilder implements ColumnBuilder {
  private bytes = new Uint8Array(64 * 1024);
  private offsets = new Int32Array(1025);
  private used = 0;
  private readonly validity = new Validity();
  length = 0;
  constructor(
    readonly field: Field,
    private readonly binary: boolean,
  ) {}
  append(value: unknown): void {
    const i = this.length++;
    if (i + 2 > this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    const valid = value !== null && value !== undefined;
    this.validity.set(i, valid);
    if (valid) {
      let chunk: Uint8Array;
      if (value instanceof Uint8Array) chunk = value;
      else if (typeof value === 'string' && !this.binary) {
        // Worst case 3 bytes per UTF-16 unit; encodeInto avoids an intermediate copy.
        this.reserve(value.length * 3);
        this.used += encoder.encodeInto(value, this.bytes.subarray(this.used)).written;
        this.offsets[i + 1] = this.used;
        return;
      } else chunk = encoder.encode(typeof value === 'object' ? JSON.stringify(value) : String(value));
      this.reserve(chunk.length);
      this.bytes.set(chunk, this.used);
      this.used += chunk.length;
    }
    this.offsets[i + 1] = this.used;
  }
  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.used + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }
  flush(): Data {
    const length = this.length;
    const { bitmap, nullCount } = this.validity.take(length);
    const data = makeData({
      type: (this.binary ? new Binary() : new Utf8()) as never,
      length,
      nullCount,
      nullBitmap: bitmap,
      valueOffsets: this.offsets.slice(0, length + 1),
      data: this.bytes.slice(0, this.used),
    } as never);
    this.offsets = new Int32Array(Math.max(1025, this.offsets.length));
    this.used = 0;
    this.length = 0;
    return data as Data;
  }
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const toBigInt = (v: unknown): bigint => (typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(String(v)));

/** A builder for `field`'s Arrow type; unsupported types fall back to UTF-8 text. */
export function columnBuilder(field: Field): ColumnBuilder {
  const t = field.type as DataType & { bitWidth?: number; scale?: number; unit?: number };
  switch (t.typeId) {
    case Type.Bool:
      return new BoolBuilder(field);
    case Type.Int: {
      const bits = t.bitWidth ?? 32;
      if (bits === 64) return new FixedBuilder(field, BigInt64Array, 1, (v, out, o) => void ((out as BigInt64Array)[o] = BigInt.asIntN(64, toBigInt(v))));
      const Ctor: NumCtor = bits === 8 ? Int8Array : bits === 16 ? Int16Array : Int32Array;
      return new FixedBuilder(field, Ctor, 1, (v, out, o) => void (out[o] = toNumber(v)));
    }
    case Type.Float:
      return new FixedBuilder(field, (t as Float32).precision === 1 ? Float32Array : Float64Array, 1, (v, out, o) => void (out[o] = toNumber(v)));
    case Type.Decimal: {
      const scale = t.scale ?? 0;
      return new FixedBuilder(field, Uint32Array, 4, (v, out, o) => {
        const small = typeof v === 'string' ? smallDecimal(v, scale) : undefined;
        if (small !== undefined) {
          // Two's complement over four 32-bit words, without bigint math.
          const negative = small < 0;
          const magnitude = negative ? -small : small;
          let lo = magnitude % 4294967296;
          let hi = Math.floor(magnitude / 4294967296);
          if (negative) {
            lo = (4294967296 - lo) % 4294967296;
            hi = 4294967295 - hi + (lo === 0 ? 1 : 0);
          }
          out[o] = lo;
          out[o + 1] = hi >>> 0;
          out[o + 2] = negative ? 4294967295 : 0;
          out[o + 3] = negative ? 4294967295 : 0;
          return;
        }
        let x = typeof v === 'bigint' ? v : decimalStringToBigInt(typeof v === 'number' ? String(v) : String(v), scale);
        x = BigInt.asUintN(128, x);
        for (let i = 0; i < 4; i++) {
          out[o + i] = Number(x & 0xffffffffn);
          x >>= 32n;
        }
      });
    }
    case Type.Date:
      return new FixedBuilder(field, Int32Array, 1, (v, out, o) => {
        out[o] = v instanceof Date ? Math.floor(v.getTime() / 86_400_000) : typeof v === 'number' ? v : parseDateDays(String(v));
      });
    case Type.Timestamp:
      return new FixedBuilder(field, BigInt64Array, 1, (v, out, o) => {
        (out as BigInt64Array)[o] = v instanceof Date ? BigInt(v.getTime()) * 1000n : typeof v === 'bigint' ? v : parseTimestampMicros(String(v));
      });
    case Type.Time:
      return new FixedBuilder(field, BigInt64Array, 1, (v, out, o) => {
        (out as BigInt64Array)[o] = typeof v === 'bigint' ? v : parseTimeMicros(String(v));
      });
    case Type.Binary:
      return new VarBuilder(field, true);
    default:
      return new VarBuilder(field, false);
  }
}

/** Builds one RecordBatch from builders (all of the same length). */
export function batchFromBuilders(schema: Schema, builders: readonly ColumnBuilder[]): RecordBatch {
  const length = builders[0]?.length ?? 0;
  const children = builders.map((b) => b.flush());
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/** An empty batch carrying `schema` (a read always yields at least one batch). */
export function emptyBatch(schema: Schema): RecordBatch {
  return batchFromBuilders(schema, schema.fields.map(columnBuilder));
}

/** Arrow types these builders produce, for connectors mapping their column types. */
export const ArrowTypes = {
  bool: () => new Bool(),
  int8: () => new Int8(),
  int16: () => new Int16(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  float32: () => new Float32(),
  float64: () => new Float64(),
  decimal: (precision: number, scale: number) => new Decimal(scale, precision, 128),
  date: () => new DateDay(),
  timestamp: (timezone?: string) => new TimestampMicrosecond(timezone ?? null),
  time: () => new TimeMicrosecond(),
  utf8: () => new Utf8(),
  binary: () => new Binary(),
};
