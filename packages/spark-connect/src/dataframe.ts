/**
 * The lazy DataFrame: a relation plus the session that can run it. Transformations build new
 * plans locally; actions (`collect`, `toArrow`, `count`, `show`, writes) send them to Spark.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { InvalidArgumentError, QueryError, type WriteMode } from '@sparkle/core';
import { collectTable, decodeArrowBatches, rowsOf } from './arrow.js';
import type { ExecuteOptions } from './client.js';
import { AnalyzePlanRequest_Explain_ExplainMode } from './gen/spark/connect/base_pb.js';
import { WriteOperation_SaveMode, WriteOperation_SaveTable_TableSaveMethod } from './gen/spark/connect/commands_pb.js';
import type { Relation } from './gen/spark/connect/relations_pb.js';
import { columnExpression, commandPlan, relation, rootPlan, sqlExpression } from './plan.js';
import type { SparkSession } from './session.js';
import { type StructType, toStructType } from './types.js';

export type ExplainMode = 'simple' | 'extended' | 'codegen' | 'cost' | 'formatted';

const EXPLAIN_MODES: Record<ExplainMode, AnalyzePlanRequest_Explain_ExplainMode> = {
  simple: AnalyzePlanRequest_Explain_ExplainMode.SIMPLE,
  extended: AnalyzePlanRequest_Explain_ExplainMode.EXTENDED,
  codegen: AnalyzePlanRequest_Explain_ExplainMode.CODEGEN,
  cost: AnalyzePlanRequest_Explain_ExplainMode.COST,
  formatted: AnalyzePlanRequest_Explain_ExplainMode.FORMATTED,
};

/** Options of actions that run a plan. */
export interface ActionOptions {
  signal?: AbortSignal;
}

/**
 * A lazy Spark DataFrame.
 *
 * @example
 * ```ts
 * const df = spark.sql('SELECT id, id * 2 AS twice FROM range(10)').filter('id > 5').limit(3);
 * console.log(await df.collect()); // [{ id: 6n, twice: 12n }, ...]
 * ```
 */
export class DataFrame {
  constructor(
    readonly session: SparkSession,
    /** The plan node this DataFrame stands for. */
    readonly relation: Relation,
  ) {}

  #derive(relType: Parameters<typeof relation>[1]): DataFrame {
    return new DataFrame(this.session, relation(this.session.planIds, relType));
  }

  /** Selects columns by name (`'*'`, `'t.*'`, `'a'`). Use {@link selectExpr} for expressions. */
  select(...columns: string[]): DataFrame {
    if (columns.length === 0) throw new InvalidArgumentError('select() needs at least one column', { connector: 'spark-connect' });
    return this.#derive({ case: 'project', value: { input: this.relation, expressions: columns.map(columnExpression) } });
  }

  /** Selects SQL expressions (`'a + 1 AS b'`, `'upper(name)'`). */
  selectExpr(...expressions: string[]): DataFrame {
    if (expressions.length === 0) throw new InvalidArgumentError('selectExpr() needs at least one expression', { connector: 'spark-connect' });
    return this.#derive({ case: 'project', value: { input: this.relation, expressions: expressions.map(sqlExpression) } });
  }

  /** Keeps rows matching a SQL condition (`'age > 21 AND country = "NL"'`). */
  filter(condition: string): DataFrame {
    return this.#derive({ case: 'filter', value: { input: this.relation, condition: sqlExpression(condition) } });
  }

  /** Alias of {@link filter}. */
  where(condition: string): DataFrame {
    return this.filter(condition);
  }

  /** The first `n` rows. */
  limit(n: number): DataFrame {
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new InvalidArgumentError('limit() needs a non-negative 32-bit integer', { connector: 'spark-connect' });
    return this.#derive({ case: 'limit', value: { input: this.relation, limit: n } });
  }

  /** Runs the plan and streams Arrow record batches as they arrive (memory bounded by a batch). */
  toArrowBatches(options: ActionOptions & Pick<ExecuteOptions, 'operationId'> = {}): AsyncIterable<RecordBatch> {
    return decodeArrowBatches(this.session.execute(rootPlan(this.relation), options));
  }

  /** Runs the plan and returns the whole result as one Arrow Table. */
  toArrow(options: ActionOptions = {}): Promise<Table> {
    return collectTable(this.session.execute(rootPlan(this.relation), options));
  }

  /** Runs the plan and returns rows as plain objects (64-bit integers are bigints). */
  async collect(options: ActionOptions = {}): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const batch of this.toArrowBatches(options)) rows.push(...rowsOf(batch));
    return rows;
  }

  /** Number of rows. */
  async count(options: ActionOptions = {}): Promise<number> {
    const rows = await this.selectExpr('count(1) AS count').collect(options);
    const value = rows[0]?.count;
    return Number(value ?? 0);
  }

  /** Renders the first `n` rows as Spark's text table; prints it (unless `print: false`) and returns it. */
  async show(n = 20, options: { truncate?: number | boolean; vertical?: boolean; print?: boolean } & ActionOptions = {}): Promise<string> {
    const truncate = options.truncate === true || options.truncate === undefined ? 20 : options.truncate === false ? 0 : options.truncate;
    const shown = this.#derive({ case: 'showString', value: { input: this.relation, numRows: n, truncate, vertical: options.vertical ?? false } });
    const rows = await shown.collect(options);
    const text = String(rows[0]?.show_string ?? '');
    if (options.print ?? true) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return text;
  }

  /** The schema, from the server's analysis (no execution). */
  get schema(): Promise<StructType> {
    return this.session.client
      .analyze({ case: 'schema', value: { plan: rootPlan(this.relation) } }, 'schema')
      .then((r) => toStructType(r.result.case === 'schema' ? r.result.value.schema : undefined));
  }

  /** The schema as Spark's tree text; printed unless `print: false`. */
  async printSchema(options: { level?: number; print?: boolean } = {}): Promise<string> {
    const r = await this.session.client.analyze({ case: 'treeString', value: { plan: rootPlan(this.relation), ...(options.level ? { level: options.level } : {}) } }, 'printSchema');
    const text = r.result.case === 'treeString' ? r.result.value.treeString : '';
    if (options.print ?? true) process.stdout.write(text);
    return text;
  }

  /** The query plan; printed unless `print: false`. */
  async explain(mode: ExplainMode | boolean = 'simple', options: { print?: boolean } = {}): Promise<string> {
    const m: ExplainMode = mode === true ? 'extended' : mode === false ? 'simple' : mode;
    const r = await this.session.client.analyze({ case: 'explain', value: { plan: rootPlan(this.relation), explainMode: EXPLAIN_MODES[m] } }, 'explain');
    const text = r.result.case === 'explain' ? r.result.value.explainString : '';
    if (options.print ?? true) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return text;
  }

  /** Batch writer (`df.write.format('parquet').mode('overwrite').save(path)`). */
  get write(): DataFrameWriter {
    return new DataFrameWriter(this);
  }

  /** Streaming writer, for DataFrames read with `spark.readStream`. */
  get writeStream(): DataStreamWriter {
    return new DataStreamWriter(this);
  }
}

const SAVE_MODES: Record<string, WriteOperation_SaveMode> = {
  append: WriteOperation_SaveMode.APPEND,
  overwrite: WriteOperation_SaveMode.OVERWRITE,
  errorifexists: WriteOperation_SaveMode.ERROR_IF_EXISTS,
  error: WriteOperation_SaveMode.ERROR_IF_EXISTS,
  default: WriteOperation_SaveMode.ERROR_IF_EXISTS,
  ignore: WriteOperation_SaveMode.IGNORE,
};

/** What a write command reported. */
export interface WriteOutcome {
  operationId: string;
  /** Rows written, when the server reported a `numOutputRows` metric. */
  rows?: number;
}

/**
 * Builds and sends a WriteOperation.
 *
 * @example
 * ```ts
 * await df.write.format('parquet').mode('overwrite').partitionBy('day').save('/data/events');
 * ```
 */
export class DataFrameWriter {
  #source: string | undefined;
  #mode: WriteOperation_SaveMode = WriteOperation_SaveMode.ERROR_IF_EXISTS;
  #options: Record<string, string> = {};
  #partitionBy: string[] = [];
  #sortBy: string[] = [];

  constructor(private readonly df: DataFrame) {}

  format(source: string): this {
    this.#source = source;
    return this;
  }

  /** `append`, `overwrite`, `errorIfExists` (default) or `ignore`. */
  mode(mode: WriteMode | 'error' | 'default'): this {
    const m = SAVE_MODES[mode.toLowerCase()];
    if (m === undefined) throw new InvalidArgumentError(`Unknown save mode '${mode}' (append, overwrite, errorIfExists, ignore)`, { connector: 'spark-connect' });
    this.#mode = m;
    return this;
  }

  option(key: string, value: string | number | boolean): this {
    this.#options[key] = String(value);
    return this;
  }

  options(options: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }

  partitionBy(...columns: string[]): this {
    this.#partitionBy = columns;
    return this;
  }

  sortBy(...columns: string[]): this {
    this.#sortBy = columns;
    return this;
  }

  /** The WriteOperation plan (for inspection and golden tests). */
  plan(target: { path?: string; table?: { name: string; method: 'saveAsTable' | 'insertInto' } } = {}) {
    return commandPlan({
      case: 'writeOperation',
      value: {
        input: this.df.relation,
        ...(this.#source !== undefined ? { source: this.#source } : {}),
        saveType:
          target.table !== undefined
            ? {
                case: 'table',
                value: {
                  tableName: target.table.name,
                  saveMethod:
                    target.table.method === 'insertInto'
                      ? WriteOperation_SaveTable_TableSaveMethod.INSERT_INTO
                      : WriteOperation_SaveTable_TableSaveMethod.SAVE_AS_TABLE,
                },
              }
            : target.path !== undefined
              ? { case: 'path', value: target.path }
              : { case: undefined },
        mode: this.#mode,
        sortColumnNames: this.#sortBy,
        partitioningColumns: this.#partitionBy,
        options: this.#options,
      },
    });
  }

  async #run(target: Parameters<DataFrameWriter['plan']>[0], options: ActionOptions): Promise<WriteOutcome> {
    const execution = this.df.session.execute(this.plan(target), options);
    let rows: number | undefined;
    for await (const response of execution) {
      for (const metric of response.metrics?.metrics ?? []) {
        const out = metric.executionMetrics.numOutputRows;
        if (out) rows = (rows ?? 0) + Number(out.value);
      }
    }
    return { operationId: execution.operationId, ...(rows !== undefined ? { rows } : {}) };
  }

  /** Writes to `path`, or to where the options say (JDBC's `dbtable`). */
  save(path?: string, options: ActionOptions = {}): Promise<WriteOutcome> {
    return this.#run(path === undefined ? {} : { path }, options);
  }

  /** Writes as a catalog table (created if missing, per the mode). */
  saveAsTable(name: string, options: ActionOptions = {}): Promise<WriteOutcome> {
    return this.#run({ table: { name, method: 'saveAsTable' } }, options);
  }

  /** Inserts into an existing catalog table, by column position. */
  insertInto(name: string, options: ActionOptions = {}): Promise<WriteOutcome> {
    return this.#run({ table: { name, method: 'insertInto' } }, options);
  }
}

/** A started streaming query. */
export interface StreamingQuery {
  id: string;
  runId: string;
  name: string;
}

/** When a streaming query fires. */
export type Trigger = { processingTime: string } | { availableNow: true } | { once: true } | { continuous: string };

/**
 * Builds and sends a WriteStreamOperationStart.
 *
 * @example
 * ```ts
 * const query = await spark.readStream.format('kafka').option('subscribe', 'in').load()
 *   .writeStream.format('kafka').option('topic', 'out').option('checkpointLocation', '/chk').start();
 * ```
 */
export class DataStreamWriter {
  #format = '';
  #options: Record<string, string> = {};
  #partitionBy: string[] = [];
  #outputMode = '';
  #queryName = '';
  #trigger: Trigger | undefined;

  constructor(private readonly df: DataFrame) {}

  format(source: string): this {
    this.#format = source;
    return this;
  }

  option(key: string, value: string | number | boolean): this {
    this.#options[key] = String(value);
    return this;
  }

  options(options: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }

  partitionBy(...columns: string[]): this {
    this.#partitionBy = columns;
    return this;
  }

  /** `append`, `complete` or `update`. */
  outputMode(mode: string): this {
    this.#outputMode = mode;
    return this;
  }

  queryName(name: string): this {
    this.#queryName = name;
    return this;
  }

  trigger(trigger: Trigger): this {
    this.#trigger = trigger;
    return this;
  }

  /** The WriteStreamOperationStart plan. */
  plan(sink: { path?: string; tableName?: string } = {}) {
    const t = this.#trigger;
    const trigger =
      t === undefined
        ? { case: undefined }
        : 'processingTime' in t
          ? { case: 'processingTimeInterval' as const, value: t.processingTime }
          : 'availableNow' in t
            ? { case: 'availableNow' as const, value: true }
            : 'once' in t
              ? { case: 'once' as const, value: true }
              : { case: 'continuousCheckpointInterval' as const, value: t.continuous };
    return commandPlan({
      case: 'writeStreamOperationStart',
      value: {
        input: this.df.relation,
        format: this.#format,
        options: this.#options,
        partitioningColumnNames: this.#partitionBy,
        trigger,
        outputMode: this.#outputMode,
        queryName: this.#queryName,
        sinkDestination:
          sink.path !== undefined
            ? { case: 'path', value: sink.path }
            : sink.tableName !== undefined
              ? { case: 'tableName', value: sink.tableName }
              : { case: undefined },
      },
    });
  }

  async #start(sink: Parameters<DataStreamWriter['plan']>[0], options: ActionOptions): Promise<StreamingQuery> {
    let query: StreamingQuery | undefined;
    for await (const response of this.df.session.execute(this.plan(sink), options)) {
      if (response.responseType.case === 'writeStreamOperationStartResult') {
        const r = response.responseType.value;
        query = { id: r.queryId?.id ?? '', runId: r.queryId?.runId ?? '', name: r.name };
      }
    }
    if (!query) throw new QueryError('The server did not report the started streaming query', { connector: 'spark-connect' });
    return query;
  }

  /** Starts the query (sink from format/options, or `path`). */
  start(path?: string, options: ActionOptions = {}): Promise<StreamingQuery> {
    return this.#start(path === undefined ? {} : { path }, options);
  }

  /** Starts the query writing into a catalog table. */
  toTable(tableName: string, options: ActionOptions = {}): Promise<StreamingQuery> {
    return this.#start({ tableName }, options);
  }
}
