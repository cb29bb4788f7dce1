/**
 * Arrow values as text (CSV fields, JSON values) and text back into typed columns: the
 * formatting is exact (Int64 as full integers, decimals by their scale, timestamps in ISO 8601
 * UTC), so a CSV or JSON lines round trip keeps values.
 */
import { Bool, DataType, DateDay, Field, Float64, Int64, Schema, TimestampMillisecond, Type, Utf8, type RecordBatch } from 'apache-arrow';

/** Renders a decimal's little-endian two's-complement words at `scale`. */
export function decimalToString(words: Uint32Array, scale: number): string {
  let v = 0n;
  for (let i = words.length - 1; i >= 0; i--) v = (v << 32n) | BigInt(words[i]!);
  const bits = BigInt(words.length * 32);
  if (v >> (bits - 1n)) v -= 1n << bits;
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** ISO 8601 from epoch milliseconds (with microseconds when the column has them). */
function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** A nested value (struct, list, map) as plain JSON data. */
export type JsonNested = { [key: string]: unknown } | unknown[];

/** Converts one column's value (as Arrow JS returns it) to a JSON-compatible value or text (text only when not `json`). */
export type ValueFormatter = (value: unknown) => string | number | boolean | null | JsonNested;

/**
 * A formatter for a field. `json` keeps numbers and booleans as JSON types (bigints outside the
 * safe range and decimals become strings, to keep every digit); otherwise everything is text.
 */
export function valueFormatter(field: Field, json: boolean): ValueFormatter {
  const type = field.type as DataType & { unit?: number; scale?: number; bitWidth?: number };
  const text = (v: unknown) => (json ? v : String(v)) as string | number | boolean;
  switch (type.typeId) {
    case Type.Int:
      return (v) => (v === null ? null : typeof v === 'bigint' ? (json && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()) : text(v));
    case Type.Float:
      return (v) => (v === null ? null : json && !Number.isFinite(v as number) ? String(v) : text(v));
    case Type.Bool:
      return (v) => (v === null ? null : json ? Boolean(v) : v ? 'true' : 'false');
    case Type.Decimal:
      return (v) => (v === null ? null : decimalToString(v as Uint32Array, type.scale ?? 0));
    case Type.Date:
      return (v) => {
        if (v === null) return null;
        const d = new Date(v as number);
        return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      };
    case Type.Timestamp:
      return (v) => (v === null ? null : isoFromMs(v as number));
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return (v) => (v === null ? null : Buffer.from(v as Uint8Array).toString('base64'));
    case Type.Utf8:
    case Type.LargeUtf8:
      return (v) => (v === null ? null : (v as string));
    default: {
      // Structs, lists and maps: JSON lines keeps them nested (as Spark's JSON source writes
      // them), CSV carries their JSON text.
      const jsonTextOf = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
      return (v) => (v === null ? null : json ? (JSON.parse(jsonTextOf(v)) as JsonNested) : jsonTextOf(v));
    }
  }
}

/** Iterates a batch's rows as arrays of formatted values, column by column (no row proxies). */
export function* formattedRows(batch: RecordBatch, json: boolean): Generator<Array<string | number | boolean | null | JsonNested>> {
  const fields = batch.schema.fields;
  const formatters = fields.map((f) => valueFormatter(f, json));
  const columns = fields.map((_, i) => batch.getChildAt(i)!);
  for (let r = 0; r < batch.numRows; r++) {
    const row = new Array<string | number | boolean | null | JsonNested>(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c]!.get(r) as unknown;
      row[c] = v === null || v === undefined ? null : formatters[c]!(v);
    }
    yield row;
  }
}

// ---------------------------------------------------------------------------------------------
// Inferring CSV column types from text
// ---------------------------------------------------------------------------------------------

type TextKind = 'null' | 'int' | 'float' | 'bool' | 'date' | 'timestamp' | 'string';

const INT = /^[+-]?\d{1,18}$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|NaN)$/;
const BOOL = /^(true|false)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

function textKind(value: string | null): TextKind {
  if (value === null) return 'null';
  if (INT.test(value)) return 'int';
  if (FLOAT.test(value)) return 'float';
  if (BOOL.test(value)) return 'bool';
  if (DATE.test(value)) return 'date';
  if (TIMESTAMP.test(value)) return 'timestamp';
  return 'string';
}

function widenText(a: TextKind, b: TextKind): TextKind {
  if (a === b || b === 'null') return a;
  if (a === 'null') return b;
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float';
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
  return 'string';
}

/**
 * Infers column types from CSV text records (Spark's `inferSchema`): integers → Int64, other
 * numbers → Float64, true/false → Bool, `YYYY-MM-DD` → Date, ISO date-times → Timestamp(ms, UTC),
 * anything else → Utf8. With `infer` false every column is Utf8.
 */
export function inferCsvSchema(names: readonly string[], records: ReadonlyArray<ReadonlyArray<string | null>>, infer: boolean): Schema {
  const kinds: TextKind[] = names.map(() => 'null');
  if (infer) for (const record of records) for (let i = 0; i < names.length; i++) kinds[i] = widenText(kinds[i]!, textKind(record[i] ?? null));
  return new Schema(
    names.map((name, i) => {
      switch (infer ? kinds[i] : 'string') {
        case 'int':
          return new Field(name, new Int64(), true);
        case 'float':
          return new Field(name, new Float64(), true);
        case 'bool':
          return new Field(name, new Bool(), true);
        case 'date':
          return new Field(name, new DateDay(), true);
        case 'timestamp':
          return new Field(name, new TimestampMillisecond('UTC'), true);
        default:
          return new Field(name, new Utf8(), true);
      }
    }),
  );
}
