/**
 * The Arrow toolkit the local engine lends core's family bases (`engine.arrow`): schemas from
 * plain column specs, rows into batches through the exact builders, and batches back into plain
 * rows. Core describes data without importing Arrow; this is where the description meets it.
 */
import {
  Binary,
  Bool,
  DataType,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Struct,
  TimestampMicrosecond,
  Type,
  Utf8,
  type RecordBatch,
  type Vector,
} from 'apache-arrow';
import type { ArrowToolkit, ColumnSpec, ColumnType } from '@sparkle/core';
import { DEFAULT_BATCH_SIZE, RowBatchBuilder, rowsToBatches } from './arrow.js';
import { cellReader } from './sql-cells.js';

function typeOf(type: ColumnType): DataType {
  if (typeof type === 'object') {
    if ('list' in type) return new List(new Field('element', typeOf(type.list), true));
    return new Struct(type.struct.map(fieldOf));
  }
  switch (type) {
    case 'bool':
      return new Bool();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'binary':
      return new Binary();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
    case 'date':
      return new DateDay();
    default:
      return new Utf8();
  }
}

function fieldOf(column: ColumnSpec): Field {
  return new Field(column.name, typeOf(column.type), column.nullable ?? true);
}

function columnTypeOf(type: DataType): ColumnType {
  const t = type as DataType & { bitWidth?: number; precision?: number };
  switch (type.typeId) {
    case Type.Bool:
      return 'bool';
    case Type.Int:
      return (t.bitWidth ?? 32) > 32 ? 'int64' : 'int32';
    case Type.Float:
      return 'float64';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return 'binary';
    case Type.Timestamp:
      return 'timestamp';
    case Type.Date:
      return 'date';
    case Type.List:
    case Type.FixedSizeList:
      return { list: columnTypeOf(type.children[0]!.type) };
    case Type.Struct:
      return { struct: type.children.map((f) => ({ name: f.name, type: columnTypeOf(f.type), nullable: f.nullable })) };
    default:
      return 'utf8';
  }
}

/** A cell as plain JavaScript, by its Arrow type (see {@link ArrowToolkit.rows}). */
function plain(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case Type.Timestamp:
    case Type.Date:
      return value instanceof Date ? value : new Date(Number(value));
    case Type.Struct: {
      const row = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of type.children) out[f.name] = plain(row[f.name], f.type);
      return out;
    }
    case Type.List:
    case Type.FixedSizeList: {
      const element = type.children[0]!.type;
      return Array.from(value as Iterable<unknown>, (v) => plain(v, element));
    }
    case Type.Map: {
      const entries = (value as { toJSON(): Record<string, unknown> }).toJSON();
      const valueType = (type.children[0]!.type as Struct).children[1]!.type;
      return Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, plain(v, valueType)]));
    }
    default:
      return value;
  }
}

/** One reader per column: exact text for decimals and times (via `cellReader`), plain values otherwise. */
function readerOf(vector: Vector): (i: number) => unknown {
  const type = vector.type as DataType;
  if (type.typeId === Type.Decimal || type.typeId === Type.Time) return cellReader(vector);
  return (i) => plain(vector.get(i), type);
}

/**
 * The local engine's {@link ArrowToolkit}.
 * @example
 * ```ts
 * const schema = arrowToolkit.schema([{ name: 'id', type: 'int64' }, { name: 'tags', type: { list: 'utf8' } }]);
 * for await (const batch of arrowToolkit.rowsToBatches([{ id: 1n, tags: ['a'] }], { schema })) console.log([...arrowToolkit.rows(batch)]);
 * ```
 */
export const arrowToolkit: ArrowToolkit = {
  schema(columns) {
    return new Schema(columns.map(fieldOf));
  },
  rowsToBatches(rows, options) {
    return rowsToBatches(rows, { schema: options.schema, ...(options.batchSize ? { batchSize: options.batchSize } : {}) });
  },
  batchBuilder(options) {
    const builder = new RowBatchBuilder(options.schema);
    const size = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    let emitted = false;
    return {
      push(row) {
        builder.append(row);
        if (builder.length < size) return undefined;
        emitted = true;
        return builder.flush();
      },
      // As rowsToBatches: the rest, or one empty batch so readers still learn the columns.
      finish() {
        return builder.length > 0 || !emitted ? builder.flush() : undefined;
      },
    };
  },
  *rows(batch: RecordBatch) {
    const names = batch.schema.fields.map((f) => f.name);
    const readers = names.map((_, i) => readerOf(batch.getChildAt(i)!));
    for (let r = 0; r < batch.numRows; r++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) row[names[c]!] = readers[c]!(r);
      yield row;
    }
  },
  columns(schema) {
    return schema.fields.map((f) => ({ name: f.name, type: columnTypeOf(f.type), nullable: f.nullable }));
  },
};
