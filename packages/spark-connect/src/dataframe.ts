/**
 * The lazy DataFrame: a relation plus the session that can run it. Transformations build new
 * plans locally; actions (`collect`, `toArrow`, `count`, `show`, writes) send them to Spark.
 */
import { inspect } from 'node:util';
import type { RecordBatch, Table } from 'apache-arrow';
import { InvalidArgumentError, QueryError, type WriteMode } from '@sparkle/core';
import { collectTable, decodeArrowBatches, rowsOf } from './arrow.js';
import type { ExecuteOptions } from './client.js';
import { AnalyzePlanRequest_Explain_ExplainMode } from './gen/spark/connect/base_pb.js';
import { WriteOperation_SaveMode, WriteOperation_SaveTable_TableSaveMethod } from './gen/spark/connect/commands_pb.js';
import { Aggregate_GroupType, Join_JoinType, type Relation, RelationSchema, SetOperation_SetOpType } from './gen/spark/connect/relations_pb.js';
import { redactedMessage, redactedOptions } from './inspect.js';
import type { Expression } from './gen/spark/connect/expressions_pb.js';
import { Column, type ColumnLike, lit, toColumn } from './column.js';
import { commandPlan, relation, rootPlan, sqlExpression } from './plan.js';
import type { SparkSession } from './session.js';
import { type StructType, toStructType } from './types.js';

export type ExplainMode = 'simple' | 'extended' | 'codegen' | 'cost' | 'formatted';

/** Join types, with the aliases Spark accepts. */
export type JoinType =
  | 'inner'
  | 'cross'
  | 'left'
  | 'leftouter'
  | 'left_outer'
  | 'right'
  | 'rightouter'
  | 'right_outer'
  | 'full'
  | 'outer'
  | 'fullouter'
  | 'full_outer'
  | 'semi'
  | 'leftsemi'
  | 'left_semi'
  | 'anti'
  | 'leftanti'
  | 'left_anti';

const JOIN_TYPES: Record<string, Join_JoinType> = {
  inner: Join_JoinType.INNER,
  cross: Join_JoinType.CROSS,
  left: Join_JoinType.LEFT_OUTER,
  leftouter: Join_JoinType.LEFT_OUTER,
  right: Join_JoinType.RIGHT_OUTER,
  rightouter: Join_JoinType.RIGHT_OUTER,
  full: Join_JoinType.FULL_OUTER,
  outer: Join_JoinType.FULL_OUTER,
  fullouter: Join_JoinType.FULL_OUTER,
  semi: Join_JoinType.LEFT_SEMI,
  leftsemi: Join_JoinType.LEFT_SEMI,
  anti: Join_JoinType.LEFT_ANTI,
  leftanti: Join_JoinType.LEFT_ANTI,
};

function int32(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new InvalidArgumentError(`${what}() needs a non-negative 32-bit integer, got ${n}`, { connector: 'spark-connect' });
  return n;
}

function expressionsOf(columns: ColumnLike[]): Expression[] {
  return columns.map((c) => toColumn(c).expression);
}

/** A sort order: Columns keep theirs (asc() by default), names sort ascending. */
function sortOrderOf(column: ColumnLike) {
  const c = toColumn(column);
  const e = c.expression.exprType.case === 'sortOrder' ? c.expression : c.asc().expression;
  if (e.exprType.case !== 'sortOrder') throw new Error('unreachable');
  return e.exprType.value;
}

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

  /** The plan as JSON with secret option values (passwords, tokens, URL credentials) replaced. */
  toJSON(): { sessionId: string; plan: unknown } {
    return { sessionId: this.session.sessionId, plan: redactedMessage(RelationSchema, this.relation) };
  }

  toString(): string {
    return `DataFrame(${JSON.stringify(this.toJSON().plan)})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #derive(relType: Parameters<typeof relation>[1]): DataFrame {
    return new DataFrame(this.session, relation(this.session.planIds, relType));
  }

  /** Selects columns by name (`'*'`, `'t.*'`, `'a'`) or as Columns (`col('a').plus(1).alias('b')`). */
  select(...columns: ColumnLike[]): DataFrame {
    if (columns.length === 0) throw new InvalidArgumentError('select() needs at least one column', { connector: 'spark-connect' });
    return this.#derive({ case: 'project', value: { input: this.relation, expressions: expressionsOf(columns) } });
  }

  /** Selects SQL expressions (`'a + 1 AS b'`, `'upper(name)'`). */
  selectExpr(...expressions: string[]): DataFrame {
    if (expressions.length === 0) throw new InvalidArgumentError('selectExpr() needs at least one expression', { connector: 'spark-connect' });
    return this.#derive({ case: 'project', value: { input: this.relation, expressions: expressions.map(sqlExpression) } });
  }

  /** Keeps rows matching a condition: a Column (`col('age').gt(21)`) or SQL text (`'age > 21'`). */
  filter(condition: string | Column): DataFrame {
    const expression = typeof condition === 'string' ? sqlExpression(condition) : condition.expression;
    return this.#derive({ case: 'filter', value: { input: this.relation, condition: expression } });
  }

  /** Alias of {@link filter}. */
  where(condition: string | Column): DataFrame {
    return this.filter(condition);
  }

  /** The first `n` rows. */
  limit(n: number): DataFrame {
    return this.#derive({ case: 'limit', value: { input: this.relation, limit: int32('limit', n) } });
  }

  /** Skips the first `n` rows (pair with {@link orderBy} for a stable page). */
  offset(n: number): DataFrame {
    return this.#derive({ case: 'offset', value: { input: this.relation, offset: int32('offset', n) } });
  }

  /**
   * Sorts the whole DataFrame. Names sort ascending (nulls first); Columns carry their own order.
   *
   * @example
   * ```ts
   * df.orderBy(col('total').desc(), 'name');
   * df.orderBy(col('score').asc({ nulls: 'last' }));
   * ```
   */
  orderBy(...columns: ColumnLike[]): DataFrame {
    if (columns.length === 0) throw new InvalidArgumentError('orderBy() needs at least one column', { connector: 'spark-connect' });
    return this.#derive({ case: 'sort', value: { input: this.relation, order: columns.map(sortOrderOf), isGlobal: true } });
  }

  /** Alias of {@link orderBy}. */
  sort(...columns: ColumnLike[]): DataFrame {
    return this.orderBy(...columns);
  }

  /** Sorts within each partition only (no shuffle). */
  sortWithinPartitions(...columns: ColumnLike[]): DataFrame {
    return this.#derive({ case: 'sort', value: { input: this.relation, order: columns.map(sortOrderOf), isGlobal: false } });
  }

  /**
   * Groups rows for aggregation.
   *
   * @example
   * ```ts
   * df.groupBy('country').agg(fn.count('*').alias('n'), fn.avg('amount').alias('avg_amount'));
   * ```
   */
  groupBy(...columns: ColumnLike[]): GroupedData {
    return new GroupedData(this, expressionsOf(columns));
  }

  /** Aggregates over the whole DataFrame (`df.agg(fn.max('x'))`). */
  agg(...aggregates: Column[]): DataFrame {
    return this.groupBy().agg(...aggregates);
  }

  /**
   * Joins with another DataFrame: on column names both sides share (`'id'`, `['a', 'b']`), on a
   * condition Column, or (without `on`) as a cross product.
   *
   * @example
   * ```ts
   * orders.join(customers, 'customer_id', 'left');
   * orders.alias('o').join(customers.alias('c'), col('o.customer_id').eq(col('c.id')), 'inner');
   * ```
   */
  join(other: DataFrame, on?: string | string[] | Column, how: JoinType = 'inner'): DataFrame {
    if (other.session !== this.session) throw new InvalidArgumentError('join() needs two DataFrames of the same SparkSession', { connector: 'spark-connect' });
    const joinType = JOIN_TYPES[how.toLowerCase().replace(/_/g, '')];
    if (joinType === undefined) throw new InvalidArgumentError(`Unknown join type '${how}' (inner, left, right, full, semi, anti, cross)`, { connector: 'spark-connect' });
    const using = typeof on === 'string' ? [on] : Array.isArray(on) ? on : [];
    return this.#derive({
      case: 'join',
      value: {
        left: this.relation,
        right: other.relation,
        joinType: on === undefined && how === 'inner' ? Join_JoinType.CROSS : joinType,
        usingColumns: using,
        ...(on instanceof Column ? { joinCondition: on.expression } : {}),
      },
    });
  }

  /** Adds or replaces columns (`{ total: col('price').multiply(col('qty')) }`). */
  withColumns(columns: Record<string, Column>): DataFrame {
    const aliases = Object.entries(columns).map(([name, c]) => ({ expr: c.expression, name: [name] }));
    if (aliases.length === 0) return this;
    return this.#derive({ case: 'withColumns', value: { input: this.relation, aliases } });
  }

  /** Adds or replaces one column. */
  withColumn(name: string, column: Column): DataFrame {
    return this.withColumns({ [name]: column });
  }

  /** Renames a column (no-op when it is absent, as in Spark). */
  withColumnRenamed(existing: string, renamed: string): DataFrame {
    return this.#derive({ case: 'withColumnsRenamed', value: { input: this.relation, renames: [{ colName: existing, newColName: renamed }] } });
  }

  /** Drops columns by name (absent names are ignored) or as Columns. */
  drop(...columns: ColumnLike[]): DataFrame {
    const names = columns.filter((c): c is string => typeof c === 'string');
    const exprs = columns.filter((c): c is Column => c instanceof Column).map((c) => c.expression);
    return this.#derive({ case: 'drop', value: { input: this.relation, columnNames: names, columns: exprs } });
  }

  /** Renames every column, by position. */
  toDF(...names: string[]): DataFrame {
    return this.#derive({ case: 'toDf', value: { input: this.relation, columnNames: names } });
  }

  /** Names this DataFrame for qualified column references (`col('o.id')`) — a subquery alias. */
  alias(name: string): DataFrame {
    return this.#derive({ case: 'subqueryAlias', value: { input: this.relation, alias: name } });
  }

  /** Removes duplicate rows, comparing only `columns` when given. */
  dropDuplicates(columns?: string[]): DataFrame {
    const keys = columns?.length ? { columnNames: columns } : { allColumnsAsKeys: true };
    return this.#derive({ case: 'deduplicate', value: { input: this.relation, ...keys } });
  }

  /** Distinct rows. */
  distinct(): DataFrame {
    return this.dropDuplicates();
  }

  /** Rows of both DataFrames, matched by column position; duplicates kept (SQL `UNION ALL`). */
  union(other: DataFrame): DataFrame {
    return this.#derive({ case: 'setOp', value: { leftInput: this.relation, rightInput: other.relation, setOpType: SetOperation_SetOpType.UNION, isAll: true, byName: false } });
  }

  /** Like {@link union}, matched by column name; missing columns become nulls when allowed. */
  unionByName(other: DataFrame, options: { allowMissingColumns?: boolean } = {}): DataFrame {
    return this.#derive({
      case: 'setOp',
      value: { leftInput: this.relation, rightInput: other.relation, setOpType: SetOperation_SetOpType.UNION, isAll: true, byName: true, allowMissingColumns: options.allowMissingColumns ?? false },
    });
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

/**
 * A grouped DataFrame (`df.groupBy(...)`), waiting for its aggregates.
 *
 * @example
 * ```ts
 * const perCountry = df.groupBy('country').agg(fn.count('*').alias('n'), fn.sum('amount').alias('total'));
 * const counts = df.groupBy(col('day')).count();
 * ```
 */
export class GroupedData {
  constructor(
    private readonly df: DataFrame,
    private readonly grouping: Expression[],
  ) {}

  /** One row per group with the grouping columns and the aggregates. */
  agg(...aggregates: Column[]): DataFrame {
    if (aggregates.length === 0) throw new InvalidArgumentError('agg() needs at least one aggregate, e.g. fn.count("*")', { connector: 'spark-connect' });
    const session = this.df.session;
    return new DataFrame(
      session,
      relation(session.planIds, {
        case: 'aggregate',
        value: { input: this.df.relation, groupType: Aggregate_GroupType.GROUPBY, groupingExpressions: this.grouping, aggregateExpressions: aggregates.map((a) => a.expression) },
      }),
    );
  }

  /** Rows per group, in a `count` column. */
  count(): DataFrame {
    return this.agg(fnCall('count', [lit(1)]).alias('count'));
  }

  sum(...columns: string[]): DataFrame {
    return this.agg(...columns.map((c) => fnCall('sum', [toColumn(c)])));
  }

  avg(...columns: string[]): DataFrame {
    return this.agg(...columns.map((c) => fnCall('avg', [toColumn(c)])));
  }

  min(...columns: string[]): DataFrame {
    return this.agg(...columns.map((c) => fnCall('min', [toColumn(c)])));
  }

  max(...columns: string[]): DataFrame {
    return this.agg(...columns.map((c) => fnCall('max', [toColumn(c)])));
  }
}

function fnCall(name: string, args: Column[]): Column {
  return Column.of({ case: 'unresolvedFunction', value: { functionName: name, arguments: args.map((a) => a.expression) } });
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

  /** Source, mode and options with secret values replaced (what printing a writer shows). */
  toJSON(): Record<string, unknown> {
    return { format: this.#source, mode: WriteOperation_SaveMode[this.#mode], options: redactedOptions(this.#options), partitionBy: this.#partitionBy };
  }

  toString(): string {
    return `DataFrameWriter(${JSON.stringify(this.toJSON())})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

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
