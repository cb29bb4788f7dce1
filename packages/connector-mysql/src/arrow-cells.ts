/**
 * Reads Arrow cells back as exact, driver-neutral values for bulk writers:
 * `null | boolean | number | bigint | string | Uint8Array`, where decimals, dates, times and
 * timestamps become canonical text (`123.45`, `2024-01-31`, `2024-01-31 12:00:00.123456`) so
 * no precision is lost on the way to the database.
 */
import { DateUnit, TimeUnit, Type, type Data, type DataType, type Vector } from 'apache-arrow';
import { bigIntToDecimalString, decimalWordsToBigInt, formatDate, formatTimeMicros, formatTimestampMicros } from './arrow-columns.js';

export type Cell = null | boolean | number | bigint | string | Uint8Array;

/** Returns a reader of row `i` of `vector` (a RecordBatch child: one Data chunk). */
export function cellReader(vector: Vector): (i: number) => Cell {
  const data = vector.data[0] as Data | undefined;
  if (!data || vector.data.length !== 1) return (i) => normalize(vector.get(i));
  const type = data.type as DataType & { unit?: number; scale?: number; bitWidth?: number };
  const valid = (i: number): boolean => data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0 || ((data.nullBitmap[(i + data.offset) >> 3]! >> ((i + data.offset) & 7)) & 1) === 1;
  const values = data.values as unknown as ArrayLike<number | bigint> & { [k: number]: number | bigint };
  const at = (i: number) => values[i + data.offset]!;
  switch (type.typeId) {
    case Type.Timestamp: {
      if (type.unit === TimeUnit.MICROSECOND) return (i) => (valid(i) ? formatTimestampMicros(at(i) as bigint) : null);
      const toMicros = unitToMicros(type.unit ?? TimeUnit.MILLISECOND);
      return (i) => (valid(i) ? formatTimestampMicros(toMicros(BigInt(at(i)))) : null);
    }
    case Type.Date:
      if (type.unit === DateUnit.DAY) return (i) => (valid(i) ? formatDate(Number(at(i))) : null);
      return (i) => (valid(i) ? formatDate(Math.floor(Number(at(i)) / 86_400_000)) : null);
    case Type.Time: {
      const toMicros = unitToMicros(type.unit ?? TimeUnit.MILLISECOND);
      return (i) => (valid(i) ? formatTimeMicros(toMicros(BigInt(at(i)))) : null);
    }
    case Type.Decimal: {
      const words = data.values as unknown as Uint32Array;
      const scale = type.scale ?? 0;
      const stride = (type.bitWidth ?? 128) / 32;
      if (stride !== 4) return (i) => normalize(vector.get(i));
      return (i) => (valid(i) ? bigIntToDecimalString(decimalWordsToBigInt(words, i + data.offset), scale) : null);
    }
    case Type.Int:
    case Type.Float:
      return (i) => (valid(i) ? at(i) : null);
    default:
      return (i) => normalize(vector.get(i));
  }
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
      return (v) => v / 1000n;
  }
}

function normalize(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return formatTimestampMicros(BigInt(value.getTime()) * 1000n);
  // Structs, lists, maps: JSON text (bigints as strings).
  return JSON.stringify(typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
}
