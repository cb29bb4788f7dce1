/**
 * The Spark engine for Sparkle core: `readTable` turns a connector's {@link SparkReadSpec} into a
 * lazy DataFrame, `writeTable` sends its {@link SparkWriteSpec} as a WriteOperation. Lineage
 * runs are emitted from the client (Spark's listener cannot run under Spark Connect), and secret
 * option values never reach lineage metadata or error messages.
 */
import {
  isSparkSource,
  type ReadTableOptions,
  REDACTED,
  type SparkleConnection,
  type SparkleEngine,
  type SparkReadSpec,
  type SparkWriteSpec,
  SparkleError,
  UnsupportedOperationError,
  InvalidArgumentError,
  WriteError,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { DataFrame } from './dataframe.js';
import type { LocalData } from './local-relation.js';
import { CONNECTOR } from './errors.js';
import type { SparkSession } from './session.js';

export const ENGINE_NAME = 'spark-connect';

/** Data `createDataFrame` can take (duck-typed: Arrow objects from any installed copy count). */
function isLocalData(data: unknown): data is LocalData {
  if (typeof data !== 'object' || data === null) return false;
  if (Array.isArray(data)) return data.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row));
  return 'schema' in data || Symbol.asyncIterator in data || (Symbol.iterator in data && !(typeof data === 'string'));
}

/** Options with secret values replaced, for lineage metadata. */
function publicOptions(options: Record<string, string>, secretKeys: readonly string[]): Record<string, string> {
  const secret = new Set(secretKeys.map((k) => k.toLowerCase()));
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, secret.has(k.toLowerCase()) ? REDACTED : v]));
}

/** A redactor removing the connection's secrets and the spec's secret option values. */
function redactorFor(connection: SparkleConnection<object>, options: Record<string, string>, secretKeys: readonly string[]): (text: string) => string {
  const secret = new Set(secretKeys.map((k) => k.toLowerCase()));
  const values = Object.entries(options)
    .filter(([k, v]) => secret.has(k.toLowerCase()) && v.length > 0)
    .map(([, v]) => v)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = connection.redact(text);
    for (const v of values) out = out.split(v).join(REDACTED);
    return out;
  };
}

/**
 * Redacts a Sparkle error in place (message, stack, details, cause), keeping its class, code and
 * retryability; any other value becomes a redacted WriteError.
 */
function redactError(error: unknown, redact: (text: string) => string, what: string): SparkleError {
  if (SparkleError.isInstance(error)) {
    const e = error as SparkleError & { details: Record<string, unknown>; cause: unknown };
    e.message = redact(e.message);
    if (e.stack) e.stack = redact(e.stack);
    e.details = JSON.parse(redact(JSON.stringify(e.details))) as Record<string, unknown>;
    if (e.cause instanceof Error) e.cause = new Error(redact(e.cause.message));
    return e;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new WriteError(redact(`${what} failed: ${message}`), { connector: CONNECTOR });
}

function asSparkSource(connection: SparkleConnection<object>) {
  if (!isSparkSource(connection)) {
    throw new UnsupportedOperationError(`The ${connection.type} connection has no Spark mapping (sparkRead/sparkWrite)`, { connector: connection.type });
  }
  return connection;
}

/**
 * The engine `SparkSession[ENGINE_PROVIDER]()` returns.
 *
 * @example
 * ```ts
 * const spark = await SparkSession.builder().remote('sc://spark:15002').getOrCreate();
 * const conn = await getConnection('postgres', { spark, env: 'prod' });
 * const orders = await conn.readTable<DataFrame>('orders', { partitionColumn: 'id', lowerBound: 1, upperBound: 1e6, numPartitions: 8 });
 * await orders.filter('amount > 100').write.format('parquet').mode('overwrite').save('s3a://lake/orders');
 * ```
 */
export class SparkConnectEngine implements SparkleEngine<DataFrame> {
  readonly name = ENGINE_NAME;

  constructor(readonly session: SparkSession) {}

  /** The DataFrame a read spec stands for (no lineage, no execution). */
  frameFor(spec: SparkReadSpec, options: ReadTableOptions = {}): DataFrame {
    let df: DataFrame;
    if (spec.namedTable) {
      df = this.session.table(spec.namedTable);
    } else {
      const reader = this.session.read.format(spec.format).options(spec.options);
      if (spec.schema) reader.schema(spec.schema);
      df = spec.predicates?.length ? reader.loadWithPredicates(spec.predicates, spec.paths ?? []) : reader.load(spec.paths ?? []);
    }
    // JDBC specs already push projection and filter into their derived table.
    if (spec.format !== 'jdbc') {
      if (options.where) df = df.filter(options.where);
      if (options.columns?.length) df = df.select(...options.columns);
    }
    return df;
  }

  async readTable(connection: SparkleConnection<object>, table: string, options: ReadTableOptions = {}): Promise<DataFrame> {
    const source = asSparkSource(connection);
    const spec = source.sparkRead(table, options);
    const run = connection.lineageRun('read', table, { format: spec.format, options: publicOptions(spec.options, spec.secretOptions), paths: spec.paths ?? [] }, ENGINE_NAME);
    await run.start();
    try {
      const df = this.frameFor(spec, options);
      // The DataFrame is lazy: the plan is what this run produced.
      await run.complete();
      return df;
    } catch (error) {
      const e = redactError(error, redactorFor(connection, spec.options, spec.secretOptions), `read ${table}`);
      await run.fail(e);
      throw e;
    }
  }

  /**
   * Runs a SQL query on a JDBC source through Spark: the query becomes a derived table
   * (`dbtable=(<sql>) sparkle_q`), which, unlike Spark's `query` option, also works with
   * partitioning. Spark's JDBC source cannot bind parameters, so `params` must be empty.
   */
  async query(connection: SparkleConnection<object>, sql: string, params: readonly unknown[], options: ReadTableOptions = {}): Promise<DataFrame> {
    const source = asSparkSource(connection);
    if (params.length) {
      throw new UnsupportedOperationError("Spark's JDBC source cannot bind query parameters; inline them as literals or use the local engine", { connector: connection.type });
    }
    const spec = source.sparkRead('sparkle_q', { ...options, columns: undefined, where: undefined });
    if (spec.format !== 'jdbc') {
      throw new UnsupportedOperationError(`The ${connection.type} connection has no SQL query support under Spark (format '${spec.format}')`, { connector: connection.type });
    }
    const querySpec: SparkReadSpec = { ...spec, options: { ...spec.options, dbtable: `(${sql}) sparkle_q` } };
    const run = connection.lineageRun('query', 'sparkle_q', { format: spec.format, sql, options: publicOptions(querySpec.options, spec.secretOptions) }, ENGINE_NAME);
    await run.start();
    try {
      const df = this.frameFor(querySpec);
      await run.complete();
      return df;
    } catch (error) {
      const e = redactError(error, redactorFor(connection, spec.options, spec.secretOptions), 'query');
      await run.fail(e);
      throw e;
    }
  }

  /**
   * Writes a Spark DataFrame, or local data moved into Spark first: an Arrow Table or record
   * batch, rows of plain objects, or any (async) iterable of record batches — the local
   * engine's frames included, streamed chunk by chunk (see `createDataFrame`).
   */
  async writeTable(connection: SparkleConnection<object>, data: unknown, table: string, options: WriteTableOptions = {}): Promise<WriteResult> {
    if (!(data instanceof DataFrame) && !isLocalData(data)) {
      throw new InvalidArgumentError(
        'The Spark engine writes Spark DataFrames, Arrow Tables, record batches (iterables of them, such as local frames) or arrays of row objects',
        { connector: connection.type },
      );
    }
    if (data instanceof DataFrame && data.session !== this.session) {
      throw new InvalidArgumentError('This DataFrame belongs to another SparkSession; read or build the data with the same session', { connector: connection.type });
    }
    const source = asSparkSource(connection);
    const spec: SparkWriteSpec = source.sparkWrite(table, options);
    const redact = redactorFor(connection, spec.options, spec.secretOptions);
    const started = performance.now();
    const run = connection.lineageRun(
      'write',
      table,
      { format: spec.format, mode: spec.mode, options: publicOptions(spec.options, spec.secretOptions), ...(spec.path ? { path: spec.path } : {}) },
      ENGINE_NAME,
    );
    await run.start();
    try {
      // Local data is uploaded inside the run, so a failed upload is a failed write in lineage.
      const df = data instanceof DataFrame ? data : await this.session.createDataFrame(data, options.signal ? { signal: options.signal } : {});
      const writer = df.write.format(spec.format).mode(spec.mode).options(spec.options);
      if (spec.partitionBy?.length) writer.partitionBy(...spec.partitionBy);
      const outcome = spec.table
        ? spec.table.saveMethod === 'insertInto'
          ? await writer.insertInto(spec.table.name, { signal: options.signal })
          : await writer.saveAsTable(spec.table.name, { signal: options.signal })
        : await writer.save(spec.path, { signal: options.signal });
      const rows = outcome.rows ?? -1;
      await run.complete(rows >= 0 ? { rows } : undefined);
      return { table, mode: spec.mode, rows, written: true, elapsedMs: performance.now() - started };
    } catch (error) {
      const e = redactError(error, redact, `write ${table}`);
      await run.fail(e);
      throw e;
    }
  }
}
