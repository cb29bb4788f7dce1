/**
 * The seed document's examples, in TypeScript, end to end against the real PostgreSQL server,
 * and the foundation issue's table of bad inputs: each gives a clear, typed error and no secret
 * appears in any output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ConnectionFactory, getConnection, SparkleError } from '@sparkle/core';
import '@sparkle/connector-postgres';
import '@sparkle/connector-sqlite';
import type { LocalFrame } from '@sparkle/engine-local';
import { blackHole, findPostgres, tempDir, type PostgresService, type TempDir } from '@sparkle/testkit';

const SECRET = 'Sup3r-Secret-Pw!';
let service: PostgresService | null;
let dir: TempDir;
let configDir: string;

function writeConfig(type: string, files: Record<string, unknown>) {
  const d = join(configDir, 'connections', type);
  mkdirSync(d, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(d, name), typeof body === 'string' ? body : JSON.stringify(body, null, 2));
}

beforeAll(async () => {
  service = await findPostgres();
  dir = await tempDir('sparkle-seed-');
  configDir = join(dir.path, 'config');
  // The seed's common.json, verbatim; prod.json in the seed's shape pointing at the test server.
  // The overlay turns ssl off because the local server has no certificate.
  writeConfig('postgres', {
    'common.json': { driver: 'org.postgresql.Driver', properties: { fetchsize: '10000', ssl: 'true' } },
    'prod.json': {
      url: service ? `jdbc:postgresql://${service.host}:${service.port}/${service.database}` : 'jdbc:postgresql://127.0.0.1:5432/test',
      user: '${POSTGRES_USER}',
      password: '${POSTGRES_PASSWORD}',
      properties: { ssl: 'false' },
    },
  });
  writeConfig('broken', { 'prod.json': '{ "url": "jdbc:postgresql://h/db", "password": "' + SECRET + '", }' });
  if (service) {
    const client = new pg.Client({ host: service.host, port: service.port, user: service.user, database: service.database });
    await client.connect();
    await client.query('DROP TABLE IF EXISTS public.seed_customers, public.seed_customers_gold');
    await client.query(`CREATE TABLE public.seed_customers AS
      SELECT CASE WHEN g % 97 = 0 THEN NULL ELSE g END AS customer_id, 'name-' || g AS name, (g % 1000) / 10.0 AS score
      FROM generate_series(1, 5000) g`);
    await client.end();
  }
});

afterAll(async () => {
  if (service) {
    // The shared server keeps nothing this suite made.
    const client = new pg.Client({ host: service.host, port: service.port, user: service.user, database: service.database });
    await client.connect();
    await client.query('DROP TABLE IF EXISTS public.seed_customers, public.seed_customers_gold');
    await client.end();
  }
  await dir?.[Symbol.asyncDispose]();
  await service?.stop();
});

const variables = () => ({ POSTGRES_USER: service?.user ?? 'postgres', POSTGRES_PASSWORD: SECRET });

describe('seed Quick Start on the embedded engine', () => {
  it('config overlays + env secrets, test(), partitioned read, overwrite write, close', async (ctx) => {
    if (!service) return ctx.skip('no PostgreSQL server and PGlite unavailable');
    const conn = await getConnection('postgres', { env: 'prod', configDir, variables: variables() });
    expect(conn.config).toMatchObject({ driver: 'org.postgresql.Driver', properties: { fetchsize: '10000', ssl: 'false' } });
    expect(await conn.test()).toBe(true);

    const df = await conn.readTable<LocalFrame>('public.seed_customers', {
      partitionColumn: 'customer_id',
      lowerBound: 0,
      upperBound: 1_000_000,
      numPartitions: 20,
    });
    const rows = await df.toArray();
    expect(rows).toHaveLength(5000); // every row once, NULL partition keys included
    expect(new Set(rows.map((r) => r.name)).size).toBe(5000);

    const again = await conn.readTable<LocalFrame>('public.seed_customers', { partitionColumn: 'customer_id', numPartitions: 4 });
    const result = await conn.writeTable(again, 'public.seed_customers_gold', { mode: 'overwrite' });
    expect(result).toMatchObject({ rows: 5000, written: true, mode: 'overwrite' });
    const check = await conn.query<LocalFrame>('SELECT count(*)::int AS n, count(customer_id)::int AS non_null FROM public.seed_customers_gold');
    expect(await check.toArray()).toEqual([{ n: 5000, non_null: 5000 - Math.floor(5000 / 97) }]);

    await conn.close();
    expect(conn.closed).toBe(true);
  });

  it('context management: await using closes the connection', async (ctx) => {
    if (!service) return ctx.skip('no PostgreSQL server');
    let ref: { closed: boolean } | undefined;
    {
      await using conn = await getConnection('postgres', { env: 'prod', configDir, variables: variables() });
      ref = conn;
      expect(await (await conn.readTable<LocalFrame>('public.seed_customers', { where: 'customer_id < 10' })).count()).toBe(9);
    }
    expect(ref!.closed).toBe(true);
  });

  it('override config: a config object skips files', async (ctx) => {
    if (!service) return ctx.skip('no PostgreSQL server');
    await using conn = await getConnection('postgresql', {
      config: { url: `jdbc:postgresql://${service.host}:${service.port}/${service.database}`, user: service.user, password: 'test' },
      configDir: join(dir.path, 'does-not-exist'),
    });
    expect(conn.type).toBe('postgres');
    expect(await conn.test()).toBe(true);
  });

  it('list available connections', () => {
    const available = ConnectionFactory.listAvailable();
    expect(available).toEqual(expect.arrayContaining(['postgres', 'sqlite']));
    expect(ConnectionFactory.listAvailable({ includeAliases: true })).toContain('postgresql');
  });
});

/** Every way a secret could be printed. */
function everyOutput(error: unknown): string {
  return [String(error), (error as Error).message, (error as Error).stack ?? '', JSON.stringify(error), inspect(error, { depth: 5 })].join('\n');
}

describe('bad input gives a clear error and prints no secret', () => {
  const cases: Array<{ name: string; run: () => Promise<unknown>; code: string; message: RegExp }> = [
    {
      name: 'unknown type (with suggestions)',
      run: () => getConnection('postgress', { configDir }),
      code: 'UNKNOWN_CONNECTION_TYPE',
      message: /Did you mean 'postgres'/,
    },
    {
      name: 'missing env var',
      run: () => getConnection('postgres', { env: 'prod', configDir, variables: { POSTGRES_USER: 'x' }, dotenv: false }),
      code: 'CONFIG_MISSING_ENV',
      message: /POSTGRES_PASSWORD.*prod\.json.*\$\.password/s,
    },
    {
      name: 'wrong field type',
      run: () => getConnection('postgres', { config: { host: '127.0.0.1', port: 'five', password: SECRET } }),
      code: 'CONFIG_INVALID',
      message: /port/,
    },
    {
      name: "env name '../x'",
      run: () => getConnection('postgres', { env: '../x', configDir }),
      code: 'INVALID_ENV_NAME',
      message: /\.\.\/x/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const error = await c.run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(SparkleError.isInstance(error), `${c.name} should fail with a SparkleError`).toBe(true);
      expect((error as SparkleError).code).toBe(c.code);
      expect((error as Error).message).toMatch(c.message);
      expect(everyOutput(error)).not.toContain(SECRET);
    });
  }

  it('malformed JSON names the file, line and column', async () => {
    const { registerConnection, SparkleConnection } = await import('@sparkle/core');
    registerConnection('broken', class BrokenConnection extends SparkleConnection {});
    const error = await getConnection('broken', { env: 'prod', configDir }).catch((e: unknown) => e);
    expect((error as SparkleError).code).toBe('CONFIG_PARSE');
    expect((error as Error).message).toMatch(/prod\.json.*line 1.*column \d+/s);
    expect(everyOutput(error)).not.toContain(SECRET);
  });

  it('unreachable host: the health check honours its timeout and reports a typed error', async () => {
    await using hole = await blackHole(); // accepts TCP, never speaks
    await using conn = await getConnection('postgres', { config: { host: hole.host, port: hole.port, user: 'u', password: SECRET, connectTimeoutMs: 800 } });
    const t0 = Date.now();
    const report = await conn.check({ timeoutMs: 800 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(report.ok).toBe(false);
    expect(report.failedTier).toBe('auth');
    expect(report.steps.find((s) => s.status === 'failed')?.error?.code).toMatch(/TIMEOUT|CONNECTION_FAILED/);
    expect(JSON.stringify(report) + String(conn)).not.toContain(SECRET);
    const closed = await getConnection('postgres', { config: { host: '127.0.0.1', port: 1, password: SECRET } });
    expect(await closed.test({ timeoutMs: 2000 })).toBe(false);
  });
});
