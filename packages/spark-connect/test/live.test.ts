/**
 * The client against a real Apache Spark Connect server (pyspark's jars, started by
 * tools/services/ensure-spark-connect.sh through the vitest global setup, or SPARK_REMOTE).
 * With CI set a missing server fails the run; elsewhere the suite skips by declaration and says why.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { inspect } from 'node:util';
import { QueryError, SparkleError } from '@sparkle/core';
import { sparkRemoteForTests } from '@sparkle/testkit';
import { decodeArrowBatches, rowsOf } from '../src/arrow.js';
import { SparkConnectClient } from '../src/client.js';
import { parseConnectionString } from '../src/connection-string.js';
import { rootPlan } from '../src/plan.js';
import { SparkSession } from '../src/session.js';
import { CuttingProxy } from './cutting-proxy.js';

const remote = sparkRemoteForTests(inject);

/** Error text as a user could see it anywhere: message, details, cause chain, inspect(). */
function everythingSaid(error: unknown): string {
  return `${String(error)}\n${inspect(error, { depth: 8 })}\n${JSON.stringify((error as SparkleError).details ?? {})}`;
}

// A local[2] JVM on a shared, loaded machine: the first queries compile a lot of code.
describe.skipIf(!remote)('real Spark Connect server', { timeout: 180_000 }, () => {
  let spark: SparkSession;

  beforeAll(async () => {
    spark = await SparkSession.builder().remote(remote!).appName('sparkle-live-test').config('spark.sql.shuffle.partitions', 4).create();
  });

  afterAll(async () => {
    await spark?.stop();
  });

  it('reports a Spark 4 version and keeps conf per session (set, get, default, unset, getAll)', async () => {
    expect(await spark.version).toMatch(/^4\.\d+\.\d+/);
    expect(await spark.conf.get('spark.sql.shuffle.partitions')).toBe('4');
    await spark.conf.set('spark.sql.shuffle.partitions', 3);
    expect(await spark.conf.get('spark.sql.shuffle.partitions')).toBe('3');
    expect(await spark.conf.get('spark.sparkle.unset.key', 'fallback')).toBe('fallback');
    await spark.conf.set('spark.sparkle.test.key', 'v1');
    expect(await spark.conf.getAll('spark.sparkle.test.')).toEqual({ 'spark.sparkle.test.key': 'v1' });
    await spark.conf.unset('spark.sparkle.test.key');
    expect(await spark.conf.get('spark.sparkle.test.key', 'gone')).toBe('gone');
    // A second session does not see the first one's settings.
    await using other = await SparkSession.builder().remote(remote!).create();
    expect(await other.conf.get('spark.sql.shuffle.partitions')).not.toBe('3');
  });

  it('range with start, end, step and partitions; sql with select/filter/limit; count', async () => {
    expect(await spark.range(0, 10, 3).collect()).toEqual([{ id: 0n }, { id: 3n }, { id: 6n }, { id: 9n }]);
    expect(await spark.range(5, 0, -2, 2).collect()).toEqual([{ id: 5n }, { id: 3n }, { id: 1n }]);
    const df = spark.sql('SELECT id, id * 2 AS twice FROM range(10)').filter('id > 5').select('twice').limit(2);
    expect(await df.collect()).toEqual([{ twice: 12n }, { twice: 14n }]);
    expect(await spark.range(1000).filter('id % 2 = 0').count()).toBe(500);
    expect(await spark.range(0).count()).toBe(0);
  });

  it('reads a table and a temp view by name', async () => {
    const view = `sparkle_live_view_${randomUUID().slice(0, 8)}`;
    await spark.sql(`CREATE TEMP VIEW ${view} AS SELECT id, concat('n', id) AS name FROM range(3)`).collect();
    expect(await spark.table(view).collect()).toEqual([
      { id: 0n, name: 'n0' },
      { id: 1n, name: 'n1' },
      { id: 2n, name: 'n2' },
    ]);
    const table = `sparkle_live_table_${randomUUID().slice(0, 8)}`;
    try {
      await spark.range(4).selectExpr('id', 'id * 10 AS tens').write.mode('overwrite').saveAsTable(table);
      expect(await spark.table(table).filter('id >= 2').collect()).toEqual([
        { id: 2n, tens: 20n },
        { id: 3n, tens: 30n },
      ]);
      expect(await spark.read.table(table).count()).toBe(4);
    } finally {
      await spark.sql(`DROP TABLE IF EXISTS ${table}`).collect();
    }
  });

  it('toArrow keeps Spark types; collect decodes them', async () => {
    const df = spark.sql(`SELECT CAST(1.25 AS DECIMAL(10,2)) AS dec, TIMESTAMP '2024-03-01 12:34:56.789' AS ts, DATE '2024-03-01' AS d,
      array(1, 2, NULL) AS arr, named_struct('a', 1, 'b', 'x') AS st, CAST(NULL AS STRING) AS nothing, true AS flag, 2.5D AS dbl`);
    const table = await df.toArrow();
    expect(table.numRows).toBe(1);
    const dec = table.schema.fields[0]!.type as unknown as { precision: number; scale: number; bitWidth: number };
    expect([dec.precision, dec.scale, dec.bitWidth]).toEqual([10, 2, 128]);
    expect(table.schema.fields.slice(1).map((f) => [f.name, String(f.type)])).toEqual([
      ['ts', 'Timestamp<MICROSECOND, UTC>'],
      ['d', 'Date32<DAY>'],
      ['arr', 'List<Int32>'],
      ['st', 'Struct<{a:Int32, b:Utf8}>'],
      ['nothing', 'Utf8'],
      ['flag', 'Bool'],
      ['dbl', 'Float64'],
    ]);
    const [row] = await df.collect();
    expect(row!.ts).toBe(Date.UTC(2024, 2, 1, 12, 34, 56, 789));
    expect(row!.arr).toEqual([1, 2, null]);
    expect(row!.st).toEqual({ a: 1, b: 'x' });
    expect(row!.nothing).toBeNull();
    expect(row!.flag).toBe(true);
    expect(row!.dbl).toBe(2.5);
    expect((await df.schema).fields.map((f) => [f.name, f.type])).toEqual([
      ['dec', 'decimal(10,2)'],
      ['ts', 'timestamp'],
      ['d', 'date'],
      ['arr', 'array<int>'],
      ['st', 'struct<a:int,b:string>'],
      ['nothing', 'string'],
      ['flag', 'boolean'],
      ['dbl', 'double'],
    ]);
  });

  it('streams a multi-batch result with toArrowBatches, every row once and in order', async () => {
    await spark.conf.set('spark.sql.execution.arrow.maxRecordsPerBatch', 1000);
    let next = 0n;
    let batches = 0;
    for await (const batch of spark.range(0, 50_000, 1, 4).toArrowBatches()) {
      for (const { id } of rowsOf(batch)) expect(id).toBe(next++);
      batches++;
    }
    expect(next).toBe(50_000n);
    expect(batches).toBeGreaterThanOrEqual(50);
    await spark.conf.unset('spark.sql.execution.arrow.maxRecordsPerBatch');
  });

  it('show renders Spark’s own table text; explain gives the plan', async () => {
    const df = spark.sql("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 22, 'a longer value than twenty chars'");
    expect((await df.show(20, { print: false })).trimEnd()).toBe(
      ['+---+--------------------+', '|  a|                   b|', '+---+--------------------+', '|  1|                   x|', '| 22|a longer value th...|', '+---+--------------------+'].join('\n'),
    );
    expect((await df.show(1, { print: false, truncate: false })).trimEnd()).toBe(['+---+---+', '|a  |b  |', '+---+---+', '|1  |x  |', '+---+---+', 'only showing top 1 row'].join('\n'));
    const plan = await spark.range(10).filter('id > 5').explain('extended', { print: false });
    expect(plan).toContain('== Parsed Logical Plan ==');
    expect(plan).toContain('== Physical Plan ==');
    expect(plan).toMatch(/Filter \(id#\d+L > 5\)/);
    expect(await spark.range(3).printSchema({ print: false })).toBe('root\n |-- id: long (nullable = false)\n');
  });

  it('writes parquet partitioned and reads it back', async () => {
    const path = `/tmp/sparkle-live-${randomUUID()}`;
    try {
      await spark.range(25).selectExpr('id', 'id % 5 AS part').write.format('parquet').mode('overwrite').partitionBy('part').save(path);
      expect(await spark.read.format('parquet').load(path).count()).toBe(25);
      expect(await spark.read.parquet(path).filter('part = 3').count()).toBe(5);
    } finally {
      await rm(path, { recursive: true, force: true });
    }
  });

  it('bad SQL gives a QueryError with the server message, error class and SQLSTATE', async () => {
    const error = await spark
      .sql('SELEC 1')
      .collect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    const e = error as QueryError;
    expect(e.connector).toBe('spark-connect');
    expect(e.retryable).toBe(false);
    expect(e.details).toMatchObject({ errorClass: 'PARSE_SYNTAX_ERROR', sqlState: '42601', exceptionClass: 'org.apache.spark.sql.catalyst.parser.ParseException' });
    expect(e.message).toMatch(/^Spark execution failed: \[PARSE_SYNTAX_ERROR\] Syntax error at or near 'SELEC'.*\n== SQL ==\nSELEC 1\n/s);
    // Said once, not twice.
    expect(e.message.match(/PARSE_SYNTAX_ERROR/g)).toHaveLength(1);

    const missing = (await spark
      .table('sparkle_no_such_table')
      .collect()
      .catch((x: unknown) => x)) as QueryError;
    expect(missing).toBeInstanceOf(QueryError);
    expect(missing.details).toMatchObject({ errorClass: 'TABLE_OR_VIEW_NOT_FOUND' });
    expect(missing.message).toContain('sparkle_no_such_table');
  });

  it('a failing JDBC read names the failure but never the password', async () => {
    const secret = `Pw-${randomUUID()}`;
    const error = await spark.read
      .format('jdbc')
      .options({ url: 'jdbc:postgresql://127.0.0.1:1/nowhere', dbtable: 'missing', user: 'sparkle', password: secret, driver: 'org.postgresql.Driver' })
      .load()
      .collect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toMatch(/Connection to 127\.0\.0\.1:1 refused|Connection refused/);
    expect(everythingSaid(error)).not.toContain(secret);
  });

  it('interrupts by tag, by operation id, and all', async () => {
    // Long enough to be caught running, bounded (one task, 600 × 100 ms) so it ends by itself anyway.
    const endless = "SELECT count(*) FROM range(0, 600, 1, 1) WHERE reflect('java.lang.Thread', 'sleep', 100L) IS NULL";
    spark.addTag('sparkle-live');
    const tagged = spark.sql(endless).collect().catch((e: unknown) => e);
    spark.removeTag('sparkle-live');
    // Wait until the server has the operation (interrupting too early interrupts nothing).
    let ids: string[] = [];
    for (let i = 0; i < 100 && ids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ids = await spark.interruptTag('sparkle-live');
    }
    expect(ids).toHaveLength(1);
    const taggedError = await tagged;
    expect(taggedError).toBeInstanceOf(SparkleError);
    expect(String((taggedError as Error).message)).toMatch(/OPERATION_CANCELED|cancel/i);

    const operationId = randomUUID();
    const byId = (async () => {
      try {
        for await (const _ of spark.sql(endless).toArrowBatches({ operationId })) void _;
        return null;
      } catch (e) {
        return e;
      }
    })();
    let interrupted: string[] = [];
    for (let i = 0; i < 100 && interrupted.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      interrupted = await spark.interruptOperation(operationId);
    }
    expect(interrupted).toEqual([operationId]);
    expect(await byId).toBeInstanceOf(SparkleError);

    const all = spark.sql(endless).collect().catch((e: unknown) => e);
    let allIds: string[] = [];
    for (let i = 0; i < 100 && allIds.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      allIds = await spark.interruptAll();
    }
    expect(allIds.length).toBeGreaterThanOrEqual(1);
    expect(await all).toBeInstanceOf(SparkleError);
  });

  it('releases an operation left early: the server no longer has it', async () => {
    await spark.conf.set('spark.sql.execution.arrow.maxRecordsPerBatch', 100);
    const operationId = randomUUID();
    for await (const batch of spark.range(100_000).toArrowBatches({ operationId })) {
      expect(batch.numRows).toBeGreaterThan(0);
      break;
    }
    await spark.client.settle();
    const reattach = spark.client.openReattach(operationId, undefined);
    const error = await (async () => {
      try {
        for await (const _ of reattach) void _;
        return null;
      } catch (e) {
        return e as { details?: string };
      }
    })();
    expect(String(error?.details)).toMatch(/INVALID_HANDLE\.(OPERATION_NOT_FOUND|OPERATION_ABANDONED)/);
    await spark.conf.unset('spark.sql.execution.arrow.maxRecordsPerBatch');
  });

  it('releases the session on stop: the server refuses its id afterwards', async () => {
    const session = await SparkSession.builder().remote(remote!).create();
    expect(await session.range(2).count()).toBe(2);
    const id = session.sessionId;
    await session.stop();
    const again = new SparkConnectClient({ remote: remote!, sessionId: id, retryPolicy: { maxRetries: 0 } });
    try {
      const error = await again.config({ opType: { case: 'get', value: { keys: ['spark.sql.shuffle.partitions'] } } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SparkleError);
      expect((error as SparkleError).details).toMatchObject({ errorClass: 'INVALID_HANDLE.SESSION_CLOSED' });
    } finally {
      await again.close({ releaseSession: false });
    }
  });

  it('reattaches after the connection is cut mid-result: every row arrives exactly once', async () => {
    const { host, port } = parseConnectionString(remote!);
    const proxy = await new CuttingProxy(host, port).start();
    const session = await SparkSession.builder()
      .remote(`sc://127.0.0.1:${proxy.port}`)
      .config('spark.sql.execution.arrow.maxRecordsPerBatch', 2000)
      .options({ retryPolicy: { initialBackoffMs: 10, jitterMs: 10 } })
      .create();
    try {
      const rows = 200_000;
      const df = session.sql(`SELECT id, concat('row-', id) AS label FROM range(${rows})`);
      // Warm the plan so the cut lands in the result stream, not in analysis.
      expect(await df.limit(1).count()).toBe(1);
      proxy.armCut(256 * 1024);
      const execution = session.execute(rootPlan(df.relation));
      const seen = new Uint8Array(rows);
      let received = 0;
      for await (const batch of decodeArrowBatches(execution)) {
        for (const { id, label } of rowsOf(batch)) {
          const n = Number(id);
          expect(label).toBe(`row-${n}`);
          seen[n]!++;
          received++;
        }
      }
      expect(proxy.cuts).toBe(1);
      expect(execution.reattachCount).toBeGreaterThanOrEqual(1);
      expect(received).toBe(rows);
      expect(seen.every((count) => count === 1)).toBe(true);
    } finally {
      await session.stop();
      await proxy.close();
    }
  });
});
