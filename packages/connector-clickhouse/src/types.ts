/**
 * ClickHouse type names ↔ Arrow types ↔ Spark SQL types.
 *
 * Reads map every scalar ClickHouse type onto the closest exact Arrow type (unsigned stays
 * unsigned, DateTime64 keeps its sub-second digits as microseconds). Writes pick the
 * ClickHouse type for an Arrow field, adapting to what the server version offers.
 */
import { Binary, Bool, DataType, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, Null, TimestampMicrosecond, Type, Uint16, Uint32, Uint64, Uint8, Utf8 } from 'apache-arrow';

/** A parsed ClickHouse column type. */
export interface ChType {
  /** Base name: `Int32`, `String`, `DateTime64`, `Decimal`, … */
  base: string;
  nullable: boolean;
  /** Arguments inside the parentheses, raw. */
  args: string[];
  /** The full type text as the server wrote it. */
  text: string;
}

/** Splits `A(x, B(y, z))` arguments at top-level commas, respecting quotes. */
function splitArgs(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === "'") quote = false;
    } else if (ch === "'") quote = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inner.trim()) out.push(inner.slice(start).trim());
  return out;
}

export function parseChType(text: string): ChType {
  let t = text.trim();
  let nullable = false;
  // LowCardinality(T) is transparent once the server is asked for plain columns.
  for (;;) {
    const m = /^(Nullable|LowCardinality)\((.*)\)$/s.exec(t);
    if (!m) break;
    if (m[1] === 'Nullable') nullable = true;
    t = m[2]!.trim();
  }
  const open = t.indexOf('(');
  if (open === -1) return { base: t, nullable, args: [], text };
  return { base: t.slice(0, open), nullable, args: splitArgs(t.slice(open + 1, t.lastIndexOf(')'))), text };
}

/** Decimal precision and scale of a Decimal type. */
export function decimalShape(t: ChType): { precision: number; scale: number } {
  switch (t.base) {
    case 'Decimal32':
      return { precision: 9, scale: Number(t.args[0] ?? 0) };
    case 'Decimal64':
      return { precision: 18, scale: Number(t.args[0] ?? 0) };
    case 'Decimal128':
      return { precision: 38, scale: Number(t.args[0] ?? 0) };
    case 'Decimal256':
      return { precision: 76, scale: Number(t.args[0] ?? 0) };
    default:
      return { precision: Number(t.args[0] ?? 10), scale: Number(t.args[1] ?? 0) };
  }
}

/** Enum8('a' = 1, 'b' = 2) → Map(1 → 'a', 2 → 'b'). */
export function enumValues(t: ChType): Map<number, string> {
  const map = new Map<number, string>();
  for (const arg of t.args) {
    const m = /^'((?:[^'\\]|\\.)*)'\s*=\s*(-?\d+)$/s.exec(arg);
    if (m) map.set(Number(m[2]), m[1]!.replace(/\\(.)/g, '$1'));
  }
  return map;
}

/** The Arrow type a ClickHouse column is read as. */
export function arrowTypeOfCh(t: ChType): DataType {
  switch (t.base) {
    case 'Int8':
      return new Int8();
    case 'Int16':
      return new Int16();
    case 'Int32':
      return new Int32();
    case 'Int64':
      return new Int64();
    case 'UInt8':
      return new Uint8();
    case 'UInt16':
      return new Uint16();
    case 'UInt32':
      return new Uint32();
    case 'UInt64':
      return new Uint64();
    case 'Bool':
    case 'Boolean':
      return new Bool();
    case 'Float32':
      return new Float32();
    case 'Float64':
      return new Float64();
    case 'Decimal':
    case 'Decimal32':
    case 'Decimal64':
    case 'Decimal128': {
      const { precision, scale } = decimalShape(t);
      return new Decimal(scale, precision, 128);
    }
    case 'Date':
    case 'Date32':
      return new DateDay();
    case 'DateTime':
    case 'DateTime64':
      // ClickHouse stores instants; the column's time zone only affects text rendering.
      return new TimestampMicrosecond('UTC');
    case 'FixedString':
      return new Binary();
    case 'Nothing':
      return new Null();
    case 'Array': {
      const inner = parseChType(t.args[0] ?? 'String');
      return new List(new Field('item', arrowTypeOfCh(inner), inner.nullable || inner.base === 'Nothing'));
    }
    default:
      // String, UUID, Enum8/16, IPv4/6 are rendered as text.
      return new Utf8();
  }
}

/** Types the Native decoder understands. */
export function isSupportedCh(t: ChType): boolean {
  if (t.base === 'Array') return t.args.length === 1 && isSupportedCh(parseChType(t.args[0]!));
  return /^(U?Int(8|16|32|64)|Bool|Boolean|Float(32|64)|Decimal(32|64|128)?|Date|Date32|DateTime|DateTime64|String|FixedString|UUID|Enum(8|16)|Nothing|IPv4)$/.test(t.base);
}

export function arrowFieldOfCh(name: string, typeText: string): Field {
  const t = parseChType(typeText);
  return new Field(name, arrowTypeOfCh(t), t.nullable || t.base === 'Nothing');
}

/** What the server offers for writes. */
export interface ServerFeatures {
  /** `DateTime64(6)` exists (20.1+); older servers store timestamps with second precision. */
  dateTime64: boolean;
  /** A `Bool` type exists (21.12+); older servers store booleans as UInt8. */
  bool: boolean;
  /** `EXCHANGE TABLES` works (an Atomic database, 20.x+). */
  exchange: boolean;
  /** `low_cardinality_allow_in_native_format` is a known setting (19.x+). */
  lowCardinalitySetting: boolean;
}

/** The ClickHouse column type for an Arrow field when Sparkle creates a table. */
export function chTypeForField(field: Field, features: ServerFeatures): string {
  const t = field.type as DataType & { bitWidth?: number; isSigned?: boolean; precision?: number; scale?: number };
  let base: string;
  switch (t.typeId) {
    case Type.Bool:
      base = features.bool ? 'Bool' : 'UInt8';
      break;
    case Type.Int:
      base = `${t.isSigned === false ? 'UInt' : 'Int'}${t.bitWidth ?? 32}`;
      break;
    case Type.Float:
      base = (t as Float32).precision === 1 ? 'Float32' : 'Float64';
      break;
    case Type.Decimal:
      base = `Decimal(${Math.min(38, t.precision ?? 38)}, ${t.scale ?? 0})`;
      break;
    case Type.Date:
      base = 'Date';
      break;
    case Type.Timestamp:
      base = features.dateTime64 ? "DateTime64(6, 'UTC')" : "DateTime('UTC')";
      break;
    case Type.Null:
      base = 'String';
      break;
    default:
      base = 'String';
  }
  return field.nullable ? `Nullable(${base})` : base;
}

/** Spark SQL type name for a ClickHouse type (discover()). */
export function sparkTypeOfCh(typeText: string): string {
  const t = parseChType(typeText);
  switch (t.base) {
    case 'Int8':
      return 'byte';
    case 'Int16':
    case 'UInt8':
      return 'short';
    case 'Int32':
    case 'UInt16':
      return 'int';
    case 'Int64':
    case 'UInt32':
      return 'bigint';
    case 'UInt64':
      return 'decimal(20,0)';
    case 'Bool':
    case 'Boolean':
      return 'boolean';
    case 'Float32':
      return 'float';
    case 'Float64':
      return 'double';
    case 'Date':
    case 'Date32':
      return 'date';
    case 'DateTime':
    case 'DateTime64':
      return 'timestamp';
    case 'FixedString':
      return 'binary';
    case 'Decimal':
    case 'Decimal32':
    case 'Decimal64':
    case 'Decimal128': {
      const { precision, scale } = decimalShape(t);
      return `decimal(${Math.min(38, precision)},${scale})`;
    }
    case 'Array':
      return `array<${sparkTypeOfCh(t.args[0] ?? 'String')}>`;
    default:
      return 'string';
  }
}
