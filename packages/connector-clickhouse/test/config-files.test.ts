/** The example configs in config/connections/clickhouse load, validate and (dev) reach the real MariaDB. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { ClickHouseConnection } from '../src/index.js';

const configDir = join(import.meta.dirname, '..', '..', '..', 'config');

it('dev config reaches the local server; prod config needs its variables and redacts the password', async () => {
  const dev = (await getConnection('clickhouse', { configDir, env: 'dev', variables: {}, dotenv: false })) as ClickHouseConnection;
  expect(await dev.test()).toBe(true);
  await dev.close();
  await expect(getConnection('clickhouse', { configDir, env: 'prod', variables: {}, dotenv: false })).rejects.toMatchObject({ code: 'CONFIG_MISSING_ENV' });
  const variables = { CLICKHOUSE_HOST: 'db.prod', CLICKHOUSE_DATABASE: 'shop', CLICKHOUSE_USER: 'app', CLICKHOUSE_PASSWORD: 'prod-Secret-123' };
  const prod = (await getConnection('clickhouse', { configDir, env: 'prod', variables, dotenv: false })) as ClickHouseConnection;
  expect(prod.sparkRead('orders', {}).options).toMatchObject({ url: 'jdbc:clickhouse://db.prod:8443/shop?ssl=true', fetchsize: '65536', driver: 'com.clickhouse.jdbc.ClickHouseDriver' });
  expect(prod.connectionInfo()).toMatchObject({ host: 'db.prod', port: 8443, params: { ssl: 'true' } });
  expect(String(prod)).not.toContain('prod-Secret-123');
  await prod.close();
});
