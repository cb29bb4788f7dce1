/**
 * Bytes in and out of HBase cells.
 *
 * HBase stores bytes only; the REST gateway's JSON carries row keys, column names and values in
 * base64. Two ways of giving them meaning:
 *
 * - **Documents** (tables without a declared schema): every top-level field is one cell
 *   `<family>:<field>` holding the field's JSON text, with the Extended JSON wrappers
 *   (`{"$date": …}`, `{"$numberLong": …}`, `{"$binary": …}`) for what JSON has no type for, so a
 *   document reads back with its `Date`s, bigints and bytes.
 * - **Declared columns** (`tables.<name>.columns` in the config): each field maps to one cell of a
 *   stated type — `utf8` (UTF-8 text), `int64` (8 bytes, big-endian two's complement, HBase's
 *   `Bytes.toBytes(long)`), `double` (8 bytes, big-endian IEEE 754, `Bytes.toBytes(double)`) or
 *   `binary` (as stored).
 */
import type { ColumnType, Document } from '@sparkle/core';

/** Value types a declared column may have. */
export type CellType = 'utf8' | 'int64' | 'double' | 'binary';

const WRAPPERS = new Set(['$date', '$numberLong', '$binary']);

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
export const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
export const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
export const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** A document field's cell value: its JSON text (typed wrappers for dates, big integers, bytes). */
export function encodeField(value: unknown): Uint8Array {
  const holder = { v: value };
  const json = JSON.stringify(holder, function (this: Record<string, unknown>, key: string, v: unknown) {
    // Date and Buffer have toJSON, which runs before the replacer: look at the holder's raw value.
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (raw instanceof Uint8Array) return { $binary: b64(raw) };
    if (typeof raw === 'bigint') return { $numberLong: raw.toString() };
    return v;
  });
  // `{"v":…}` → the value's JSON alone.
  return utf8(json.slice(5, -1));
}

/** A document field's cell value back (throws `SyntaxError` on bytes that are not such JSON). */
export function decodeField(bytes: Uint8Array): unknown {
  return JSON.parse(text(bytes), (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && WRAPPERS.has(keys[0]!)) {
        const v = (value as Record<string, unknown>)[keys[0]!];
        if (typeof v === 'string') {
          if (keys[0] === '$date') return new Date(v);
          if (keys[0] === '$numberLong') return BigInt(v);
          return fromB64(v);
        }
      }
    }
    return value;
  });
}

/** The Arrow column type a declared cell type reads as. */
export function columnTypeOf(type: CellType): ColumnType {
  return type === 'double' ? 'float64' : type;
}

/** Why a value cannot be stored as `type`, or `undefined` when it can. */
function misfit(value: unknown, type: CellType): string | undefined {
  switch (type) {
    case 'utf8':
      return typeof value === 'string' ? undefined : 'a string';
    case 'int64':
      if (typeof value === 'bigint') return value >= -(2n ** 63n) && value < 2n ** 63n ? undefined : 'an integer within int64';
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : 'a safe integer or a bigint';
    case 'double':
      return typeof value === 'number' ? undefined : 'a number';
    case 'binary':
      return value instanceof Uint8Array || typeof value === 'string' ? undefined : 'bytes (Uint8Array) or a string';
  }
}

/**
 * A value as a declared cell's bytes. Throws a plain `Error` naming the field when the value does
 * not fit (the caller reports it per item).
 */
export function encodeTyped(field: string, value: unknown, type: CellType): Uint8Array {
  const expected = misfit(value, type);
  if (expected) throw new Error(`field '${field}' is declared ${type} and must hold ${expected}, not ${describe(value)}`);
  switch (type) {
    case 'utf8':
      return utf8(value as string);
    case 'int64': {
      const out = Buffer.alloc(8);
      out.writeBigInt64BE(BigInt(value as number | bigint));
      return new Uint8Array(out);
    }
    case 'double': {
      const out = Buffer.alloc(8);
      out.writeDoubleBE(value as number);
      return new Uint8Array(out);
    }
    case 'binary':
      return typeof value === 'string' ? utf8(value) : (value as Uint8Array);
  }
}

/**
 * A declared cell's bytes as a value (`int64` as bigint). Throws a plain `Error` when the bytes
 * cannot be of that type (an `int64` or `double` cell that is not 8 bytes long).
 */
export function decodeTyped(bytes: Uint8Array, type: CellType): unknown {
  switch (type) {
    case 'utf8':
      return text(bytes);
    case 'binary':
      return bytes;
    case 'int64':
    case 'double': {
      if (bytes.byteLength !== 8) throw new Error(`${bytes.byteLength} byte(s) cannot be an ${type} (HBase's Bytes.toBytes writes 8)`);
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, 8);
      return type === 'int64' ? buf.readBigInt64BE() : buf.readDoubleBE();
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)}`;
}

/** A document key value's row-key text (dates as ISO text, so a key reads the same everywhere). */
export function keyText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new Error(`a row key field must hold a string, number, boolean or date, not ${describe(value)}`);
}

/** The smallest row key after every key that starts with `prefix` (HBase's exclusive stop row), or empty for none. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return new Uint8Array(0);
}

/** Byte-wise comparison of row keys (HBase's order). */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export type { Document };
