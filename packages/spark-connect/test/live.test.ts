/**
 * Opt-in live suite against a real Spark Connect server: set SPARK_REMOTE (e.g.
 * `sc://localhost:15002`). Without it the suite is skipped by declaration, and says why.
 * The write scenario writes under /tmp on the Spark driver's file system.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { QueryError } from '@sparkle/core';
import { SparkSession } from '../src/session.js';

const remote = process.env.SPARK_REMOTE;
if (!remote) console.info('[spark-connect live suite] skipped: set SPARK_REMOTE=sc://host:15002 to run it against a real Spark Connect server');

describe.skipIf(!remote)('live Spark Connect (SPARK_REMOTE)', () => {
  let spark: SparkSession;

  beforeAll(async () => {
    spark = await SparkSession.builder().remote(remote!).appName('sparkle-live-test').config('spark.sql.shuffle.partitions', 4).create();
  });

  afterAll(async () => {
    await spark?.stop();
  });

  it('reports its version and honours builder confs', async () => {
    expect(await spark.version).toMatch(/^\d+\.\d+/);
    expect(await spark.conf.get('spark.sql.shuffle.partitions')).toBe('4');
    await spark.conf.set('spark.sql.shuffle.partitions', 3);
    expect(await spark.conf.get('spark.sql.shuffle.partitions')).toBe('3');
  });

  it('streams a multi-batch result and counts it', async () => {
    await spark.conf.set('spark.connect.grpc.arrow.maxBatchSize', 64 * 1024);
    let rows = 0;
    let batches = 0;
    for await (const batch of spark.range(0, 200_000, 1, 4).toArrowBatches()) {
      rows += batch.numRows;
      batches++;
    }
    expect(rows).toBe(200_000);
    expect(batches).toBeGreaterThan(1);
    expect(await spark.range(1000).filter('id % 2 = 0').count()).toBe(500);
  });

  it('runs SQL with select/filter/limit, schema, show and explain', async () => {
    const df = spark.sql('SELECT id, id * 2 AS twice FROM range(10)').filter('id > 5').select('twice').limit(2);
    expect(await df.collect()).toEqual([{ twice: 12n }, { twice: 14n }]);
    expect((await df.schema).fields.map((f) => [f.name, f.type])).toEqual([['twice', 'bigint']]);
    expect(await df.show(2, { print: false })).toContain('twice');
    expect(await df.explain('simple', { print: false })).toContain('Physical Plan');
  });

  it('writes parquet and reads it back', async () => {
    const path = `/tmp/sparkle-live-${randomUUID()}`;
    await spark.range(25).selectExpr('id', 'id % 5 AS part').write.format('parquet').mode('overwrite').partitionBy('part').save(path);
    expect(await spark.read.format('parquet').load(path).count()).toBe(25);
  });

  it("surfaces Spark's error class", async () => {
    const error = await spark.table('sparkle_no_such_table').collect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toMatch(/TABLE_OR_VIEW_NOT_FOUND/);
  });

  it('interrupts a tagged operation', async () => {
    spark.addTag('sparkle-live');
    const running = spark.sql('SELECT count(*) FROM range(0, 100000000000) a').collect().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 1500));
    const ids = await spark.interruptTag('sparkle-live');
    spark.removeTag('sparkle-live');
    expect(ids.length).toBeGreaterThan(0);
    expect(await running).toBeInstanceOf(Error);
  });
});
