/**
 * The engine contract.
 *
 * A connector describes a data source once, in two ways:
 * - declaratively for Spark (`SparkSource`): a data source `format`, `options`, `paths`,
 *   `predicates`; the Spark Connect engine turns these into a lazy DataFrame plan;
 * - imperatively for Node (`NativeSource`): a read plan of partitions that each stream Apache
 *   Arrow record batches, and a writer that consumes record batches.
 *
 * The engine the user picks decides which side runs: `getConnection(type, { spark })` uses the
 * Spark engine the session provides; without `spark` the in-process Arrow engine
 * (`@sparkle/engine-local`) runs the same calls through the native driver.
 *
 * Arrow types are imported as types only: core has no runtime dependency on apache-arrow.
 */
import type { RecordBatch, Schema, Table } from 'apache-arrow';
import type { SparkleConnection } from './connection.js';
import type { Filter } from './capabilities/filter.js';
import { UnsupportedOperationError } from './errors.js';
import { providedSlot } from './util/provided.js';

/** How a write treats an existing table, with Spark's SaveMode meanings. */
export type WriteMode = 'append' | 'overwrite' | 'errorIfExists' | 'ignore';

/** Progress of a long read or write, reported at most a few times a second. */
export interface Progress {
  rows: number;
  bytes: number;
  /** Total rows when known (estimates from statistics are marked by `estimated`). */
  totalRows?: number;
  estimated?: boolean;
  /** Partitions finished out of the total, for partitioned reads. */
  partitionsDone?: number;
  partitions?: number;
  elapsedMs: number;
}

/** Bound values for a partition column: numbers, bigints, dates or ISO date strings. */
export type PartitionBound = number | bigint | Date | string;

/** `readTable` options: Spark's JDBC partitioning semantics, plus projection and filter push-down. */
export interface ReadTableOptions {
  /** Columns to select (pushed down). Default: all. */
  columns?: string[];
  /** A SQL predicate pushed down to the source (trusted SQL, as in Spark's `query`/`where`). SQL sources only. */
  where?: string;
  /**
   * A typed predicate for sources without SQL (document and key-value stores), translated into
   * the system's own query; such sources refuse `where`.
   * @example
   * ```ts
   * await conn.readTable('orders', { filter: where.and(where.eq('status', 'open'), where.gt('total', 100)) });
   * ```
   */
  filter?: Filter;
  /** Records sampled to infer a schema, for sources without a fixed one (documents). Default 1000. */
  sampleSize?: number;
  /**
   * Spark only: the DDL schema Spark reads with instead of inferring one, for connectors whose
   * Spark source infers by sampling (documents). Needed where the server cannot sample, and
   * fixes the columns' types up front.
   * @example
   * ```ts
   * await conn.readTable('orders', { schema: '_id INT, status STRING, total DOUBLE' });
   * ```
   */
  schema?: string;
  /** One partition per predicate (Spark's `predicates`); exclusive with `partitionColumn`. */
  predicates?: string[];
  /** Numeric, date or timestamp column to split the read on. */
  partitionColumn?: string;
  /** Lower bound of the stride (rows below it are still read, in the first partition). */
  lowerBound?: PartitionBound;
  /** Upper bound of the stride (rows above it are still read, in the last partition). */
  upperBound?: PartitionBound;
  /** Number of partitions; with a column but no bounds the engine pushes down MIN/MAX. */
  numPartitions?: number;
  /** Rows fetched per round trip / per Arrow batch. */
  fetchSize?: number;
  /** Extra options passed through to the engine or data source (Spark options, driver hints). */
  options?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** `writeTable` options. */
export interface WriteTableOptions {
  /** Default `errorIfExists`, as in Spark. `overwrite` is atomic in the local engine. */
  mode?: WriteMode;
  /** Rows per insert batch / per COPY chunk. */
  batchSize?: number;
  /** Columns to partition the output by (file sinks and Spark). */
  partitionBy?: string[];
  /** Extra data source options. */
  options?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** What a finished write reports. */
export interface WriteResult {
  table: string;
  mode: WriteMode;
  rows: number;
  bytes?: number;
  /** False when `ignore` mode found an existing table and wrote nothing. */
  written: boolean;
  elapsedMs: number;
}

// ---------------------------------------------------------------------------------------------
// Spark side (declarative)
// ---------------------------------------------------------------------------------------------

/** How Spark reads this source: the fields of Spark Connect's `Read.DataSource`. */
export interface SparkReadSpec {
  format: string;
  options: Record<string, string>;
  paths?: string[];
  /** JDBC predicates: one Spark partition each. */
  predicates?: string[];
  /** DDL schema string, when the source needs one. */
  schema?: string;
  /** Spark table name for `spark.table()` style reads (catalog sources). */
  namedTable?: string;
  /** Option keys whose values are secrets (redacted in lineage, logs and errors). */
  secretOptions: string[];
}

/** How Spark writes this sink: the fields of Spark Connect's `WriteOperation`. */
export interface SparkWriteSpec {
  format: string;
  options: Record<string, string>;
  mode: WriteMode;
  /** A path (file sinks) or a table (catalog sinks); JDBC sinks use options.dbtable. */
  path?: string;
  table?: { name: string; saveMethod: 'saveAsTable' | 'insertInto' };
  partitionBy?: string[];
  secretOptions: string[];
}

/** A connector that Spark can read and write. */
export interface SparkSource {
  sparkRead(table: string, options: ReadTableOptions): SparkReadSpec;
  sparkWrite(table: string, options: WriteTableOptions): SparkWriteSpec;
}

// ---------------------------------------------------------------------------------------------
// Native side (imperative, Arrow)
// ---------------------------------------------------------------------------------------------

/** One independently readable slice of a read; partitions run in parallel. */
export interface NativePartition {
  /** Human-readable description (the predicate, the file), for progress and errors. */
  readonly description: string;
  /** Streams this partition's rows as Arrow record batches. */
  open(signal: AbortSignal): AsyncIterable<RecordBatch>;
}

/** The native plan of a read: its partitions, and the schema when known before reading. */
export interface NativeReadPlan {
  partitions: NativePartition[];
  schema?: Schema;
  /** Estimated total rows, for progress ETA. */
  estimatedRows?: number;
}

/** Context an engine hands a native writer. */
export interface NativeWriteContext {
  signal: AbortSignal;
  /** Called by the writer as rows land, so the engine can report progress. */
  onRows(rows: number, bytes: number): void;
}

/** A connector that Node can read and write through its own driver. */
export interface NativeSource {
  nativeRead(table: string, options: ReadTableOptions): Promise<NativeReadPlan>;
  nativeWrite(
    table: string,
    batches: AsyncIterable<RecordBatch>,
    options: WriteTableOptions,
    context: NativeWriteContext,
  ): Promise<Omit<WriteResult, 'elapsedMs'>>;
  /** Runs a query and streams its result (SQL sources). */
  nativeQuery?(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncIterable<RecordBatch>;
}

// ---------------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------------

/**
 * An execution engine. `TFrame` is what reads return: a lazy Spark DataFrame for the Spark
 * engine, a lazy stream of Arrow batches for the local engine.
 */
export interface SparkleEngine<TFrame = unknown> {
  /** 'local' or 'spark-connect'. */
  readonly name: string;
  readTable(connection: SparkleConnection<object>, table: string, options: ReadTableOptions): Promise<TFrame>;
  writeTable(connection: SparkleConnection<object>, data: unknown, table: string, options: WriteTableOptions): Promise<WriteResult>;
  query?(connection: SparkleConnection<object>, sql: string, params: readonly unknown[], options: ReadTableOptions): Promise<TFrame>;
  /** Arrow building blocks the local engine lends to family bases (absent on Spark engines). */
  readonly arrow?: ArrowToolkit;
}

// ---------------------------------------------------------------------------------------------
// Arrow toolkit (implemented by the local engine)
// ---------------------------------------------------------------------------------------------

/**
 * A column type in plain terms, so core can describe schemas (Spark's Kafka layout, a schema
 * inferred from documents) without importing Arrow. `timestamp` is microseconds, UTC; `date`
 * is days (Arrow Date32).
 */
export type ColumnType =
  | 'bool'
  | 'int32'
  | 'int64'
  | 'float64'
  | 'utf8'
  | 'binary'
  | 'timestamp'
  | 'date'
  | { list: ColumnType }
  | { struct: readonly ColumnSpec[] };

/** One column (or struct field) of a {@link ColumnType} schema. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Default true. */
  nullable?: boolean;
}

/**
 * What the local engine lends family bases for building and reading Arrow batches.
 *
 * Values `rowsToBatches` accepts per type: `bool` booleans; `int32`/`int64` integral numbers or
 * bigints; `float64` numbers; `utf8` strings (objects become JSON); `binary` bytes (strings
 * become UTF-8); `timestamp`/`date` `Date`s or epoch milliseconds; lists arrays; structs plain
 * objects. A value a column cannot hold exactly throws `InvalidArgumentError` naming the column.
 *
 * `rows` gives the reverse: int64 as bigint, timestamps and dates as `Date`, binary as
 * `Uint8Array`, decimals as exact text, lists as arrays and structs and maps as plain objects.
 */
/** What {@link ArrowToolkit.batchBuilder} returns. */
export interface ArrowBatchSink {
  /** Appends one row; returns a batch once `batchSize` rows are in, else undefined. */
  push(row: Record<string, unknown>): RecordBatch | undefined;
  /** The rows left over as a last batch (an empty batch when none was returned yet), or undefined. */
  finish(): RecordBatch | undefined;
}

export interface ArrowToolkit {
  /** An Arrow schema for plain column specs. */
  schema(columns: readonly ColumnSpec[]): Schema;
  /** Rows (objects by column name) into batches of `schema`, `batchSize` rows each (default 10 000); at least one batch. */
  rowsToBatches(rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>, options: { schema: Schema; batchSize?: number }): AsyncIterable<RecordBatch>;
  /**
   * A push-style builder of the very batches `rowsToBatches` makes, for sources that receive rows
   * a page at a time and should not await once per row. Optional: without it, use `rowsToBatches`.
   * @example
   * ```ts
   * const sink = arrow.batchBuilder!({ schema, batchSize: 10_000 });
   * for (const row of page) { const full = sink.push(row); if (full) yield full; }
   * const last = sink.finish(); if (last) yield last;
   * ```
   */
  batchBuilder?(options: { schema: Schema; batchSize?: number }): ArrowBatchSink;
  /** A batch's rows as plain JavaScript objects. */
  rows(batch: RecordBatch): Iterable<Record<string, unknown>>;
  /** The plain {@link ColumnSpec}s of an Arrow schema (types outside ColumnType become `utf8`). */
  columns(schema: Schema): ColumnSpec[];
}

// ---------------------------------------------------------------------------------------------
// Frame types per engine
// ---------------------------------------------------------------------------------------------

/**
 * What a local-engine read returns, as far as core knows: a lazy, re-runnable stream of Arrow
 * record batches. `@sparkle/engine-local`'s `LocalFrame` implements it (and, once imported,
 * replaces it with its own class through {@link SparkleFrameTypes}).
 */
export interface LocalFrameLike extends AsyncIterable<RecordBatch> {
  /** Reads everything into an Arrow Table. */
  toTable(options?: { signal?: AbortSignal }): Promise<Table>;
  /** Reads everything into plain row objects. */
  toArray(options?: { signal?: AbortSignal }): Promise<Record<string, unknown>[]>;
  /** Counts rows by streaming the read. */
  count(options?: { signal?: AbortSignal }): Promise<number>;
  /** The result's schema. */
  schema(options?: { signal?: AbortSignal }): Promise<Schema>;
}

/**
 * The frame type of each engine, filled in by the engine packages through declaration merging:
 * `@sparkle/engine-local` adds `local: LocalFrame`, `@sparkle/spark-connect` adds
 * `spark: DataFrame`. Core itself imports neither.
 *
 * @example
 * ```ts
 * declare module '@sparkle/core' {
 *   interface SparkleFrameTypes { spark: MyDataFrame }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface SparkleFrameTypes {}

/** The engines a connection can run on: `local` without a Spark session, `spark` with one. */
export type EngineKind = 'local' | 'spark';

/** What `readTable` and `query` return on engine `E` (`LocalFrameLike` / `unknown` until the engine package says). */
export type FrameOf<E extends EngineKind> = E extends keyof SparkleFrameTypes ? SparkleFrameTypes[E] : E extends 'local' ? LocalFrameLike : unknown;

/**
 * The reads of a connection bound to engine `E`: `getConnection` returns `ConnectionOn<T, E>`,
 * so `readTable` is typed by the engine without a type argument (an explicit one still wins).
 */
export interface EngineReads<E extends EngineKind> {
  readTable<TFrame = FrameOf<E>>(table: string, options?: ReadTableOptions): Promise<TFrame>;
  query<TFrame = FrameOf<E>>(sql: string, params?: readonly unknown[], options?: ReadTableOptions): Promise<TFrame>;
}

/**
 * A connection of class `T` whose reads return engine `E`'s frames.
 *
 * @example
 * ```ts
 * const conn = await getConnection('postgres');            // ConnectionOn<SparkleConnection, 'local'>
 * const frame = await conn.readTable('public.customers');  // LocalFrame
 * for await (const batch of frame) console.log(batch.numRows);
 * ```
 */
export type ConnectionOn<T, E extends EngineKind> = EngineReads<E> & T;

/**
 * Key under which a Spark session (or anything passed as `spark`) exposes its engine.
 * `@sparkle/spark-connect`'s `SparkSession` implements it, so core never imports Spark code.
 */
export const ENGINE_PROVIDER = Symbol.for('sparkle.engine-provider');

/** Anything that can hand core an engine: a Spark session, or an engine itself. */
export interface EngineProvider {
  [ENGINE_PROVIDER](): SparkleEngine;
}

export function isEngineProvider(value: unknown): value is EngineProvider {
  return typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[ENGINE_PROVIDER] === 'function';
}

export function isSparkSource(value: unknown): value is SparkSource {
  return typeof (value as SparkSource | undefined)?.sparkRead === 'function';
}

export function isNativeSource(value: unknown): value is NativeSource {
  return typeof (value as NativeSource | undefined)?.nativeRead === 'function';
}

/**
 * Where core finds the local engine when no `spark` is given. The module is imported lazily so
 * a Spark-only application never loads Arrow. Tests and embedders may replace it.
 */
const localEngineSlot = providedSlot<SparkleEngine>({
  key: 'sparkle.local-engine',
  what: 'local engine',
  packageName: '@sparkle/engine-local',
  exportName: 'localEngine',
});

/** Registers the local engine (engine-local calls this when imported). */
export function setLocalEngine(engine: SparkleEngine | (() => Promise<SparkleEngine>)): void {
  localEngineSlot.set(engine);
}

/**
 * Offers a loader for the local engine unless one is already set. Connector packages call this
 * on import: they depend on `@sparkle/engine-local`, so their `import()` resolves even where
 * core's own would not (pnpm's strict layout gives core no access to packages it does not list).
 * @example
 * provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
 */
export function provideLocalEngine(loader: () => Promise<SparkleEngine>): void {
  localEngineSlot.provide(loader);
}

/** True when an engine or a loader for it has been set. */
export function hasLocalEngine(): boolean {
  return localEngineSlot.has();
}

/** Returns the local engine, importing `@sparkle/engine-local` on first use. */
export async function getLocalEngine(): Promise<SparkleEngine> {
  return localEngineSlot.get();
}

/**
 * The local engine's Arrow toolkit, for family bases that build batches from driver values
 * (streams, documents) while core itself stays free of a runtime Arrow dependency.
 * @example
 * ```ts
 * const arrow = await getArrowToolkit('kafka');
 * const schema = arrow.schema([{ name: 'value', type: 'binary' }]);
 * ```
 */
export async function getArrowToolkit(connector?: string): Promise<ArrowToolkit> {
  const engine = await getLocalEngine();
  if (!engine.arrow) {
    throw new UnsupportedOperationError(
      `The local engine '${engine.name}' has no Arrow toolkit (engine.arrow); install a matching @sparkle/engine-local`,
      { connector },
    );
  }
  return engine.arrow;
}
