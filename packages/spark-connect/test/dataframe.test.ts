import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalyzePlanRequest, ConfigRequest, ExecutePlanRequest } from '../src/gen/spark/connect/base_pb.js';
import { WriteOperation_SaveMode, WriteOperation_SaveTable_TableSaveMethod } from '../src/gen/spark/connect/commands_pb.js';
import type { SparkSession } from '../src/session.js';
import type { FakeSparkServer } from './fake-spark-server.js';
import { sampleTable } from './fake-spark-server.js';
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

function lastExecute(): ExecutePlanRequest {
  return server.calledWith<ExecutePlanRequest>('ExecutePlan').at(-1)!;
}

describe('DataFrame plans', () => {
  it('builds sql → filter → select → limit as nested relations with plan ids', async () => {
    server.sqlResults.set('SELECT * FROM t', [sampleTable(0, 4)]);
    const rows = await spark.sql('SELECT * FROM t').filter('n > 1').select('id', 's').limit(2).collect();
    // The fake ignores filter/select; what matters here is the plan that reached it.
    expect(rows).toHaveLength(2);
    const root = lastExecute().plan?.opType;
    expect(root?.case).toBe('root');
    const limit = root?.value as import('../src/gen/spark/connect/relations_pb.js').Relation;
    expect(limit.relType.case).toBe('limit');
    const project = (limit.relType.value as { input: typeof limit; limit: number }).input;
    expect((limit.relType.value as { limit: number }).limit).toBe(2);
    expect(project.relType.case).toBe('project');
    const p = project.relType.value as { input: typeof limit; expressions: { exprType: { case: string; value: { unparsedIdentifier: string } } }[] };
    expect(p.expressions.map((e) => [e.exprType.case, e.exprType.value.unparsedIdentifier])).toEqual([
      ['unresolvedAttribute', 'id'],
      ['unresolvedAttribute', 's'],
    ]);
    const filter = p.input;
    expect(filter.relType.case).toBe('filter');
    const f = filter.relType.value as { input: typeof limit; condition: { exprType: { case: string; value: { expression: string } } } };
    expect(f.condition.exprType).toEqual({ case: 'expressionString', value: expect.objectContaining({ expression: 'n > 1' }) });
    expect(f.input.relType).toEqual({ case: 'sql', value: expect.objectContaining({ query: 'SELECT * FROM t' }) });
    const ids = [limit, project, filter, f.input].map((r) => r.common?.planId);
    expect(ids).toEqual([3n, 2n, 1n, 0n]);
  });

  it('rows come back as plain objects with Arrow types mapped', async () => {
    server.sqlResults.set('q', [sampleTable(0, 2), sampleTable(2, 1)]);
    expect(await spark.sql('q').collect()).toEqual([
      { id: 0n, n: 0, x: 0, s: 'r0' },
      { id: 1n, n: 1, x: 0.5, s: 'r1' },
      { id: 2n, n: 2, x: 1, s: 'r2' },
    ]);
  });

  it('count() runs a count(1) projection', async () => {
    expect(await spark.range(7).count()).toBe(7);
    const project = lastExecute().plan?.opType.value as import('../src/gen/spark/connect/relations_pb.js').Relation;
    expect(project.relType.case).toBe('project');
  });

  it('show() sends ShowString and returns the text', async () => {
    const text = await spark.range(1).show(5, { print: false, truncate: false });
    expect(text).toContain('| id|');
    const rel = lastExecute().plan?.opType.value as import('../src/gen/spark/connect/relations_pb.js').Relation;
    expect(rel.relType).toEqual({ case: 'showString', value: expect.objectContaining({ numRows: 5, truncate: 0, vertical: false }) });
  });

  it('schema, printSchema, explain and version go through AnalyzePlan', async () => {
    const schema = await spark.range(3).schema;
    expect(schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ['id', 'bigint', false],
      ['tags', 'array<string>', true],
      ['price', 'decimal(10,2)', true],
    ]);
    expect(await spark.range(3).printSchema({ print: false })).toContain('|-- id: long');
    expect(await spark.range(3).explain('formatted', { print: false })).toContain('mode 5');
    expect(await spark.version).toBe('4.0.0');
    const kinds = server.calledWith<AnalyzePlanRequest>('AnalyzePlan').map((r) => r.analyze.case);
    expect(kinds).toEqual(['schema', 'treeString', 'explain', 'sparkVersion']);
  });

  it('spark.conf get/set/unset/getAll use the Config RPC', async () => {
    await spark.conf.set('spark.sql.shuffle.partitions', 8);
    expect(await spark.conf.get('spark.sql.shuffle.partitions')).toBe('8');
    expect(await spark.conf.get('missing.key', 'fallback')).toBe('fallback');
    await expect(spark.conf.get('missing.key')).rejects.toThrow(/SQL_CONF_NOT_FOUND/);
    await spark.conf.unset('spark.sql.shuffle.partitions');
    expect(await spark.conf.getAll('spark.sql')).toEqual({});
    const ops = server.calledWith<ConfigRequest>('Config').map((r) => r.operation?.opType.case);
    expect(ops).toEqual(['set', 'get', 'getWithDefault', 'get', 'unset', 'getAll']);
  });
});

describe('readers', () => {
  it('read.format().schema().option(s)().load(paths) builds a DataSource read', async () => {
    await spark.read.format('csv').schema('id INT, name STRING').option('header', true).options({ sep: ';' }).load(['/a.csv', '/b.csv']).collect();
    const read = (lastExecute().plan?.opType.value as import('../src/gen/spark/connect/relations_pb.js').Relation).relType;
    expect(read.case).toBe('read');
    const r = read.value as import('../src/gen/spark/connect/relations_pb.js').Read;
    expect(r.isStreaming).toBe(false);
    expect(r.readType).toEqual({
      case: 'dataSource',
      value: expect.objectContaining({ format: 'csv', schema: 'id INT, name STRING', options: { header: 'true', sep: ';' }, paths: ['/a.csv', '/b.csv'], predicates: [] }),
    });
  });

  it('read.jdbc with range partitioning and with predicates', async () => {
    await spark.read.jdbc('jdbc:postgresql://db/shop', 'orders', { partitionColumn: 'id', lowerBound: 1, upperBound: 1000, numPartitions: 4 }, { user: 'u' }).collect();
    let r = (lastExecute().plan?.opType.value as import('../src/gen/spark/connect/relations_pb.js').Relation).relType.value as import('../src/gen/spark/connect/relations_pb.js').Read;
    expect(r.readType.value).toMatchObject({
      format: 'jdbc',
      options: { url: 'jdbc:postgresql://db/shop', dbtable: 'orders', user: 'u', partitionColumn: 'id', lowerBound: '1', upperBound: '1000', numPartitions: '4' },
      predicates: [],
    });
    await spark.read.jdbc('jdbc:postgresql://db/shop', 'orders', ["region = 'EU'", "region = 'US'"]).collect();
    r = (lastExecute().plan?.opType.value as import('../src/gen/spark/connect/relations_pb.js').Relation).relType.value as import('../src/gen/spark/connect/relations_pb.js').Read;
    expect(r.readType.value).toMatchObject({ format: 'jdbc', predicates: ["region = 'EU'", "region = 'US'"] });
  });

  it('readStream sets is_streaming; table() is a named table', async () => {
    const stream = spark.readStream.format('kafka').option('subscribe', 'events').load();
    const r = stream.relation.relType.value as import('../src/gen/spark/connect/relations_pb.js').Read;
    expect(r.isStreaming).toBe(true);
    expect(r.readType.value).toMatchObject({ format: 'kafka', options: { subscribe: 'events' } });
    const t = spark.table('cat.db.t').relation.relType.value as import('../src/gen/spark/connect/relations_pb.js').Read;
    expect(t.readType).toEqual({ case: 'namedTable', value: expect.objectContaining({ unparsedIdentifier: 'cat.db.t' }) });
  });
});

describe('writers (decoded server-side)', () => {
  function lastWrite() {
    const cmd = lastExecute().plan?.opType;
    expect(cmd?.case).toBe('command');
    return (cmd!.value as import('../src/gen/spark/connect/commands_pb.js').Command).commandType;
  }

  it('save(path) with mode, options, partitionBy', async () => {
    const outcome = await spark.range(3).write.format('parquet').mode('overwrite').option('compression', 'zstd').partitionBy('day').save('/lake/t');
    expect(outcome.rows).toBe(7);
    const w = lastWrite();
    expect(w.case).toBe('writeOperation');
    expect(w.value).toMatchObject({
      source: 'parquet',
      saveType: { case: 'path', value: '/lake/t' },
      mode: WriteOperation_SaveMode.OVERWRITE,
      partitioningColumns: ['day'],
      options: { compression: 'zstd' },
    });
    expect((w.value as { input: { relType: { case: string } } }).input.relType.case).toBe('range');
  });

  it('saveAsTable and insertInto set the table save method; jdbc save has no target', async () => {
    await spark.range(1).write.mode('append').saveAsTable('db.t');
    expect(lastWrite().value).toMatchObject({ saveType: { case: 'table', value: { tableName: 'db.t', saveMethod: WriteOperation_SaveTable_TableSaveMethod.SAVE_AS_TABLE } }, mode: WriteOperation_SaveMode.APPEND });
    await spark.range(1).write.mode('ignore').insertInto('db.t');
    expect(lastWrite().value).toMatchObject({ saveType: { case: 'table', value: { saveMethod: WriteOperation_SaveTable_TableSaveMethod.INSERT_INTO } }, mode: WriteOperation_SaveMode.IGNORE });
    await spark.range(1).write.format('jdbc').options({ url: 'jdbc:x', dbtable: 't' }).save();
    expect(lastWrite().value).toMatchObject({ saveType: { case: undefined }, mode: WriteOperation_SaveMode.ERROR_IF_EXISTS });
  });

  it('writeStream.format(kafka)...start() returns the query ids', async () => {
    const query = await spark.readStream
      .format('kafka')
      .option('subscribe', 'in')
      .load()
      .writeStream.format('kafka')
      .option('topic', 'out')
      .option('checkpointLocation', '/chk')
      .outputMode('append')
      .queryName('copy')
      .trigger({ processingTime: '10 seconds' })
      .start();
    expect(query).toEqual({ id: 'q-1', runId: 'run-1', name: 'copy' });
    const w = lastWrite();
    expect(w.case).toBe('writeStreamOperationStart');
    expect(w.value).toMatchObject({
      format: 'kafka',
      options: { topic: 'out', checkpointLocation: '/chk' },
      outputMode: 'append',
      queryName: 'copy',
      trigger: { case: 'processingTimeInterval', value: '10 seconds' },
    });
    const input = (w.value as { input: { relType: { value: { isStreaming: boolean } } } }).input;
    expect(input.relType.value.isStreaming).toBe(true);
  });
});
