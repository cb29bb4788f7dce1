/** The example configs under config/connections/postgres load, validate and work. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { findPostgres } from '@sparkle/testkit';
import '../src/index.js';
import type { PostgreSQLConnection } from '../src/index.js';

const configDir = fileURLToPath(new URL('../../../config', import.meta.url));

describe('config/connections/postgres', () => {
  it('prod: common.json + prod.json with secrets from env (the seed Quick Start)', async () => {
    await using conn = await getConnection<PostgreSQLConnection>('postgres', {
      env: 'prod',
      configDir,
      dotenv: false,
      variables: { POSTGRES_USER: 'etl', POSTGRES_PASSWORD: 'Prod-Secret-123' },
    });
    expect(conn.clientSettings()).toMatchObject({ host: 'prod-db', port: 5432, database: 'analytics', user: 'etl', ssl: { rejectUnauthorized: true } });
    expect(conn.sparkRead('public.customers', {}).options).toMatchObject({ driver: 'org.postgresql.Driver', fetchsize: '10000', ssl: 'true' });
    expect(String(conn)).not.toContain('Prod-Secret-123');
    expect(conn.resolved?.provenance.password?.envVars?.[0]?.name).toBe('POSTGRES_PASSWORD');
  });

  it('prod: a missing POSTGRES_PASSWORD is an error naming the variable', async () => {
    await expect(getConnection('postgres', { env: 'prod', configDir, dotenv: false, variables: { POSTGRES_USER: 'etl' } })).rejects.toMatchObject({
      code: 'CONFIG_MISSING_ENV',
      message: expect.stringContaining('POSTGRES_PASSWORD'),
    });
  });

  it('dev: points at the local server and passes its health check', async (ctx) => {
    const service = await findPostgres({ allowPglite: false });
    if (!service || service.source !== 'server') ctx.skip('no PostgreSQL at 127.0.0.1:5432');
    await using conn = await getConnection('postgres', { env: 'dev', configDir, dotenv: false, variables: {} });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });
});
