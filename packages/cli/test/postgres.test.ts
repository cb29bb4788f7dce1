/**
 * The CLI against the real PostgreSQL (127.0.0.1:5432, or a private PGlite server when none
 * answers — testkit's `findPostgres`), through the real `@sparkle/connector-postgres` loaded
 * with `--require`: a healthy check with all four tiers, an unreachable port, and copies in
 * both directions with a partitioned read.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, unregisterConnection, type JDBCConnection } from '@sparkle/core';
import { findPostgres, type PostgresService } from '@sparkle/testkit';
import type { CopyResult, TestResult } from '../src/index.js';
import { memtables } from './fixtures/fake-connections.js'; // registers memtable
import { run, tempTree } from './helpers.js';

const connector = resolve(import.meta.dirname, '../../connector-postgres/src/index.ts');
const parquetConnector = resolve(import.meta.dirname, '../../connector-parquet/src/index.ts');
const table = `sparkle_cli_${process.pid}`;
let pg: PostgresService | null;
let tree: ReturnType<typeof tempTree>;

async function sql(statement: string): Promise<Array<Record<string, unknown>>> {
  await using conn = await getConnection<JDBCConnection>('postgres', { config: pg!.config, dotenv: false, variables: {} });
  return conn.withSession((session) => session.queryRows(statement));
}

beforeAll(async () => {
  await import(connector);
  pg = await findPostgres();
  if (!pg) return;
  const config = pg.config as { url: string; user?: string; password?: string };
  tree = tempTree({
    // The seed's shape: common.json with driver and properties, the env file with the URL and ${VAR}s.
    'config/connections/postgres/common.json': { driver: 'org.postgresql.Driver', properties: { application_name: 'sparkle-cli-test' } },
    'config/connections/postgres/dev.json': { url: config.url, user: '${PG_TEST_USER}', password: '${PG_TEST_PASSWORD:-}' },
    'config/connections/postgres/down.json': { url: 'jdbc:postgresql://127.0.0.1:1/test', user: 'postgres' },
    'config/connections/memtable/common.json': {},
    // Parquet paths resolve against basePath (the connector's rule), here the temp dir's out/.
    'config/connections/parquet/common.json': (dir: string) => ({ basePath: join(dir, 'out'), compression: 'zstd' }),
  });
  await sql(`DROP TABLE IF EXISTS ${table}`);
  await sql(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name text, amount double precision)`);
  await sql(`INSERT INTO ${table} SELECT g, 'row ' || g, g * 0.5 FROM generate_series(1, 250) g`);
}, 60_000);

afterAll(async () => {
  if (pg) {
    await sql(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await sql(`DROP TABLE IF EXISTS ${table}_back`).catch(() => undefined);
    await sql(`DROP TABLE IF EXISTS ${table}_rt`).catch(() => undefined);
    await pg.stop();
  }
  tree?.cleanup();
  unregisterConnection('memtable');
  unregisterConnection('fake_db');
});

const env = () => ({ PG_TEST_USER: pg!.user, ...(pg!.password ? { PG_TEST_PASSWORD: pg!.password } : {}) });
const args = () => ['--require', connector, '--config-dir', join(tree.dir, 'config')];

describe('sparkle against PostgreSQL', () => {
  it('test postgres: every tier passes, exit 0', async () => {
    const result = await run(['test', 'postgresql', '--json', ...args()], { env: env(), cwd: tree.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = result.json<TestResult>();
    expect(report.type).toBe('postgres');
    expect(report.steps.map((s) => `${s.tier}:${s.status}`)).toEqual(['config:ok', 'network:ok', 'auth:ok', 'probe:ok']);
  });

  it('test postgres against a closed port: exit 1, network tier failed', async () => {
    const result = await run(['test', 'postgres', '--env', 'down', '--timeout', '5000', ...args()], { env: env(), cwd: tree.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/UNHEALTHY: network failed/);
  });

  it('config show postgres: the seed layout with provenance', async () => {
    const result = await run(['config', 'show', 'postgres', '--json', ...args()], { env: { ...env(), PG_TEST_PASSWORD: 'not-printed-pw' }, cwd: tree.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('not-printed-pw');
    const keys = Object.fromEntries(result.json<{ keys: Array<{ path: string; layer: string; value: unknown }> }>().keys.map((k) => [k.path, k]));
    expect(keys.driver).toMatchObject({ layer: 'common', value: 'org.postgresql.Driver' });
    expect(keys.url).toMatchObject({ layer: 'env' });
    expect(keys.password).toMatchObject({ layer: 'env', value: '***' });
  });

  it('copy postgres → memtable with a partitioned read returns every row once', async () => {
    memtables.delete('from_pg');
    const result = await run(['copy', `postgres:${table}`, 'memtable:from_pg', '--partition-column', 'id', '--num-partitions', '4', '--json', '--quiet', ...args()], {
      env: env(),
      cwd: tree.dir,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.json<CopyResult>()).toMatchObject({ ok: true, rows: 250, source: { type: 'postgres', table } });
    const ids = memtables.get('from_pg')!.map((r) => Number((r as { id: unknown }).id)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('copy memtable → postgres creates the table; errorIfExists then refuses a second copy', async () => {
    memtables.set('to_pg', [1, 2, 3].map((id) => ({ id, name: `n${id}` })));
    const first = await run(['copy', 'memtable:to_pg', `postgres:${table}_back`, '--quiet', ...args()], { env: env(), cwd: tree.dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^copied 3 rows/m);
    expect(await sql(`SELECT id::int AS id, name FROM ${table}_back ORDER BY id`)).toEqual([
      { id: 1, name: 'n1' },
      { id: 2, name: 'n2' },
      { id: 3, name: 'n3' },
    ]);
    const second = await run(['copy', 'memtable:to_pg', `postgres:${table}_back`, '--quiet', ...args()], { env: env(), cwd: tree.dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^error: \[TABLE_EXISTS\]/m);
  });

  it('the seed\'s job: postgres → parquet file → postgres, row for row', async () => {
    const withParquet = [...args(), '--require', parquetConnector];
    const out = await run(['copy', `postgres:${table}`, 'parquet:customers.parquet', '--partition-column', 'id', '--num-partitions', '3', '--quiet', ...withParquet], { env: env(), cwd: tree.dir });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^copied 250 rows .* to parquet:customers\.parquet/m);
    expect(existsSync(join(tree.dir, 'out/customers.parquet'))).toBe(true);

    const back = await run(['copy', 'parquet:customers.parquet', `postgres:${table}_rt`, '--json', '--quiet', ...withParquet], { env: env(), cwd: tree.dir });
    expect(back.code).toBe(0);
    expect(back.json<CopyResult>()).toMatchObject({ ok: true, rows: 250 });
    const [diff] = await sql(
      `SELECT count(*)::int AS n FROM ((SELECT id, name, amount FROM ${table} EXCEPT SELECT id, name, amount FROM ${table}_rt) UNION ALL (SELECT id, name, amount FROM ${table}_rt EXCEPT SELECT id, name, amount FROM ${table})) d`,
    );
    expect(diff).toEqual({ n: 0 });
  });
});
