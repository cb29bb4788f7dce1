/**
 * Database type names (as drivers report them in result metadata) → Arrow types, and driver
 * cell values → what the Arrow row builder takes. Text dates and timestamps are read as UTC;
 * exact numbers stay text until the Decimal builder encodes them.
 */
import { Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, Schema, TimestampMicrosecond, Utf8, type DataType, type RecordBatch } from 'apache-arrow';
import { RowBatchBuilder } from '@sparkle/engine-local';

/** One result column as the session describes it. */
export interface ColumnDescription {
  name: string;
  /** Database type name, e.g. `INTEGER`, `DECIMAL`, `VARCHAR`, `TIMESTAMP WITH TIME ZONE`. */
  typeName: string;
  precision?: number;
  scale?: number;
  nullable?: boolean;
}

/** The Arrow type of a database type name. */
export function arrowTypeOfSqlName(typeName: string, precision?: number, scale?: number): DataType {
  const t = typeName.toUpperCase().replace(/\(.*$/, '').trim();
  switch (t) {
    case 'BOOLEAN':
    case 'BOOL':
      return new Bool();
    case 'BYTEINT':
    case 'TINYINT':
      return new Int8();
    case 'SMALLINT':
      return new Int16();
    case 'INT':
    case 'INTEGER':
      return new Int32();
    case 'BIGINT':
    case 'INT8':
      return new Int64();
    case 'REAL':
    case 'SMALLFLOAT':
      return new Float32();
    case 'FLOAT':
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'DECFLOAT':
    case 'FLOAT8':
      return new Float64();
    case 'DECIMAL':
    case 'NUMERIC':
    case 'NUMBER':
    case 'SMALLDECIMAL':
      return precision && precision > 0 && precision <= 38 ? new Decimal(Math.max(0, scale ?? 0), precision, 128) : new Decimal(10, 38, 128);
    case 'DATE':
    case 'DAYDATE':
      return new DateDay();
    case 'TIMESTAMP':
    case 'SECONDDATE':
    case 'LONGDATE':
    case 'DATETIME':
      return new TimestampMicrosecond();
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return new TimestampMicrosecond('UTC');
    case 'BLOB':
    case 'BINARY':
    case 'VARBINARY':
    case 'LONG VARBINARY':
    case 'BYTE':
    case 'VARBYTE':
    case 'BYTEA':
      return new Binary();
    default:
      return new Utf8();
  }
}

export function arrowFieldOf(column: ColumnDescription): Field {
  return new Field(column.name, arrowTypeOfSqlName(column.typeName, column.precision, column.scale), column.nullable ?? true);
}

/** `2024-01-31 12:00:00.123456`, `2024-01-31T12:00:00`, `2024-01-31-12.00.00.123456` (Db2) → epoch ms, UTC. */
export function timestampTextToMs(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[ T-](\d{2})[:.](\d{2})[:.](\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/.exec(text.trim());
  if (!m) return Date.parse(text);
  const zone = !m[6] || m[6] === 'UTC' ? 'Z' : m[6].length === 5 ? `${m[6].slice(0, 3)}:${m[6].slice(3)}` : m[6];
  return Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${(m[5] ?? '').slice(0, 3).padEnd(3, '0')}${zone}`);
}

/** A converter of driver cells for a field's Arrow type. */
export function cellConverter(type: DataType): (value: unknown) => unknown {
  const name = String(type);
  if (name.startsWith('Timestamp')) return (v) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? timestampTextToMs(v) : v);
  if (name.startsWith('Date')) return (v) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(`${v.slice(0, 10)}T00:00:00Z`) : v);
  if (name === 'Int64') return (v) => (typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? Math.trunc(v) : String(v).trim()));
  if (name.startsWith('Int')) return (v) => Number(v);
  if (name.startsWith('Float')) return (v) => Number(v);
  if (name === 'Bool') return (v) => v === true || v === 1 || v === '1' || v === 'true' || v === 't' || v === 'Y';
  if (name.startsWith('Decimal')) return (v) => (typeof v === 'string' ? v.trim() : v);
  if (name === 'Binary') return (v) => (v instanceof Uint8Array ? v : typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'hex')) : v);
  return (v) => (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'object' ? JSON.stringify(v) : String(v));
}

/**
 * Turns pages of row arrays into Arrow batches of `batchRows` rows with the columns' types
 * (at least one batch, possibly empty, so readers learn the schema).
 */
export async function* rowPagesToBatches(columns: readonly ColumnDescription[], pages: AsyncIterable<readonly unknown[][]>, batchRows: number): AsyncGenerator<RecordBatch> {
  const schema = new Schema(columns.map(arrowFieldOf));
  const convert = schema.fields.map((f) => cellConverter(f.type));
  const builder = new RowBatchBuilder(schema);
  let emitted = false;
  for await (const page of pages) {
    for (const row of page) {
      builder.append(row.map((v, i) => (v === null || v === undefined ? null : convert[i]!(v))));
      if (builder.length >= batchRows) {
        emitted = true;
        yield builder.flush();
      }
    }
  }
  if (builder.length > 0 || !emitted) yield builder.flush();
}
