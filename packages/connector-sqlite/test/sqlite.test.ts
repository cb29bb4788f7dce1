/** What is special about SQLite: config forms, types by affinity, atomic overwrite, identifiers. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type JdbcSession } from '@sparkle/core';
import { collectRows, tempDir, type TempDir } from '@sparkle/testkit';
import '../src/index.js';
import type { SQLiteConnection } from '../src/index.js';

const open = (config: Record<string, unknown>) => getConnection<SQLiteConnection>('sqlite', { config, dotenv: false, variables: {} });
const pkgDir = fileURLToPath(new URL('..', import.meta.url));

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('sparkle-sqlite-');
});
afterAll(async () => {
  await dir.cleanup();
});

async function sql(conn: SQLiteConnection, text: string, params: unknown[] = []) {
  return conn.withSession((s: JdbcSession) => s.queryRows(text, params));
}

describe('config', () => {
  it('accepts jdbc:sqlite: URLs, path, database and :memory:', async () => {
    const file = join(dir.path, 'forms.db');
    for (const config of [{ url: `jdbc:sqlite:${file}` }, { path: file }, { database: file }]) {
      await using conn = await open(config);
      expect(conn.databasePath()).toBe(file);
      expect(conn.jdbcUrl()).toBe(`jdbc:sqlite:${file}`);
    }
    await using mem = await open({ path: ':memory:' });
    expect(mem.databasePath()).toBe(':memory:');
    expect(await mem.test()).toBe(true);
    await expect(open({})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('maps to Spark JDBC with org.sqlite.JDBC', async () => {
    await using conn = await open({ path: join(dir.path, 'spark.db') });
    const spec = conn.sparkRead('main.orders', { predicates: ['id < 10', 'id >= 10'], fetchSize: 500 });
    expect(spec).toMatchObject({ format: 'jdbc', predicates: ['id < 10', 'id >= 10'] });
    expect(spec.options).toMatchObject({ driver: 'org.sqlite.JDBC', url: `jdbc:sqlite:${join(dir.path, 'spark.db')}`, dbtable: '"main"."orders"', fetchsize: '500' });
    expect(conn.sparkWrite('t', { mode: 'append', batchSize: 100 }).options).toMatchObject({ batchsize: '100', dbtable: '"t"' });
  });

  it('reports a missing file in the health check, typed, without network tier', async () => {
    await using conn = await open({ path: join(dir.path, 'nope', 'missing.db') });
    const report = await conn.check();
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.tier === 'network')?.status).toBe('skipped');
    expect(report.steps.find((s) => s.tier === 'auth')?.error?.code).toBe('CONNECTION_FAILED');
  });

  it('does not load better-sqlite3 or apache-arrow at import', () => {
    const script = `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
      await import('./src/index.ts');
      console.log(String(Object.keys(require.cache).filter((k) => /node_modules\\/(better-sqlite3|apache-arrow)\\//.test(k)).length));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: pkgDir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    expect(out.trim().split('\n').pop()).toBe('0');
  }, 30_000);
});

describe('data', () => {
  let conn: SQLiteConnection;
  beforeAll(async () => {
    conn = await open({ path: join(dir.path, 'data.db') });
  });
  afterAll(async () => {
    await conn.close();
  });

  it('round-trips exact int64, floats and text; reads booleans, blobs and date/time text by declared type', async () => {
    const { tableFromArrays, vectorFromArray } = await import('apache-arrow');
    const source = tableFromArrays({
      big: BigInt64Array.from([9223372036854775807n, -9223372036854775808n, 0n]),
      f: Float64Array.from([1.5, -0.1, 1e300]),
      s: vectorFromArray(['héllo ✓', '', null]) as never,
    });
    await conn.writeTable(source, 'types', { mode: 'overwrite' });
    const rows = await collectRows(await conn.readTable('types'));
    expect(rows).toEqual([
      { big: 9223372036854775807n, f: 1.5, s: 'héllo ✓' },
      { big: -9223372036854775808n, f: -0.1, s: '' },
      { big: 0n, f: 1e300, s: null },
    ]);
    await sql(conn, 'DROP TABLE IF EXISTS mixed');
    await sql(conn, 'CREATE TABLE mixed (b BOOLEAN, blob BLOB, d DATE, ts TIMESTAMP, n TEXT)');
    await sql(conn, "INSERT INTO mixed VALUES (1, x'00ff', '2024-02-29', '2024-02-29 23:59:59.999999', '12345678901234567890.12'), (NULL, NULL, NULL, NULL, NULL)");
    const mixed = await collectRows(await conn.readTable('mixed'));
    expect(mixed[0]).toEqual({ b: true, blob: new Uint8Array([0, 255]), d: '2024-02-29', ts: '2024-02-29 23:59:59.999999', n: '12345678901234567890.12' });
    expect(mixed[1]).toEqual({ b: null, blob: null, d: null, ts: null, n: null });
  });

  it('writes Arrow timestamps (µs) and decimals exactly', async () => {
    const arrow = await import('apache-arrow');
    const schema = new arrow.Schema([new arrow.Field('ts', new arrow.TimestampMicrosecond(), true), new arrow.Field('amount', new arrow.Decimal(2, 12, 128), true)]);
    const ts = arrow.makeData({ type: new arrow.TimestampMicrosecond(), length: 2, nullCount: 1, nullBitmap: Uint8Array.from([1]), data: BigInt64Array.from([1_709_251_199_999_999n, 0n]) });
    const dec = arrow.makeData({ type: new arrow.Decimal(2, 12, 128), length: 2, nullCount: 0, data: Uint32Array.from([4294967295, 4294967295, 4294967295, 4294967295, 12345, 0, 0, 0]) });
    const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: 2, nullCount: 0, children: [ts, dec] }));
    await conn.writeTable([batch], 'exact', { mode: 'overwrite' });
    expect(await sql(conn, 'SELECT ts, amount, typeof(amount) AS t FROM exact')).toEqual([
      { ts: '2024-02-29 23:59:59.999999', amount: '-0.01', t: 'text' },
      { ts: null, amount: '123.45', t: 'text' },
    ]);
  });

  it('streams in fetchSize batches and reads partitions with NULL keys exactly once', async () => {
    await sql(conn, 'DROP TABLE IF EXISTS parts');
    await sql(conn, 'CREATE TABLE parts (k INTEGER, id INTEGER)');
    await sql(conn, 'WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 2500) INSERT INTO parts SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE i END, i FROM g');
    const sizes: number[] = [];
    for await (const b of (await conn.readTable('parts', { fetchSize: 1000 })) as AsyncIterable<{ numRows: number }>) sizes.push(b.numRows);
    expect(sizes).toEqual([1000, 1000, 500]);
    const ids = (rows: Array<Record<string, unknown>>) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    const all = ids(await collectRows(await conn.readTable('parts')));
    for (const numPartitions of [2, 3, 10]) {
      expect(ids(await collectRows(await conn.readTable('parts', { partitionColumn: 'k', lowerBound: 100, upperBound: 2000, numPartitions })))).toEqual(all);
    }
    expect(ids(await collectRows(await conn.readTable('parts', { partitionColumn: 'k', numPartitions: 4 })))).toEqual(all);
    const q = await collectRows(await conn.query('SELECT count(*) AS n, sum(id) AS s FROM parts WHERE id > ?', [2000]));
    expect(q).toEqual([{ n: 500n, s: 1125250n }]);
  });

  it('keeps the old table when an overwrite fails halfway, with no staging table left', async () => {
    await conn.writeTable([{ id: 1, v: 'old' }], 'atomic', { mode: 'overwrite' });
    const { rowsToBatches } = await import('@sparkle/engine-local');
    async function* failing() {
      for await (const b of rowsToBatches(Array.from({ length: 300 }, (_, i) => ({ id: i, v: 'new' })), { batchSize: 100 })) {
        yield b;
        throw new Error('source failed halfway');
      }
    }
    const error = await conn.writeTable(failing(), 'atomic', { mode: 'overwrite' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SparkleError).code).toBe('WRITE_FAILED');
    expect(await sql(conn, 'SELECT id, v FROM atomic')).toEqual([{ id: 1n, v: 'old' }]);
    expect(await sql(conn, "SELECT name FROM sqlite_master WHERE name LIKE 'atomic__sparkle_stg_%'")).toEqual([]);
    // A failing append rolls back too.
    const appendError = await conn.writeTable(failing(), 'atomic', { mode: 'append' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(SparkleError.isInstance(appendError)).toBe(true);
    expect(await sql(conn, 'SELECT count(*) AS n FROM atomic')).toEqual([{ n: 1n }]);
  });

  it('quotes hostile identifiers', async () => {
    await sql(conn, 'CREATE TABLE IF NOT EXISTS victim (id INTEGER)');
    const quoted = `"${'x"; DROP TABLE victim; --'.replace(/"/g, '""')}"`;
    await conn.writeTable([{ 'we"ird': 1 }], quoted, { mode: 'overwrite' });
    expect(await collectRows(await conn.readTable(quoted))).toEqual([{ 'we"ird': 1n }]);
    expect(await sql(conn, "SELECT name FROM sqlite_master WHERE name = 'victim'")).toEqual([{ name: 'victim' }]);
    const found = (await conn.discover()).find((t) => t.name === 'x"; DROP TABLE victim; --');
    expect(found?.columns).toEqual([{ name: 'we"ird', dataType: 'INTEGER', sparkType: 'int', nullable: true }]);
  });
});
