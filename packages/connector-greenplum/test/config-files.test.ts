/** The example configs in config/connections/greenplum load, validate and (dev) reach the real MariaDB. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { GreenplumConnection } from '../src/index.js';

const configDir = join(import.meta.dirname, '..', '..', '..', 'config');

it('dev config reaches the local server; prod config needs its variables and redacts the password', async () => {
  const dev = (await getConnection('greenplum', { configDir, env: 'dev', variables: {}, dotenv: false })) as GreenplumConnection;
  expect(await dev.test()).toBe(true);
  await dev.close();
  await expect(getConnection('greenplum', { configDir, env: 'prod', variables: {}, dotenv: false })).rejects.toMatchObject({ code: 'CONFIG_MISSING_ENV' });
  const variables = { GREENPLUM_HOST: 'db.prod', GREENPLUM_DATABASE: 'shop', GREENPLUM_USER: 'app', GREENPLUM_PASSWORD: 'prod-Secret-123' };
  const prod = (await getConnection('greenplum', { configDir, env: 'prod', variables, dotenv: false })) as GreenplumConnection;
  expect(prod.sparkRead('orders', {}).options).toMatchObject({ url: 'jdbc:postgresql://db.prod:5432/shop', sslmode: 'verify-full', ssl: 'true', fetchsize: '10000' });
  expect(prod.config).toMatchObject({ distributedBy: 'RANDOMLY', maxConnections: 8 });
  expect(String(prod)).not.toContain('prod-Secret-123');
  await prod.close();
});
