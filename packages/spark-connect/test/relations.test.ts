/**
 * The relations, expressions and RPCs real connector work needs, against the in-process fake
 * server: what the client sends is decoded by the server from the wire and checked there; local
 * data makes the full round trip (uploaded, echoed back as Arrow, decoded into rows).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import {
  DateMillisecond,
  Decimal,
  Field,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  Time,
  TimeUnit,
  TimestampMillisecond,
  Binary,
  Int32,
  List,
  Map_,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { rowsOf } from '../src/arrow.js';
import { InvalidArgumentError, QueryError, UnsupportedOperationError } from '@sparkle/core';
import { col, fn, lit } from '../src/column.js';
import type { AddArtifactsRequest, ExecutePlanRequest, FetchErrorDetailsRequest } from '../src/gen/spark/connect/base_pb.js';
import type { Expression, Expression_Literal } from '../src/gen/spark/connect/expressions_pb.js';
import {
  Aggregate_GroupType,
  Join_JoinType,
  type LocalRelation,
  LocalRelationSchema,
  type Relation,
  SetOperation_SetOpType,
} from '../src/gen/spark/connect/relations_pb.js';
import type { SparkSession } from '../src/session.js';
import { type FakeSparkServer, ipcStream, sampleTable } from './fake-spark-server.js';
import { sessionFor, startFake } from './helpers.js';

let server: FakeSparkServer;
let spark: SparkSession;

beforeEach(async () => {
  server = await startFake();
  spark = await sessionFor(server);
});

afterEach(async () => {
  await spark.stop();
  await server.stop();
});

/** The root relation of the n-th ExecutePlan the server received. */
function sentRoot(n = 0): Relation {
  const plan = server.calledWith<ExecutePlanRequest>('ExecutePlan')[n]!.plan!;
  if (plan.opType.case !== 'root') throw new Error('not a root plan');
  return plan.opType.value;
}

function literalOf(e: Expression | undefined): Expression_Literal['literalType'] {
  if (e?.exprType.case !== 'literal') throw new Error(`not a literal: ${e?.exprType.case}`);
  return e.exprType.value.literalType;
}

function fnOf(e: Expression | undefined): { name: string; args: Expression[]; distinct: boolean } {
  if (e?.exprType.case !== 'unresolvedFunction') throw new Error(`not a function: ${e?.exprType.case}`);
  return { name: e.exprType.value.functionName, args: e.exprType.value.arguments, distinct: e.exprType.value.isDistinct };
}

describe('createDataFrame (local_relation)', () => {
  it('rows go inline as one Arrow IPC stream and come back as the same rows', async () => {
    const when = new Date('2026-12-07T10:11:12.345Z');
    const rows = [
      { id: 1, name: 'Ada', score: 1.5, big: 2n ** 40n, ok: true, at: when, raw: new Uint8Array([1, 2]) },
      { id: 2, name: null, score: 2, big: null, ok: false, at: null, raw: null },
    ];
    const df = await spark.createDataFrame(rows);
    expect(df.relation.relType.case).toBe('localRelation');
    expect(await df.collect()).toEqual([
      { id: 1n, name: 'Ada', score: 1.5, big: 2n ** 40n, ok: true, at: when.getTime(), raw: new Uint8Array([1, 2]) },
      { id: 2n, name: null, score: 2, big: null, ok: false, at: null, raw: null },
    ]);
    const sent = sentRoot().relType.value as LocalRelation;
    const table = tableFromIPC(sent.data!);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:Int64',
      'name:Utf8',
      'score:Float64',
      'big:Int64',
      'ok:Bool',
      'at:Timestamp<MICROSECOND, UTC>',
      'raw:Binary',
    ]);
    expect(server.calledWith('AddArtifacts')).toHaveLength(0);
  });

  it('an Arrow table above inlineBytes is uploaded in chunks (CRC-checked artifacts) and read back as UNION ALL of cached relations', async () => {
    const source = new Table([...sampleTable(0, 600).batches, ...sampleTable(600, 400).batches]);
    const df = await spark.createDataFrame(source, { inlineBytes: 1024, chunkBytes: 8 * 1024 });
    const uploads = server.calledWith<AddArtifactsRequest[]>('AddArtifacts');
    expect(uploads.length).toBeGreaterThan(2);
    // Every upload is a `cache/<sha256 of the LocalRelation>` artifact the server accepted.
    for (const [name, bytes] of server.artifacts) {
      expect(name).toMatch(/^cache\/[0-9a-f]{64}$/);
      expect(fromBinary(LocalRelationSchema, bytes).data!.byteLength).toBeLessThanOrEqual(8 * 1024 + 2048);
    }
    expect(server.artifacts.size).toBe(uploads.length);
    expect(df.relation.relType.case).toBe('setOp');
    const setOp = df.relation.relType.value as { setOpType: number; isAll?: boolean; byName?: boolean };
    expect(setOp).toMatchObject({ setOpType: SetOperation_SetOpType.UNION, isAll: true, byName: false });
    const back = await df.toArrow();
    expect(back.numRows).toBe(1000);
    expect(back.getChild('id')!.toArray()).toEqual(source.getChild('id')!.toArray());
    expect(back.getChild('s')!.toArray()).toEqual(source.getChild('s')!.toArray());
    expect(await spark.client.artifactStatuses([...server.artifacts.keys()].slice(0, 1).concat('cache/none'))).toEqual({
      [[...server.artifacts.keys()][0]!]: true,
      'cache/none': false,
    });
  });

  it('an artifact larger than one message streams as begin_chunk + chunks, each with its CRC', async () => {
    const df = await spark.createDataFrame(sampleTable(0, 60_000), { inlineBytes: 1024, chunkBytes: 4 * 1024 * 1024 });
    const [messages] = server.calledWith<AddArtifactsRequest[]>('AddArtifacts');
    expect(messages!.length).toBeGreaterThan(1);
    expect(messages![0]!.payload.case).toBe('beginChunk');
    expect(messages!.slice(1).every((m) => m.payload.case === 'chunk')).toBe(true);
    const begin = messages![0]!.payload.value as { numChunks: bigint; totalBytes: bigint };
    expect(Number(begin.numChunks)).toBe(messages!.length);
    expect(await df.count()).toBe(60_000);
  });

  it('a stream of record batches is chunked as it arrives; above maxBytes the upload stops with a clear error', async () => {
    let pulled = 0;
    async function* endless() {
      for (let i = 0; ; i++) {
        pulled++;
        yield* sampleTable(i * 500, 500).batches;
      }
    }
    const error = await spark.createDataFrame(endless(), { inlineBytes: 1024, chunkBytes: 16 * 1024, maxBytes: 64 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/exceeds maxBytes .*> 65536 bytes.*raise maxBytes, or write the data to files/);
    expect(pulled).toBeLessThan(20);
  });

  it('timestamps in milliseconds, dates in milliseconds and dictionaries are converted to what Spark reads', async () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const table = new Table({
      at: vectorFromArray([at, null], new TimestampMillisecond('UTC')),
      day: vectorFromArray([new Date(Date.UTC(2026, 0, 2)), null], new DateMillisecond()),
      tag: vectorFromArray(['a', 'b']),
    });
    expect(String(table.getChild('tag')!.type)).toMatch(/^Dictionary/);
    await (await spark.createDataFrame(table)).collect();
    const sent = tableFromIPC((sentRoot().relType.value as LocalRelation).data!);
    expect(sent.schema.fields.map((f) => String(f.type))).toEqual(['Timestamp<MICROSECOND, UTC>', 'Date32<DAY>', 'Utf8']);
    expect(sent.get(0)!.toJSON()).toEqual({ at, day: Date.UTC(2026, 0, 2), tag: 'a' });
  });

  it('empty input needs a schema; with one, the relation carries only the schema', async () => {
    await expect(spark.createDataFrame([])).rejects.toThrow(/needs options.schema/);
    const df = await spark.createDataFrame([], { schema: 'id bigint, name string' });
    expect(df.relation.relType.value).toMatchObject({ schema: 'id bigint, name string' });
    expect((df.relation.relType.value as LocalRelation).data).toBeUndefined();
    await expect(spark.createDataFrame([{ a: { nested: 1 } }])).rejects.toThrow(/column 'a' holds object values.*apache-arrow Table/);
    await expect(spark.createDataFrame([{ a: 1 }, { a: 'x' }])).rejects.toThrow(/column 'a' mixes/);
  });
});

describe('sql with parameters', () => {
  it('named arguments travel as typed literals, never in the text', async () => {
    const query = 'SELECT * FROM t WHERE name = :name AND n > :n AND day = :day';
    await spark.sql(query, { name: "O'Brien; DROP TABLE t", n: 5, day: lit.date('2026-12-07'), big: 2n ** 40n, price: lit.decimal('12.50'), nothing: null }).collect();
    const sql = sentRoot().relType.value as { query: string; namedArguments: Record<string, Expression>; posArguments: Expression[] };
    expect(sql.query).toBe(query);
    expect(literalOf(sql.namedArguments.name)).toEqual({ case: 'string', value: "O'Brien; DROP TABLE t" });
    expect(literalOf(sql.namedArguments.n)).toEqual({ case: 'integer', value: 5 });
    expect(literalOf(sql.namedArguments.day)).toEqual({ case: 'date', value: 20_794 });
    expect(literalOf(sql.namedArguments.big)).toEqual({ case: 'long', value: 2n ** 40n });
    expect(literalOf(sql.namedArguments.price)).toMatchObject({ case: 'decimal', value: { value: '12.50', precision: 4, scale: 2 } });
    expect(literalOf(sql.namedArguments.nothing).case).toBe('null');
    expect(sql.posArguments).toEqual([]);
  });

  it('positional arguments keep their order', async () => {
    await spark.sql('SELECT ? + ?, ?', [1, 2.5, true]).collect();
    const sql = sentRoot().relType.value as { posArguments: Expression[]; namedArguments: Record<string, Expression> };
    expect(sql.posArguments.map(literalOf)).toEqual([
      { case: 'integer', value: 1 },
      { case: 'double', value: 2.5 },
      { case: 'boolean', value: true },
    ]);
    expect(sql.namedArguments).toEqual({});
  });
});

describe('literals and columns', () => {
  it('lit() picks Spark types the way Spark clients do; explicit helpers cover the rest', () => {
    const kinds = (v: Parameters<typeof lit>[0]) => literalOf(lit(v).expression);
    expect(kinds(null).case).toBe('null');
    expect(kinds(true)).toEqual({ case: 'boolean', value: true });
    expect(kinds(7)).toEqual({ case: 'integer', value: 7 });
    expect(kinds(2 ** 40)).toEqual({ case: 'long', value: 2n ** 40n });
    expect(kinds(0.25)).toEqual({ case: 'double', value: 0.25 });
    expect(kinds(-3n)).toEqual({ case: 'long', value: -3n });
    expect(kinds('x')).toEqual({ case: 'string', value: 'x' });
    expect(kinds(new Date(Date.UTC(1970, 0, 1, 0, 0, 1)))).toEqual({ case: 'timestamp', value: 1_000_000n });
    expect(kinds(new Uint8Array([9]))).toEqual({ case: 'binary', value: new Uint8Array([9]) });
    expect(kinds(lit.long(1))).toEqual({ case: 'long', value: 1n });
    expect(kinds(lit.double(1))).toEqual({ case: 'double', value: 1 });
    expect(kinds(lit.date(new Date(Date.UTC(1969, 11, 31, 23))))).toEqual({ case: 'date', value: -1 });
    expect(kinds(lit.decimal('-0.05'))).toMatchObject({ case: 'decimal', value: { value: '-0.05', precision: 2, scale: 2 } });
    expect(kinds(lit.time('12:34:56.5'))).toMatchObject({ case: 'time', value: { nano: 45_296_500_000_000n, precision: 1 } });
    expect(lit.null('string').expression.exprType).toMatchObject({ case: 'cast', value: { castToType: { case: 'typeStr', value: 'string' } } });
    expect(() => lit(2n ** 63n)).toThrow(/does not fit a Spark bigint/);
    expect(() => lit.decimal('1e5')).toThrow(/decimal number as text/);
    expect(() => lit.date('07/12/2026')).toThrow(/YYYY-MM-DD/);
  });

  it('operators are unresolved functions with literal operands; sort orders carry nulls placement', () => {
    const c = col('a').plus(1).multiply(col('b')).ge(10).and(col('s').isin('x', 'y')).or(col('n').isNull().not());
    const or = fnOf(c.expression);
    expect(or.name).toBe('or');
    const and = fnOf(or.args[0]);
    expect(and.name).toBe('and');
    const ge = fnOf(and.args[0]);
    expect(ge.name).toBe('>=');
    expect(literalOf(ge.args[1])).toEqual({ case: 'integer', value: 10 });
    expect(fnOf(fnOf(ge.args[0]).args[0]).name).toBe('+');
    expect(fnOf(and.args[1]).name).toBe('in');
    expect(fnOf(col('a').ne(1).expression)).toMatchObject({ name: 'not' });
    expect(fnOf(fnOf(or.args[1]).args[0]).name).toBe('isnull');
    expect(fn.countDistinct('a', 'b').expression.exprType.value).toMatchObject({ functionName: 'count', isDistinct: true });
    expect(col('x').desc().expression.exprType.value).toMatchObject({ direction: 2, nullOrdering: 2 });
    expect(col('x').asc().expression.exprType.value).toMatchObject({ direction: 1, nullOrdering: 1 });
    expect(col('x').desc({ nulls: 'first' }).asc({ nulls: 'last' }).expression.exprType.value).toMatchObject({ direction: 1, nullOrdering: 2, child: { exprType: { case: 'unresolvedAttribute' } } });
    expect(col('x').cast('decimal(10,2)').alias('y').expression.exprType.value).toMatchObject({ name: ['y'], expr: { exprType: { case: 'cast', value: { castToType: { case: 'typeStr', value: 'decimal(10,2)' } } } } });
  });
});

describe('DataFrame transformations (as the server receives them)', () => {
  it('orderBy, groupBy().agg, offset, limit', async () => {
    await spark
      .table('orders')
      .groupBy('country', col('year'))
      .agg(fn.count('*').alias('n'), fn.sum('amount'), fn.avg('amount'), fn.min('amount'), fn.max('amount'), fn.countDistinct('customer'))
      .orderBy(col('n').desc(), 'country')
      .offset(10)
      .limit(5)
      .collect();
    const limit = sentRoot().relType;
    expect(limit.case).toBe('limit');
    const offset = (limit.value as { input: Relation }).input.relType;
    expect(offset).toMatchObject({ case: 'offset', value: { offset: 10 } });
    const sort = (offset.value as { input: Relation }).input.relType;
    expect(sort.case).toBe('sort');
    const s = sort.value as { isGlobal: boolean; order: { direction: number; nullOrdering: number }[]; input: Relation };
    expect(s.isGlobal).toBe(true);
    expect(s.order.map((o) => [o.direction, o.nullOrdering])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    const agg = s.input.relType;
    expect(agg.case).toBe('aggregate');
    const a = agg.value as { groupType: number; groupingExpressions: Expression[]; aggregateExpressions: Expression[] };
    expect(a.groupType).toBe(Aggregate_GroupType.GROUPBY);
    expect(a.groupingExpressions.map((e) => e.exprType.value)).toMatchObject([{ unparsedIdentifier: 'country' }, { unparsedIdentifier: 'year' }]);
    expect(a.aggregateExpressions.slice(1).map((e) => fnOf(e).name)).toEqual(['sum', 'avg', 'min', 'max', 'count']);
    expect(fnOf(a.aggregateExpressions[5]).distinct).toBe(true);
  });

  it('join on shared columns, on a condition, every join type, and a cross join', async () => {
    const orders = spark.table('orders').alias('o');
    const customers = spark.table('customers').alias('c');
    const types = { inner: Join_JoinType.INNER, left: Join_JoinType.LEFT_OUTER, right: Join_JoinType.RIGHT_OUTER, full: Join_JoinType.FULL_OUTER, semi: Join_JoinType.LEFT_SEMI, anti: Join_JoinType.LEFT_ANTI, left_anti: Join_JoinType.LEFT_ANTI } as const;
    for (const how of Object.keys(types) as (keyof typeof types)[]) {
      const j = orders.join(customers, ['customer_id'], how).relation.relType.value as { joinType: number; usingColumns: string[] };
      expect([how, j.joinType, j.usingColumns]).toEqual([how, types[how], ['customer_id']]);
    }
    await orders.join(customers, col('o.customer_id').eq(col('c.id')), 'left').collect();
    const join = sentRoot().relType;
    expect(join.case).toBe('join');
    const j = join.value as { joinType: number; joinCondition: Expression; left: Relation; right: Relation; usingColumns: string[] };
    expect(j.joinType).toBe(Join_JoinType.LEFT_OUTER);
    expect(j.usingColumns).toEqual([]);
    expect(fnOf(j.joinCondition).name).toBe('==');
    expect(j.left.relType).toMatchObject({ case: 'subqueryAlias', value: { alias: 'o' } });
    expect((orders.join(customers).relation.relType.value as { joinType: number }).joinType).toBe(Join_JoinType.CROSS);
    expect(() => orders.join(customers, 'id', 'sideways' as never)).toThrow(/Unknown join type 'sideways'/);
  });

  it('withColumns, withColumn, withColumnRenamed, drop, toDF, dropDuplicates, distinct, union', async () => {
    const df = spark
      .range(3)
      .withColumns({ twice: col('id').multiply(2), label: lit('x') })
      .withColumn('id_s', col('id').cast('string'))
      .withColumnRenamed('label', 'tag')
      .drop('twice', col('tag'))
      .toDF('a', 'b')
      .dropDuplicates(['a'])
      .distinct()
      .union(spark.range(1).toDF('a').withColumn('b', lit('y')));
    await df.collect();
    const chain: string[] = [];
    let r: Relation | undefined = sentRoot();
    while (r) {
      chain.push(r.relType.case!);
      const v = r.relType.value as { input?: Relation; leftInput?: Relation };
      if (r.relType.case === 'withColumns') expect((v as { aliases: { name: string[] }[] }).aliases.map((x) => x.name)).toEqual(chain.length === 8 ? [['twice'], ['label']] : [['id_s']]);
      if (r.relType.case === 'drop') expect(v).toMatchObject({ columnNames: ['twice'], columns: [{ exprType: { case: 'unresolvedAttribute' } }] });
      if (r.relType.case === 'toDf') expect(v).toMatchObject({ columnNames: ['a', 'b'] });
      if (r.relType.case === 'deduplicate') expect(v).toMatchObject(chain.filter((c) => c === 'deduplicate').length === 1 ? { allColumnsAsKeys: true } : { columnNames: ['a'] });
      r = v.input ?? v.leftInput;
    }
    expect(chain).toEqual(['setOp', 'deduplicate', 'deduplicate', 'toDf', 'drop', 'withColumnsRenamed', 'withColumns', 'withColumns', 'range']);
  });
});

describe('FetchErrorDetails', () => {
  it("enriches a failure with the server's error class, message parameters and query context", async () => {
    server.failNext('ExecutePlan', {
      code: status.INTERNAL,
      message: '[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found. (truncated',
      errorClass: 'TABLE_OR_VIEW_NOT_FOUND',
      errorId: 'err-1',
      fullDetails: {
        rootErrorIdx: 0,
        errors: [
          {
            errorTypeHierarchy: ['org.apache.spark.sql.AnalysisException', 'java.lang.Exception'],
            message: '[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found. Verify the spelling.',
            causeIdx: 1,
            sparkThrowable: { errorClass: 'TABLE_OR_VIEW_NOT_FOUND', sqlState: '42P01', messageParameters: { relationName: '`nope`' }, queryContexts: [{ fragment: 'nope', startIndex: 14, stopIndex: 17 }] },
          },
          { errorTypeHierarchy: ['java.lang.IllegalStateException'], message: 'inner cause' },
        ],
      },
    });
    const error = (await spark.sql('SELECT * FROM nope').collect().catch((e: unknown) => e)) as QueryError;
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toBe('Spark execution failed: [TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found. Verify the spelling.');
    expect(error.details).toMatchObject({
      errorClass: 'TABLE_OR_VIEW_NOT_FOUND',
      sqlState: '42P01',
      errorId: 'err-1',
      messageParameters: { relationName: '`nope`' },
      queryContext: [{ fragment: 'nope', startIndex: 14, stopIndex: 17 }],
      exceptionClasses: ['org.apache.spark.sql.AnalysisException', 'java.lang.Exception'],
      causes: ['java.lang.IllegalStateException: inner cause'],
      enriched: true,
    });
    expect(server.calledWith<FetchErrorDetailsRequest>('FetchErrorDetails').map((r) => r.errorId)).toEqual(['err-1']);
  });

  it('a server without the RPC leaves the error as it was, and is not asked again', async () => {
    server.fetchErrorDetailsSupported = false;
    for (const id of ['e1', 'e2']) server.failNext('AnalyzePlan', { code: status.INTERNAL, message: 'boom', errorClass: 'SOME_CLASS', errorId: id });
    for (let i = 0; i < 2; i++) {
      const error = (await spark.range(1).schema.catch((e: unknown) => e)) as QueryError;
      expect(error.message).toBe('schema failed: [SOME_CLASS] boom');
      expect(error.details.enriched).toBeUndefined();
    }
    expect(server.calledWith('FetchErrorDetails')).toHaveLength(1);
  });
});

describe('decoding Spark 4.1 types in results', () => {
  it('decimals become exact strings and TIME values HH:MM:SS.ffffff, nested ones too', async () => {
    const decimal = new Decimal(2, 10, 128);
    const dec = makeVector(makeData({ type: decimal, length: 2, nullCount: 1, nullBitmap: new Uint8Array([1]), data: new Uint32Array([1250, 0, 0, 0, 0, 0, 0, 0]) }));
    const neg = makeVector(makeData({ type: decimal, length: 1, data: new Uint32Array([0xffffffff - 4, 0xffffffff, 0xffffffff, 0xffffffff]) }));
    const time = vectorFromArray([45_296_123_456_000n, 3_723_000_000_000n], new Time(TimeUnit.NANOSECOND, 64));
    server.sqlResults.set('SELECT dec', [new Table({ d: dec, t: time }), new Table({ d: neg, t: vectorFromArray([0n], new Time(TimeUnit.NANOSECOND, 64)) })]);
    expect(await spark.sql('SELECT dec').collect()).toEqual([
      { d: '12.50', t: '12:34:56.123456' },
      { d: null, t: '01:02:03' },
      { d: '-0.05', t: '00:00:00' },
    ]);
  });

  it('maps with TIME values decode too; plain lists stay arrays', () => {
    const entries = new Struct([new Field('key', new Utf8(), false), new Field('value', new Time(TimeUnit.NANOSECOND, 64), true)]);
    const m = vectorFromArray([new Map([['a', 3_600_000_000_000n]]), null], new Map_(new Field('entries', entries)));
    const l = vectorFromArray([[1, 2], [3]], new List(new Field('item', new Int32(), true)));
    expect(rowsOf(new Table({ m, l }).batches[0]!)).toEqual([
      { m: { a: '01:00:00' }, l: [1, 2] },
      { m: null, l: [3] },
    ]);
  });

  it('a VARIANT column fails with an error naming the column and the type', async () => {
    const metaField = new Field('metadata', new Binary(), false, new Map([['variant', 'true']]));
    const type = new Struct([new Field('value', new Binary(), false), metaField]);
    const schema = new Schema([new Field('j', type, true)]);
    const data = makeData({ type, length: 1, nullCount: 0, children: [vectorFromArray([new Uint8Array([12, 1])], new Binary()).data[0]!, vectorFromArray([new Uint8Array([1, 0, 0])], new Binary()).data[0]!] });
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [data] }));
    server.sqlResults.set('SELECT variant', [new Table([batch])]);
    const error = await spark.sql('SELECT variant').collect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperationError);
    expect((error as Error).message).toMatch(/Column 'j' has Spark type VARIANT.*to_json\(j\)/);
    // Arrow itself is untouched: toArrow() still hands over the raw struct.
    expect((await spark.sql('SELECT variant').toArrow()).numRows).toBe(1);
    expect(ipcStream(new Table([batch])).byteLength).toBeGreaterThan(0);
  });
});
