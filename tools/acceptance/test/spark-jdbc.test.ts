/**
 * `getConnection(type, { spark })` for the JDBC connectors, through a real Spark Connect server
 * reading from and writing to the real local PostgreSQL, MariaDB (as `mysql` with Connector/J and
 * as `mariadb` with MariaDB's driver) and a SQLite file. Every result is compared row for row with
 * what the local engine reads from the same table. Tables are dropped at the end.
 *
 * The server comes from the tools global setup (tools/services/ensure-spark-connect.sh); with CI
 * set, a missing server or database fails the run instead of skipping.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { getConnection, type JDBCConnection } from '@sparkle/core';
import '@sparkle/connector-postgres';
import '@sparkle/connector-mysql';
import '@sparkle/connector-mariadb';
import '@sparkle/connector-sqlite';
import type { LocalFrame } from '@sparkle/engine-local';
import { SparkSession, type DataFrame } from '@sparkle/spark-connect';
import { findMariaDb, findPostgres, sparkRemoteForTests, tempDir, type TempDir } from '@sparkle/testkit';

const remote = sparkRemoteForTests(inject);
const RUN = Date.now().toString(36);

/** 100 rows with NULLs in every nullable column, non-ASCII text and fractional numbers. */
const ROWS = Array.from({ length: 100 }, (_, i) => {
  const id = i + 1;
  return {
    id,
    name: id % 7 === 0 ? null : id % 10 === 3 ? `Zürich – 東京 ${id}` : `row '${id}'`,
    score: id % 5 === 0 ? null : id / 4 - 10,
    active: id % 11 === 0 ? null : id % 2 === 0,
  };
});

/**
 * One comparable shape for rows from either engine: sorted by id, integers as numbers, booleans
 * as booleans whether the database kept them as BOOLEAN, TINYINT(1), BIT(1) or INTEGER.
 */
function canonical(rows: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  const bool = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'boolean' ? v : v instanceof Uint8Array ? v[0] !== 0 : Number(v) !== 0);
  return rows
    .map((r) => {
      const lower = Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
      return {
        id: Number(lower.id),
        name: lower.name ?? null,
        score: lower.score === null || lower.score === undefined ? null : Number(lower.score),
        active: bool(lower.active),
      };
    })
    .sort((a, b) => a.id - b.id);
}

interface Target {
  type: 'postgres' | 'mysql' | 'mariadb' | 'sqlite';
  config: () => Record<string, unknown> | null;
}

let spark: SparkSession;
let sqliteDir: TempDir;
let postgresConfig: Record<string, unknown> | null = null;
let mariadbConfig: Record<string, unknown> | null = null;

const targets: Target[] = [
  { type: 'postgres', config: () => postgresConfig },
  // `mysql` speaks to the MariaDB server through MySQL Connector/J on the Spark side.
  { type: 'mysql', config: () => (mariadbConfig ? { ...mariadbConfig, url: String(mariadbConfig.url).replace('jdbc:mariadb:', 'jdbc:mysql:') } : null) },
  { type: 'mariadb', config: () => mariadbConfig },
  { type: 'sqlite', config: () => ({ url: `jdbc:sqlite:${join(sqliteDir.path, 'spark.db')}` }) },
];

describe.skipIf(!remote)('JDBC connectors through a real Spark Connect server', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    spark = await SparkSession.builder().remote(remote!).appName('sparkle-acceptance-jdbc').config('spark.sql.shuffle.partitions', 2).create();
    sqliteDir = await tempDir('sparkle-spark-sqlite-');
    const pg = await findPostgres({ allowPglite: false });
    if (pg) postgresConfig = { url: pg.url, user: pg.user, ...(pg.password ? { password: pg.password } : {}) };
    const maria = await findMariaDb();
    if (maria) mariadbConfig = { url: maria.url, user: maria.user, ...(maria.password ? { password: maria.password } : {}) };
    if (process.env.CI && (!pg || !maria)) throw new Error('CI: PostgreSQL and MariaDB must answer on loopback (tools/services/ensure-postgres.sh, ensure-mariadb.sh)');
  });

  afterAll(async () => {
    await spark?.stop();
    await sqliteDir?.cleanup();
  });

  for (const target of targets) {
    it(`${target.type}: Spark reads partitioned and by predicates, writes append and overwrite, row for row with the local engine`, async (ctx) => {
      const config = target.config();
      if (!config) return ctx.skip(`no ${target.type} server on loopback`);
      const source = `sparkle_spark_src_${target.type}_${RUN}`;
      const sink = `sparkle_spark_dst_${target.type}_${RUN}`;
      await using local = (await getConnection(target.type, { config })) as JDBCConnection;
      await using viaSpark = (await getConnection(target.type, { config, spark })) as JDBCConnection;
      try {
        await local.writeTable(ROWS, source, { mode: 'overwrite' });
        const expected = canonical(await (await local.readTable<LocalFrame>(source)).toArray());
        expect(expected).toEqual(canonical(ROWS));

        // Range partitioning: four JDBC queries split on id.
        const partitioned = await viaSpark.readTable<DataFrame>(source, { partitionColumn: 'id', lowerBound: 1, upperBound: 100, numPartitions: 4 });
        expect(canonical(await partitioned.collect())).toEqual(expected);
        // Predicates: one partition per WHERE clause, together covering every row once.
        const byPredicates = await viaSpark.readTable<DataFrame>(source, { predicates: ['id <= 30', 'id > 30 AND id <= 70', 'id > 70'] });
        expect(canonical(await byPredicates.collect())).toEqual(expected);
        // A pushed-down projection and filter.
        const filtered = await viaSpark.readTable<DataFrame>(source, { columns: ['id', 'name'], where: 'id > 90' });
        expect((await filtered.collect()).map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);

        // Spark 4 asks the JDBC dialect whether "no such table" means absent; it has no SQLite
        // dialect, so it cannot create a SQLite table: the sink must exist (Spark then replaces it).
        if (target.type === 'sqlite') await local.writeTable(ROWS.slice(0, 1), sink, { mode: 'overwrite' });
        // Spark writes: overwrite creates (or replaces) the sink, append adds to it, overwrite replaces it.
        const all = await viaSpark.readTable<DataFrame>(source, { partitionColumn: 'id', lowerBound: 1, upperBound: 100, numPartitions: 2 });
        await viaSpark.writeTable(all.filter('id <= 60'), sink, { mode: 'overwrite' });
        await viaSpark.writeTable(all.filter('id > 60'), sink, { mode: 'append' });
        expect(canonical(await (await local.readTable<LocalFrame>(sink)).toArray())).toEqual(expected);
        await viaSpark.writeTable(all.filter('id % 10 = 0'), sink, { mode: 'overwrite' });
        expect(canonical(await (await local.readTable<LocalFrame>(sink)).toArray())).toEqual(expected.filter((r) => r.id % 10 === 0));
        // And what Spark reads back of its own write is the same.
        expect(canonical(await (await viaSpark.readTable<DataFrame>(sink)).collect())).toEqual(expected.filter((r) => r.id % 10 === 0));
      } finally {
        for (const table of [source, sink]) await local.withSession((s) => s.execute(`DROP TABLE IF EXISTS ${local.quoteTable(table)}`)).catch(() => undefined);
      }
    });
  }
});
