/**
 * Spark data types as the server reports them (AnalyzePlan schema), turned into plain objects
 * and Spark's own type strings (`bigint`, `array<string>`, `decimal(10,2)`).
 */
import type { DataType } from './gen/spark/connect/types_pb.js';

/** One column of a {@link StructType}. */
export interface StructField {
  name: string;
  /** Spark's simple type string, e.g. `bigint`, `struct<a:int>`. */
  type: string;
  nullable: boolean;
  /** The full type, for nested inspection. */
  dataType: DataType;
}

/** A DataFrame schema. */
export interface StructType {
  fields: StructField[];
}

const SIMPLE: Record<string, string> = {
  null: 'void',
  binary: 'binary',
  boolean: 'boolean',
  byte: 'tinyint',
  short: 'smallint',
  integer: 'int',
  long: 'bigint',
  float: 'float',
  double: 'double',
  string: 'string',
  date: 'date',
  timestamp: 'timestamp',
  timestampNtz: 'timestamp_ntz',
  calendarInterval: 'interval',
  variant: 'variant',
};

/** Spark's simple string of a data type. */
export function typeString(type: DataType | undefined): string {
  const kind = type?.kind;
  if (!kind?.case) return 'unknown';
  const simple = SIMPLE[kind.case];
  if (simple) return simple;
  switch (kind.case) {
    case 'decimal':
      return `decimal(${kind.value.precision ?? 10},${kind.value.scale ?? 0})`;
    case 'char':
      return `char(${kind.value.length})`;
    case 'varChar':
      return `varchar(${kind.value.length})`;
    case 'yearMonthInterval':
      return 'interval year to month';
    case 'dayTimeInterval':
      return 'interval day to second';
    case 'array':
      return `array<${typeString(kind.value.elementType)}>`;
    case 'map':
      return `map<${typeString(kind.value.keyType)},${typeString(kind.value.valueType)}>`;
    case 'struct':
      return `struct<${kind.value.fields.map((f) => `${f.name}:${typeString(f.dataType)}`).join(',')}>`;
    case 'udt':
      return kind.value.type;
    case 'unparsed':
      return kind.value.dataTypeString;
    case 'time':
      return `time(${kind.value.precision ?? 6})`;
    case 'geometry':
      return `geometry(${kind.value.srid})`;
    case 'geography':
      return `geography(${kind.value.srid})`;
    default:
      return 'unknown';
  }
}

/** The schema of a struct data type (a DataFrame's row type). */
export function toStructType(type: DataType | undefined): StructType {
  if (type?.kind.case !== 'struct') return { fields: [] };
  return {
    fields: type.kind.value.fields.map((f) => ({ name: f.name, type: typeString(f.dataType), nullable: f.nullable, dataType: f.dataType as DataType })),
  };
}
