/**
 * Reads Arrow cells back as plain values for SQL writers, each with its kind, so a dialect can
 * render a typed literal: decimals, dates, times and timestamps become canonical text
 * (`123.45`, `2024-01-31`, `12:00:00.000000`, `2024-01-31 12:00:00.123000`).
 */
import { TimeUnit, Type, type DataType, type RecordBatch, type Vector } from 'apache-arrow';

export type CellKind = 'boolean' | 'integer' | 'float' | 'decimal' | 'text' | 'binary' | 'date' | 'time' | 'timestamp' | 'json';

export interface ColumnReader {
  kind: CellKind;
  /** The cell of row `i`, or null. */
  read(i: number): unknown;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of epoch milliseconds (UTC). */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` of epoch milliseconds (UTC). */
export function formatTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  const iso = new Date(whole).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${pad(micros, 3)}`;
}

function formatTime(value: bigint, unit: number): string {
  const micros = unit === TimeUnit.SECOND ? value * 1_000_000n : unit === TimeUnit.MILLISECOND ? value * 1000n : unit === TimeUnit.MICROSECOND ? value : value / 1000n;
  const total = Number(micros / 1_000_000n);
  const frac = Number(micros % 1_000_000n);
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}.${pad(frac, 6)}`;
}

function decimalText(unscaled: string, scale: number): string {
  if (scale === 0) return unscaled;
  const negative = unscaled.startsWith('-');
  const digits = (negative ? unscaled.slice(1) : unscaled).padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function jsonText(value: unknown): string {
  const plain = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  return JSON.stringify(plain, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A reader per column of `batch`. */
export function columnReaders(batch: RecordBatch): ColumnReader[] {
  return batch.schema.fields.map((field, index) => readerFor(field.type, batch.getChildAt(index)!));
}

function readerFor(type: DataType, vector: Vector): ColumnReader {
  const get = (i: number): unknown => {
    const v = vector.get(i) as unknown;
    return v === undefined ? null : v;
  };
  const t = type as DataType & { unit?: number; scale?: number; bitWidth?: number; dictionary?: DataType };
  switch (type.typeId) {
    case Type.Bool:
      return { kind: 'boolean', read: get };
    case Type.Int:
      return { kind: 'integer', read: get };
    case Type.Float:
      return { kind: 'float', read: get };
    case Type.Decimal:
      return { kind: 'decimal', read: (i) => (vector.isValid(i) ? decimalText(String(vector.get(i)), t.scale ?? 0) : null) };
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
      return { kind: 'date', read: (i) => (vector.isValid(i) ? formatDate(Number(vector.get(i))) : null) };
    case Type.Timestamp:
      return { kind: 'timestamp', read: (i) => (vector.isValid(i) ? formatTimestamp(Number(vector.get(i))) : null) };
    case Type.Time:
      return { kind: 'time', read: (i) => (vector.isValid(i) ? formatTime(BigInt(vector.get(i) as number | bigint), t.unit ?? TimeUnit.MILLISECOND) : null) };
    default:
      return { kind: 'json', read: (i) => (vector.isValid(i) ? jsonText(vector.get(i)) : null) };
  }
}
