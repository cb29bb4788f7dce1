/**
 * The relations and expressions connector work needs, against a real Apache Spark Connect
 * server: local data uploads (inline and chunked through artifacts), SQL parameters, sorts,
 * aggregates, joins, reshaping, literals, FetchErrorDetails and Spark 4.1 types.
 *
 * The server comes from the vitest global setup (`sparkRemote`, provided by
 * tools/services/ensure-spark-connect.sh through @sparkle/testkit) or from SPARK_REMOTE. Without
 * one the suite skips by declaration and says why; with CI set it fails instead.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateMillisecond, Float64, Int64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import { QueryError, type ReadTableOptions, SparkleConnection, type SparkReadSpec, type SparkSource, type SparkWriteSpec, UnsupportedOperationError, type WriteTableOptions } from '@sparkle/core';
import { col, fn, lit } from '../src/column.js';
import { parseConnectionString } from '../src/connection-string.js';
import type { DataFrame } from '../src/dataframe.js';
import { SparkSession } from '../src/session.js';

const injected = (inject as unknown as (key: string) => string | undefined)('sparkRemote');
const remote = injected || process.env.SPARK_REMOTE || undefined;
if (!remote) {
  if (process.env.CI) throw new Error('real-relations: CI is set but no Spark Connect server was provided (sparkRemote from the global setup, or SPARK_REMOTE)');
  console.info('[spark-connect real relations] skipped: no server; set SPARK_REMOTE=sc://127.0.0.1:15002 or run tools/services/ensure-spark-connect.sh');
}

function reachable(url: string): Promise<boolean> {
  const { host, port } = parseConnectionString(url);
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 5000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Writes Parquet under a directory on the Spark driver's file system (the server is local). */
class ParquetDirConnection extends SparkleConnection implements SparkSource {
  sparkRead(table: string, _options: ReadTableOptions): SparkReadSpec {
    return { format: 'parquet', options: {}, paths: [join(String(this.config.dir), table)], secretOptions: [] };
  }
  sparkWrite(table: string, options: WriteTableOptions): SparkWriteSpec {
    return { format: 'parquet', options: {}, mode: options.mode ?? 'errorIfExists', path: join(String(this.config.dir), table), secretOptions: [] };
  }
}

/** Orders [pid, oid] pairs numerically, nulls last. */
function byPair(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < 2; i++) {
    const x = a[i] === null ? Infinity : Number(a[i]);
    const y = b[i] === null ? Infinity : Number(b[i]);
    if (x !== y) return x - y;
  }
  return 0;
}

// A real local[2] JVM on a shared 2-core machine: generous per-test bounds, never timing assertions.
describe.skipIf(!remote)('real Spark Connect: relations, expressions, uploads', { timeout: 180_000 }, () => {
  let spark: SparkSession;

  beforeAll(async () => {
    // A provided server that does not answer is a failure, never a skip.
    expect(await reachable(remote!), `Spark Connect server at ${remote} does not answer`).toBe(true);
    spark = await SparkSession.builder().remote(remote!).appName('sparkle-real-relations').config('spark.sql.shuffle.partitions', 2).create();
  }, 180_000);

  afterAll(async () => {
    await spark?.stop();
  });

  describe('createDataFrame (local_relation)', () => {
    it('rows go inline and come back with Spark types', async () => {
      const at = new Date('2026-12-07T10:11:12.345Z');
      const df = await spark.createDataFrame([
        { id: 1, name: 'Ada', score: 1.5, ok: true, at, raw: new Uint8Array([1, 2, 255]) },
        { id: 2, name: null, score: 2.25, ok: false, at: null, raw: null },
      ]);
      expect(df.relation.relType.case).toBe('localRelation');
      expect((await df.schema).fields.map((f) => [f.name, f.type])).toEqual([
        ['id', 'bigint'],
        ['name', 'string'],
        ['score', 'double'],
        ['ok', 'boolean'],
        ['at', 'timestamp'],
        ['raw', 'binary'],
      ]);
      expect(await df.orderBy('id').collect()).toEqual([
        { id: 1n, name: 'Ada', score: 1.5, ok: true, at: at.getTime(), raw: new Uint8Array([1, 2, 255]) },
        { id: 2n, name: null, score: 2.25, ok: false, at: null, raw: null },
      ]);
    });

    it('a DDL schema makes the server cast the uploaded columns', async () => {
      const df = await spark.createDataFrame([{ id: 1, label: 'a' }], { schema: 'id int, label string' });
      expect((await df.schema).fields.map((f) => f.type)).toEqual(['int', 'string']);
      expect(await df.collect()).toEqual([{ id: 1, label: 'a' }]);
      const empty = await spark.createDataFrame([], { schema: 'id bigint, name string' });
      expect(await empty.count()).toBe(0);
      expect((await empty.schema).fields.map((f) => f.name)).toEqual(['id', 'name']);
    });

    it('an Arrow table above inlineBytes is uploaded as chunked cached relations, every row intact', async () => {
      const n = 20_000;
      const ids = Array.from({ length: n }, (_, i) => BigInt(i));
      const table = new Table({
        id: vectorFromArray(ids, new Int64()),
        s: vectorFromArray(ids.map((i) => `row-${i}`), new Utf8()),
        x: vectorFromArray(ids.map((i) => Number(i) / 4), new Float64()),
      });
      const df = await spark.createDataFrame(table, { inlineBytes: 16 * 1024, chunkBytes: 64 * 1024 });
      expect(df.relation.relType.case).toBe('setOp');
      const [agg] = await df.agg(fn.count('*').alias('n'), fn.sum('id').alias('sum'), fn.countDistinct('s').alias('distinct'), fn.max('x').alias('max')).collect();
      expect(agg).toEqual({ n: BigInt(n), sum: BigInt((n * (n - 1)) / 2), distinct: BigInt(n), max: (n - 1) / 4 });
      const page = await df.orderBy(col('id').desc()).limit(3).collect();
      expect(page).toEqual([
        { id: 19_999n, s: 'row-19999', x: 19_999 / 4 },
        { id: 19_998n, s: 'row-19998', x: 19_998 / 4 },
        { id: 19_997n, s: 'row-19997', x: 19_997 / 4 },
      ]);
    });

    it('Arrow types Spark cannot read (millisecond timestamps and dates, dictionaries) are converted on the way', async () => {
      const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
      const table = new Table({
        at: vectorFromArray([at, null], new TimestampMillisecond('UTC')),
        day: vectorFromArray([new Date(Date.UTC(2026, 0, 2)), null], new DateMillisecond()),
        tag: vectorFromArray(['a', 'b']),
      });
      const df = await spark.createDataFrame(table);
      expect((await df.schema).fields.map((f) => f.type)).toEqual(['timestamp', 'date', 'string']);
      expect(await df.collect()).toEqual([
        { at, day: Date.UTC(2026, 0, 2), tag: 'a' },
        { at: null, day: null, tag: 'b' },
      ]);
    });

    it('a stream of record batches (a local frame) moves through writeTable into Parquet, append and overwrite', async () => {
      const dir = join(tmpdir(), `sparkle-real-relations-${randomUUID()}`);
      const conn = new ParquetDirConnection({ type: 'parquet-dir', config: { dir }, spark });
      async function* frame() {
        for (let part = 0; part < 4; part++) {
          const ids = Array.from({ length: 2500 }, (_, i) => BigInt(part * 2500 + i));
          yield* new Table({ id: vectorFromArray(ids, new Int64()), part: vectorFromArray(ids.map(() => `p${part}`), new Utf8()) }).batches;
        }
      }
      try {
        const first = await conn.writeTable(frame(), 'events', { mode: 'overwrite' });
        expect(first.written).toBe(true);
        const read = () => spark.read.format('parquet').load(join(dir, 'events'));
        expect(await read().count()).toBe(10_000);
        await conn.writeTable(new Table({ id: vectorFromArray([100_000n], new Int64()), part: vectorFromArray(['extra'], new Utf8()) }), 'events', { mode: 'append' });
        expect(await read().groupBy('part').count().orderBy('part').collect()).toEqual([
          { part: 'extra', count: 1n },
          { part: 'p0', count: 2500n },
          { part: 'p1', count: 2500n },
          { part: 'p2', count: 2500n },
          { part: 'p3', count: 2500n },
        ]);
        await conn.writeTable([{ id: 7, part: 'rows' }], 'events', { mode: 'overwrite' });
        expect(await read().collect()).toEqual([{ id: 7n, part: 'rows' }]);
      } finally {
        await conn.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('above maxBytes the upload stops with a clear error', async () => {
      const big = new Table({ id: vectorFromArray(Array.from({ length: 50_000 }, (_, i) => BigInt(i)), new Int64()) });
      await expect(spark.createDataFrame(big, { inlineBytes: 1024, chunkBytes: 32 * 1024, maxBytes: 100 * 1024 })).rejects.toThrow(/exceeds maxBytes/);
    });
  });

  describe('sql with parameters', () => {
    it('named arguments are typed literals: quotes and semicolons stay data', async () => {
      const rows = await spark
        .sql('SELECT :name AS name, :n + 1 AS n1, :day AS day, :price * 2 AS price2, :big AS big, :nothing IS NULL AS isnull', {
          name: "O'Brien'; DROP TABLE x; --",
          n: 41,
          day: lit.date('2026-12-07'),
          price: lit.decimal('12.50'),
          big: 2n ** 40n,
          nothing: null,
        })
        .collect();
      expect(rows).toEqual([{ name: "O'Brien'; DROP TABLE x; --", n1: 42, day: Date.UTC(2026, 11, 7), price2: '25.00', big: 2n ** 40n, isnull: true }]);
    });

    it('positional arguments, in order', async () => {
      expect(await spark.sql('SELECT ? AS a, ? AS b, ? AS c, typeof(?) AS t', [1, 'two', 3.5, lit.long(4)]).collect()).toEqual([{ a: 1, b: 'two', c: 3.5, t: 'bigint' }]);
      const filtered = await spark.sql('SELECT id FROM range(10) WHERE id BETWEEN ? AND ?', [3, 5]).collect();
      expect(filtered).toEqual([{ id: 3n }, { id: 4n }, { id: 5n }]);
    });
  });

  describe('transformations', () => {
    let people: DataFrame;
    let orders: DataFrame;

    beforeAll(async () => {
      people = await spark.createDataFrame([
        { id: 1, name: 'Ada', country: 'UK', age: 36 },
        { id: 2, name: 'Grace', country: 'US', age: 45 },
        { id: 3, name: 'Edsger', country: 'NL', age: null },
        { id: 4, name: 'Barbara', country: 'US', age: 41 },
      ]);
      orders = await spark.createDataFrame([
        { order_id: 10, person_id: 1, amount: 12.5 },
        { order_id: 11, person_id: 1, amount: 7.5 },
        { order_id: 12, person_id: 2, amount: 100 },
        { order_id: 13, person_id: 9, amount: 1 },
      ]);
    }, 180_000);

    it('orderBy with directions and nulls placement; offset pages', async () => {
      const byAge = (c: ReturnType<typeof col>) => people.orderBy(c, 'id').select('name').collect();
      expect(await byAge(col('age').asc())).toEqual([{ name: 'Edsger' }, { name: 'Ada' }, { name: 'Barbara' }, { name: 'Grace' }]);
      expect(await byAge(col('age').asc({ nulls: 'last' }))).toEqual([{ name: 'Ada' }, { name: 'Barbara' }, { name: 'Grace' }, { name: 'Edsger' }]);
      expect(await byAge(col('age').desc())).toEqual([{ name: 'Grace' }, { name: 'Barbara' }, { name: 'Ada' }, { name: 'Edsger' }]);
      expect(await byAge(col('age').desc({ nulls: 'first' }))).toEqual([{ name: 'Edsger' }, { name: 'Grace' }, { name: 'Barbara' }, { name: 'Ada' }]);
      expect(await people.orderBy('id').offset(1).limit(2).select('id').collect()).toEqual([{ id: 2n }, { id: 3n }]);
    });

    it('groupBy().agg with count, sum, avg, min, max, countDistinct', async () => {
      const rows = await people
        .groupBy('country')
        .agg(fn.count('*').alias('n'), fn.count('age').alias('with_age'), fn.sum('age').alias('sum'), fn.avg('age').alias('avg'), fn.min('name').alias('first'), fn.max('age').alias('oldest'), fn.countDistinct('name').alias('names'))
        .orderBy('country')
        .collect();
      expect(rows).toEqual([
        { country: 'NL', n: 1n, with_age: 0n, sum: null, avg: null, first: 'Edsger', oldest: null, names: 1n },
        { country: 'UK', n: 1n, with_age: 1n, sum: 36n, avg: 36, first: 'Ada', oldest: 36n, names: 1n },
        { country: 'US', n: 2n, with_age: 2n, sum: 86n, avg: 43, first: 'Barbara', oldest: 45n, names: 2n },
      ]);
      expect(await people.groupBy('country').count().orderBy(col('count').desc(), 'country').limit(1).collect()).toEqual([{ country: 'US', count: 2n }]);
      expect(await people.agg(fn.max('age').alias('max')).collect()).toEqual([{ max: 45n }]);
    });

    it('joins: inner, left, right, full, semi, anti on a condition; using columns', async () => {
      const p = people.alias('p');
      const o = orders.alias('o');
      const on = col('p.id').eq(col('o.person_id'));
      const ids = async (how: Parameters<DataFrame['join']>[2]) =>
        (await p.join(o, on, how).select(col('p.id').alias('pid'), col('o.order_id').alias('oid')).collect()).map((r) => [r.pid ?? null, r.oid ?? null]).sort(byPair);
      expect(await ids('inner')).toEqual([[1n, 10n], [1n, 11n], [2n, 12n]]);
      expect(await ids('left')).toEqual([[1n, 10n], [1n, 11n], [2n, 12n], [3n, null], [4n, null]]);
      expect(await ids('right')).toEqual([[1n, 10n], [1n, 11n], [2n, 12n], [null, 13n]]);
      expect(await ids('full')).toEqual([[1n, 10n], [1n, 11n], [2n, 12n], [3n, null], [4n, null], [null, 13n]]);
      expect((await p.join(o, on, 'semi').select('name').orderBy('name').collect()).map((r) => r.name)).toEqual(['Ada', 'Grace']);
      expect((await p.join(o, on, 'anti').select('name').orderBy('name').collect()).map((r) => r.name)).toEqual(['Barbara', 'Edsger']);
      const byColumn = await people.join(orders.withColumnRenamed('person_id', 'id'), 'id', 'inner').select('id', 'order_id').orderBy('order_id').collect();
      expect(byColumn).toEqual([
        { id: 1n, order_id: 10n },
        { id: 1n, order_id: 11n },
        { id: 2n, order_id: 12n },
      ]);
      expect(await people.join(orders).count()).toBe(16);
    });

    it('withColumns, withColumn, drop, toDF, alias, dropDuplicates, distinct, union', async () => {
      const shaped = people
        .withColumns({ decade: col('age').divide(10).cast('int'), adult: col('age').ge(18) })
        .withColumn('tag', fn.concat(col('country'), lit('-'), col('id').cast('string')))
        .drop('age', col('name'))
        .filter(col('id').le(2))
        .orderBy('id');
      expect(await shaped.collect()).toEqual([
        { id: 1n, country: 'UK', decade: 3, adult: true, tag: 'UK-1' },
        { id: 2n, country: 'US', decade: 4, adult: true, tag: 'US-2' },
      ]);
      expect(await shaped.toDF('a', 'b', 'c', 'd', 'e').select('a', 'e').collect()).toEqual([
        { a: 1n, e: 'UK-1' },
        { a: 2n, e: 'US-2' },
      ]);
      expect(await people.alias('x').select(col('x.name')).filter(col('x.id').eq(3)).collect()).toEqual([{ name: 'Edsger' }]);
      const countries = people.select('country');
      expect((await countries.distinct().orderBy('country').collect()).map((r) => r.country)).toEqual(['NL', 'UK', 'US']);
      expect(await people.dropDuplicates(['country']).count()).toBe(3);
      expect(await countries.union(countries).count()).toBe(8);
      expect(await countries.union(countries).distinct().count()).toBe(3);
    });
  });

  describe('expressions', () => {
    it('literals of every kind keep their types and values', async () => {
      const at = new Date('2026-12-07T01:02:03.456Z');
      const df = spark.range(1).select(
        lit(null).alias('nul'),
        lit(true).alias('bool'),
        lit(7).alias('int'),
        lit(2 ** 40).alias('long'),
        lit(0.5).alias('dbl'),
        lit('text').alias('str'),
        lit.decimal('-12.50').alias('dec'),
        lit.date('2026-12-07').alias('day'),
        lit.timestamp(at).alias('ts'),
        lit.binary(new Uint8Array([0, 1, 254])).alias('bin'),
        lit.null('string').alias('typed_null'),
        col('id').cast('string').alias('cast'),
      );
      expect((await df.schema).fields.map((f) => f.type)).toEqual(['void', 'boolean', 'int', 'bigint', 'double', 'string', 'decimal(4,2)', 'date', 'timestamp', 'binary', 'string', 'string']);
      expect(await df.collect()).toEqual([
        { nul: null, bool: true, int: 7, long: 2n ** 40n, dbl: 0.5, str: 'text', dec: '-12.50', day: Date.UTC(2026, 11, 7), ts: at.getTime(), bin: new Uint8Array([0, 1, 254]), typed_null: null, cast: '0' },
      ]);
    });

    it('operators and functions compute as in SQL', async () => {
      const df = spark.range(1, 6).select(
        col('id'),
        col('id').plus(1).multiply(2).minus(1).alias('calc'),
        col('id').mod(2).eq(0).alias('even'),
        col('id').ne(3).and(col('id').lt(5)).or(col('id').eqNullSafe(5)).alias('pick'),
        col('id').isin(1, 5).alias('edge'),
        col('id').between(2, 3).alias('mid'),
        col('id').divide(2).alias('half'),
        fn.upper(lit('ab')).alias('up'),
        fn.call('repeat', lit('x'), col('id').cast('int')).alias('xs'),
      );
      const rows = await df.filter(col('id').isNotNull().and(col('id').cast('string').like('%'))).orderBy('id').collect();
      expect(rows.map((r) => [r.id, r.calc, r.even, r.pick, r.edge, r.mid, r.half, r.up, r.xs])).toEqual([
        [1n, 3n, false, true, true, false, 0.5, 'AB', 'x'],
        [2n, 5n, true, true, false, true, 1, 'AB', 'xx'],
        [3n, 7n, false, false, false, true, 1.5, 'AB', 'xxx'],
        [4n, 9n, true, true, false, false, 2, 'AB', 'xxxx'],
        [5n, 11n, false, true, true, false, 2.5, 'AB', 'xxxxx'],
      ]);
    });
  });

  describe('errors and Spark 4.1 types', () => {
    it("FetchErrorDetails adds the error class's message parameters and query context", async () => {
      const error = (await spark.sql('SELECT * FROM sparkle_missing_table_x').collect().catch((e: unknown) => e)) as QueryError;
      expect(error).toBeInstanceOf(QueryError);
      expect(error.message).toMatch(/^Spark execution failed: \[TABLE_OR_VIEW_NOT_FOUND\] The table or view `sparkle_missing_table_x` cannot be found/);
      expect(error.message.match(/\[TABLE_OR_VIEW_NOT_FOUND\]/g)).toHaveLength(1);
      expect(error.details).toMatchObject({
        errorClass: 'TABLE_OR_VIEW_NOT_FOUND',
        sqlState: '42P01',
        messageParameters: { relationName: '`sparkle_missing_table_x`' },
        queryContext: [{ fragment: 'sparkle_missing_table_x' }],
        enriched: true,
      });
      expect(error.details.exceptionClasses).toContain('org.apache.spark.sql.AnalysisException');
    });

    it('TIME values decode as HH:MM:SS.ffffff, CHAR/VARCHAR and TIME show in schemas, VARIANT fails naming the type', async () => {
      await spark.conf.set('spark.sql.timeType.enabled', true);
      const times = spark.sql("SELECT TIME'12:34:56.123456' AS t, TIME'01:02:03' AS t0, CAST(NULL AS TIME) AS tn, :lit AS tl", { lit: lit.time('23:59:59.5') });
      expect((await times.schema).fields.map((f) => f.type)).toEqual(['time(6)', 'time(6)', 'time(6)', 'time(6)']);
      expect(await times.collect()).toEqual([{ t: '12:34:56.123456', t0: '01:02:03', tn: null, tl: '23:59:59.5' }]);
      // Spark reports CHAR/VARCHAR as string in query schemas unless asked to keep them.
      await spark.conf.set('spark.sql.preserveCharVarcharTypeInfo', true);
      const text = spark.sql("SELECT CAST('ab' AS CHAR(3)) AS c, CAST('ab' AS VARCHAR(5)) AS v");
      expect((await text.schema).fields.map((f) => f.type)).toEqual(['char(3)', 'varchar(5)']);
      expect(await text.collect()).toEqual([{ c: 'ab ', v: 'ab' }]);
      const variant = spark.sql(`SELECT parse_json('{"a":1}') AS j`);
      expect((await variant.schema).fields.map((f) => f.type)).toEqual(['variant']);
      const error = await variant.collect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedOperationError);
      expect((error as Error).message).toMatch(/Column 'j' has Spark type VARIANT/);
      expect(await spark.sql(`SELECT to_json(parse_json('{"a":1}')) AS j`).collect()).toEqual([{ j: '{"a":1}' }]);
    });
  });
});
