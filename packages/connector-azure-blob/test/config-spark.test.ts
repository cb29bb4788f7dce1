/** Config resolution, Spark (Hadoop) options as golden specs, error mapping and scrubbing: no server needed. */
import { describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import '../src/index.js';
import { azureError, resolveAzureTarget, scrubAzureText, type AzureBlobConnection, type AzureStorageConfig } from '../src/index.js';

const key = 'c2VjcmV0LWtleS1mb3ItZ29sZGVuLXNwZWNz';
const open = (config: Record<string, unknown>) => getConnection<AzureBlobConnection>('azure_blob', { config, dotenv: false, variables: {} });

describe('config resolution', () => {
  const target = (config: Record<string, unknown>, service: 'blob' | 'dfs' = 'blob') => resolveAzureTarget(config as unknown as AzureStorageConfig, service, 'azure_blob');

  it('builds the public endpoint from the account, or keeps an override', () => {
    expect(target({ account: 'lake', auth: { type: 'accountKey', accountKey: key } })).toEqual({
      account: 'lake',
      serviceUrl: 'https://lake.blob.core.windows.net',
      endpointSuffix: 'core.windows.net',
      credential: { kind: 'sharedKey', accountKey: key },
    });
    expect(target({ account: 'lake', auth: { type: 'sas', sasToken: '?sv=1&sig=x' } }, 'dfs')).toMatchObject({ serviceUrl: 'https://lake.dfs.core.windows.net', credential: { kind: 'sas', sasToken: 'sv=1&sig=x' } });
    expect(target({ account: 'lake', endpoint: 'https://lake.blob.core.chinacloudapi.cn/', auth: { type: 'default' } })).toMatchObject({
      serviceUrl: 'https://lake.blob.core.chinacloudapi.cn',
      endpointSuffix: 'core.chinacloudapi.cn',
      credential: { kind: 'token', method: 'default' },
    });
  });

  it('reads account, suffix and key or SAS from a connection string', () => {
    expect(target({ auth: { type: 'connectionString', connectionString: `DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=${key};EndpointSuffix=core.usgovcloudapi.net` } })).toEqual({
      account: 'lake',
      serviceUrl: 'https://lake.blob.core.usgovcloudapi.net',
      endpointSuffix: 'core.usgovcloudapi.net',
      credential: { kind: 'sharedKey', accountKey: key },
    });
    expect(target({ auth: { type: 'connectionString', connectionString: 'BlobEndpoint=https://lake.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=abc;AccountName=lake' } }, 'dfs')).toMatchObject({
      serviceUrl: 'https://lake.dfs.core.windows.net',
      credential: { kind: 'sas', sasToken: 'sv=1&sig=abc' },
    });
    expect(target({ auth: { type: 'connectionString', connectionString: 'UseDevelopmentStorage=true' } })).toMatchObject({ account: 'devstoreaccount1', serviceUrl: 'http://127.0.0.1:10000/devstoreaccount1' });
  });

  it('names the missing account or credential as config errors', () => {
    expect(() => target({ auth: { type: 'default' } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining("'account' is required") }));
    expect(() => target({ auth: { type: 'connectionString', connectionString: 'AccountName=lake' } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('Spark (wasbs://) golden specs', () => {
  it('account key: the account-scoped key, marked secret; paths under the prefix', async () => {
    await using conn = await open({ account: 'lake', container: 'raw', prefix: '/zone/', auth: { type: 'accountKey', accountKey: key } });
    expect(conn.sparkRead('events/2024-*.parquet')).toEqual({
      format: 'parquet',
      options: { 'fs.azure.account.key.lake.blob.core.windows.net': key },
      paths: ['wasbs://raw@lake.blob.core.windows.net/zone/events/2024-*.parquet'],
      secretOptions: ['fs.azure.account.key.lake.blob.core.windows.net'],
    });
    expect(conn.sparkWrite('out/orders.csv', { mode: 'append', partitionBy: ['day'] })).toEqual({
      format: 'csv',
      options: { 'fs.azure.account.key.lake.blob.core.windows.net': key, header: 'true' },
      mode: 'append',
      path: 'wasbs://raw@lake.blob.core.windows.net/zone/out/orders.csv',
      partitionBy: ['day'],
      secretOptions: ['fs.azure.account.key.lake.blob.core.windows.net'],
    });
    expect(conn.dataset('events/a.parquet')).toEqual({ namespace: 'wasbs://raw@lake.blob.core.windows.net', name: 'zone/events/a.parquet' });
  });

  it('SAS: the container-scoped SAS key; a connection string gives the key it holds', async () => {
    await using sas = await open({ account: 'lake', container: 'raw', auth: { type: 'sas', sasToken: '?sv=2024&sig=abc' } });
    expect(sas.sparkRead('a.json')).toMatchObject({ format: 'json', options: { 'fs.azure.sas.raw.lake.blob.core.windows.net': 'sv=2024&sig=abc' }, secretOptions: ['fs.azure.sas.raw.lake.blob.core.windows.net'] });
    await using cs = await open({ container: 'raw', auth: { type: 'connectionString', connectionString: `AccountName=lake;AccountKey=${key}` } });
    expect(cs.sparkRead('a.parquet').options).toEqual({ 'fs.azure.account.key.lake.blob.core.windows.net': key });
    expect(String(cs)).not.toContain(key);
  });

  it('Entra ID auth has no wasbs:// equivalent: a typed UNSUPPORTED error pointing at abfss://', async () => {
    await using conn = await open({ account: 'lake', container: 'raw', auth: { type: 'servicePrincipal', tenantId: 't', clientId: 'c', clientSecret: 'the-client-secret' } });
    const error = (() => {
      try {
        conn.sparkRead('a.parquet');
      } catch (e) {
        return e as SparkleError;
      }
    })();
    expect(error?.code).toBe('UNSUPPORTED');
    expect(error?.message).toMatch(/abfss/);
    expect(error?.message).not.toContain('the-client-secret');
  });
});

describe('error mapping', () => {
  const ctx = { connector: 'azure_blob', what: 'read a.csv', key: 'a.csv', container: "container 'raw' in account 'lake'", secrets: ['topsecret'] };
  const rest = (statusCode: number, code: string, message = `${code} happened`) => Object.assign(new Error(message), { name: 'RestError', statusCode, code });

  it.for([
    [403, 'AuthenticationFailed', 'AUTHENTICATION_FAILED', false],
    [403, 'AuthorizationPermissionMismatch', 'AUTHENTICATION_FAILED', false],
    [404, 'ContainerNotFound', 'QUERY_FAILED', false],
    [404, 'BlobNotFound', 'QUERY_FAILED', false],
    [409, 'BlobAlreadyExists', 'TABLE_EXISTS', false],
    [412, 'ConditionNotMet', 'QUERY_FAILED', true],
    [503, 'ServerBusy', 'QUERY_FAILED', true],
    [500, 'InternalError', 'QUERY_FAILED', true],
  ] as const)('%s %s → %s (retryable %s)', ([status, code, expected, retryable]) => {
    const e = azureError(rest(status, code), ctx);
    expect(e.code).toBe(expected);
    expect(e.retryable).toBe(retryable);
    expect(e.details.azureCode).toBe(code);
  });

  it('a refused connection is CONNECTION_FAILED; messages and causes are scrubbed of SAS signatures and secrets', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'RestError', code: 'REQUEST_SEND_ERROR' });
    expect(azureError(refused, ctx).code).toBe('CONNECTION_FAILED');
    const leaky = rest(400, 'InvalidQueryParameterValue', 'GET https://lake.blob.core.windows.net/raw/a.csv?sv=2024&sig=abc%2Bdef%3D failed with topsecret; Authorization: SharedKey lake:c2lnbmF0dXJl');
    const e = azureError(leaky, ctx);
    const text = `${e.message} ${String(e.cause)} ${JSON.stringify(e.toJSON())}`;
    for (const secret of ['abc%2Bdef%3D', 'topsecret', 'c2lnbmF0dXJl']) expect(text).not.toContain(secret);
    expect(scrubAzureText('AccountName=a;AccountKey=k1==;SharedAccessSignature=sv=1&sig=s', [])).toBe('AccountName=a;AccountKey=***;SharedAccessSignature=***');
  });
});
