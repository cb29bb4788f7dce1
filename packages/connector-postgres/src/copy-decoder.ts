/**
 * Decodes PostgreSQL's binary COPY stream straight into Arrow column buffers.
 *
 * No per-row JavaScript objects are made: each field's bytes are read from the network chunk
 * and written into preallocated typed arrays (values, offsets, validity bitmaps), which become
 * Arrow `Data` without copying when a batch is full.
 *
 * Binary COPY layout (all integers big-endian): an 11-byte signature, a 4-byte flags word, a
 * 4-byte header-extension length and the extension; then per tuple a 2-byte field count (-1
 * ends the stream) and per field a 4-byte length (-1 for NULL) followed by the value in the
 * type's binary send format.
 */
import type { Data, DataType, Field, RecordBatch, Schema } from 'apache-arrow';
import type { ArrowModule } from './deps.js';
import type { ColumnKind, PgColumn } from './pg-types.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01. */
const PG_EPOCH_DAYS = 10_957;
/** Microseconds from 1970-01-01 to 2000-01-01. */
const PG_EPOCH_MICROS = 946_684_800_000_000;
const TWO_32 = 4_294_967_296;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).map((h) => [h.charCodeAt(0), h.charCodeAt(1)] as const);

/** Kind numbers for the hot loop's switch (small integers keep it monomorphic). */
const K = {
  int16: 0,
  int32: 1,
  int64: 2,
  float32: 3,
  float64: 4,
  decimal: 5,
  utf8: 6,
  jsonb: 7,
  uuid: 8,
  binary: 9,
  bool: 10,
  date: 11,
  timestamp: 12,
  timestamptz: 13,
} as const satisfies Record<ColumnKind, number>;

/** The Arrow type a decoded column gets. */
export function arrowTypeFor(arrow: ArrowModule, column: PgColumn): DataType {
  switch (column.kind) {
    case 'int16':
      return new arrow.Int16();
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'float32':
      return new arrow.Float32();
    case 'float64':
      return new arrow.Float64();
    case 'decimal':
      return new arrow.Decimal(column.scale!, column.precision!, 128);
    case 'bool':
      return new arrow.Bool();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMicrosecond();
    case 'timestamptz':
      return new arrow.TimestampMicrosecond('UTC');
    case 'binary':
      return new arrow.Binary();
    default:
      // utf8, jsonb, uuid, and anything cast to text by the query.
      return new arrow.Utf8();
  }
}

/** The Arrow schema of a result. */
export function arrowSchemaFor(arrow: ArrowModule, columns: readonly PgColumn[]): Schema {
  return new arrow.Schema(columns.map((c) => new arrow.Field(c.name, arrowTypeFor(arrow, c), true)));
}

/** One column's buffers for the batch being filled. */
class ColumnBuffers {
  readonly kind: number;
  readonly scale: number;
  validity!: Uint8Array;
  nullCount = 0;
  /** Fixed-width values (viewed as the width the kind needs). */
  i16?: Int16Array;
  i32?: Int32Array;
  f32?: Float32Array;
  f64?: Float64Array;
  /** Bool values bitmap. */
  bits?: Uint8Array;
  /** Variable-width: offsets and bytes. */
  offsets?: Int32Array;
  bytes?: Uint8Array;
  used = 0;

  constructor(
    column: PgColumn,
    private readonly capacity: number,
  ) {
    this.kind = column.kind === undefined ? K.utf8 : K[column.kind];
    this.scale = column.scale ?? 0;
    this.reset();
  }

  reset(): void {
    const n = this.capacity;
    this.validity = new Uint8Array((n + 7) >> 3);
    this.nullCount = 0;
    switch (this.kind) {
      case K.int16:
        this.i16 = new Int16Array(n);
        break;
      case K.int32:
      case K.date:
        this.i32 = new Int32Array(n);
        break;
      case K.int64:
      case K.timestamp:
      case K.timestamptz:
        this.i32 = new Int32Array(n * 2);
        break;
      case K.decimal:
        this.i32 = new Int32Array(n * 4);
        break;
      case K.float32:
        this.f32 = new Float32Array(n);
        break;
      case K.float64:
        this.f64 = new Float64Array(n);
        break;
      case K.bool:
        this.bits = new Uint8Array((n + 7) >> 3);
        break;
      default:
        this.offsets = new Int32Array(n + 1);
        // Keep the previous batch's size as a hint: text columns tend to be similar batch to batch.
        this.bytes = new Uint8Array(Math.max(1024, this.bytes ? Math.ceil(this.used * 1.2) : n * 16));
        this.used = 0;
    }
  }

  /** Ensures room for `extra` more variable-width bytes. */
  grow(extra: number): Uint8Array {
    const need = this.used + extra;
    let bytes = this.bytes!;
    if (need > bytes.length) {
      const next = new Uint8Array(Math.max(need, bytes.length * 2));
      next.set(bytes.subarray(0, this.used));
      this.bytes = bytes = next;
    }
    return bytes;
  }

  /** Arrow Data for the first `length` rows. */
  toData(arrow: ArrowModule, type: DataType, length: number): Data {
    const nullBitmap = this.nullCount > 0 ? this.validity.subarray(0, (length + 7) >> 3) : undefined;
    const props: Record<string, unknown> = { type, length, nullCount: this.nullCount, nullBitmap };
    switch (this.kind) {
      case K.int16:
        props.data = this.i16!.subarray(0, length);
        break;
      case K.int32:
      case K.date:
        props.data = this.i32!.subarray(0, length);
        break;
      case K.int64:
      case K.timestamp:
      case K.timestamptz:
        props.data = new BigInt64Array(this.i32!.buffer, 0, length);
        break;
      case K.decimal:
        props.data = new Uint32Array(this.i32!.buffer, 0, length * 4);
        break;
      case K.float32:
        props.data = this.f32!.subarray(0, length);
        break;
      case K.float64:
        props.data = this.f64!.subarray(0, length);
        break;
      case K.bool:
        props.data = this.bits!.subarray(0, (length + 7) >> 3);
        break;
      default:
        props.valueOffsets = this.offsets!.subarray(0, length + 1);
        props.data = this.bytes!.subarray(0, this.offsets![length]!);
    }
    return arrow.makeData(props as never) as Data;
  }
}

/**
 * Streaming decoder: feed it the COPY data chunks as they arrive, collect record batches of
 * `batchRows` rows (the last one shorter).
 */
export class CopyBinaryDecoder {
  readonly schema: Schema;
  private readonly fields: Field[];
  private readonly columns: ColumnBuffers[];
  private readonly width: number;
  private pending: Buffer | undefined;
  private headerDone = false;
  private finished = false;
  private rows = 0;
  /** Total rows decoded so far. */
  totalRows = 0;
  /** Total bytes of COPY data consumed so far. */
  totalBytes = 0;

  constructor(
    private readonly arrow: ArrowModule,
    columns: readonly PgColumn[],
    private readonly batchRows = 65_536,
  ) {
    this.schema = arrowSchemaFor(arrow, columns);
    this.fields = this.schema.fields;
    this.columns = columns.map((c) => new ColumnBuffers(c, batchRows));
    this.width = columns.length;
  }

  /** True once the trailer (field count -1) was seen. */
  get done(): boolean {
    return this.finished;
  }

  /** Decodes one chunk; returns the batches it completed. */
  push(chunk: Buffer): RecordBatch[] {
    this.totalBytes += chunk.length;
    const out: RecordBatch[] = [];
    let start = 0;
    if (this.pending) {
      // A tuple spans the previous chunk and this one. Join only the piece that can finish it
      // (the rest of the chunk is parsed in place, without copying it).
      const pending = this.pending;
      this.pending = undefined;
      let take = Math.min(chunk.length, 16_384);
      for (;;) {
        const head = Buffer.concat([pending, chunk.subarray(0, take)]);
        const used = this.parse(head, 0, out, 1);
        if (used > pending.length || this.finished) {
          start = used - pending.length;
          break;
        }
        if (take === chunk.length) {
          this.pending = head;
          return out;
        }
        take = Math.min(chunk.length, take * 4);
      }
    }
    if (!this.finished) {
      const used = this.parse(chunk, start, out, Infinity);
      if (used < chunk.length && !this.finished) this.pending = Buffer.from(chunk.subarray(used));
    }
    return out;
  }

  /**
   * Decodes `buf[start, end)` in place — the payload of one CopyData message read straight off
   * the socket. `view` is a DataView over the whole of `buf` (made once per socket chunk).
   */
  pushRange(buf: Buffer, view: DataView, start: number, end: number, out: RecordBatch[]): void {
    if (this.pending) {
      out.push(...this.push(buf.subarray(start, end)));
      return;
    }
    this.totalBytes += end - start;
    const used = this.parse(buf, start, out, Infinity, end, view);
    if (used < end && !this.finished) this.pending = Buffer.from(buf.subarray(used, end));
  }

  /**
   * Parses the header (once) and up to `maxTuples` complete tuples from `buf` at `pos`; returns
   * the position after the last complete one.
   */
  private parse(buf: Buffer, pos: number, out: RecordBatch[], maxTuples: number, end = buf.length, dataView?: DataView): number {
    if (!this.headerDone) {
      if (end - pos < 19) return pos;
      if (!buf.subarray(pos, pos + 11).equals(SIGNATURE)) throw new Error('Not a PostgreSQL binary COPY stream (bad signature)');
      const extension = buf.readUInt32BE(pos + 15);
      if (end - pos < 19 + extension) return pos;
      pos += 19 + extension;
      this.headerDone = true;
    }
    const view = dataView ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const width = this.width;
    let tuples = 0;
    while (!this.finished && tuples < maxTuples) {
      if (pos + 2 > end) break;
      const count = view.getInt16(pos);
      if (count === -1) {
        this.finished = true;
        pos += 2;
        break;
      }
      if (count !== width) throw new Error(`Binary COPY tuple has ${count} fields, expected ${width}`);
      // Make sure the whole tuple is here before writing any of it.
      let p = pos + 2;
      let complete = true;
      for (let f = 0; f < width; f++) {
        if (p + 4 > end) {
          complete = false;
          break;
        }
        const len = view.getInt32(p);
        p += 4 + (len > 0 ? len : 0);
        if (p > end) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      this.decodeTuple(buf, view, pos + 2);
      pos = p;
      tuples++;
      if (this.rows === this.batchRows) out.push(this.flush());
    }
    return pos;
  }

  /** The last, partial batch (or an empty one when no rows came at all and none was emitted). */
  finish(emitEmpty: boolean): RecordBatch | undefined {
    if (this.pending && this.pending.length > 0) throw new Error('Binary COPY stream ended in the middle of a tuple');
    if (this.rows > 0 || emitEmpty) return this.flush();
    return undefined;
  }

  private decodeTuple(buf: Buffer, view: DataView, start: number): void {
    const r = this.rows;
    const byteIndex = r >> 3;
    const bit = 1 << (r & 7);
    let p = start;
    const columns = this.columns;
    for (let f = 0; f < columns.length; f++) {
      const col = columns[f]!;
      const len = view.getInt32(p);
      p += 4;
      if (len < 0) {
        col.nullCount++;
        if (col.offsets) col.offsets[r + 1] = col.used;
        continue;
      }
      let valid = true;
      switch (col.kind) {
        case K.int16:
          col.i16![r] = view.getInt16(p);
          break;
        case K.int32:
          col.i32![r] = view.getInt32(p);
          break;
        case K.int64: {
          const i = r << 1;
          col.i32![i] = view.getInt32(p + 4);
          col.i32![i + 1] = view.getInt32(p);
          break;
        }
        case K.float32:
          col.f32![r] = view.getFloat32(p);
          break;
        case K.float64:
          col.f64![r] = view.getFloat64(p);
          break;
        case K.bool:
          if (buf[p] !== 0) col.bits![byteIndex] = col.bits![byteIndex]! | bit;
          break;
        case K.date: {
          const days = view.getInt32(p);
          // ±infinity have no Arrow date: they read as NULL.
          if (days === 0x7fffffff || days === -0x80000000) valid = false;
          else col.i32![r] = days + PG_EPOCH_DAYS;
          break;
        }
        case K.timestamp:
        case K.timestamptz:
          valid = writeTimestamp(col.i32!, r << 1, view.getInt32(p), view.getInt32(p + 4));
          break;
        case K.decimal:
          valid = writeDecimal(col.i32!, r << 2, view, p, col.scale);
          break;
        case K.jsonb: {
          // jsonb's binary form is a version byte (1) followed by the JSON text.
          const bytes = col.grow(len - 1);
          buf.copy(bytes, col.used, p + 1, p + len);
          col.used += len - 1;
          col.offsets![r + 1] = col.used;
          break;
        }
        case K.uuid: {
          const bytes = col.grow(36);
          let o = col.used;
          for (let i = 0; i < 16; i++) {
            if (i === 4 || i === 6 || i === 8 || i === 10) bytes[o++] = 45; // '-'
            const h = HEX[buf[p + i]!]!;
            bytes[o++] = h[0];
            bytes[o++] = h[1];
          }
          col.used = o;
          col.offsets![r + 1] = o;
          break;
        }
        default: {
          // utf8 and binary: the bytes as they are.
          const bytes = col.grow(len);
          if (len < 24) {
            let o = col.used;
            for (let i = p, e = p + len; i < e; i++) bytes[o++] = buf[i]!;
          } else {
            buf.copy(bytes, col.used, p, p + len);
          }
          col.used += len;
          col.offsets![r + 1] = col.used;
        }
      }
      if (valid) col.validity[byteIndex] = col.validity[byteIndex]! | bit;
      else col.nullCount++;
      p += len;
    }
    this.rows = r + 1;
  }

  private flush(): RecordBatch {
    const arrow = this.arrow;
    const length = this.rows;
    const children = this.columns.map((col, i) => col.toData(arrow, this.fields[i]!.type, length));
    const struct = arrow.makeData({ type: new arrow.Struct(this.fields), length, nullCount: 0, children });
    const batch = new arrow.RecordBatch(this.schema, struct);
    for (const col of this.columns) col.reset();
    this.totalRows += length;
    this.rows = 0;
    return batch;
  }
}

/** Writes a PostgreSQL timestamp (µs since 2000-01-01, as two int32 halves) as Arrow µs since 1970. */
function writeTimestamp(out: Int32Array, i: number, hi: number, lo: number): boolean {
  // Within ±2^53 µs (±285 years of 2000) plain doubles are exact, which covers real data.
  if (hi < 0x200000 && hi >= -0x200000) {
    const v = hi * TWO_32 + (lo >>> 0) + PG_EPOCH_MICROS;
    const h = Math.floor(v / TWO_32);
    out[i] = v - h * TWO_32;
    out[i + 1] = h;
    return true;
  }
  const raw = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  // 'infinity' / '-infinity' are int64 max/min: no Arrow timestamp, read as NULL.
  if (raw === 0x7fffffffffffffffn || raw === -0x8000000000000000n) return false;
  const v = BigInt.asIntN(64, raw + BigInt(PG_EPOCH_MICROS));
  out[i] = Number(BigInt.asIntN(32, v));
  out[i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  return true;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Writes a binary `numeric` as a 128-bit two's-complement integer scaled by `scale`. Returns
 * false for NaN and ±Infinity (no decimal value), which read as NULL.
 */
function writeDecimal(out: Int32Array, i: number, view: DataView, p: number, scale: number): boolean {
  const ndigits = view.getInt16(p);
  const weight = view.getInt16(p + 2);
  const sign = view.getUint16(p + 4);
  if (sign === 0xc000 || sign === 0xd000 || sign === 0xf000) return false;
  const negative = sign === 0x4000;
  // Value = Σ digit[k] · 10000^(weight-k); unscaled = value · 10^scale.
  const lastExp = 4 * (weight - (ndigits - 1)) + scale;
  if (ndigits <= 3 && lastExp >= -12 && lastExp <= 3) {
    // Fast path: at most 12 significant digits, exact in a double.
    let acc = 0;
    for (let k = 0; k < ndigits; k++) acc = acc * 10_000 + view.getInt16(p + 8 + 2 * k);
    const unscaled = lastExp >= 0 ? acc * POW10[lastExp]! : acc / POW10[-lastExp]!;
    if (Number.isInteger(unscaled)) {
      writeSmall128(out, i, negative ? -unscaled : unscaled);
      return true;
    }
  }
  let acc = 0n;
  for (let k = 0; k < ndigits; k++) acc = acc * 10_000n + BigInt(view.getInt16(p + 8 + 2 * k));
  // Digits beyond the column's scale are zero-padding of the last base-10000 group.
  const unscaled = lastExp >= 0 ? acc * 10n ** BigInt(lastExp) : acc / 10n ** BigInt(-lastExp);
  writeBig128(out, i, negative ? -unscaled : unscaled);
  return true;
}

function writeSmall128(out: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  out[i] = v - hi * TWO_32;
  out[i + 1] = hi;
  const ext = hi < 0 ? -1 : 0;
  out[i + 2] = ext;
  out[i + 3] = ext;
}

function writeBig128(out: Int32Array, i: number, v: bigint): void {
  const u = BigInt.asUintN(128, v);
  out[i] = Number(BigInt.asIntN(32, u));
  out[i + 1] = Number(BigInt.asIntN(32, u >> 32n));
  out[i + 2] = Number(BigInt.asIntN(32, u >> 64n));
  out[i + 3] = Number(BigInt.asIntN(32, u >> 96n));
}
