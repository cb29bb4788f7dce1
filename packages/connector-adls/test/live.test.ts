/**
 * Opt-in live suite against a real ADLS Gen2 account (hierarchical namespace on), keyed by
 * environment variables: SPARKLE_TEST_ADLS_ACCOUNT and _FILESYSTEM (an existing filesystem),
 * plus one of _KEY, _SAS, _CONNECTION_STRING or _TENANT_ID/_CLIENT_ID/_CLIENT_SECRET (else
 * DefaultAzureCredential). It checks the in-process DFS fake against the real service: the same
 * suite, below a unique directory that is deleted afterwards. Unset: skipped, saying why.
 */
import { afterAll } from 'vitest';
import { getConnection } from '@sparkle/core';
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';
import type { AdlsConnection } from '../src/index.js';

const env = (name: string) => process.env[`SPARKLE_TEST_ADLS_${name}`];
const account = env('ACCOUNT');
const filesystem = env('FILESYSTEM');
const reason = 'SPARKLE_TEST_ADLS_ACCOUNT and SPARKLE_TEST_ADLS_FILESYSTEM are not set: no ADLS Gen2 account to test against (no emulator serves the DFS API)';

function auth(): Record<string, unknown> {
  if (env('KEY')) return { type: 'accountKey', accountKey: env('KEY') };
  if (env('SAS')) return { type: 'sas', sasToken: env('SAS') };
  if (env('CONNECTION_STRING')) return { type: 'connectionString', connectionString: env('CONNECTION_STRING') };
  if (env('CLIENT_SECRET')) return { type: 'servicePrincipal', tenantId: env('TENANT_ID'), clientId: env('CLIENT_ID'), clientSecret: env('CLIENT_SECRET') };
  return { type: 'default' };
}

const prefix = `sparkle-live/${Date.now().toString(36)}-${process.pid}`;
const config = account && filesystem ? { account, filesystem, prefix, auth: auth() } : undefined;
if (!config) console.info(`[adls live] skipped: ${reason}`);

testObjectStore({ type: 'adls', service: async () => (config ? { config } : { skip: reason }), tableExtension: 'parquet', streamedBytes: 9 * 1024 * 1024 });

afterAll(async () => {
  if (!config) return;
  await using conn = await getConnection<AdlsConnection>('adls', { config, dotenv: false, variables: {} });
  const keys: string[] = [];
  for await (const o of conn.listObjects()) keys.push(o.key);
  await conn.deleteObjects(keys);
});
