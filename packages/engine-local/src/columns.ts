/**
 * Column builders that turn driver values into Arrow vectors exactly.
 *
 * apache-arrow's generic builders take timestamps as (float) milliseconds and decimals as raw
 * words, so DATETIME(6) microseconds and DECIMAL(38, s) digits would not survive them. These
 * builders write typed arrays directly — int64 timestamps in the column's unit, two's complement
 * decimal words, UTF-8 with int32 offsets — and refuse (naming the column) a value that would
 * need rounding, wrapping or truncating. Types without a dedicated builder (lists, structs,
 * large strings, …) go through apache-arrow's own builder.
 *
 * What each type accepts (`null` and `undefined` are NULL everywhere):
 * - integers: integral numbers, bigints, numeric text, booleans — within the type's range;
 * - floats: numbers, numeric text, bigints;
 * - decimals: text (`-12.50`, `1e-3`), bigints (integers), numbers (their shortest text);
 * - timestamps: `Date`, numbers (epoch milliseconds, fractions kept to the nanosecond),
 *   bigints (already in the column's unit), SQL/ISO text (up to 9 fractional digits; UTC
 *   unless a zone is written);
 * - dates: `Date`, numbers (epoch milliseconds), bigints (days for Date32), `YYYY-MM-DD` text;
 * - times: `HH:MM:SS[.ffffff]` text, numbers/bigints in the column's unit;
 * - booleans: booleans, 0/1 (any non-zero number), `true/false/t/f/yes/no/y/n/1/0` text,
 *   bytes (MySQL BIT(1));
 * - text: strings; `Date` as ISO text; bytes as UTF-8; objects as JSON (bigints as strings);
 * - binary: bytes; strings as their UTF-8 bytes.
 * - structs: plain objects (or Arrow struct rows), each field through its own exact builder;
 * - lists: arrays (or any iterable but a string), each element through the element builder.
 */
import {
  Binary,
  Bool,
  DataType,
  DateDay,
  DateUnit,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  makeBuilder,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimeUnit,
  Type,
  Utf8,
  type Builder,
  type Data,
} from 'apache-arrow';
import { InvalidArgumentError } from '@sparkle/core';
import { checkDecimalPrecision, decimalToUnscaled, smallDecimal, writeDecimalWords, writeSmallDecimal128 } from './decimal.js';
import { parseDateDays, parseTimeMicros, parseTimestampMicros, parseTimestampNanos } from './temporal.js';

const encoder = new TextEncoder();

/** Accepts driver values for one column and produces Arrow Data. */
export interface ColumnBuilder {
  readonly field: Field;
  /**
   * Appends one value; `null`/`undefined` is a NULL. A value the type cannot hold exactly
   * throws an InvalidArgumentError naming the column, and leaves the builder unchanged.
   */
  append(value: unknown): void;
  /** Returns the Data of everything appended since the last flush, and resets. */
  flush(): Data;
  readonly length: number;
}

function describe(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : v instanceof Date ? (Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()) : String(v);
  return `${typeof v} ${text.slice(0, 60)}`;
}

function cannotHold(field: Field, value: unknown, error: unknown): InvalidArgumentError {
  const reason = error instanceof Error ? error.message : String(error);
  return new InvalidArgumentError(`Column '${field.name}' (${String(field.type)}) cannot hold ${describe(value)}: ${reason}`, { cause: error });
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

type NumArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
type NumCtor = { new (n: number): NumArray };
/** Writes one non-null value at `offset`; throws (before writing) when it does not fit. */
type Convert = (value: unknown, out: NumArray, offset: number) => void;

/** Fixed-width values (numbers, bigints, days, timestamps, decimal words). */
class FixedBuilder implements ColumnBuilder {
  private values: NumArray;
  private readonly validity = new Validity();
  length = 0;
  constructor(
    readonly field: Field,
    private readonly Ctor: NumCtor,
    private readonly stride: number,
    private readonly convert: Convert,
  ) {
    this.values = new Ctor(1024 * stride);
  }
  append(value: unknown): void {
    const i = this.length;
    if ((i + 1) * this.stride > this.values.length) {
      const next = new this.Ctor(this.values.length * 2);
      next.set(this.values as never);
      this.values = next;
    }
    const valid = value !== null && value !== undefined;
    if (valid) {
      try {
        this.convert(value, this.values, i * this.stride);
      } catch (error) {
        throw cannotHold(this.field, value, error);
      }
    }
    this.validity.set(i, valid);
    this.length = i + 1;
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
    const i = this.length;
    if (i >> 3 >= this.values.length) {
      const next = new Uint8Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    const valid = value !== null && value !== undefined;
    if (valid) {
      let truth: boolean;
      try {
        truth = toBool(value);
      } catch (error) {
        throw cannotHold(this.field, value, error);
      }
      if (truth) this.values[i >> 3]! |= 1 << (i & 7);
    }
    this.validity.set(i, valid);
    this.length = i + 1;
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

const TRUE_TEXT = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE_TEXT = new Set(['0', 'false', 'f', 'no', 'n', 'off', '']);

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new RangeError('NaN is not a boolean');
    return value !== 0;
  }
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (TRUE_TEXT.has(t)) return true;
    if (FALSE_TEXT.has(t)) return false;
    throw new RangeError('not a boolean word');
  }
  // MySQL BIT(1) arrives as one byte.
  if (value instanceof Uint8Array) return value.some((b) => b !== 0);
  throw new RangeError('not a boolean');
}

/** Variable-width values: UTF-8 strings or bytes. */
class VarBuilder implements ColumnBuilder {
  private bytes = new Uint8Array(64 * 1024);
  /** `bytes` as a Buffer (for its fast UTF-8 write); dropped whenever `bytes` is replaced. */
  private text: Buffer | undefined;
  private offsets = new Int32Array(1025);
  private used = 0;
  private readonly validity = new Validity();
  length = 0;
  constructor(
    readonly field: Field,
    private readonly binary: boolean,
  ) {}
  append(value: unknown): void {
    const i = this.length;
    if (i + 2 > this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    const valid = value !== null && value !== undefined;
    if (valid) {
      if (typeof value === 'string') {
        // Worst case 3 bytes per UTF-16 unit; encodeInto avoids an intermediate copy.
        this.reserve(value.length * 3);
        // Buffer#write into a view made once per buffer: encodeInto would need a subarray per value.
        this.text ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
        this.used += this.text.write(value, this.used);
      } else {
        const chunk = value instanceof Uint8Array ? value : value instanceof ArrayBuffer ? new Uint8Array(value) : encoder.encode(this.textOf(value));
        this.reserve(chunk.length);
        this.bytes.set(chunk, this.used);
        this.used += chunk.length;
      }
    }
    this.offsets[i + 1] = this.used;
    this.validity.set(i, valid);
    this.length = i + 1;
  }
  private textOf(value: unknown): string {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return String(value);
  }
  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.used + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
    this.text = undefined;
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

/**
 * Structs whose fields go through the exact builders (apache-arrow's own struct builder would
 * take int64 children as numbers and timestamps as float milliseconds). Accepts plain objects
 * and Arrow struct rows. A NULL struct still appends a NULL to every child, as Arrow requires.
 * After a child refuses a value the builder is unusable (the row builder stops on it anyway).
 */
class StructColumnBuilder implements ColumnBuilder {
  private readonly children: ColumnBuilder[];
  private readonly names: string[];
  private readonly validity = new Validity();
  length = 0;
  constructor(readonly field: Field) {
    const type = field.type as Struct;
    this.children = type.children.map((f) => columnBuilder(f));
    this.names = type.children.map((f) => f.name);
  }
  append(value: unknown): void {
    const valid = value !== null && value !== undefined;
    if (valid && (typeof value !== 'object' || Array.isArray(value) || value instanceof Date || value instanceof Uint8Array)) {
      throw cannotHold(this.field, value, new TypeError('a struct needs an object'));
    }
    const obj = value as Record<string, unknown> | null | undefined;
    for (let i = 0; i < this.children.length; i++) {
      try {
        this.children[i]!.append(valid ? obj![this.names[i]!] : null);
      } catch (error) {
        throw cannotHold(this.field, value, error);
      }
    }
    this.validity.set(this.length, valid);
    this.length++;
  }
  flush(): Data {
    const length = this.length;
    const { bitmap, nullCount } = this.validity.take(length);
    const children = this.children.map((c) => c.flush());
    this.length = 0;
    return makeData({ type: this.field.type as Struct, length, nullCount, nullBitmap: bitmap, children }) as Data;
  }
}

/** Lists whose elements go through the exact builders. Accepts arrays and any iterable but strings (Arrow vectors included). */
class ListColumnBuilder implements ColumnBuilder {
  private readonly child: ColumnBuilder;
  private offsets = new Int32Array(1025);
  private readonly validity = new Validity();
  length = 0;
  constructor(readonly field: Field) {
    this.child = columnBuilder((field.type as List).children[0]!);
  }
  append(value: unknown): void {
    const valid = value !== null && value !== undefined;
    if (valid && (typeof value !== 'object' || !(Symbol.iterator in value) || value instanceof Uint8Array)) {
      throw cannotHold(this.field, value, new TypeError('a list needs an array'));
    }
    let count = 0;
    if (valid) {
      for (const element of value as Iterable<unknown>) {
        try {
          this.child.append(element);
        } catch (error) {
          throw cannotHold(this.field, value, error);
        }
        count++;
      }
    }
    const i = this.length;
    if (i + 2 > this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.offsets[i + 1] = this.offsets[i]! + count;
    this.validity.set(i, valid);
    this.length = i + 1;
  }
  flush(): Data {
    const length = this.length;
    const { bitmap, nullCount } = this.validity.take(length);
    const valueOffsets = this.offsets.slice(0, length + 1);
    this.offsets = new Int32Array(Math.max(1025, this.offsets.length));
    this.length = 0;
    return makeData({ type: this.field.type as List, length, nullCount, nullBitmap: bitmap, valueOffsets, child: this.child.flush() }) as Data;
  }
}

/** apache-arrow's builder for the types above do not cover (maps, unions, large strings, …). */
class ArrowBuilder implements ColumnBuilder {
  private builder: Builder;
  constructor(readonly field: Field) {
    this.builder = makeBuilder({ type: field.type, nullValues: [null, undefined] });
  }
  get length(): number {
    return this.builder.length;
  }
  append(value: unknown): void {
    try {
      this.builder.append(value instanceof Date && this.field.type.typeId === Type.Utf8 ? value.toISOString() : value);
    } catch (error) {
      throw cannotHold(this.field, value, error);
    }
  }
  flush(): Data {
    const data = this.builder.finish().flush() as Data;
    this.builder = makeBuilder({ type: this.field.type, nullValues: [null, undefined] });
    return data;
  }
}

// ---------------------------------------------------------------------------------------------
// Value conversions
// ---------------------------------------------------------------------------------------------

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() === '') throw new RangeError('empty text is not a number');
  const n = Number(v);
  if (Number.isNaN(n) && !(typeof v === 'string' && v.trim().toLowerCase() === 'nan')) throw new RangeError('not a number');
  return n;
}

function toInteger(v: unknown, min: number, max: number): number {
  const n = typeof v === 'bigint' ? Number(v) : toNumber(v);
  if (!Number.isInteger(n)) throw new RangeError('not an integer');
  if (n < min || n > max) throw new RangeError(`out of range ${min}..${max}`);
  return n;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new RangeError('not an integer');
    return BigInt(v);
  }
  if (typeof v === 'boolean') return v ? 1n : 0n;
  const text = String(v).trim();
  if (!/^[+-]?\d+$/.test(text)) throw new RangeError('not an integer');
  return BigInt(text);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Int32 views over int64 value arrays, made once per array (a builder keeps one until it grows). */
function int32Viewer(): (out: NumArray) => Int32Array<ArrayBufferLike> {
  let seen: NumArray | undefined;
  let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  return (out) => {
    if (seen !== out) [seen, words] = [out, new Int32Array(out.buffer, out.byteOffset, out.byteLength / 4)];
    return words;
  };
}

function intBuilder(field: Field, bits: number, signed: boolean): ColumnBuilder {
  if (bits === 64) {
    const int32Words = int32Viewer();
    return new FixedBuilder(field, signed ? BigInt64Array : BigUint64Array, 1, (v, out, o) => {
      if (signed && LITTLE_ENDIAN && typeof v === 'number' && Number.isSafeInteger(v)) {
        // The common JSON case without a BigInt per value: the two 32-bit words of the integer.
        const words = int32Words(out);
        words[2 * o] = v | 0; // low word: ToInt32 is the value modulo 2^32
        words[2 * o + 1] = Math.floor(v / 4_294_967_296);
        return;
      }
      const x = toBigInt(v);
      if ((signed ? BigInt.asIntN(64, x) : BigInt.asUintN(64, x)) !== x) throw new RangeError(`out of ${signed ? '' : 'u'}int64 range`);
      (out as BigInt64Array)[o] = x;
    });
  }
  const Ctor: NumCtor = signed ? (bits === 8 ? Int8Array : bits === 16 ? Int16Array : Int32Array) : bits === 8 ? Uint8Array : bits === 16 ? Uint16Array : Uint32Array;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return new FixedBuilder(field, Ctor, 1, (v, out, o) => void (out[o] = toInteger(v, min, max)));
}

function decimalBuilder(field: Field, type: Decimal): ColumnBuilder {
  const { scale, precision } = type;
  const words = type.bitWidth / 32;
  const smallLimit = precision < 16 ? 10 ** precision : Number.POSITIVE_INFINITY;
  return new FixedBuilder(field, Uint32Array, words, (v, out, o) => {
    const small = words === 4 && typeof v === 'string' ? smallDecimal(v, scale) : undefined;
    if (small !== undefined && small < smallLimit && small > -smallLimit) {
      writeSmallDecimal128(small, out as Uint32Array, o);
      return;
    }
    const unscaled = decimalToUnscaled(v, scale);
    checkDecimalPrecision(unscaled, precision, scale);
    writeDecimalWords(unscaled, out as Uint32Array, o, words);
  });
}

const MS_PER_DAY = 86_400_000;

function dateBuilder(field: Field, unit: DateUnit): ColumnBuilder {
  const epochMs = (v: unknown): number => {
    const ms = v instanceof Date ? v.getTime() : (v as number);
    if (!Number.isFinite(ms)) throw new RangeError('invalid date');
    return ms;
  };
  if (unit === DateUnit.DAY) {
    return new FixedBuilder(field, Int32Array, 1, (v, out, o) => {
      out[o] = typeof v === 'string' ? parseDateDays(v) : typeof v === 'bigint' ? toInteger(v, -(2 ** 31), 2 ** 31 - 1) : Math.floor(epochMs(v) / MS_PER_DAY);
    });
  }
  return new FixedBuilder(field, BigInt64Array, 1, (v, out, o) => {
    (out as BigInt64Array)[o] = typeof v === 'string' ? BigInt(parseDateDays(v)) * 86_400_000n : typeof v === 'bigint' ? v : BigInt(Math.floor(epochMs(v)));
  });
}

/** Nanoseconds per unit of a TimeUnit. */
const NANOS_PER_UNIT: Record<number, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1000n,
  [TimeUnit.NANOSECOND]: 1n,
};

/** `nanos` in `unit`, refusing a remainder (a sub-unit fraction would be lost). */
function nanosTo(nanos: bigint, unit: TimeUnit): bigint {
  const per = NANOS_PER_UNIT[unit]!;
  if (per === 1n) return nanos;
  if (nanos % per !== 0n) throw new RangeError(`finer than the column's ${TimeUnit[unit]!.toLowerCase()} precision`);
  return nanos / per;
}

/**
 * Epoch milliseconds (a number) in `unit`. A float cannot hold an exact sub-millisecond
 * fraction, so for µs/ns columns that fraction is taken to the nearest unit; whole
 * milliseconds a coarser column cannot hold are refused.
 */
function msNumberTo(ms: number, unit: TimeUnit): bigint {
  if (!Number.isFinite(ms)) throw new RangeError('invalid time');
  const whole = Math.floor(ms);
  if (unit === TimeUnit.MICROSECOND || unit === TimeUnit.NANOSECOND) {
    const perMs = unit === TimeUnit.MICROSECOND ? 1000 : 1_000_000;
    return BigInt(whole) * BigInt(perMs) + BigInt(Math.round((ms - whole) * perMs));
  }
  if (whole !== ms) throw new RangeError(`finer than the column's ${TimeUnit[unit]!.toLowerCase()} precision`);
  return nanosTo(BigInt(whole) * 1_000_000n, unit);
}

function dateMs(v: Date): number {
  const ms = v.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid date');
  return ms;
}

function timestampBuilder(field: Field, unit: TimeUnit): ColumnBuilder {
  if (unit === TimeUnit.MICROSECOND) {
    // The common case, kept free of bigint math where numbers are exact.
    return new FixedBuilder(field, BigInt64Array, 1, (v, out, o) => {
      let x: bigint;
      if (typeof v === 'string') x = parseTimestampMicros(v);
      else if (typeof v === 'bigint') x = v;
      else if (v instanceof Date) x = BigInt(dateMs(v)) * 1000n;
      else if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 9e12) x = BigInt(v * 1000);
      else x = msNumberTo(v as number, unit);
      (out as BigInt64Array)[o] = x;
    });
  }
  return new FixedBuilder(field, BigInt64Array, 1, (v, out, o) => {
    (out as BigInt64Array)[o] =
      typeof v === 'bigint'
        ? v
        : typeof v === 'string'
          ? nanosTo(parseTimestampNanos(v), unit)
          : msNumberTo(v instanceof Date ? dateMs(v) : (v as number), unit);
  });
}

function timeBuilder(field: Field, unit: TimeUnit, bits: number): ColumnBuilder {
  const fromText = (text: string): bigint => nanosTo(parseTimeMicros(text) * 1000n, unit);
  if (bits === 64) {
    return new FixedBuilder(field, BigInt64Array, 1, (v, out, o) => void ((out as BigInt64Array)[o] = typeof v === 'string' ? fromText(v) : toBigInt(v)));
  }
  return new FixedBuilder(field, Int32Array, 1, (v, out, o) => void (out[o] = typeof v === 'string' ? Number(fromText(v)) : toInteger(v, -(2 ** 31), 2 ** 31 - 1)));
}

/**
 * A builder for `field`'s Arrow type (see the module notes for what each type accepts).
 *
 * @example
 * ```ts
 * const field = new Field('price', new Decimal(2, 10, 128));
 * const b = columnBuilder(field);
 * b.append('12.50');
 * b.append(null);
 * const batch = batchFromBuilders(new Schema([field]), [b]);
 * ```
 */
export function columnBuilder(field: Field): ColumnBuilder {
  const t = field.type as DataType & { bitWidth?: number; isSigned?: boolean; unit?: number; precision?: number };
  switch (t.typeId) {
    case Type.Bool:
      return new BoolBuilder(field);
    case Type.Int:
      return intBuilder(field, t.bitWidth ?? 32, t.isSigned ?? true);
    case Type.Float:
      if (t.precision === 0) return new ArrowBuilder(field); // Float16
      return new FixedBuilder(field, t.precision === 1 ? Float32Array : Float64Array, 1, (v, out, o) => void (out[o] = toNumber(v)));
    case Type.Decimal:
      return decimalBuilder(field, field.type as Decimal);
    case Type.Date:
      return dateBuilder(field, t.unit as DateUnit);
    case Type.Timestamp:
      return timestampBuilder(field, t.unit as TimeUnit);
    case Type.Time:
      return timeBuilder(field, t.unit as TimeUnit, t.bitWidth ?? 64);
    case Type.Binary:
      return new VarBuilder(field, true);
    case Type.Utf8:
      return new VarBuilder(field, false);
    case Type.Struct:
      return new StructColumnBuilder(field);
    case Type.List:
      return new ListColumnBuilder(field);
    default:
      return new ArrowBuilder(field);
  }
}

/**
 * One RecordBatch from builders of `schema`'s fields, flushing them. `length` is only needed
 * for a schema without columns (then there is no builder to count rows).
 */
export function batchFromBuilders(schema: Schema, builders: readonly ColumnBuilder[], length = builders[0]?.length ?? 0): RecordBatch {
  const children = builders.map((b) => b.flush());
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/** Arrow types the exact builders produce, for connectors mapping their column types. */
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
