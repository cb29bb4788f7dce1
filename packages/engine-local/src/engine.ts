/**
 * The local engine: Sparkle's reads, writes and queries run in-process through each connector's
 * native driver, as streams of Arrow record batches.
 */
import { Schema, type RecordBatch } from 'apache-arrow';
import {
  abortError,
  InvalidArgumentError,
  SparkleError,
  isNativeSource,
  UnsupportedOperationError,
  type NativeSource,
  type ReadTableOptions,
  type SparkleConnection,
  type SparkleEngine,
  type WriteResult,
  type WriteTableOptions,
  type ArrowToolkit,
} from '@sparkle/core';
import { arrowToolkit } from './toolkit.js';
import { batchByteLength, emptyBatch, iterateBatches } from './arrow.js';
import { LocalFrame } from './frame.js';
import { ENGINE_NAME, engineRun, quietly, type LineageParent } from './lineage.js';
import { ProgressTracker } from './progress.js';

type AnyConnection = SparkleConnection<object>;

export interface LocalEngineOptions {
  /** Partitions read at once when the connection sets no `maxConnections`. Default 4. */
  defaultConcurrency?: number;
}

/** Extra, engine-internal options of a write (used by `copyTable`). */
export interface WriteInternals {
  /** Lineage parent run of the write. */
  parent?: LineageParent;
}

function nativeSource(connection: AnyConnection, what: string): AnyConnection & NativeSource {
  if (!isNativeSource(connection)) {
    throw new UnsupportedOperationError(
      `The ${connection.type} connection cannot ${what} in the local engine: it has no native Node driver. ` +
        `Use it through Spark (getConnection('${connection.type}', { spark })).`,
      { connector: connection.type },
    );
  }
  return connection as AnyConnection & NativeSource;
}

function validateReadOptions(connection: AnyConnection, options: ReadTableOptions): void {
  const n = options.numPartitions;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(`numPartitions must be a positive integer; got ${String(n)}`, { connector: connection.type });
  }
  if (options.predicates?.length && options.partitionColumn) {
    throw new InvalidArgumentError('Use either predicates or partitionColumn, not both', { connector: connection.type });
  }
}

/** Options forwarded to the connector: everything but the engine's own callbacks. */
function connectorReadOptions(options: ReadTableOptions, signal: AbortSignal): ReadTableOptions {
  const { onProgress: _progress, signal: _signal, ...rest } = options;
  return { ...rest, signal };
}

/**
 * The in-process engine. Core loads it lazily (`getLocalEngine()`) when a connection has no
 * Spark session; it can also be used directly.
 *
 * @example
 * ```ts
 * import { localEngine } from '@sparkle/engine-local';
 * const frame = await localEngine.readTable(conn, 'main.orders', { partitionColumn: 'id', numPartitions: 4 });
 * console.log(await frame.count());
 * ```
 */
export class LocalEngine implements SparkleEngine<LocalFrame> {
  readonly name = ENGINE_NAME;
  /** Arrow building blocks for core's family bases (streams and documents build batches with them). */
  readonly arrow: ArrowToolkit = arrowToolkit;
  readonly #defaultConcurrency: number;

  constructor(options: LocalEngineOptions = {}) {
    this.#defaultConcurrency = options.defaultConcurrency ?? 4;
  }

  #concurrency(connection: AnyConnection): number {
    const max = (connection.config as { maxConnections?: unknown }).maxConnections;
    return typeof max === 'number' && max >= 1 ? Math.floor(max) : this.#defaultConcurrency;
  }

  /**
   * A lazy frame over `connection.nativeRead(table, options)`: partitions run in parallel (at
   * most `maxConnections`, default 4), batches stream as they arrive.
   */
  async readTable(connection: AnyConnection, table: string, options: ReadTableOptions = {}): Promise<LocalFrame> {
    const source = nativeSource(connection, 'read');
    validateReadOptions(connection, options);
    const metadata: Record<string, unknown> = {
      partitions: options.predicates?.length ?? options.numPartitions ?? 1,
    };
    if (options.partitionColumn) metadata.partitionColumn = options.partitionColumn;
    if (options.lowerBound !== undefined) metadata.lowerBound = String(options.lowerBound);
    if (options.upperBound !== undefined) metadata.upperBound = String(options.upperBound);
    if (options.predicates?.length) metadata.predicates = options.predicates;
    if (options.columns?.length) metadata.columns = options.columns;
    if (options.where) metadata.where = options.where;
    if (options.filter) metadata.filter = options.filter;
    return new LocalFrame({
      connection,
      target: table,
      operation: 'read',
      metadata,
      concurrency: this.#concurrency(connection),
      signal: options.signal,
      onProgress: options.onProgress,
      plan: (signal) => source.nativeRead(table, connectorReadOptions(options, signal)),
    });
  }

  /** A lazy frame over `connection.nativeQuery(sql, params)` (SQL sources). */
  async query(connection: AnyConnection, sql: string, params: readonly unknown[] = [], options: ReadTableOptions = {}): Promise<LocalFrame> {
    const source = nativeSource(connection, 'run queries');
    const run = source.nativeQuery?.bind(source);
    if (!run) throw new UnsupportedOperationError(`The ${connection.type} connection does not run queries`, { connector: connection.type });
    const text = sql.replace(/\s+/g, ' ').trim();
    return new LocalFrame({
      connection,
      target: text.length > 200 ? `${text.slice(0, 197)}...` : text,
      operation: 'query',
      metadata: { sql: text, params: params.length },
      concurrency: 1,
      signal: options.signal,
      onProgress: options.onProgress,
      plan: async () => ({
        partitions: [{ description: 'query', open: (signal: AbortSignal) => run(sql, params, { signal, fetchSize: options.fetchSize }) }],
      }),
    });
  }

  /**
   * Writes `data` — a frame, an Arrow Table, record batches (array or async iterable), or rows
   * (objects/arrays, inferred to Arrow) — through `connection.nativeWrite`, with Spark's save
   * modes. The connector makes `overwrite` atomic; the engine adds progress and lineage (the
   * frame's dataset as input).
   */
  async writeTable(connection: AnyConnection, data: unknown, table: string, options: WriteTableOptions = {}, internals: WriteInternals = {}): Promise<WriteResult> {
    const target = nativeSource(connection, 'write');
    const mode = options.mode ?? 'errorIfExists';
    if (!['append', 'overwrite', 'errorIfExists', 'ignore'].includes(mode)) {
      throw new InvalidArgumentError(`Unknown write mode '${String(mode)}': use append, overwrite, errorIfExists or ignore`, { connector: connection.type });
    }
    const supported = connection.supportedWriteModes(table, options.partitionBy?.length ? { partitionBy: options.partitionBy } : {});
    if (!supported.includes(mode)) {
      throw new UnsupportedOperationError(`The ${connection.type} target '${table}' does not support mode '${mode}'; use ${orList(supported)}`, {
        connector: connection.type,
        details: { writeModes: [...supported] },
      });
    }
    const started = performance.now();
    const frame = data instanceof LocalFrame ? data : undefined;
    const run = engineRun(connection, {
      operation: 'write',
      target: table,
      metadata: { mode, ...(options.batchSize ? { batchSize: options.batchSize } : {}) },
      inputs: frame?.source.dataset ? [frame.source.dataset] : [],
      parent: internals.parent,
    });
    const signal = options.signal ?? new AbortController().signal;
    const tracker = new ProgressTracker(options.onProgress);
    // Writers that report landed rows drive progress; otherwise rows handed to the writer do.
    const pulled = { rows: 0, bytes: 0 };
    const landed = { rows: 0, bytes: 0 };
    let writerReports = false;
    const report = () => tracker.set(writerReports ? landed.rows : pulled.rows, writerReports ? landed.bytes : pulled.bytes);
    // The input's own failure, kept aside: a writer may swallow it and throw something of its
    // own (a Parquet writer's 'Dyn casting error', a driver's broken pipe). The read's error is
    // the one the user must see, whatever the sink: it wins over a writer error that does not
    // carry it (one that does — 'nothing was committed: <read error>' — already tells both).
    const input: { failed: boolean; error?: unknown } = { failed: false };

    async function* counted(): AsyncGenerator<RecordBatch> {
      let any = false;
      const source = iterateBatches(frame ? frame.batches({ signal }) : data, { batchSize: options.batchSize, signal });
      const iterator = source[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<RecordBatch>;
          try {
            next = await iterator.next();
          } catch (error) {
            input.failed = true;
            input.error = error;
            throw error;
          }
          if (next.done) break;
          const batch = next.value;
          signal.throwIfAborted();
          any = true;
          pulled.rows += batch.numRows;
          pulled.bytes += batchByteLength(batch);
          report();
          yield batch;
        }
      } finally {
        // The writer stopped pulling early (its own error, or it was done): end the read too.
        if (!input.failed) await iterator.return?.(undefined);
      }
      // A source with no batches at all (not even a schema): writers still get one batch.
      if (!any) yield emptyBatch(new Schema([]));
    }

    await quietly(run.start());
    try {
      const { onProgress: _p, ...connectorOptions } = options;
      const result = await target.nativeWrite(table, counted(), { ...connectorOptions, mode, signal }, {
        signal,
        onRows(rows, bytes) {
          writerReports = true;
          landed.rows += rows;
          landed.bytes += bytes;
          report();
        },
      });
      const bytes = result.bytes ?? (writerReports ? landed.bytes : pulled.bytes);
      tracker.set(result.rows, bytes);
      tracker.final();
      await quietly(run.complete({ rows: result.rows, bytes }));
      return { ...result, bytes, elapsedMs: performance.now() - started };
    } catch (error) {
      // An abort surfaces as ABORTED/TIMEOUT whatever the writer threw while unwinding; a failed
      // input surfaces as itself (a frame's error is already typed by its source connection).
      const e =
        signal.aborted && !SparkleError.isInstance(error)
          ? abortError(signal, `write ${table}`, connection.type)
          : input.failed && !carries(error, input.error)
            ? SparkleError.isInstance(input.error) ? input.error : (frame?.source.connection ?? connection).wrapError(input.error, `read input of write ${table}`)
            : connection.wrapError(error, `write ${table}`);
      // What can work instead comes from the target itself, never from a fixed list.
      if (e.code === 'TABLE_EXISTS') e.details.writeModes ??= [...supported];
      await quietly(run.fail(e, { rows: landed.rows }));
      throw e;
    }
  }
}

/**
 * True when the writer reported the input's failure itself: `error` is `inner`, has it in its
 * cause chain, or quotes its message (a driver stream re-creating the error as its own).
 */
function carries(error: unknown, inner: unknown): boolean {
  const innerMessage = inner instanceof Error ? inner.message : undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (current === inner) return true;
    if (innerMessage && current instanceof Error && current.message.includes(innerMessage)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function orList(items: readonly string[]): string {
  const quoted = items.map((i) => `'${i}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : (quoted[0] ?? 'no mode');
}

/** The shared local engine instance core uses. */
export const localEngine = new LocalEngine();
