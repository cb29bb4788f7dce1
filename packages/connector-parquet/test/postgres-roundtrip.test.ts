/**
 * The seed's column mix through the real PostgreSQL: a partitioned read into Arrow, a Parquet
 * file, and back into a new table — compared exactly in SQL (numeric(12,2), µs timestamps,
 * dates, bigint beyond 2^53, booleans, NULLs).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, type JDBCConnection } from '@sparkle/core';
import '@sparkle/connector-postgres';
import { copyTable, type LocalFrame } from '@sparkle/engine-local';
import { findPostgres, MemoryLineageClient, type PostgresService } from '@sparkle/testkit';
import { parquetInfo } from '../src/index.js';

let service: PostgresService | null = null;
let dir: string;
const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const source = `public.sparkle_pq_src_${suffix}`;
const target = `public.sparkle_pq_dst_${suffix}`;

beforeAll(async () => {
  service = await findPostgres();
  dir = await mkdtemp(join(tmpdir(), 'sparkle-pq-pg-'));
}, 120_000);

afterAll(async () => {
  if (service) {
    const pg = await getConnection<JDBCConnection>('postgres', { config: service.config, dotenv: false });
    await pg.withSession(async (s) => {
      await s.execute(`DROP TABLE IF EXISTS ${source}`);
      await s.execute(`DROP TABLE IF EXISTS ${target}`);
    });
    await pg.close();
    await service.stop();
  }
  await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL → Parquet → PostgreSQL', () => {
  it('keeps every value of bigint, int, double, numeric(12,2), text, timestamp, boolean and date', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL available');
    const lineage = new MemoryLineageClient();
    const pg = await getConnection<JDBCConnection>('postgres', { config: service!.config, lineage, dotenv: false });
    const files = await getConnection('parquet', { config: { basePath: dir, compression: 'zstd', rowGroupSize: 700 }, lineage, dotenv: false });
    await pg.withSession(async (s) => {
      await s.execute(
        `CREATE TABLE ${source} (id bigint PRIMARY KEY, big bigint, n int, x double precision, amount numeric(12,2), label text, at timestamp, ok boolean, day date)`,
      );
      await s.execute(`INSERT INTO ${source}
        SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE 9007199254740993 + g END, CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7919) % 100000 - 50000 END,
               CASE WHEN g % 17 = 0 THEN NULL ELSE g / 3.0 END, CASE WHEN g % 19 = 0 THEN NULL ELSE ((g * 104729) % 9999999999) / 100.0 - 49999999.99 END,
               CASE WHEN g % 23 = 0 THEN NULL WHEN g % 29 = 0 THEN '' ELSE 'row ' || g || ' é,"q"' END,
               CASE WHEN g % 31 = 0 THEN NULL ELSE timestamp '2000-01-01' + (g * 1234567) * interval '1 microsecond' + g * interval '1 day' END,
               CASE WHEN g % 37 = 0 THEN NULL ELSE g % 2 = 0 END,
               CASE WHEN g % 41 = 0 THEN NULL ELSE date '1960-01-01' + g::int END
        FROM generate_series(1::bigint, 5000::bigint) g`);
    });

    const toFile = await copyTable({
      source: { connection: pg, table: source, options: { partitionColumn: 'id', numPartitions: 4 } },
      target: { connection: files, table: 'seed.parquet', options: { mode: 'overwrite' } },
    });
    expect(toFile.rows).toBe(5000);
    const info = await parquetInfo(join(dir, 'seed.parquet'));
    expect(info.rows).toBe(5000);
    expect(info.rowGroups).toBe(Math.ceil(5000 / 700));
    const types = Object.fromEntries(info.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types.amount).toMatch(/^Decimal\[12e\+2\]/);
    expect(types.at).toMatch(/^Timestamp<MICROSECOND/);
    expect(types.big).toBe('Int64');

    const back = await copyTable({
      source: { connection: files, table: 'seed.parquet', options: { numPartitions: 3 } },
      target: { connection: pg, table: target, options: { mode: 'overwrite' } },
    });
    expect(back.rows).toBe(5000);

    // Every column matches exactly, joined on id (bigints beyond 2^53 included).
    const columns = ['big', 'n', 'x', 'amount', 'label', 'at', 'ok', 'day'];
    const perColumn = await pg.query<LocalFrame>(
      `SELECT ${columns.map((c) => `sum(CASE WHEN s.${c} IS DISTINCT FROM d.${c} THEN 1 ELSE 0 END)::int AS ${c}`).join(', ')}, count(d.id)::int AS matched FROM ${source} s LEFT JOIN ${target} d ON d.id = s.id`,
    );
    expect(await perColumn.toArray()).toEqual([{ ...Object.fromEntries(columns.map((c) => [c, 0])), matched: 5000 }]);
    // The Parquet file itself holds the bigints exactly (PostgreSQL → Arrow → Parquet is lossless).
    const fromFile = await (await files.readTable<LocalFrame>('seed.parquet', { columns: ['id', 'big'] })).toArray();
    for (const row of fromFile) expect(row.big).toBe(Number(row.id) % 11 === 0 ? null : 9007199254740993n + BigInt(row.id as bigint));
    const nulls = await pg.query<LocalFrame>(`SELECT count(*)::int AS n FROM ${target} WHERE amount IS NULL OR at IS NULL OR label = ''`);
    expect(Number((await nulls.toArray())[0]!.n)).toBeGreaterThan(0);

    // Two copy jobs, each a parent run with a read and a write child.
    const copies = lineage.events.filter((e) => e.spec.operation === 'copy' && e.eventType === 'COMPLETE');
    expect(copies).toHaveLength(2);
    await pg.close();
    await files.close();
  }, 120_000);
});

