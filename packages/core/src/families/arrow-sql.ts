/**
 * Arrow ↔ SQL type names without a runtime dependency on apache-arrow: Arrow's type ids and
 * the fields of its DataType classes are stable parts of the format, so core reads them directly.
 */
import type { DataType, Field } from 'apache-arrow';

/** Arrow type ids (the columnar format's `Type` enum). */
export const ArrowTypeId = {
  Dictionary: -1,
  Null: 1,
  Int: 2,
  Float: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Decimal: 7,
  Date: 8,
  Time: 9,
  Timestamp: 10,
  Interval: 11,
  List: 12,
  Struct: 13,
  FixedSizeBinary: 15,
  Map: 17,
  Duration: 18,
  LargeBinary: 19,
  LargeUtf8: 20,
} as const;

/** Logical SQL column kinds a dialect names. */
export type SqlTypeKind =
  | 'boolean'
  | 'smallint'
  | 'int'
  | 'bigint'
  | 'real'
  | 'double'
  | 'decimal'
  | 'text'
  | 'binary'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'json';

export const ANSI_TYPE_NAMES: Record<SqlTypeKind, string> = {
  boolean: 'BOOLEAN',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  bigint: 'BIGINT',
  real: 'REAL',
  double: 'DOUBLE PRECISION',
  decimal: 'NUMERIC({p},{s})',
  text: 'TEXT',
  binary: 'BLOB',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMP WITH TIME ZONE',
  json: 'TEXT',
};

type AnyType = DataType & { typeId: number; bitWidth?: number; isSigned?: boolean; precision?: number; scale?: number; timezone?: string | null; dictionary?: DataType };

/** The SQL kind for an Arrow type. */
export function sqlKindOf(type: DataType): { kind: SqlTypeKind; precision?: number; scale?: number } {
  const t = type as AnyType;
  switch (t.typeId) {
    case ArrowTypeId.Dictionary:
      return sqlKindOf(t.dictionary!);
    case ArrowTypeId.Bool:
      return { kind: 'boolean' };
    case ArrowTypeId.Int: {
      const bits = t.bitWidth ?? 32;
      if (bits <= 16 && (t.isSigned || bits < 16)) return { kind: 'smallint' };
      if (bits <= 32 && (t.isSigned || bits < 32)) return { kind: 'int' };
      if (bits === 64 && !t.isSigned) return { kind: 'decimal', precision: 20, scale: 0 };
      return { kind: 'bigint' };
    }
    case ArrowTypeId.Float:
      return { kind: (t.precision ?? 2) < 2 ? 'real' : 'double' };
    case ArrowTypeId.Decimal:
      return { kind: 'decimal', precision: t.precision ?? 38, scale: t.scale ?? 0 };
    case ArrowTypeId.Utf8:
    case ArrowTypeId.LargeUtf8:
      return { kind: 'text' };
    case ArrowTypeId.Binary:
    case ArrowTypeId.LargeBinary:
    case ArrowTypeId.FixedSizeBinary:
      return { kind: 'binary' };
    case ArrowTypeId.Date:
      return { kind: 'date' };
    case ArrowTypeId.Time:
      return { kind: 'time' };
    case ArrowTypeId.Timestamp:
      return { kind: t.timezone ? 'timestamptz' : 'timestamp' };
    case ArrowTypeId.Duration:
    case ArrowTypeId.Interval:
      return { kind: 'bigint' };
    default:
      return { kind: 'json' };
  }
}

/** Renders a column type for `CREATE TABLE` with a dialect's type names. */
export function sqlTypeFor(field: Field, names: Record<SqlTypeKind, string> = ANSI_TYPE_NAMES): string {
  const { kind, precision, scale } = sqlKindOf(field.type);
  return names[kind].replace('{p}', String(precision ?? 38)).replace('{s}', String(scale ?? 0));
}

/** Spark SQL type name (for discover()) from a database type name. */
export function sparkTypeOfSql(dbType: string): string {
  const t = dbType.toLowerCase();
  const decimal = /(numeric|decimal)\s*\((\d+)\s*(?:,\s*(\d+))?\)/.exec(t);
  if (decimal) return `decimal(${Math.min(38, Number(decimal[2]))},${decimal[3] ?? 0})`;
  if (/^(bool|boolean|bit\(1\)|tinyint\(1\))$/.test(t)) return 'boolean';
  if (/^(smallint|int2|tinyint)/.test(t)) return 'smallint';
  if (/^(bigint|int8|bigserial)/.test(t)) return 'bigint';
  if (/^(int|integer|int4|serial|mediumint)/.test(t)) return 'int';
  if (/^(real|float4|float\b)/.test(t)) return 'float';
  if (/^(double|float8|double precision)/.test(t)) return 'double';
  if (/^(numeric|decimal|number)/.test(t)) return 'decimal(38,18)';
  if (/^date$/.test(t)) return 'date';
  if (/timestamp with time zone|timestamptz/.test(t)) return 'timestamp';
  if (/^(timestamp|datetime)/.test(t)) return 'timestamp_ntz';
  if (/^(bytea|blob|binary|varbinary|longblob)/.test(t)) return 'binary';
  return 'string';
}
