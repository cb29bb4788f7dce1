/**
 * ClickHouse's `Native` format ↔ Arrow record batches.
 *
 * Native is the columnar format `clickhouse-client` itself uses, and every server version
 * speaks it over HTTP (Arrow formats only exist on newer servers). A block is
 * `varint columns, varint rows`, then per column its name, its type name and the column's
 * values laid out contiguously — so fixed-width columns convert to Arrow by a single copy.
 */
import { Binary, DateDay, Decimal, makeData, Null, RecordBatch, Schema, Struct, Type, Utf8, type Data, type DataType, type Field, type List } from 'apache-arrow';
import { arrowFieldOfCh, decimalShape, enumValues, isSupportedCh, parseChType, type ChType } from './types.js';

const NEED_MORE = Symbol('need more bytes');

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw NEED_MORE;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }
  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(): string {
    return this.bytes(this.varint()).toString('utf8');
  }
}

/** A copy of `n` bytes into a fresh (aligned) buffer. */
function copyBytes(r: Reader, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(r.bytes(n));
  return out;
}

function decimalWidth(precision: number): number {
  return precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32;
}

const encoder = new TextEncoder();

/** Builds Utf8 data from JS strings (for enum, UUID and IP columns). */
function utf8FromStrings(values: string[], nulls: NullInfo): Data {
  const parts = values.map((v) => encoder.encode(v));
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    total += p.length;
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  parts.forEach((p, i) => data.set(p, offsets[i]!));
  return makeData({ type: new Utf8(), length: values.length, nullCount: nulls.count, nullBitmap: nulls.bitmap, valueOffsets: offsets, data });
}

interface NullInfo {
  bitmap: Uint8Array | undefined;
  count: number;
}

const NO_NULLS: NullInfo = { bitmap: undefined, count: 0 };

/** Decodes one column of `rows` values of type `t` (already unwrapped from Nullable). */
function readColumn(r: Reader, t: ChType, type: DataType, rows: number, nulls: NullInfo): Data {
  const common = { length: rows, nullCount: nulls.count, nullBitmap: nulls.bitmap };
  switch (t.base) {
    case 'Int8':
    case 'UInt8':
      return makeData({ type: type as never, ...common, data: copyBytes(r, rows) } as never);
    case 'Int16':
    case 'UInt16':
      return makeData({ type: type as never, ...common, data: copyBytes(r, rows * 2) } as never);
    case 'Int32':
    case 'UInt32':
    case 'Float32':
      return makeData({ type: type as never, ...common, data: copyBytes(r, rows * 4) } as never);
    case 'Int64':
    case 'UInt64':
    case 'Float64':
      return makeData({ type: type as never, ...common, data: copyBytes(r, rows * 8) } as never);
    case 'Bool':
    case 'Boolean': {
      const src = r.bytes(rows);
      const bits = new Uint8Array((rows + 7) >> 3);
      for (let i = 0; i < rows; i++) if (src[i]) bits[i >> 3]! |= 1 << (i & 7);
      return makeData({ type: type as never, ...common, data: bits } as never);
    }
    case 'Decimal':
    case 'Decimal32':
    case 'Decimal64':
    case 'Decimal128': {
      const width = decimalWidth(decimalShape(t).precision);
      if (width === 16) return makeData({ type: type as Decimal, ...common, data: new Uint32Array(copyBytes(r, rows * 16).buffer) });
      // Widen 32/64-bit two's complement to 128 bits by sign-extending whole words (no bigint math).
      const src = new Uint32Array(copyBytes(r, rows * width).buffer);
      const per = width / 4;
      const words = new Uint32Array(rows * 4);
      for (let i = 0; i < rows; i++) {
        const o = i * 4;
        for (let w = 0; w < per; w++) words[o + w] = src[i * per + w]!;
        const fill = (src[i * per + per - 1]! & 0x80000000) !== 0 ? 0xffffffff : 0;
        for (let w = per; w < 4; w++) words[o + w] = fill;
      }
      return makeData({ type: type as Decimal, ...common, data: words });
    }
    case 'Date': {
      const src = r.bytes(rows * 2);
      const days = new Int32Array(rows);
      for (let i = 0; i < rows; i++) days[i] = src.readUInt16LE(i * 2);
      return makeData({ type: type as DateDay, ...common, data: days });
    }
    case 'Date32':
      return makeData({ type: type as DateDay, ...common, data: new Int32Array(copyBytes(r, rows * 4).buffer) });
    case 'DateTime': {
      // Seconds (UInt32) → int64 microseconds, written as two 32-bit halves (no bigint per row).
      const src = new Uint32Array(copyBytes(r, rows * 4).buffer);
      const halves = new Uint32Array(rows * 2);
      for (let i = 0; i < rows; i++) {
        const micros = src[i]! * 1_000_000;
        halves[i * 2] = micros % 4294967296;
        halves[i * 2 + 1] = Math.floor(micros / 4294967296);
      }
      return makeData({ type: type as never, ...common, data: new BigInt64Array(halves.buffer) } as never);
    }
    case 'DateTime64': {
      const precision = Number(t.args[0] ?? 3);
      if (precision === 6) return makeData({ type: type as never, ...common, data: new BigInt64Array(copyBytes(r, rows * 8).buffer) } as never);
      const src = r.bytes(rows * 8);
      const micros = new BigInt64Array(rows);
      const factor = 10n ** BigInt(Math.abs(6 - precision));
      for (let i = 0; i < rows; i++) {
        const v = src.readBigInt64LE(i * 8);
        micros[i] = precision <= 6 ? v * factor : v / factor;
      }
      return makeData({ type: type as never, ...common, data: micros } as never);
    }
    case 'String': {
      const offsets = new Int32Array(rows + 1);
      // Values sit between their length prefixes: copy them side by side.
      const start = r.pos;
      let size = 0;
      for (let i = 0; i < rows; i++) {
        const n = r.varint();
        r.need(n);
        r.pos += n;
        size += n;
        offsets[i + 1] = size;
      }
      const data = Buffer.allocUnsafe(size);
      r.pos = start;
      let at = 0;
      for (let i = 0; i < rows; i++) {
        const n = r.varint();
        r.buf.copy(data, at, r.pos, r.pos + n);
        r.pos += n;
        at += n;
      }
      return makeData({ type: type as Utf8, ...common, valueOffsets: offsets, data });
    }
    case 'FixedString': {
      const n = Number(t.args[0] ?? 0);
      const offsets = new Int32Array(rows + 1);
      for (let i = 0; i <= rows; i++) offsets[i] = i * n;
      return makeData({ type: type as Binary, ...common, valueOffsets: offsets, data: copyBytes(r, rows * n) });
    }
    case 'UUID': {
      const src = r.bytes(rows * 16);
      const values: string[] = [];
      for (let i = 0; i < rows; i++) {
        const hex = src.readBigUInt64LE(i * 16).toString(16).padStart(16, '0') + src.readBigUInt64LE(i * 16 + 8).toString(16).padStart(16, '0');
        values.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
      }
      return utf8FromStrings(values, nulls);
    }
    case 'IPv4': {
      const src = r.bytes(rows * 4);
      const values: string[] = [];
      for (let i = 0; i < rows; i++) {
        const v = src.readUInt32LE(i * 4);
        values.push(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
      }
      return utf8FromStrings(values, nulls);
    }
    case 'Enum8':
    case 'Enum16': {
      const names = enumValues(t);
      const width = t.base === 'Enum8' ? 1 : 2;
      const src = r.bytes(rows * width);
      const values: string[] = [];
      for (let i = 0; i < rows; i++) {
        const code = width === 1 ? src.readInt8(i) : src.readInt16LE(i * 2);
        values.push(names.get(code) ?? String(code));
      }
      return utf8FromStrings(values, nulls);
    }
    case 'Nothing':
      r.bytes(rows);
      return makeData({ type: new Null(), length: rows });
    case 'Array': {
      // Cumulative end offsets (UInt64 per row), then the nested column holding every element.
      const ends = r.bytes(rows * 8);
      const offsets = new Int32Array(rows + 1);
      for (let i = 0; i < rows; i++) {
        const end = ends.readUInt32LE(i * 8) + ends.readUInt32LE(i * 8 + 4) * 4294967296;
        if (end > 0x7fffffff) throw new Error('Array column too large for one Arrow batch; lower max_block_size (fetchSize)');
        offsets[i + 1] = end;
      }
      const inner = parseChType(t.args[0]!);
      const list = type as List;
      const child = readNullable(r, inner, list.children[0]!.type, offsets[rows]!);
      return makeData({ type: list, ...common, valueOffsets: offsets, child });
    }
    default:
      throw new Error(`unsupported ClickHouse type ${t.text}`);
  }
}

/** A column with its null map first when the type is Nullable. */
function readNullable(r: Reader, t: ChType, type: DataType, rows: number): Data {
  let nulls = NO_NULLS;
  if (t.nullable) {
    const map = r.bytes(rows);
    const bitmap = new Uint8Array((rows + 7) >> 3);
    let count = 0;
    for (let i = 0; i < rows; i++) {
      if (map[i]) count++;
      else bitmap[i >> 3]! |= 1 << (i & 7);
    }
    nulls = count ? { bitmap, count } : NO_NULLS;
  }
  return readColumn(r, t, type, rows, nulls);
}

/** Reads one Native block; throws NEED_MORE when the buffer ends inside it. */
function readBlock(r: Reader, schemaCache: { schema?: Schema }): RecordBatch {
  const columns = r.varint();
  const rows = r.varint();
  const fields: Field[] = [];
  const children: Data[] = [];
  for (let c = 0; c < columns; c++) {
    const name = r.string();
    const typeText = r.string();
    const t = parseChType(typeText);
    if (!isSupportedCh(t)) {
      throw new UnsupportedColumnError(
        `Column '${name}' has type ${typeText}, which Sparkle's Native decoder does not read yet; select it as text (toString(${name})) or JSON (toJSONString on new servers)`,
      );
    }
    const field = arrowFieldOfCh(name, typeText);
    fields.push(field);
    children.push(readNullable(r, t, field.type, rows));
  }
  let schema = schemaCache.schema;
  if (!schema || schema.fields.length !== fields.length || schema.fields.some((f, i) => f.name !== fields[i]!.name || String(f.type) !== String(fields[i]!.type) || f.nullable !== fields[i]!.nullable)) {
    schema = new Schema(fields);
    schemaCache.schema = schema;
  }
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children }));
}

/** A column type the decoder cannot read. */
export class UnsupportedColumnError extends Error {
  override name = 'UnsupportedColumnError';
}

/** The server's error text when a failure came after the response had started streaming. */
export class StreamedServerError extends Error {
  override name = 'StreamedServerError';
  /** The server's error number, as text (as the client reports codes). */
  readonly code: string | undefined;
  constructor(message: string, code: number | undefined) {
    super(message);
    this.code = code === undefined ? undefined : String(code);
  }
}

function serverErrorIn(bytes: Uint8Array): StreamedServerError | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const m = /Code: (\d+)[.,]? .*$/s.exec(text);
  return m ? new StreamedServerError(m[0].trim().slice(0, 2000), Number(m[1])) : undefined;
}

/**
 * Decodes a Native byte stream into record batches, one per server block. Buffers grow by
 * doubling while a block is incomplete, so decoding stays linear in the response size.
 */
export async function* decodeNative(stream: AsyncIterable<Uint8Array>): AsyncGenerator<RecordBatch> {
  let chunks: Uint8Array[] = [];
  let total = 0;
  let waitFor = 0;
  const cache: { schema?: Schema } = {};
  const drain = function* (final: boolean): Generator<RecordBatch> {
    const buf = chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks, total);
    let pos = 0;
    for (;;) {
      if (pos === buf.length) break;
      const r = new Reader(buf, pos);
      let batch: RecordBatch;
      try {
        batch = readBlock(r, cache);
      } catch (error) {
        if (error === NEED_MORE) {
          if (final) throw serverErrorIn(buf.subarray(pos)) ?? new Error('The ClickHouse response ended inside a Native block');
          break;
        }
        throw serverErrorIn(buf.subarray(pos)) ?? error;
      }
      pos = r.pos;
      yield batch;
    }
    const rest = buf.subarray(pos);
    chunks = rest.length ? [rest] : [];
    total = rest.length;
    waitFor = total * 2;
  };
  for await (const chunk of stream) {
    chunks.push(chunk);
    total += chunk.length;
    if (total < waitFor) continue;
    yield* drain(false);
  }
  if (total) yield* drain(true);
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

class Writer {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.varint(b.length);
    this.bytes(b);
  }
  take(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function isValid(data: Data, i: number): boolean {
  if (!data.nullCount || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const j = i + data.offset;
  return ((data.nullBitmap[j >> 3]! >> (j & 7)) & 1) === 1;
}

function unitToMicros(unit: number | undefined): bigint {
  // TimeUnit: 0 s, 1 ms, 2 µs, 3 ns — a multiplier (or, for ns, a divisor marked negative).
  return unit === 0 ? 1_000_000n : unit === 1 ? 1000n : unit === 2 ? 1n : -1000n;
}

/** Encodes one Arrow column as Native values of ClickHouse type `t`. */
function writeColumn(w: Writer, data: Data, vector: { get(i: number): unknown }, t: ChType): void {
  const rows = data.length;
  const type = data.type as DataType & { unit?: number; scale?: number; bitWidth?: number };
  if (t.nullable) {
    w.ensure(rows);
    const bitmap = data.nullBitmap;
    if (!data.nullCount || !bitmap || bitmap.length === 0) w.buf.fill(0, w.pos, w.pos + rows);
    else for (let i = 0, j = data.offset; i < rows; i++, j++) w.buf[w.pos + i] = ((bitmap[j >> 3]! >> (j & 7)) & 1) ^ 1;
    w.pos += rows;
  }
  const raw = data.values as unknown as ArrayLike<number | bigint> & ArrayBufferView;
  const o = data.offset;
  const copyFixed = (width: number) => {
    w.bytes(new Uint8Array(raw.buffer, raw.byteOffset + o * width, rows * width));
  };
  switch (t.base) {
    case 'Int8':
    case 'UInt8':
      if (type.typeId === Type.Bool) {
        w.ensure(rows);
        const bits = data.values as unknown as Uint8Array;
        for (let i = 0; i < rows; i++) w.buf[w.pos++] = (bits[(i + o) >> 3]! >> ((i + o) & 7)) & 1;
        return;
      }
      return copyFixed(1);
    case 'Bool':
    case 'Boolean': {
      w.ensure(rows);
      const bits = data.values as unknown as Uint8Array;
      for (let i = 0; i < rows; i++) w.buf[w.pos++] = (bits[(i + o) >> 3]! >> ((i + o) & 7)) & 1;
      return;
    }
    case 'Int16':
    case 'UInt16':
      return copyFixed(2);
    case 'Int32':
    case 'UInt32':
    case 'Float32':
      return copyFixed(4);
    case 'Int64':
    case 'UInt64':
    case 'Float64':
      return copyFixed(8);
    case 'Decimal': {
      const width = decimalWidth(decimalShape(t).precision);
      const words = data.values as unknown as Uint32Array;
      if (width === 16) return copyFixed(16);
      // Narrower decimals keep the low words of Arrow's 128-bit two's complement.
      const per = width / 4;
      w.ensure(rows * width);
      const out = new Uint32Array(rows * per);
      for (let i = 0; i < rows; i++) for (let k = 0; k < per; k++) out[i * per + k] = words[(i + o) * 4 + k]!;
      w.bytes(new Uint8Array(out.buffer));
      return;
    }
    case 'Date': {
      const dayMs = type.typeId === Type.Date && (type as { unit?: number }).unit === 1;
      const out = new Uint16Array(rows);
      for (let i = 0; i < rows; i++) {
        if (!isValid(data, i)) continue;
        const days = dayMs ? Math.floor(Number(raw[i + o]) / 86_400_000) : (raw[i + o] as number);
        if (days < 0 || days > 65535) throw new RangeError(`Date out of ClickHouse's Date range (1970-01-01..2149-06-06): day ${days}`);
        out[i] = days;
      }
      w.bytes(new Uint8Array(out.buffer));
      return;
    }
    case 'DateTime':
    case 'DateTime64': {
      const k = unitToMicros(type.unit);
      const seconds = t.base === 'DateTime';
      // Microseconds into DateTime64(6): the same int64 layout (values under NULLs are ignored by the server).
      if (!seconds && k === 1n && Number(t.args[0] ?? 3) === 6) return copyFixed(8);
      if (seconds && k === 1n) {
        // Microseconds read as two 32-bit halves: exact as numbers for any DateTime value.
        const halves = new Uint32Array(raw.buffer, raw.byteOffset + o * 8, rows * 2);
        const out = new Uint32Array(rows);
        for (let i = 0; i < rows; i++) {
          if (!isValid(data, i)) continue;
          const micros = (halves[i * 2 + 1]! | 0) * 4294967296 + halves[i * 2]!;
          if (micros % 1_000_000 !== 0) {
            throw new RangeError("This ClickHouse server's DateTime has second precision; the value has a fractional second (DateTime64 needs ClickHouse 20.1+)");
          }
          const secs = micros / 1_000_000;
          if (secs < 0 || secs > 0xffffffff) throw new RangeError('Timestamp out of the DateTime range (1970..2106)');
          out[i] = secs;
        }
        w.bytes(new Uint8Array(out.buffer));
        return;
      }
      w.ensure(rows * 8);
      for (let i = 0; i < rows; i++) {
        let micros = 0n;
        if (isValid(data, i)) {
          const v = BigInt(raw[i + o]!);
          micros = k > 0n ? v * k : v / -k;
        }
        if (seconds) {
          if (micros % 1_000_000n !== 0n) {
            throw new RangeError("This ClickHouse server's DateTime has second precision; the value has a fractional second (DateTime64 needs ClickHouse 20.1+)");
          }
          const s = micros / 1_000_000n;
          if (s < 0n || s > 0xffffffffn) throw new RangeError('Timestamp out of the DateTime range (1970..2106)');
          w.buf.writeUInt32LE(Number(s), w.pos);
          w.pos += 4;
        } else {
          w.buf.writeBigInt64LE(micros, w.pos);
          w.pos += 8;
        }
      }
      return;
    }
    case 'String': {
      if (type.typeId === Type.Utf8 || type.typeId === Type.Binary) {
        const offsets = data.valueOffsets as Int32Array;
        const bytes = data.values as unknown as Uint8Array;
        const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        w.ensure(offsets[rows + o]! - offsets[o]! + rows * 5);
        for (let i = 0; i < rows; i++) {
          const start = offsets[i + o]!;
          const end = offsets[i + o + 1]!;
          w.varint(end - start);
          src.copy(w.buf, w.pos, start, end);
          w.pos += end - start;
        }
        return;
      }
      for (let i = 0; i < rows; i++) {
        const v = isValid(data, i) ? vector.get(i) : null;
        w.string(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) : String(v));
      }
      return;
    }
    default:
      throw new Error(`Sparkle cannot write ClickHouse type ${t.text} in Native format`);
  }
}

/** Encodes a record batch as one Native block for columns of the given ClickHouse types. */
export function encodeNativeBlock(batch: RecordBatch, chTypes: readonly string[]): Buffer {
  const w = new Writer();
  // One allocation up front: values, null maps and string length prefixes rarely exceed this.
  let estimate = 1024;
  for (const child of batch.data.children) estimate += (child.values?.byteLength ?? 0) + batch.numRows * 6;
  w.ensure(estimate);
  w.varint(batch.numCols);
  w.varint(batch.numRows);
  batch.schema.fields.forEach((field, c) => {
    const vector = batch.getChildAt(c)!;
    const data = vector.data[0]!;
    w.string(field.name);
    w.string(chTypes[c]!);
    const t = parseChType(chTypes[c]!);
    // Decimal32/64/128 are written through the generic Decimal layout.
    writeColumn(w, data, vector, /^Decimal\d+$/.test(t.base) ? { ...t, base: 'Decimal', args: [String(decimalShape(t).precision), String(decimalShape(t).scale)] } : t);
  });
  return w.take();
}
