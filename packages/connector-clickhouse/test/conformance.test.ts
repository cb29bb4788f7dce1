/** The shared conformance suite against the real ClickHouse (Debian's server, started by tools/services/ensure-clickhouse.sh). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { testConnector, type ServiceResult } from '@sparkle/testkit';
import { ClickHouseConnection } from '../src/index.js';

// Start (or find) the server first: what it supports decides how booleans come back.
let startError: string | undefined;
try {
  execFileSync('bash', [join(import.meta.dirname, '..', '..', '..', 'tools/services/ensure-clickhouse.sh')], { stdio: 'inherit', timeout: 240_000 });
} catch (error) {
  startError = (error as Error).message;
}

async function clickhouse(): Promise<ServiceResult> {
  if (startError) return { skip: `ClickHouse could not be started: ${startError}` };
  return { config: { url: 'jdbc:clickhouse://127.0.0.1:8123/default', user: 'default' } };
}

// Servers before 22.1 have no Bool type: booleans are stored (and read back) as UInt8 0/1.
const version = await fetch('http://127.0.0.1:8123/?query=SELECT%20version()')
  .then((r) => r.text())
  .catch(() => '0');
const hasBool = Number(version.split('.')[0]) >= 22;

testConnector({
  booleanAs: hasBool ? 'boolean' : 'number',
  type: 'clickhouse',
  connectionClass: ClickHouseConnection,
  validConfig: { url: 'jdbc:clickhouse://ch.internal:8123/events', user: 'reader', password: 'pw-Never-Printed-41', properties: { ssl: 'false' } },
  invalidConfigs: [{ name: 'a non-JDBC url', config: { url: 'http://ch:8123' }, path: 'url' }],
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  service: clickhouse,
  serviceRequired: true,
  unreachableConfig: { url: 'jdbc:clickhouse://127.0.0.1:1/default', user: 'default', password: 'pw-Never-Printed-41' },
  failTimeoutMs: 3000,
  tablePrefix: 'sparkle_ct_clickhouse',
});
