/**
 * Arrow helpers shared by the engine and by connectors whose drivers hand back row objects or
 * row arrays (better-sqlite3, mysql2, CSV and JSON lines readers): schema inference, a columnar
 * batch builder, batch sizes, and normalising anything `writeTable` accepts into a stream of
 * record batches.
 */
import { Binary, Bool, DataType, Field, Float64, Int64, RecordBatch, Schema, Table, TimestampMillisecond, Utf8 } from 'apache-arrow';
import { InvalidArgumentError } from '@sparkle/core';
import { batchFromBuilders, columnBuilder, type ColumnBuilder } from './columns.js';

/** A row as drivers return it: an object keyed by column, or an array in column order. */
export type Row = Record<string, unknown> | readonly unknown[];

/** Default rows per record batch. */
export const DEFAULT_BATCH_SIZE = 10_000;

// ---------------------------------------------------------------------------------------------
// Schema inference
// ---------------------------------------------------------------------------------------------

export interface InferSchemaOptions {
  /** Column names for array rows (objects name their own columns). */
  columns?: readonly string[];
  /** Rows looked at; default all rows given. */
  sampleSize?: number;
}

type Kind = 'null' | 'int' | 'float' | 'string' | 'bool' | 'date' | 'binary';

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    default:
      if (value instanceof Date) return 'date';
      if (value instanceof Uint8Array) return 'binary';
      return 'string';
  }
}

/** The kind two observations of one column agree on (numbers widen, anything else falls back to text). */
function widen(a: Kind, b: Kind): Kind {
  if (a === b || b === 'null') return a;
  if (a === 'null') return b;
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float';
  return 'string';
}

function typeOfKind(kind: Kind): DataType {
  switch (kind) {
    case 'int':
      return new Int64();
    case 'float':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'date':
      return new TimestampMillisecond('UTC');
    case 'binary':
      return new Binary();
    default:
      // Text, and columns that were null in every sampled row.
      return new Utf8();
  }
}

function columnNames(rows: readonly Row[], columns?: readonly string[]): string[] {
  if (columns) return [...columns];
  const names = new Set<string>();
  for (const row of rows) {
    if (Array.isArray(row)) throw new InvalidArgumentError('Array rows need column names: pass { columns } or { schema }');
    for (const key of Object.keys(row)) names.add(key);
  }
  return [...names];
}

/**
 * Infers an Arrow schema from rows: integers (numbers or bigints) → Int64, other numbers →
 * Float64, strings → Utf8, booleans → Bool, `Date` → Timestamp(ms, UTC), `Uint8Array` → Binary,
 * mixed or all-null columns → Utf8. Every field is nullable.
 *
 * @example
 * ```ts
 * const schema = inferSchema([{ id: 1, name: 'a', at: new Date() }]);
 * // id: Int64, name: Utf8, at: Timestamp<MILLISECOND, UTC>
 * ```
 */
export function inferSchema(rows: readonly Row[], options: InferSchemaOptions = {}): Schema {
  const sample = options.sampleSize === undefined ? rows : rows.slice(0, options.sampleSize);
  const names = columnNames(sample, options.columns);
  const kinds: Kind[] = names.map(() => 'null');
  for (const row of sample) {
    for (let i = 0; i < names.length; i++) {
      const value = Array.isArray(row) ? row[i] : (row as Record<string, unknown>)[names[i]!];
      kinds[i] = widen(kinds[i]!, kindOf(value));
    }
  }
  return new Schema(names.map((name, i) => new Field(name, typeOfKind(kinds[i]!), true)));
}

// ---------------------------------------------------------------------------------------------
// Building batches from rows
// ---------------------------------------------------------------------------------------------

/**
 * Builds record batches from row objects or row arrays, exactly: each column goes through
 * {@link columnBuilder} (values straight into typed buffers; µs timestamps, exact decimals,
 * int64 as bigint — see `columns.ts` for what each type accepts). A value a column cannot hold
 * without rounding, wrapping or truncation throws an InvalidArgumentError naming the column;
 * the builder is unusable after such an error.
 *
 * @example
 * ```ts
 * const builder = new RowBatchBuilder(schema);
 * for (const row of stmt.iterate()) {
 *   builder.append(row);
 *   if (builder.length >= 10_000) yield builder.flush();
 * }
 * if (builder.length) yield builder.flush();
 * ```
 */
export class RowBatchBuilder {
  readonly schema: Schema;
  readonly #builders: ColumnBuilder[];
  readonly #names: string[];
  #length = 0;
  #failed: unknown;

  constructor(schema: Schema) {
    this.schema = schema;
    this.#names = schema.fields.map((f) => f.name);
    this.#builders = schema.fields.map(columnBuilder);
  }

  /** Rows appended since the last flush. */
  get length(): number {
    return this.#length;
  }

  /** Appends one row (object by field name, or array in field order). */
  append(row: Row): void {
    if (this.#failed) throw this.#failed;
    const builders = this.#builders;
    try {
      if (Array.isArray(row)) {
        for (let i = 0; i < builders.length; i++) builders[i]!.append(row[i]);
      } else {
        const obj = row as Record<string, unknown>;
        for (let i = 0; i < builders.length; i++) builders[i]!.append(obj[this.#names[i]!]);
      }
    } catch (error) {
      // Earlier columns of this row were appended: the columns no longer line up.
      this.#failed = error;
      throw error;
    }
    this.#length++;
  }

  /** Returns the rows appended so far as one record batch and starts a new one. */
  flush(): RecordBatch {
    if (this.#failed) throw this.#failed;
    const batch = batchFromBuilders(this.schema, this.#builders, this.#length);
    this.#length = 0;
    return batch;
  }
}

function describe(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
  return `${typeof v} ${text.slice(0, 40)}`;
}

export interface RowsToBatchesOptions {
  /** The schema to build; inferred from the first batch of rows when omitted. */
  schema?: Schema;
  /** Column names for array rows (when no schema is given). */
  columns?: readonly string[];
  /** Rows per batch; default 10 000. */
  batchSize?: number;
}

/**
 * Turns rows (an array, an iterable or an async iterable) into record batches of `batchSize`
 * rows. Without a schema it is inferred from the first `batchSize` rows; a later row that does
 * not fit (a fraction in an integer column) fails with a message asking for a schema. An empty
 * input yields one empty batch when a schema is known, so writers still learn the columns.
 *
 * @example
 * ```ts
 * for await (const batch of rowsToBatches(db.prepare('select * from t').iterate(), { batchSize: 5000 })) { ... }
 * ```
 */
export async function* rowsToBatches(rows: Iterable<Row> | AsyncIterable<Row>, options: RowsToBatchesOptions = {}): AsyncGenerator<RecordBatch> {
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  let builder = options.schema ? new RowBatchBuilder(options.schema) : undefined;
  let pending: Row[] = [];
  let emitted = false;
  /** Adds one row; returns a full batch when one is ready. */
  const add = (row: Row): RecordBatch | undefined => {
    if (!builder) {
      pending.push(row);
      if (pending.length < batchSize) return undefined;
      builder = new RowBatchBuilder(inferSchema(pending, { columns: options.columns }));
      for (const r of pending) builder.append(r);
      pending = [];
    } else builder.append(row);
    if (builder.length < batchSize) return undefined;
    emitted = true;
    return builder.flush();
  };
  // A sync source is walked without an await per row (for-await costs a microtask per element).
  if (Symbol.iterator in rows) {
    for (const row of rows) {
      const batch = add(row);
      if (batch) yield batch;
    }
  } else {
    for await (const row of rows) {
      const batch = add(row);
      if (batch) yield batch;
    }
  }
  if (!builder) {
    builder = new RowBatchBuilder(pending.length || options.columns ? inferSchema(pending, { columns: options.columns }) : new Schema([]));
    for (const r of pending) builder.append(r);
  }
  if (builder.length > 0 || !emitted) yield builder.flush();
}

// ---------------------------------------------------------------------------------------------
// Batch utilities
// ---------------------------------------------------------------------------------------------

/**
 * Bytes held by a batch's buffers (values, offsets, validity, children) — the Arrow payload
 * size used for progress and lineage statistics.
 */
export function batchByteLength(batch: RecordBatch): number {
  return batch.data.byteLength;
}

/** A zero-row batch with `schema`, for writers that must learn the columns of an empty source. */
export function emptyBatch(schema: Schema): RecordBatch {
  return batchFromBuilders(schema, schema.fields.map(columnBuilder), 0);
}

/** Duck-typed check, so batches from another installed copy of apache-arrow are recognised. */
export function isRecordBatch(value: unknown): value is RecordBatch {
  if (value instanceof RecordBatch) return true;
  const v = value as { schema?: unknown; data?: unknown; numRows?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.numRows === 'number' && typeof v.schema === 'object' && typeof v.data === 'object';
}

function isTable(value: unknown): value is Table {
  if (value instanceof Table) return true;
  const v = value as { batches?: unknown; schema?: unknown; numRows?: unknown } | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.batches) && typeof v.numRows === 'number' && typeof v.schema === 'object';
}

export interface IterateBatchesOptions extends RowsToBatchesOptions {
  signal?: AbortSignal;
}

/**
 * Normalises anything `writeTable` accepts into an async stream of record batches: a frame or
 * any async iterable of batches, an Arrow `Table`, a `RecordBatch` or an array of them, or rows
 * (plain objects or arrays; array/iterable/async iterable), which are converted with
 * {@link rowsToBatches}.
 *
 * @example
 * ```ts
 * for await (const batch of iterateBatches([{ id: 1 }, { id: 2 }])) console.log(batch.numRows);
 * ```
 */
export async function* iterateBatches(data: unknown, options: IterateBatchesOptions = {}): AsyncGenerator<RecordBatch> {
  if (data === null || data === undefined) throw new InvalidArgumentError('Nothing to write: data is ' + String(data));
  if (isTable(data)) {
    if (data.batches.length === 0) yield emptyBatch(data.schema);
    for (const batch of data.batches) yield batch;
    return;
  }
  if (isRecordBatch(data)) {
    yield data;
    return;
  }
  const iterable = toIterable(data);
  // Peek at the first element to decide between batches and rows.
  const iterator = (Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : (iterable as Iterable<unknown>)[Symbol.iterator]()) as
    | AsyncIterator<unknown>
    | Iterator<unknown>;
  let closed = false;
  try {
    const first = await iterator.next();
    if (first.done) {
      closed = true;
      yield* rowsToBatches([], options);
      return;
    }
    const rest = (async function* () {
      for (;;) {
        options.signal?.throwIfAborted();
        const next = await iterator.next();
        if (next.done) {
          closed = true;
          return;
        }
        yield next.value;
      }
    })();
    if (isRecordBatch(first.value)) {
      yield first.value;
      for await (const batch of rest) {
        if (!isRecordBatch(batch)) throw new InvalidArgumentError('A stream of record batches contained something else: ' + describe(batch));
        yield batch;
      }
      return;
    }
    const rows = (async function* () {
      yield first.value as Row;
      yield* rest as AsyncGenerator<Row>;
    })();
    yield* rowsToBatches(rows, options);
  } finally {
    if (!closed) await iterator.return?.();
  }
}

function toIterable(data: unknown): Iterable<unknown> | AsyncIterable<unknown> {
  if (typeof data === 'object' && data !== null) {
    if (Symbol.asyncIterator in data) return data as AsyncIterable<unknown>;
    if (Symbol.iterator in data && typeof data !== 'string') return data as Iterable<unknown>;
  }
  throw new InvalidArgumentError(
    `Cannot write ${describe(data)}: pass a frame, an Arrow Table, RecordBatch(es), an async iterable of batches, or rows (objects or arrays)`,
  );
}
