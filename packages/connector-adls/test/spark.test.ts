/** Spark (abfss://, the ABFS driver) golden specs for every auth method, and lineage naming: no server needed. */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { AdlsConnection } from '../src/index.js';

const open = (auth: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  getConnection<AdlsConnection>('adls', { config: { account: 'lake', filesystem: 'curated', prefix: 'zone', auth, ...extra }, dotenv: false, variables: {} });
const host = 'lake.dfs.core.windows.net';

describe('abfss:// golden specs', () => {
  it('account key: SharedKey auth type and the account key (secret)', async () => {
    await using conn = await open({ type: 'accountKey', accountKey: 'a2V5LWZvci1hZGxz' });
    expect(conn.sparkRead('sales/*.parquet')).toEqual({
      format: 'parquet',
      options: { [`fs.azure.account.auth.type.${host}`]: 'SharedKey', [`fs.azure.account.key.${host}`]: 'a2V5LWZvci1hZGxz' },
      paths: [`abfss://curated@${host}/zone/sales/*.parquet`],
      secretOptions: [`fs.azure.account.key.${host}`],
    });
    expect(conn.sparkWrite('out/sales.parquet', { mode: 'overwrite', partitionBy: ['region'] })).toMatchObject({
      format: 'parquet',
      mode: 'overwrite',
      path: `abfss://curated@${host}/zone/out/sales.parquet`,
      partitionBy: ['region'],
    });
    expect(conn.dataset('sales/a.parquet')).toEqual({ namespace: `abfss://curated@${host}`, name: 'zone/sales/a.parquet' });
  });

  it('service principal: OAuth with the client-credentials provider; only the secret is secret', async () => {
    await using conn = await open({ type: 'servicePrincipal', tenantId: 'tenant-9', clientId: 'client-9', clientSecret: 'sp-secret-value' });
    expect(conn.sparkRead('a.csv')).toEqual({
      format: 'csv',
      options: {
        [`fs.azure.account.auth.type.${host}`]: 'OAuth',
        [`fs.azure.account.oauth.provider.type.${host}`]: 'org.apache.hadoop.fs.azurebfs.oauth2.ClientCredsTokenProvider',
        [`fs.azure.account.oauth2.client.id.${host}`]: 'client-9',
        [`fs.azure.account.oauth2.client.secret.${host}`]: 'sp-secret-value',
        [`fs.azure.account.oauth2.client.endpoint.${host}`]: 'https://login.microsoftonline.com/tenant-9/oauth2/token',
        header: 'true',
      },
      paths: [`abfss://curated@${host}/zone/a.csv`],
      secretOptions: [`fs.azure.account.oauth2.client.secret.${host}`],
    });
  });

  it('SAS (fixed token), managed identity (MSI provider) and default (the server’s own config)', async () => {
    await using sas = await open({ type: 'sas', sasToken: '?sv=2024&sig=s1g' });
    expect(sas.sparkRead('a.parquet')).toMatchObject({
      options: { [`fs.azure.account.auth.type.${host}`]: 'SAS', [`fs.azure.sas.fixed.token.${host}`]: 'sv=2024&sig=s1g' },
      secretOptions: [`fs.azure.sas.fixed.token.${host}`],
    });
    await using msi = await open({ type: 'managedIdentity', clientId: 'uami-1' });
    expect(msi.sparkRead('a.parquet')).toMatchObject({
      options: {
        [`fs.azure.account.auth.type.${host}`]: 'OAuth',
        [`fs.azure.account.oauth.provider.type.${host}`]: 'org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider',
        [`fs.azure.account.oauth2.client.id.${host}`]: 'uami-1',
      },
      secretOptions: [],
    });
    await using def = await open({ type: 'default' });
    expect(def.sparkRead('a.parquet')).toEqual({ format: 'parquet', options: {}, paths: [`abfss://curated@${host}/zone/a.parquet`], secretOptions: [] });
  });
});
