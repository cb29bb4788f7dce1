/**
 * Column-at-a-time binary COPY encoding for the common Arrow → PostgreSQL type pairs.
 *
 * The row-at-a-time encoder calls one writer closure per value through a call site that sees every
 * column's writer, which V8 cannot inline. Here a slice of rows is encoded in two column passes:
 * 1. each column adds the byte size of its values to a per-row counter (text lengths come from the
 *    offsets, numerics are converted to base-10000 groups into scratch arrays once);
 * 2. the counters become row start positions in one exactly sized buffer, and each column writes
 *    its values at a per-row cursor in a tight, monomorphic loop.
 * Only Arrow layouts whose bytes can be read straight from the column buffers are handled; the
 * caller keeps the row encoder for everything else (see `columnarPlan`).
 */
import type { Data } from 'apache-arrow';
import { PgOid } from './pg-types.js';
import type { TargetColumn } from './copy-encoder.js';

const PG_EPOCH_DAYS = 10_957;
const PG_EPOCH_MICROS = 946_684_800_000_000;
const TWO_32 = 4_294_967_296;
/** Arrow type ids (the columnar format's enum). */
const T = { Int: 2, Float: 3, Binary: 4, Utf8: 5, Bool: 6, Decimal: 7, Date: 8, Timestamp: 10 } as const;

/** Base-10000 groups a small Decimal128 value (|unscaled| < 2^53, scale ≤ 4) can need: 4 integer + 1 fraction. */
const SMALL_GROUPS = 5;

/**
 * One column of a slice: sizes first, then values. Arrow's `data.offset` applies to bitmaps only
 * (validity, and Bool values): a sliced column's value and offset buffers already start at its
 * first row.
 */
export interface ColumnPass {
  /** Set when every row of the column has the same encoded size (no NULLs): skips `addSizes`. */
  readonly constantSize?: number;
  /** Adds the encoded size (length word included) of rows `[start, start + n)` to `sizes[0..n)`. */
  addSizes(sizes: Int32Array, start: number, n: number): void;
  /** Writes rows `[start, start + n)` at `cursor[0..n)`, advancing each cursor past its value. */
  write(buf: Buffer, view: DataView, cursor: Int32Array, start: number, n: number): void;
}

/** Writes the NULL marker (-1 length) for invalid rows; returns the validity bitmap or undefined. */
function validity(data: Data): Uint8Array | undefined {
  return data.nullCount !== 0 && data.nullBitmap && data.nullBitmap.length ? data.nullBitmap : undefined;
}

/** Fixed-width values: 4-byte length word + `width` bytes, NULL as 4 bytes. */
function fixedPass(data: Data, width: number, put: (view: DataView, at: number, index: number) => void): ColumnPass {
  const nulls = validity(data);
  const offset = data.offset;
  const full = 4 + width;
  return {
    constantSize: nulls === undefined ? full : undefined,
    addSizes(sizes, start, n) {
      if (nulls === undefined) {
        for (let r = 0; r < n; r++) sizes[r] = sizes[r]! + full;
        return;
      }
      for (let r = 0; r < n; r++) {
        const i = offset + start + r;
        sizes[r] = sizes[r]! + ((nulls[i >> 3]! >> (i & 7)) & 1 ? full : 4);
      }
    },
    write(_buf, view, cursor, start, n) {
      for (let r = 0; r < n; r++) {
        const i = offset + start + r;
        const at = cursor[r]!;
        if (nulls !== undefined && ((nulls[i >> 3]! >> (i & 7)) & 1) === 0) {
          view.setInt32(at, -1);
          cursor[r] = at + 4;
          continue;
        }
        view.setInt32(at, width);
        put(view, at + 4, start + r);
        cursor[r] = at + full;
      }
    },
  };
}

/** Text and bytes whose Arrow bytes are already the wire bytes (jsonb gets its version byte). */
function bytesPass(data: Data, prefix: number): ColumnPass {
  const nulls = validity(data);
  const offset = data.offset;
  const offsets = data.valueOffsets as Int32Array;
  const values = data.values as Uint8Array;
  const src = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return {
    addSizes(sizes, start, n) {
      for (let r = 0; r < n; r++) {
        const i = offset + start + r;
        if (nulls !== undefined && ((nulls[i >> 3]! >> (i & 7)) & 1) === 0) sizes[r] = sizes[r]! + 4;
        else sizes[r] = sizes[r]! + (4 + prefix + offsets[start + r + 1]! - offsets[start + r]!);
      }
    },
    write(buf, view, cursor, start, n) {
      for (let r = 0; r < n; r++) {
        const i = offset + start + r;
        let at = cursor[r]!;
        if (nulls !== undefined && ((nulls[i >> 3]! >> (i & 7)) & 1) === 0) {
          view.setInt32(at, -1);
          cursor[r] = at + 4;
          continue;
        }
        const from = offsets[start + r]!;
        const to = offsets[start + r + 1]!;
        view.setInt32(at, to - from + prefix);
        at += 4;
        if (prefix) buf[at++] = 1;
        // Short values: a byte loop beats the native copy's call overhead.
        if (to - from < 32) for (let k = from; k < to; k++) buf[at++] = values[k]!;
        else at += src.copy(buf, at, from, to);
        cursor[r] = at;
      }
    },
  };
}

/** A numeric value outside the small fast path, already split into parts by the caller's fallback. */
export interface NumericParts {
  negative: boolean;
  weight: number;
  dscale: number;
  digits: number[];
}

/**
 * Decimal128 with scale 0..4: values within ±2^53 are split into base-10000 groups with plain
 * arithmetic into scratch arrays during the size pass; larger ones go through `exact`.
 */
function smallDecimalPass(data: Data, scale: number, exact: (negative: boolean, unscaled: bigint) => NumericParts): ColumnPass {
  const nulls = validity(data);
  const offset = data.offset;
  const words = data.values as Uint32Array;
  const unit = 10 ** scale;
  const fracFactor = 10 ** (4 - scale);
  let capacity = 0;
  let groups = new Int16Array(0);
  let counts = new Int16Array(0);
  let weights = new Int16Array(0);
  let negatives = new Uint8Array(0);
  let large: Array<NumericParts | undefined> = [];
  const tmp = new Int16Array(SMALL_GROUPS);
  return {
    addSizes(sizes, start, n) {
      if (n > capacity) {
        capacity = n;
        groups = new Int16Array(n * SMALL_GROUPS);
        counts = new Int16Array(n);
        weights = new Int16Array(n);
        negatives = new Uint8Array(n);
      }
      large = [];
      for (let r = 0; r < n; r++) {
        const row = offset + start + r;
        if (nulls !== undefined && ((nulls[row >> 3]! >> (row & 7)) & 1) === 0) {
          counts[r] = -1;
          sizes[r] = sizes[r]! + 4;
          continue;
        }
        const w = (start + r) * 4;
        const hi = words[w + 1]! | 0;
        const ext = hi < 0 ? -1 : 0;
        if (hi < -0x200000 || hi >= 0x200000 || (words[w + 2]! | 0) !== ext || (words[w + 3]! | 0) !== ext) {
          let big = 0n;
          for (let k = 3; k >= 0; k--) big = (big << 32n) | BigInt(words[w + k]!);
          big = BigInt.asIntN(128, big);
          const parts = exact(big < 0n, big < 0n ? -big : big);
          large[r] = parts;
          counts[r] = -2;
          sizes[r] = sizes[r]! + 12 + 2 * parts.digits.length;
          continue;
        }
        const value = hi * TWO_32 + words[w]!;
        const negative = value < 0;
        const u = negative ? -value : value;
        const base = r * SMALL_GROUPS;
        // Integer groups, most significant first; `k` of them.
        let k = 0;
        let frac: number;
        if (u < 2_147_483_648) {
          // Int32 arithmetic for the common case (|unscaled| < 2^31): at most 3 integer groups.
          let intPart = (u / unit) | 0;
          frac = (u - intPart * unit) * fracFactor;
          if (intPart >= 100_000_000) {
            const g = (intPart / 100_000_000) | 0;
            intPart -= g * 100_000_000;
            const h = (intPart / 10_000) | 0;
            groups[base] = g;
            groups[base + 1] = h;
            groups[base + 2] = intPart - h * 10_000;
            k = 3;
          } else if (intPart >= 10_000) {
            const h = (intPart / 10_000) | 0;
            groups[base] = h;
            groups[base + 1] = intPart - h * 10_000;
            k = 2;
          } else if (intPart > 0) {
            groups[base] = intPart;
            k = 1;
          }
        } else {
          let intPart = Math.floor(u / unit);
          frac = (u - intPart * unit) * fracFactor;
          // Least significant first into tmp, then reversed into place.
          while (intPart > 0) {
            const q = Math.floor(intPart / 10_000);
            tmp[k++] = intPart - q * 10_000;
            intPart = q;
          }
          for (let j = 0; j < k; j++) groups[base + j] = tmp[k - 1 - j]!;
        }
        // The most significant integer group is never zero; trim trailing zero groups and, for a
        // zero integer part, start at the fraction.
        let weight = k - 1;
        let count = k;
        if (scale > 0 && (frac !== 0 || count === 0)) groups[base + count++] = frac;
        while (count > 0 && groups[base + count - 1] === 0) count--;
        if (count === 0) weight = 0;
        counts[r] = count;
        weights[r] = weight;
        negatives[r] = negative && count > 0 ? 1 : 0;
        sizes[r] = sizes[r]! + 12 + 2 * count;
      }
    },
    write(_buf, view, cursor, _start, n) {
      for (let r = 0; r < n; r++) {
        let at = cursor[r]!;
        const count = counts[r]!;
        if (count === -1) {
          view.setInt32(at, -1);
          cursor[r] = at + 4;
          continue;
        }
        if (count === -2) {
          const parts = large[r]!;
          const digits = parts.digits;
          view.setInt32(at, 8 + 2 * digits.length);
          view.setInt16(at + 4, digits.length);
          view.setInt16(at + 6, parts.weight);
          view.setUint16(at + 8, parts.negative ? 0x4000 : 0);
          view.setInt16(at + 10, parts.dscale);
          at += 12;
          for (let k = 0; k < digits.length; k++, at += 2) view.setInt16(at, digits[k]!);
          cursor[r] = at;
          continue;
        }
        view.setInt32(at, 8 + 2 * count);
        view.setInt16(at + 4, count);
        view.setInt16(at + 6, weights[r]!);
        view.setUint16(at + 8, negatives[r] ? 0x4000 : 0);
        view.setInt16(at + 10, scale);
        at += 12;
        const base = r * SMALL_GROUPS;
        for (let k = 0; k < count; k++, at += 2) view.setInt16(at, groups[base + k]!);
        cursor[r] = at;
      }
    },
  };
}

/**
 * The column pass for one Arrow column and its target, or undefined when this layout/type pair
 * needs the general row encoder.
 */
export function columnPass(data: Data, target: TargetColumn, exact: (negative: boolean, unscaled: bigint, scale: number) => NumericParts): ColumnPass | undefined {
  const type = data.type as { typeId: number; unit?: number; scale?: number; bitWidth?: number };
  const values = data.values as unknown;
  switch (target.oid) {
    case PgOid.int8:
      if (type.typeId === T.Int && values instanceof BigInt64Array) {
        // Exact 64-bit copy: the two little-endian halves swapped, no double in between.
        const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
        return fixedPass(data, 8, (view, at, i) => {
          view.setInt32(at, halves[2 * i + 1]!);
          view.setInt32(at + 4, halves[2 * i]!);
        });
      }
      return undefined;
    case PgOid.int4:
      if (type.typeId === T.Int && values instanceof Int32Array) return fixedPass(data, 4, (view, at, i) => view.setInt32(at, values[i]!));
      return undefined;
    case PgOid.int2:
      if (type.typeId === T.Int && values instanceof Int16Array) return fixedPass(data, 2, (view, at, i) => view.setInt16(at, values[i]!));
      return undefined;
    case PgOid.float8:
      if (type.typeId === T.Float && values instanceof Float64Array) return fixedPass(data, 8, (view, at, i) => view.setFloat64(at, values[i]!));
      return undefined;
    case PgOid.float4:
      if (type.typeId === T.Float && values instanceof Float32Array) return fixedPass(data, 4, (view, at, i) => view.setFloat32(at, values[i]!));
      return undefined;
    case PgOid.bool:
      if (type.typeId === T.Bool && values instanceof Uint8Array) {
        // Bool values are a bitmap: unlike other value buffers, a slice keeps it whole and moves `offset`.
        const bitOffset = data.offset;
        return fixedPass(data, 1, (view, at, i) => view.setUint8(at, (values[(bitOffset + i) >> 3]! >> ((bitOffset + i) & 7)) & 1));
      }
      return undefined;
    case PgOid.date:
      if (type.typeId === T.Date && type.unit === 0 && values instanceof Int32Array) return fixedPass(data, 4, (view, at, i) => view.setInt32(at, values[i]! - PG_EPOCH_DAYS));
      return undefined;
    case PgOid.timestamp:
    case PgOid.timestamptz: {
      if (type.typeId !== T.Timestamp || !(values instanceof BigInt64Array)) return undefined;
      const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      // TimeUnit: 0 s, 1 ms, 2 µs, 3 ns; the same arithmetic as the row encoder (exact within ±2^53 µs).
      const unit = type.unit ?? 2;
      const scaleUp = unit === 2 ? 1 : unit === 1 ? 1000 : unit === 0 ? 1_000_000 : 0;
      return fixedPass(data, 8, (view, at, i) => {
        const raw = halves[2 * i + 1]! * TWO_32 + (halves[2 * i]! >>> 0);
        const v = (scaleUp === 0 ? Math.floor(raw / 1000) : raw * scaleUp) - PG_EPOCH_MICROS;
        const hi = Math.floor(v / TWO_32);
        view.setInt32(at, hi);
        view.setInt32(at + 4, v - hi * TWO_32);
      });
    }
    case PgOid.numeric: {
      const scale = type.scale ?? 0;
      if (type.typeId === T.Decimal && values instanceof Uint32Array && (type.bitWidth ?? 128) === 128 && scale >= 0 && scale <= 4) {
        return smallDecimalPass(data, scale, (negative, unscaled) => exact(negative, unscaled, scale));
      }
      return undefined;
    }
    case PgOid.bytea:
    case PgOid.text:
    case PgOid.varchar:
    case PgOid.bpchar:
    case PgOid.name:
    case PgOid.json:
    case PgOid.xml:
    case PgOid.jsonb:
      if ((type.typeId === T.Utf8 || type.typeId === T.Binary) && data.valueOffsets instanceof Int32Array && values instanceof Uint8Array) {
        return bytesPass(data, target.oid === PgOid.jsonb ? 1 : 0);
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Encodes rows `[start, end)` of a batch whose every column has a pass into one exactly sized
 * buffer (2-byte field count per row, then the values).
 */
export function encodeColumnarSlice(passes: readonly ColumnPass[], start: number, end: number, scratch: { sizes: Int32Array }): Buffer {
  const n = end - start;
  if (scratch.sizes.length < n) scratch.sizes = new Int32Array(n);
  const sizes = scratch.sizes;
  let constant = 2;
  for (const pass of passes) if (pass.constantSize !== undefined) constant += pass.constantSize;
  sizes.fill(constant, 0, n);
  for (const pass of passes) if (pass.constantSize === undefined) pass.addSizes(sizes, start, n);
  // Sizes become start positions (the same array doubles as the per-row cursor).
  let total = 0;
  for (let r = 0; r < n; r++) {
    const size = sizes[r]!;
    sizes[r] = total;
    total += size;
  }
  const buf = Buffer.allocUnsafe(total);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const width = passes.length;
  for (let r = 0; r < n; r++) {
    view.setInt16(sizes[r]!, width);
    sizes[r] = sizes[r]! + 2;
  }
  for (const pass of passes) pass.write(buf, view, sizes, start, n);
  return buf;
}
