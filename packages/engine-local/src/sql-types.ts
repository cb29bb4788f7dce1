/**
 * Database type names (as drivers report them in result metadata) → Arrow types, and driver
 * cell values → what the exact row builder takes. Text dates and timestamps are read as UTC
 * and keep every fractional digit; exact numbers stay text until the Decimal builder encodes
 * them.
 */
import { Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, Schema, TimestampMicrosecond, TimeUnit, Type, Utf8, type DataType, type RecordBatch } from 'apache-arrow';
import { RowBatchBuilder } from './arrow.js';
import { parseTimestampNanos } from './temporal.js';

/** One result column as the session describes it. */
export interface ColumnDescription {
  name: string;
  /** Database type name, e.g. `INTEGER`, `DECIMAL`, `VARCHAR`, `TIMESTAMP WITH TIME ZONE`. */
  typeName: string;
  precision?: number;
  scale?: number;
  nullable?: boolean;
}

/**
 * The Arrow type of a database type name (parameters in parentheses are ignored; pass
 * precision/scale separately). Exact numerics without a usable precision become
 * DECIMAL(38, 10); unknown names become text.
 *
 * @example
 * ```ts
 * arrowTypeOfSqlName('DECIMAL', 12, 2); // Decimal[12e+2]
 * arrowTypeOfSqlName('timestamp with time zone'); // Timestamp<MICROSECOND, UTC>
 * ```
 */
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

/** The Arrow field of a described column (nullable unless the column says otherwise). */
export function arrowFieldOf(column: ColumnDescription): Field {
  return new Field(column.name, arrowTypeOfSqlName(column.typeName, column.precision, column.scale), column.nullable ?? true);
}

/**
 * `2024-01-31 12:00:00.123456`, `2024-01-31T12:00:00`, `2024-01-31-12.00.00.123456` (Db2) →
 * epoch ms, UTC (a fractional number when the text has sub-millisecond digits).
 */
export function timestampTextToMs(text: string): number {
  const nanos = parseTimestampNanos(text);
  const ms = nanos / 1_000_000n;
  const rest = nanos % 1_000_000n;
  return Number(ms) + Number(rest) / 1e6;
}

/**
 * A converter of driver cells for a field's Arrow type, into what {@link RowBatchBuilder}
 * takes exactly: timestamp text becomes bigint microseconds (Db2's `YYYY-MM-DD-HH.MM.SS`
 * included), hex text becomes bytes for binary columns, `Y`/`N` become booleans.
 */
export function cellConverter(type: DataType): (value: unknown) => unknown {
  switch (type.typeId) {
    case Type.Timestamp: {
      const unit = (type as DataType & { unit: number }).unit;
      if (unit !== TimeUnit.MICROSECOND) return (v) => v; // the builder parses text for other units itself
      return (v) => (typeof v === 'string' ? microsOfText(v) : v);
    }
    case Type.Bool:
      return (v) => (v === 'Y' || v === 'y' ? true : v === 'N' || v === 'n' ? false : v);
    case Type.Decimal:
      return (v) => (typeof v === 'string' ? v.trim() : v);
    case Type.Binary:
      return (v) => (typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'hex')) : v);
    case Type.Utf8:
      return (v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v);
    default:
      return (v) => v;
  }
}

function microsOfText(text: string): bigint {
  const nanos = parseTimestampNanos(text);
  if (nanos % 1000n !== 0n) throw new RangeError(`Timestamp ${JSON.stringify(text.slice(0, 60))} has more than 6 fractional digits`);
  return nanos / 1000n;
}

/**
 * Turns pages of row arrays into Arrow batches of `batchRows` rows with the columns' types
 * (at least one batch, possibly empty, so readers learn the schema).
 *
 * @example
 * ```ts
 * const columns = [{ name: 'id', typeName: 'BIGINT' }];
 * for await (const batch of rowPagesToBatches(columns, pages, 10_000)) console.log(batch.numRows);
 * ```
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
