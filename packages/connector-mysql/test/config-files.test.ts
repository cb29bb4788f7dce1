/** The example configs in config/connections/mysql load, validate and (dev) reach the real MariaDB. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { MySQLConnection } from '../src/index.js';

const configDir = join(import.meta.dirname, '..', '..', '..', 'config');

it('dev config reaches the local server; prod config needs its variables and redacts the password', async () => {
  const dev = (await getConnection('mysql', { configDir, env: 'dev', variables: {}, dotenv: false })) as MySQLConnection;
  expect(await dev.test()).toBe(true);
  await dev.close();
  await expect(getConnection('mysql', { configDir, env: 'prod', variables: {}, dotenv: false })).rejects.toMatchObject({ code: 'CONFIG_MISSING_ENV' });
  const variables = { MYSQL_HOST: 'db.prod', MYSQL_DATABASE: 'shop', MYSQL_USER: 'app', MYSQL_PASSWORD: 'prod-Secret-123' };
  const prod = (await getConnection('mysql', { configDir, env: 'prod', variables, dotenv: false })) as MySQLConnection;
  expect(prod.sparkRead('orders', {}).options).toMatchObject({ url: 'jdbc:mysql://db.prod:3306/shop', sslMode: 'VERIFY_IDENTITY', useSSL: 'true', fetchsize: '10000' });
  expect(prod.config).toMatchObject({ bulkLoad: 'load-data', maxConnections: 8 });
  expect(String(prod)).not.toContain('prod-Secret-123');
  await prod.close();
});
