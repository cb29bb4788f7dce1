/**
 * Reading Arrow cells back for SQL writers, exactly. Two shapes:
 * - {@link cellReader}: a column's cells as driver-neutral values
 *   (`null | boolean | number | bigint | string | Uint8Array`) for bulk paths that write text
 *   or bind parameters;
 * - {@link columnReaders}: per column a reader plus its {@link CellKind}, so a dialect can
 *   render a typed literal.
 * Decimals, dates, times and timestamps become canonical text (`123.45`, `2024-01-31`,
 * `12:00:00.000000`, `2024-01-31 12:00:00.123456`) computed from the stored integers, so no
 * digit is lost on the way to the database.
 */
import { DateUnit, TimeUnit, Type, type Data, type DataType, type RecordBatch, type Vector } from 'apache-arrow';
import { bigIntToDecimalString, decimalWordsToBigInt } from './decimal.js';
import { formatDateDays, formatTimeMicros, formatTimestampMicros, formatTimestampMicrosNumber } from './temporal.js';

/** A cell as {@link cellReader} returns it. */
export type Cell = null | boolean | number | bigint | string | Uint8Array;

/** What kind of SQL literal a column's cells make. */
export type CellKind = 'boolean' | 'integer' | 'float' | 'decimal' | 'text' | 'binary' | 'date' | 'time' | 'timestamp' | 'json';

export interface ColumnReader {
  kind: CellKind;
  /** The cell of row `i`, or null. */
  read(i: number): unknown;
}

/** `YYYY-MM-DD` of epoch milliseconds (UTC). */
export function formatDate(ms: number): string {
  return formatDateDays(Math.floor(ms / 86_400_000));
}

/**
 * `YYYY-MM-DD HH:MM:SS.ffffff` of epoch milliseconds (UTC); a fractional part keeps up to
 * microseconds.
 *
 * @example
 * ```ts
 * formatTimestamp(1.5); // '1970-01-01 00:00:00.001500'
 * ```
 */
export function formatTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  return formatTimestampMicrosNumber(whole * 1000 + Math.round((ms - whole) * 1000));
}

function unitToMicros(unit: number): (v: bigint) => bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return (v) => v * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return (v) => v * 1000n;
    case TimeUnit.MICROSECOND:
      return (v) => v;
    default:
      // Nanoseconds: SQL literals here carry microseconds.
      return (v) => v / 1000n;
  }
}

function jsonText(value: unknown): string {
  const plain = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  return JSON.stringify(plain, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Converts temporal and decimal cells of one Data chunk to text; `undefined` for other types. */
function exactTextReader(vector: Vector): ((i: number) => string | null) | undefined {
  const data = vector.data[0] as Data | undefined;
  if (!data || vector.data.length !== 1) return undefined;
  const type = data.type as DataType & { unit?: number; scale?: number; bitWidth?: number };
  const nulls = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
  const offset = data.offset;
  const valid = (i: number): boolean => !nulls || ((nulls[(i + offset) >> 3]! >> ((i + offset) & 7)) & 1) === 1;
  const values = data.values as unknown as ArrayLike<number | bigint>;
  switch (type.typeId) {
    case Type.Timestamp: {
      if (type.unit === TimeUnit.MICROSECOND) return (i) => (valid(i) ? formatTimestampMicros(values[i + offset] as bigint) : null);
      const toMicros = unitToMicros(type.unit ?? TimeUnit.MILLISECOND);
      return (i) => (valid(i) ? formatTimestampMicros(toMicros(BigInt(values[i + offset]!))) : null);
    }
    case Type.Date:
      if (type.unit === DateUnit.DAY) return (i) => (valid(i) ? formatDateDays(Number(values[i + offset])) : null);
      return (i) => (valid(i) ? formatDate(Number(values[i + offset])) : null);
    case Type.Time: {
      const toMicros = unitToMicros(type.unit ?? TimeUnit.MILLISECOND);
      return (i) => (valid(i) ? formatTimeMicros(toMicros(BigInt(values[i + offset]!))) : null);
    }
    case Type.Decimal: {
      const words = (type.bitWidth ?? 128) / 32;
      const scale = type.scale ?? 0;
      return (i) => (valid(i) ? bigIntToDecimalString(decimalWordsToBigInt(data.values as unknown as Uint32Array, i + offset, words), scale) : null);
    }
    default:
      return undefined;
  }
}

/**
 * A reader of row `i` of `vector` (a RecordBatch child) as a {@link Cell}.
 *
 * @example
 * ```ts
 * const read = cellReader(batch.getChildAt(0)!);
 * for (let i = 0; i < batch.numRows; i++) console.log(read(i));
 * ```
 */
export function cellReader(vector: Vector): (i: number) => Cell {
  const text = exactTextReader(vector);
  if (text) return text;
  const data = vector.data[0] as Data | undefined;
  const typeId = vector.type.typeId;
  if (data && vector.data.length === 1 && (typeId === Type.Int || typeId === Type.Float) && (vector.type as { precision?: number }).precision !== 0) {
    const nulls = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
    const values = data.values as unknown as ArrayLike<number | bigint>;
    const offset = data.offset;
    return (i) => (!nulls || ((nulls[(i + offset) >> 3]! >> ((i + offset) & 7)) & 1) === 1 ? values[i + offset]! : null);
  }
  return (i) => normalize(vector.get(i));
}

function normalize(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return formatTimestampMicros(BigInt(value.getTime()) * 1000n);
  // Structs, lists, maps: JSON text (bigints as strings).
  return jsonText(value);
}

/** A reader per column of `batch`, with the kind of literal it makes. */
export function columnReaders(batch: RecordBatch): ColumnReader[] {
  return batch.schema.fields.map((field, index) => readerFor(field.type, batch.getChildAt(index)!));
}

function readerFor(type: DataType, vector: Vector): ColumnReader {
  const get = (i: number): unknown => {
    const v = vector.get(i) as unknown;
    return v === undefined ? null : v;
  };
  const exact = (): ((i: number) => unknown) => exactTextReader(vector) ?? ((i) => normalize(vector.get(i)));
  switch (type.typeId) {
    case Type.Bool:
      return { kind: 'boolean', read: get };
    case Type.Int:
      return { kind: 'integer', read: get };
    case Type.Float:
      return { kind: 'float', read: get };
    case Type.Decimal:
      return { kind: 'decimal', read: exact() };
    case Type.Utf8:
    case Type.LargeUtf8:
      return { kind: 'text', read: get };
    case Type.Dictionary:
      return { kind: 'text', read: (i) => (vector.isValid(i) ? String(vector.get(i)) : null) };
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return { kind: 'binary', read: get };
    case Type.Date:
      return { kind: 'date', read: exact() };
    case Type.Timestamp:
      return { kind: 'timestamp', read: exact() };
    case Type.Time:
      return { kind: 'time', read: exact() };
    default:
      return { kind: 'json', read: (i) => (vector.isValid(i) ? jsonText(vector.get(i)) : null) };
  }
}
