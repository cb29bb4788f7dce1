import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import {
  createLineageClient,
  ENGINE_PROVIDER,
  isEngineProvider,
  JDBCConnection,
  type LineageTransport,
  QueryError,
  type ReadTableOptions,
  SparkleConnection,
  type SparkReadSpec,
  type SparkSource,
  type SparkWriteSpec,
  type WriteTableOptions,
} from '@sparkle/core';
import { DataFrame } from '../src/dataframe.js';
import type { ExecutePlanRequest } from '../src/gen/spark/connect/base_pb.js';
import type { Command, WriteOperation } from '../src/gen/spark/connect/commands_pb.js';
import type { LocalRelation, Read, Relation } from '../src/gen/spark/connect/relations_pb.js';
import { tableFromIPC } from 'apache-arrow';
import type { SparkSession } from '../src/session.js';
import { type FakeSparkServer, sampleTable } from './fake-spark-server.js';
import { sessionFor, startFake } from './helpers.js';

/** A JDBC connector declared the way connector packages declare theirs. */
class WarehouseConnection extends JDBCConnection {
  static override jdbc = { driver: 'org.postgresql.Driver', subprotocol: 'postgresql', defaultPort: 5432, lineageScheme: 'postgres' };
}

const PASSWORD = 'hunter2-very-secret';

/** A file/catalog source: paths for reads, a catalog table for writes, and one secret option. */
class LakeConnection extends SparkleConnection implements SparkSource {
  sparkRead(table: string, _options: ReadTableOptions): SparkReadSpec {
    if (table.startsWith('catalog:')) return { format: 'delta', options: {}, namedTable: table.slice('catalog:'.length), secretOptions: [] };
    return { format: 'parquet', options: { 'fs.s3a.secret.key': 'lake-secret-key' }, paths: [`s3a://lake/${table}`], schema: 'id BIGINT, v STRING', secretOptions: ['fs.s3a.secret.key'] };
  }
  sparkWrite(table: string, options: WriteTableOptions): SparkWriteSpec {
    return { format: 'delta', options: {}, mode: options.mode ?? 'errorIfExists', table: { name: table, saveMethod: 'insertInto' }, partitionBy: options.partitionBy, secretOptions: [] };
  }
}

function capture(): { events: Record<string, unknown>[]; transport: LineageTransport } {
  const events: Record<string, unknown>[] = [];
  return { events, transport: { kind: 'memory', emit: async (e) => void events.push(e as unknown as Record<string, unknown>) } };
}

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

function connection(events: ReturnType<typeof capture>) {
  return new WarehouseConnection({
    type: 'postgres',
    env: 'test',
    spark,
    config: { host: 'db.internal', port: 5432, database: 'shop', user: 'reader', password: PASSWORD },
    lineage: createLineageClient({ transport: events.transport, ignoreEnvironment: true }),
  });
}

describe('the Spark engine', () => {
  it('SparkSession is an engine provider', () => {
    expect(isEngineProvider(spark)).toBe(true);
    expect(spark[ENGINE_PROVIDER]().name).toBe('spark-connect');
  });

  it('readTable returns a lazy DataFrame over the connector spec (partitioned JDBC) with START/COMPLETE lineage', async () => {
    const lineage = capture();
    const conn = connection(lineage);
    const df = await conn.readTable<DataFrame>('public.orders', { partitionColumn: 'id', lowerBound: 1, upperBound: 100, numPartitions: 4 });
    expect(df).toBeInstanceOf(DataFrame);
    expect(server.calledWith('ExecutePlan')).toHaveLength(0); // lazy: nothing ran yet
    const read = (df.relation.relType.value as Read).readType.value as { format: string; options: Record<string, string> };
    expect(read.format).toBe('jdbc');
    expect(read.options).toMatchObject({ url: 'jdbc:postgresql://db.internal:5432/shop', user: 'reader', password: PASSWORD, partitionColumn: '"id"', numPartitions: '4' });
    expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    expect(JSON.stringify(lineage.events)).not.toContain(PASSWORD);
    expect(JSON.stringify(lineage.events)).toContain('public.orders');
    await conn.close();
  });

  it('readTable with predicates sends Read.DataSource.predicates', async () => {
    const lineage = capture();
    const conn = connection(lineage);
    const df = await conn.readTable<DataFrame>('orders', { predicates: ["region = 'EU'", "region = 'US'"] });
    await df.collect();
    const sent = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!;
    const read = ((sent.plan?.opType.value as Relation).relType.value as Read).readType.value as { predicates: string[] };
    expect(read.predicates).toEqual(["region = 'EU'", "region = 'US'"]);
    await conn.close();
  });

  it('writeTable sends the WriteOperation from sparkWrite with START/COMPLETE lineage', async () => {
    const lineage = capture();
    const conn = connection(lineage);
    const result = await conn.writeTable(spark.range(5), 'public.copy', { mode: 'overwrite', batchSize: 500 });
    expect(result).toMatchObject({ table: 'public.copy', mode: 'overwrite', rows: 7, written: true });
    const cmd = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!.plan?.opType.value as Command;
    expect(cmd.commandType.case).toBe('writeOperation');
    expect(cmd.commandType.value).toMatchObject({ source: 'jdbc', mode: 2, options: { dbtable: '"public"."copy"', batchsize: '500', password: PASSWORD } });
    expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    expect(JSON.stringify(lineage.events)).not.toContain(PASSWORD);
    await conn.close();
  });

  it('a failed write emits FAIL and its error never carries the secret option value', async () => {
    const lineage = capture();
    const conn = connection(lineage);
    server.failNext('ExecutePlan', { code: status.INTERNAL, message: `Connection refused for url with password=${PASSWORD}`, errorClass: 'JDBC_CONNECTION_FAILED' });
    const error = (await conn.writeTable(spark.range(1), 'x', { mode: 'append' }).catch((e: unknown) => e)) as QueryError;
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toContain('[JDBC_CONNECTION_FAILED]');
    expect(JSON.stringify({ m: error.message, s: error.stack, c: (error.cause as Error | undefined)?.message, d: error.details })).not.toContain(PASSWORD);
    expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(JSON.stringify(lineage.events)).not.toContain(PASSWORD);
    await conn.close();
  });

  it('non-JDBC specs: paths, schema, filter and projection on top, named tables, insertInto; secret options stay out of lineage', async () => {
    const lineage = capture();
    const conn = new LakeConnection({ type: 'lake', config: {}, spark, lineage: createLineageClient({ transport: lineage.transport, ignoreEnvironment: true }) });
    const df = await conn.readTable<DataFrame>('events', { where: 'v IS NOT NULL', columns: ['id'] });
    const project = df.relation.relType;
    expect(project.case).toBe('project');
    const filter = (project.value as { input: Relation }).input.relType;
    expect(filter.case).toBe('filter');
    const read = ((filter.value as { input: Relation }).input.relType.value as Read).readType.value as { format: string; paths: string[]; schema: string };
    expect(read).toMatchObject({ format: 'parquet', paths: ['s3a://lake/events'], schema: 'id BIGINT, v STRING' });
    const named = await conn.readTable<DataFrame>('catalog:main.sales.orders');
    expect((named.relation.relType.value as Read).readType).toEqual({ case: 'namedTable', value: expect.objectContaining({ unparsedIdentifier: 'main.sales.orders' }) });
    await conn.writeTable(named, 'main.sales.copy', { mode: 'append', partitionBy: ['day'] });
    const cmd = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!.plan?.opType.value as Command;
    expect(cmd.commandType.value).toMatchObject({ source: 'delta', mode: 1, partitioningColumns: ['day'], saveType: { case: 'table', value: { tableName: 'main.sales.copy', saveMethod: 2 } } });
    expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE', 'START', 'COMPLETE', 'START', 'COMPLETE']);
    expect(JSON.stringify(lineage.events)).not.toContain('lake-secret-key');
    await conn.close();
  });

  it('query() on a JDBC source becomes a derived-table read; parameters are refused', async () => {
    const lineage = capture();
    const conn = connection(lineage);
    const df = await conn.query<DataFrame>('SELECT region, sum(amount) AS total FROM orders GROUP BY region');
    const read = (df.relation.relType.value as Read).readType.value as { format: string; options: Record<string, string> };
    expect(read.format).toBe('jdbc');
    expect(read.options.dbtable).toBe('(SELECT region, sum(amount) AS total FROM orders GROUP BY region) sparkle_q');
    expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    await expect(conn.query('SELECT * FROM t WHERE id = $1', [1])).rejects.toThrow(/cannot bind query parameters/);
    await conn.close();
  });

  it('writeTable moves local data into Spark: rows and a stream of record batches (like a local frame) become the written LocalRelation', async () => {
    const lineage = capture();
    const conn = connection(lineage);
    await conn.writeTable([{ a: 1, b: 'x' }, { a: 2, b: null }], 'public.rows', { mode: 'append' });
    async function* frame() {
      yield* sampleTable(0, 4).batches;
      yield* sampleTable(4, 3).batches;
    }
    await conn.writeTable(frame(), 'public.frame', { mode: 'overwrite' });
    const [rowsCmd, frameCmd] = server.calledWith<ExecutePlanRequest>('ExecutePlan').map((r) => (r.plan?.opType.value as Command).commandType.value as WriteOperation);
    const rowsInput = rowsCmd!.input!.relType;
    expect(rowsInput.case).toBe('localRelation');
    const uploaded = tableFromIPC((rowsInput.value as LocalRelation).data!);
    expect(uploaded.toArray().map((r) => r.toJSON())).toEqual([{ a: 1n, b: 'x' }, { a: 2n, b: null }]);
    const frameRows = tableFromIPC((frameCmd!.input!.relType.value as LocalRelation).data!);
    expect(frameRows.numRows).toBe(7);
    expect(frameRows.getChild('id')!.toArray()).toEqual(BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 5n, 6n]));
    expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE', 'START', 'COMPLETE']);
    await conn.close();
  });

  it('writeTable refuses data that is neither a DataFrame nor local data, and DataFrames of another session', async () => {
    const conn = connection(capture());
    await expect(conn.writeTable('SELECT 1', 't')).rejects.toThrow(/writes Spark DataFrames, Arrow Tables/);
    await expect(conn.writeTable(42, 't')).rejects.toThrow(/writes Spark DataFrames, Arrow Tables/);
    const other = await sessionFor(server);
    await expect(conn.writeTable(other.range(1), 't')).rejects.toThrow(/another SparkSession/);
    await other.stop();
    await conn.close();
  });
});
