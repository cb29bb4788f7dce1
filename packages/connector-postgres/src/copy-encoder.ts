/**
 * Encodes Arrow record batches into PostgreSQL's binary COPY format, column buffers straight to
 * wire bytes. Each Arrow column is paired with its target column's type so the bytes are exactly
 * what the server's binary receive function expects (an Arrow Int32 going into a `bigint`
 * column is widened here, not rejected by the server).
 */
import type { Data, RecordBatch, Vector } from 'apache-arrow';
import { UnsupportedOperationError } from '@sparkle/core';
import { columnPass, encodeColumnarSlice, type ColumnPass } from './copy-encoder-columnar.js';
import { PgOid } from './pg-types.js';

export const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);

const PG_EPOCH_DAYS = 10_957;
/** Most rows one column-at-a-time chunk holds. */
const COLUMNAR_CHUNK_ROWS = 16_384;
const PG_EPOCH_MICROS = 946_684_800_000_000;
const TWO_32 = 4_294_967_296;
const DAY_MICROS = 86_400_000_000;

/** Arrow type ids used here (the columnar format's enum). */
const T = { Int: 2, Float: 3, Binary: 4, Utf8: 5, Bool: 6, Decimal: 7, Date: 8, Timestamp: 10, LargeBinary: 19, LargeUtf8: 20, Dictionary: -1 } as const;

/** A target column: name and server type. */
export interface TargetColumn {
  name: string;
  oid: number;
  typmod: number;
}

/** Growable output with big-endian writes. */
class Out {
  buf: Buffer;
  view: DataView;
  pos = 0;
  constructor(private readonly chunk: number) {
    this.buf = Buffer.allocUnsafe(chunk);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
  /** Makes room for n bytes, handing full chunks to `emit`. */
  ensure(n: number, emit: (b: Buffer) => void): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > 0) emit(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(this.chunk, n));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
  }
  take(): Buffer | undefined {
    if (this.pos === 0) return undefined;
    const b = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.chunk);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
    return b;
  }
}

type ColumnWriter = (out: Out, row: number) => void;

/** Upper bound of bytes one value of a fixed-width target takes (length word included). */
const FIXED_SIZE: Record<number, number> = {
  [PgOid.int2]: 6,
  [PgOid.int4]: 8,
  [PgOid.int8]: 12,
  [PgOid.float4]: 8,
  [PgOid.float8]: 12,
  [PgOid.bool]: 5,
  [PgOid.date]: 8,
  [PgOid.timestamp]: 12,
  [PgOid.timestamptz]: 12,
  [PgOid.uuid]: 20,
};

interface Prepared {
  write: ColumnWriter;
  /** Byte size of the value at `row` (length word included), for variable-width columns. */
  size?: (row: number) => number;
  /** An upper bound of `size` over the whole batch, when cheap to know (skips the per-row call). */
  maxSize?: number;
}

/**
 * Encodes batches for one COPY. `columns` pairs each Arrow field (by index) with its target.
 * @example
 * const enc = new CopyBinaryEncoder(targets, (chunk) => stream.write(chunk));
 * enc.header(); for (const b of batches) enc.encode(b); enc.trailer();
 */
export class CopyBinaryEncoder {
  private readonly out: Out;
  private readonly scratch = { sizes: new Int32Array(0) };
  readonly bytes = { value: 0 };

  constructor(
    private readonly targets: readonly TargetColumn[],
    private readonly emit: (chunk: Buffer) => void,
    chunkSize = 1 << 20,
    /** False forces the row-at-a-time encoder (the reference the column passes are tested against). */
    private readonly columnar = true,
  ) {
    this.out = new Out(chunkSize);
  }

  header(): void {
    this.raw(COPY_HEADER);
  }

  trailer(): void {
    this.raw(COPY_TRAILER);
    this.flush();
  }

  flush(): void {
    const b = this.out.take();
    if (b) this.push(b);
  }

  private push(b: Buffer): void {
    this.bytes.value += b.length;
    this.emit(b);
  }

  private raw(bytes: Buffer): void {
    this.out.ensure(bytes.length, (b) => this.push(b));
    bytes.copy(this.out.buf, this.out.pos);
    this.out.pos += bytes.length;
  }

  /** Encodes every row of a batch; full chunks are emitted as they fill. */
  encode(batch: RecordBatch): void {
    this.prepare(batch)(0, batch.numRows);
  }

  /**
   * Prepares a batch's column writers once and returns a function encoding rows `[start, end)`,
   * so a caller can encode a large batch in slices and let the socket drain in between.
   */
  prepare(batch: RecordBatch): (start: number, end: number) => void {
    const width = this.targets.length;
    const passes: ColumnPass[] = [];
    for (let i = 0; this.columnar && i < width && passes.length === i; i++) {
      const pass = columnPass(batch.data.children[i]!, this.targets[i]!, (negative, unscaled, scale) => numericFromDigits(negative, unscaled.toString(), scale));
      if (pass) passes.push(pass);
    }
    if (passes.length === width && width > 0) {
      // Every column has a column-at-a-time pass: each slice becomes one exactly sized chunk.
      return (start, end) => {
        this.flush();
        // Bounded chunks even when a caller encodes a huge batch in one call.
        for (let from = start; from < end; from += COLUMNAR_CHUNK_ROWS) {
          this.push(encodeColumnarSlice(passes, from, Math.min(end, from + COLUMNAR_CHUNK_ROWS), this.scratch));
        }
      };
    }
    const prepared = this.targets.map((t, i) => prepareColumn(batch.data.children[i]!, batch.getChildAt(i)!, t));
    let fixed = 2;
    const variable: Array<(row: number) => number> = [];
    for (let i = 0; i < width; i++) {
      const p = prepared[i]!;
      if (p.maxSize !== undefined) fixed += p.maxSize;
      else if (p.size) variable.push(p.size);
      else fixed += FIXED_SIZE[this.targets[i]!.oid] ?? 64;
    }
    const writers = prepared.map((p) => p.write);
    const out = this.out;
    const emit = (b: Buffer) => this.push(b);
    return (start, end) => {
      for (let row = start; row < end; row++) {
        let need = fixed;
        for (let v = 0; v < variable.length; v++) need += variable[v]!(row);
        out.ensure(need, emit);
        out.view.setInt16(out.pos, width);
        out.pos += 2;
        for (let i = 0; i < width; i++) writers[i]!(out, row);
      }
    };
  }
}

function isValid(data: Data, row: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || data.nullCount === 0 || bitmap.length === 0) return true;
  const i = data.offset + row;
  return (bitmap[i >> 3]! & (1 << (i & 7))) !== 0;
}

function writeNull(out: Out): void {
  out.view.setInt32(out.pos, -1);
  out.pos += 4;
}

/** A numeric reader over an Int/Float/Decimal/Date column, as a double (exact to 2^53). */
function numberReader(data: Data, vector: Vector): ((row: number) => number) | undefined {
  const type = data.type as { typeId: number; bitWidth?: number };
  const values = data.values as ArrayLike<number | bigint> | undefined;
  const offset = data.offset;
  if ((type.typeId === T.Int || type.typeId === T.Float) && values) {
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      const unsigned = values instanceof BigUint64Array;
      return (row) => {
        const i = row << 1;
        return (unsigned ? halves[i + 1]! >>> 0 : halves[i + 1]!) * TWO_32 + (halves[i]! >>> 0);
      };
    }
    if (type.typeId === T.Float && type.bitWidth === undefined && (data.type as { precision?: number }).precision === 0) {
      // Float16 values are stored as raw uint16 bits: let Arrow decode them.
      return (row) => Number(vector.get(row));
    }
    return (row) => values[row] as number;
  }
  return undefined;
}

/** Builds the writer of one column for one batch. */
function prepareColumn(data: Data, vector: Vector, target: TargetColumn): Prepared {
  const type = data.type as { typeId: number };
  if (type.typeId === T.Dictionary) {
    throw new UnsupportedOperationError(`Dictionary-encoded column "${target.name}": decode it before writing to PostgreSQL`, { connector: 'postgres' });
  }
  const n = numberReader(data, vector);
  const offset = data.offset;
  // The validity bitmap, only when there are NULLs: most columns skip the test entirely.
  const nulls = data.nullCount !== 0 && data.nullBitmap && data.nullBitmap.length ? data.nullBitmap : undefined;
  switch (target.oid) {
    case PgOid.int8:
      if (data.values instanceof BigInt64Array) {
        // Exact 64-bit copy: byte-swap the two halves, no double in between.
        const halves = new Int32Array(data.values.buffer, data.values.byteOffset, data.values.length * 2);
        return {
          write(out, row) {
            if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
            const i = row << 1;
            const view = out.view;
            view.setInt32(out.pos, 8);
            view.setInt32(out.pos + 4, halves[i + 1]!);
            view.setInt32(out.pos + 8, halves[i]!);
            out.pos += 12;
          },
        };
      }
    // falls through
    case PgOid.int2:
    case PgOid.int4:
    case PgOid.float4:
    case PgOid.float8: {
      // Exact type matches write straight from the typed array.
      const values = data.values as unknown;
      if ((target.oid === PgOid.int4 && values instanceof Int32Array) || (target.oid === PgOid.float8 && values instanceof Float64Array)) {
        const isInt = values instanceof Int32Array;
        const typed = values as Int32Array | Float64Array;
        return {
          write(out, row) {
            if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
            const view = out.view;
            if (isInt) {
              view.setInt32(out.pos, 4);
              view.setInt32(out.pos + 4, typed[row]!);
              out.pos += 8;
            } else {
              view.setInt32(out.pos, 8);
              view.setFloat64(out.pos + 4, typed[row]!);
              out.pos += 12;
            }
          },
        };
      }
      const read = n ?? ((row: number) => toNumber(vector.get(row), target));
      const oid = target.oid;
      return {
        write(out, row) {
          if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
          const v = read(row);
          writeNumber(out, oid, v, target);
        },
      };
    }
    case PgOid.bool: {
      if (type.typeId === T.Bool && data.values instanceof Uint8Array) {
        // Read the value bitmap directly (Vector.get would dispatch per value).
        const bits = data.values;
        return {
          write(out, row) {
            if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
            const i = offset + row;
            out.view.setInt32(out.pos, 1);
            out.buf[out.pos + 4] = (bits[i >> 3]! >> (i & 7)) & 1;
            out.pos += 5;
          },
        };
      }
      return {
        write(out, row) {
          if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
          const v = vector.get(row) as unknown;
          out.view.setInt32(out.pos, 1);
          out.buf[out.pos + 4] = v === true || v === 1 || v === 't' || v === 'true' ? 1 : 0;
          out.pos += 5;
        },
      };
    }
    case PgOid.date: {
      const days = dateDaysReader(data, vector);
      return {
        write(out, row) {
          if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
          const d = days(row);
          if (d === undefined) return writeNull(out);
          out.view.setInt32(out.pos, 4);
          out.view.setInt32(out.pos + 4, d - PG_EPOCH_DAYS);
          out.pos += 8;
        },
      };
    }
    case PgOid.timestamp:
    case PgOid.timestamptz: {
      const micros = microsReader(data, vector);
      return {
        write(out, row) {
          if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
          const us = micros(row);
          if (us === undefined) return writeNull(out);
          const v = us - PG_EPOCH_MICROS;
          const hi = Math.floor(v / TWO_32);
          out.view.setInt32(out.pos, 8);
          out.view.setInt32(out.pos + 4, hi);
          out.view.setInt32(out.pos + 8, v - hi * TWO_32);
          out.pos += 12;
        },
      };
    }
    case PgOid.numeric: {
      const fast = smallDecimalWriter(data);
      if (fast) return fast;
      const digits = numericReader(data, vector, n);
      let cached = -1;
      let encoded: NumericParts | undefined;
      const at = (row: number) => {
        if (cached !== row) {
          encoded = isValid(data, row) ? digits(row) : undefined;
          cached = row;
        }
        return encoded;
      };
      return {
        size: (row) => 4 + (at(row) ? 8 + 2 * at(row)!.digits.length : 0),
        write(out, row) {
          const e = at(row);
          if (!e) return writeNull(out);
          writeNumericParts(out, e.negative, e.weight, e.dscale, e.digits, e.digits.length);
        },
      };
    }
    case PgOid.uuid: {
      return {
        write(out, row) {
          if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
          const text = String(vector.get(row)).replace(/-/g, '');
          if (!/^[0-9a-fA-F]{32}$/.test(text)) throw new TypeError(`Not a UUID: column ${target.name}`);
          out.view.setInt32(out.pos, 16);
          out.buf.write(text, out.pos + 4, 'hex');
          out.pos += 20;
        },
      };
    }
    case PgOid.bytea:
    case PgOid.text:
    case PgOid.varchar:
    case PgOid.bpchar:
    case PgOid.name:
    case PgOid.json:
    case PgOid.xml:
    case PgOid.jsonb: {
      const prefix = target.oid === PgOid.jsonb ? 1 : 0;
      if ((type.typeId === T.Utf8 || type.typeId === T.Binary) && data.valueOffsets && data.values) {
        // Fast path: the Arrow bytes are already the wire bytes.
        const offsets = data.valueOffsets as Int32Array;
        const bytes = data.values as Uint8Array;
        const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        let longest = 0;
        for (let i = 0; i < data.length; i++) {
          const len = offsets[i + 1]! - offsets[i]!;
          if (len > longest) longest = len;
        }
        return {
          // Rows are sized by the batch's longest value unless that is large (then per row).
          maxSize: longest <= 65_536 ? 4 + prefix + longest : undefined,
          size: (row) => 4 + prefix + offsets[row + 1]! - offsets[row]!,
          write(out, row) {
            if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
            const start = offsets[row]!;
            const end = offsets[row + 1]!;
            const len = end - start;
            out.view.setInt32(out.pos, len + prefix);
            let p = out.pos + 4;
            if (prefix) out.buf[p++] = 1;
            if (len < 24) {
              const b = out.buf;
              for (let i = start; i < end; i++) b[p++] = src[i]!;
            } else {
              src.copy(out.buf, p, start, end);
              p += len;
            }
            out.pos = p;
          },
        };
      }
      let cached = -1;
      let encoded: Buffer | undefined;
      const at = (row: number) => {
        if (cached !== row) {
          encoded = isValid(data, row) ? textBytes(vector.get(row), target.oid === PgOid.bytea) : undefined;
          cached = row;
        }
        return encoded;
      };
      return {
        size: (row) => 4 + prefix + (at(row)?.length ?? 0),
        write(out, row) {
          const b = at(row);
          if (!b) return writeNull(out);
          out.view.setInt32(out.pos, b.length + prefix);
          let p = out.pos + 4;
          if (prefix) out.buf[p++] = 1;
          b.copy(out.buf, p);
          out.pos = p + b.length;
        },
      };
    }
    default:
      throw new UnsupportedOperationError(
        `Column "${target.name}" has a type (oid ${target.oid}) that binary COPY here cannot encode; write to a table whose column uses a common type (numbers, numeric, text, bool, date, timestamp, bytea, uuid, json)`,
        { connector: 'postgres' },
      );
  }
}

/** Writes a numeric value's binary form. */
function writeNumericParts(out: Out, negative: boolean, weight: number, dscale: number, digits: ArrayLike<number>, count: number): void {
  const v = out.view;
  let p = out.pos;
  v.setInt32(p, 8 + 2 * count);
  v.setInt16(p + 4, count);
  v.setInt16(p + 6, weight);
  v.setUint16(p + 8, negative ? 0x4000 : 0);
  v.setInt16(p + 10, dscale);
  p += 12;
  for (let k = 0; k < count; k++) {
    v.setInt16(p, digits[k]!);
    p += 2;
  }
  out.pos = p;
}

const GROUPS = new Int16Array(8);

/**
 * Decimal128 columns with scale ≤ 4 whose values fit a double (|v| < 2^53): digits computed with
 * plain arithmetic straight into the output — no strings, no arrays. Larger values take the
 * exact BigInt path per value.
 */
function smallDecimalWriter(data: Data): Prepared | undefined {
  const type = data.type as { typeId: number; scale?: number; precision?: number; bitWidth?: number };
  if (type.typeId !== T.Decimal || !(data.values instanceof Uint32Array) || (type.bitWidth ?? 128) !== 128) return undefined;
  const scale = type.scale ?? 0;
  if (scale < 0 || scale > 4) return undefined;
  const words = data.values;
  const offset = data.offset;
  const nulls = data.nullCount !== 0 && data.nullBitmap && data.nullBitmap.length ? data.nullBitmap : undefined;
  const unit = 10 ** scale;
  const fracFactor = 10 ** (4 - scale);
  const maxDigits = Math.ceil((type.precision ?? 38) / 4) + 2;
  return {
    maxSize: 4 + 8 + 2 * maxDigits,
    write(out, row) {
      if (nulls !== undefined && ((nulls[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 0) return writeNull(out);
      const i = row * 4;
      const hi = words[i + 1]! | 0;
      const ext = hi < 0 ? -1 : 0;
      if (hi < -0x200000 || hi >= 0x200000 || (words[i + 2]! | 0) !== ext || (words[i + 3]! | 0) !== ext) {
        let big = 0n;
        for (let k = 3; k >= 0; k--) big = (big << 32n) | BigInt(words[i + k]!);
        big = BigInt.asIntN(128, big);
        const e = numericFromDigits(big < 0n, (big < 0n ? -big : big).toString(), scale);
        return writeNumericParts(out, e.negative, e.weight, e.dscale, e.digits, e.digits.length);
      }
      const value = hi * TWO_32 + words[i]!;
      const negative = value < 0;
      const u = negative ? -value : value;
      let intPart = Math.floor(u / unit);
      const frac = (u - intPart * unit) * fracFactor;
      // Integer groups, least significant first, then reversed into GROUPS.
      let n = 0;
      const tmp0 = intPart;
      while (intPart > 0) {
        intPart = Math.floor(intPart / 10_000);
        n++;
      }
      intPart = tmp0;
      for (let k = n - 1; k >= 0; k--) {
        const q = Math.floor(intPart / 10_000);
        GROUPS[k] = intPart - q * 10_000;
        intPart = q;
      }
      let weight = n - 1;
      let count = n;
      if (scale > 0) GROUPS[count++] = frac;
      let start = 0;
      while (start < count && GROUPS[start] === 0) {
        start++;
        weight--;
      }
      while (count > start && GROUPS[count - 1] === 0) count--;
      if (count === start) return writeNumericParts(out, false, 0, scale, GROUPS, 0);
      writeNumericParts(out, negative, weight, scale, start === 0 ? GROUPS : GROUPS.subarray(start), count - start);
    },
  };
}

function toNumber(v: unknown, target: TargetColumn): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new TypeError(`Cannot write ${typeof v} into numeric column "${target.name}"`);
}

function writeNumber(out: Out, oid: number, v: number, target: TargetColumn): void {
  const view = out.view;
  const p = out.pos;
  switch (oid) {
    case PgOid.int2:
      if (!Number.isInteger(v) || v < -32768 || v > 32767) throw new RangeError(`Value ${v} does not fit smallint column "${target.name}"`);
      view.setInt32(p, 2);
      view.setInt16(p + 4, v);
      out.pos = p + 6;
      return;
    case PgOid.int4:
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new RangeError(`Value ${v} does not fit integer column "${target.name}"`);
      view.setInt32(p, 4);
      view.setInt32(p + 4, v);
      out.pos = p + 8;
      return;
    case PgOid.int8: {
      if (!Number.isInteger(v)) throw new RangeError(`Value ${v} is not an integer (bigint column "${target.name}")`);
      const hi = Math.floor(v / TWO_32);
      view.setInt32(p, 8);
      view.setInt32(p + 4, hi);
      view.setInt32(p + 8, v - hi * TWO_32);
      out.pos = p + 12;
      return;
    }
    case PgOid.float4:
      view.setInt32(p, 4);
      view.setFloat32(p + 4, v);
      out.pos = p + 8;
      return;
    default:
      view.setInt32(p, 8);
      view.setFloat64(p + 4, v);
      out.pos = p + 12;
  }
}

/** Days since 1970 from a Date/Timestamp/string column. */
function dateDaysReader(data: Data, vector: Vector): (row: number) => number | undefined {
  const type = data.type as { typeId: number; unit?: number };
  if (type.typeId === T.Date && type.unit === 0 && data.values instanceof Int32Array) {
    const values = data.values;
    return (row) => values[row]!;
  }
  return (row) => {
    const v = vector.get(row) as unknown;
    const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : NaN;
    if (Number.isNaN(ms)) return undefined;
    return Math.floor(ms / 86_400_000);
  };
}

/** Microseconds since 1970 from a Timestamp/Date/string column (exact within ±2^53 µs). */
function microsReader(data: Data, vector: Vector): (row: number) => number | undefined {
  const type = data.type as { typeId: number; unit?: number };
  if (type.typeId === T.Timestamp && data.values instanceof BigInt64Array) {
    const halves = new Int32Array(data.values.buffer, data.values.byteOffset, data.values.length * 2);
    // TimeUnit: 0 s, 1 ms, 2 µs, 3 ns.
    const unit = type.unit ?? 2;
    return (row) => {
      const i = row << 1;
      const raw = halves[i + 1]! * TWO_32 + (halves[i]! >>> 0);
      return unit === 2 ? raw : unit === 1 ? raw * 1000 : unit === 0 ? raw * 1_000_000 : Math.floor(raw / 1000);
    };
  }
  if (type.typeId === T.Date && data.values instanceof Int32Array && type.unit === 0) {
    const values = data.values;
    return (row) => values[row]! * DAY_MICROS;
  }
  return (row) => {
    const v = vector.get(row) as unknown;
    if (v instanceof Date) return v.getTime() * 1000;
    if (typeof v === 'number') return v * 1000;
    if (typeof v === 'bigint') return Number(v) * 1000;
    if (typeof v === 'string') {
      const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
      return Number.isNaN(ms) ? undefined : ms * 1000;
    }
    return undefined;
  };
}

interface NumericParts {
  negative: boolean;
  weight: number;
  dscale: number;
  digits: number[];
}

/** Base-10000 parts of a numeric, from an unscaled integer (as decimal digits text) and a scale. */
export function numericFromDigits(negative: boolean, unscaled: string, scale: number): NumericParts {
  const padded = unscaled.padStart(scale + 1, '0');
  const intText = padded.slice(0, padded.length - scale);
  const fracText = padded.slice(padded.length - scale);
  const intGroups: number[] = [];
  for (let end = intText.length; end > 0; end -= 4) intGroups.unshift(Number(intText.slice(Math.max(0, end - 4), end)));
  const fracGroups: number[] = [];
  for (let i = 0; i < fracText.length; i += 4) fracGroups.push(Number(fracText.slice(i, i + 4).padEnd(4, '0')));
  let digits = [...intGroups, ...fracGroups];
  let weight = intGroups.length - 1;
  while (digits.length && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) {
    weight = 0;
    digits = [];
  }
  return { negative: negative && digits.length > 0, weight, dscale: Math.max(0, scale), digits };
}

function numericFromText(text: string): NumericParts {
  const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (!m[2] && !m[3])) throw new TypeError(`Not a number: '${text}'`);
  let intDigits = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    const moved = frac.padEnd(exp, '0');
    intDigits += moved.slice(0, exp);
    frac = moved.slice(exp);
  } else if (exp < 0) {
    const moved = intDigits.padStart(-exp, '0');
    frac = moved.slice(moved.length + exp) + frac;
    intDigits = moved.slice(0, moved.length + exp);
  }
  return numericFromDigits(m[1] === '-', (intDigits + frac).replace(/^0+(?=\d)/, '') || '0', frac.length);
}

/** Reads a column as numeric parts: Decimal columns exactly, numbers through their shortest text. */
function numericReader(data: Data, vector: Vector, n: ((row: number) => number) | undefined): (row: number) => NumericParts {
  const type = data.type as { typeId: number; scale?: number; bitWidth?: number };
  if (type.typeId === T.Decimal && data.values instanceof Uint32Array) {
    const words = data.values;
    const stride = (type.bitWidth ?? 128) / 32;
    const scale = type.scale ?? 0;
    return (row) => {
      const i = row * stride;
      const w0 = words[i]!;
      const hi = words[i + 1]! | 0;
      const ext = hi < 0 ? -1 : 0;
      // Fast path: values within ±2^53 (every numeric(15,s) and most real data).
      let small = hi >= -0x200000 && hi < 0x200000;
      for (let k = 2; k < stride && small; k++) if ((words[i + k]! | 0) !== ext) small = false;
      if (small) return numericFromSmall(hi * TWO_32 + w0, scale);
      let big = 0n;
      for (let k = stride - 1; k >= 0; k--) big = (big << 32n) | BigInt(words[i + k]!);
      big = BigInt.asIntN(stride * 32, big);
      return numericFromDigits(big < 0n, (big < 0n ? -big : big).toString(), scale);
    };
  }
  if (data.values instanceof BigInt64Array || data.values instanceof BigUint64Array) {
    const values = data.values;
    return (row) => {
      const v = values[row]!;
      return numericFromDigits(v < 0n, (v < 0n ? -v : v).toString(), 0);
    };
  }
  if (n) return (row) => numericFromText(String(n(row)));
  return (row) => numericFromText(String(vector.get(row)));
}

/** Numeric parts of a small unscaled integer (|v| < 2^53) at `scale`, without strings when scale ≤ 4. */
function numericFromSmall(v: number, scale: number): NumericParts {
  const negative = v < 0;
  let u = negative ? -v : v;
  if (scale > 4 || scale < 0) return numericFromDigits(negative, String(u), scale);
  const f = 10 ** scale;
  const intPart = Math.floor(u / f);
  const frac = (u - intPart * f) * 10 ** (4 - scale);
  const groups: number[] = [];
  u = intPart;
  while (u > 0) {
    const q = Math.floor(u / 10_000);
    groups.unshift(u - q * 10_000);
    u = q;
  }
  let weight = groups.length - 1;
  if (scale > 0) groups.push(frac);
  // Trim leading and trailing zero groups.
  let start = 0;
  while (start < groups.length && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  const digits = groups.slice(start, end);
  return { negative: negative && digits.length > 0, weight: digits.length ? weight : 0, dscale: scale, digits };
}

function textBytes(v: unknown, binary: boolean): Buffer {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Date) return Buffer.from(v.toISOString(), 'utf8');
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return Buffer.from(String(v), 'utf8');
  if (binary) return Buffer.from(JSON.stringify(v), 'utf8');
  // Structs, lists and maps arrive as Arrow row/vector objects: store their JSON.
  const plain = v && typeof (v as { toJSON?: () => unknown }).toJSON === 'function' ? (v as { toJSON: () => unknown }).toJSON() : v;
  return Buffer.from(JSON.stringify(plain, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)), 'utf8');
}
