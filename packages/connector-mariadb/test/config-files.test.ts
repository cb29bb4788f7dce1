/** The example configs in config/connections/mariadb load, validate and (dev) reach the real MariaDB. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { MariaDBConnection } from '../src/index.js';

const configDir = join(import.meta.dirname, '..', '..', '..', 'config');

it('dev config reaches the local server; prod config needs its variables and redacts the password', async () => {
  const dev = (await getConnection('mariadb', { configDir, env: 'dev', variables: {}, dotenv: false })) as MariaDBConnection;
  expect(await dev.test()).toBe(true);
  await dev.close();
  await expect(getConnection('mariadb', { configDir, env: 'prod', variables: {}, dotenv: false })).rejects.toMatchObject({ code: 'CONFIG_MISSING_ENV' });
  const variables = { MARIADB_HOST: 'db.prod', MARIADB_DATABASE: 'shop', MARIADB_USER: 'app', MARIADB_PASSWORD: 'prod-Secret-123' };
  const prod = (await getConnection('mariadb', { configDir, env: 'prod', variables, dotenv: false })) as MariaDBConnection;
  expect(prod.sparkRead('orders', {}).options).toMatchObject({ url: 'jdbc:mysql://db.prod:3306/shop?permitMysqlScheme', sslMode: 'verify-full', fetchsize: '10000', driver: 'org.mariadb.jdbc.Driver' });
  expect(prod.config).toMatchObject({ queryTimeoutMs: 600000, maxConnections: 8 });
  expect(String(prod)).not.toContain('prod-Secret-123');
  await prod.close();
});
