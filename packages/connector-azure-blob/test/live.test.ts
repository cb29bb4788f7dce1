/**
 * Opt-in live suite against a real Azure Blob Storage account, keyed by environment variables:
 * SPARKLE_TEST_AZURE_BLOB_ACCOUNT and _CONTAINER (an existing container), plus one of _KEY,
 * _SAS, _CONNECTION_STRING or _TENANT_ID/_CLIENT_ID/_CLIENT_SECRET (else DefaultAzureCredential).
 * Everything is written below a unique prefix and deleted afterwards. Unset: skipped, saying why.
 */
import { afterAll } from 'vitest';
import { getConnection } from '@sparkle/core';
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';
import type { AzureBlobConnection } from '../src/index.js';

const env = (name: string) => process.env[`SPARKLE_TEST_AZURE_BLOB_${name}`];
const account = env('ACCOUNT');
const container = env('CONTAINER');
const reason = 'SPARKLE_TEST_AZURE_BLOB_ACCOUNT and SPARKLE_TEST_AZURE_BLOB_CONTAINER are not set: no Azure Blob Storage account to test against';

function auth(): Record<string, unknown> {
  if (env('KEY')) return { type: 'accountKey', accountKey: env('KEY') };
  if (env('SAS')) return { type: 'sas', sasToken: env('SAS') };
  if (env('CONNECTION_STRING')) return { type: 'connectionString', connectionString: env('CONNECTION_STRING') };
  if (env('CLIENT_SECRET')) return { type: 'servicePrincipal', tenantId: env('TENANT_ID'), clientId: env('CLIENT_ID'), clientSecret: env('CLIENT_SECRET') };
  return { type: 'default' };
}

const prefix = `sparkle-live/${Date.now().toString(36)}-${process.pid}`;
const config = account && container ? { account, container, prefix, auth: auth() } : undefined;
if (!config) console.info(`[azure_blob live] skipped: ${reason}`);

testObjectStore({ type: 'azure_blob', service: async () => (config ? { config } : { skip: reason }), tableExtension: 'parquet', streamedBytes: 9 * 1024 * 1024 });

afterAll(async () => {
  if (!config) return;
  await using conn = await getConnection<AzureBlobConnection>('azure_blob', { config, dotenv: false, variables: {} });
  const keys: string[] = [];
  for await (const o of conn.listObjects()) keys.push(o.key);
  await conn.deleteObjects(keys);
});
