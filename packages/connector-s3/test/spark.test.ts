/**
 * Golden Spark options: what `sparkRead`/`sparkWrite` hand Spark for each way of configuring
 * credentials and endpoints (Hadoop S3A keys, as in /work/shared/reference/spark-mappings.md),
 * with the secret ones marked. No Spark server reaches moto from here, so these are checked
 * against the expected option maps, not by a Spark round trip.
 */
import { describe, expect, it } from 'vitest';
import { getConnection, type SparkReadSpec } from '@sparkle/core';
import { S3A_PROVIDERS, type S3Connection } from '../src/index.js';
import './helpers.js';

async function spec(config: Record<string, unknown>, key = 'raw/orders.parquet'): Promise<SparkReadSpec> {
  await using conn = await getConnection<S3Connection>('s3', { config: { bucket: 'lake', ...config }, dotenv: false, variables: {} });
  return conn.sparkRead(key);
}

describe('Spark S3A options (golden)', () => {
  it('static keys: SimpleAWSCredentialsProvider, access and secret key, the secret marked', async () => {
    const s = await spec({ region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'golden-secret' });
    expect(s).toEqual({
      format: 'parquet',
      paths: ['s3a://lake/raw/orders.parquet'],
      options: {
        'fs.s3a.endpoint.region': 'eu-west-1',
        'fs.s3a.access.key': 'AKIAEXAMPLE',
        'fs.s3a.secret.key': 'golden-secret',
        'fs.s3a.aws.credentials.provider': S3A_PROVIDERS.simple,
      },
      secretOptions: ['fs.s3a.secret.key'],
    });
    expect(S3A_PROVIDERS.simple).toBe('org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider');
  });

  it('session token: TemporaryAWSCredentialsProvider and the token marked secret', async () => {
    const s = await spec({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'golden-secret', sessionToken: 'golden-token' });
    expect(s.options).toEqual({
      'fs.s3a.access.key': 'ASIAEXAMPLE',
      'fs.s3a.secret.key': 'golden-secret',
      'fs.s3a.session.token': 'golden-token',
      'fs.s3a.aws.credentials.provider': 'org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider',
    });
    expect(s.secretOptions).toEqual(['fs.s3a.secret.key', 'fs.s3a.session.token']);
  });

  it('an S3-compatible endpoint over plain HTTP: endpoint, path style, SSL off', async () => {
    const s = await spec({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, accessKeyId: 'minio', secretAccessKey: 'golden-secret' });
    expect(s.options).toMatchObject({
      'fs.s3a.endpoint': 'http://127.0.0.1:9000',
      'fs.s3a.path.style.access': 'true',
      'fs.s3a.connection.ssl.enabled': 'false',
    });
    const https = await spec({ endpoint: 'https://storage.example.test', forcePathStyle: false });
    expect(https.options).toEqual({ 'fs.s3a.endpoint': 'https://storage.example.test', 'fs.s3a.connection.ssl.enabled': 'true', 'fs.s3a.path.style.access': 'false' });
  });

  it('anonymous: AnonymousAWSCredentialsProvider and no keys', async () => {
    const s = await spec({ anonymous: true });
    expect(s.options).toEqual({ 'fs.s3a.aws.credentials.provider': 'org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider' });
    expect(s.secretOptions).toEqual([]);
  });

  it('a profile or the default chain sets no credentials: the Spark cluster uses its own identity', async () => {
    expect((await spec({ profile: 'analytics' })).options).toEqual({});
    expect((await spec({})).options).toEqual({});
  });

  it('paths carry the prefix; globs and directories map to s3a URIs; writes carry mode and partitionBy', async () => {
    await using conn = await getConnection<S3Connection>('s3', { config: { bucket: 'lake', prefix: '/warehouse/raw/', format: 'csv' }, dotenv: false, variables: {} });
    expect(conn.sparkRead('2024-*/*.csv').paths).toEqual(['s3a://lake/warehouse/raw/2024-*/*.csv']);
    expect(conn.sparkRead('orders').paths).toEqual(['s3a://lake/warehouse/raw/orders']);
    expect(conn.sparkRead('orders').options).toMatchObject({ header: 'true' });
    const write = conn.sparkWrite('out/orders', { mode: 'overwrite', partitionBy: ['day'], options: { format: 'parquet' } });
    expect(write).toMatchObject({ format: 'parquet', mode: 'overwrite', path: 's3a://lake/warehouse/raw/out/orders', partitionBy: ['day'] });
    expect(() => conn.sparkRead('../other/x.csv')).toThrow(/leaves the connection's root/);
  });

  it('secret values never appear in the connection printed or in its plan description', async () => {
    await using conn = await getConnection<S3Connection>('s3', { config: { bucket: 'lake', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'golden-secret', sessionToken: 'golden-token' }, dotenv: false, variables: {} });
    const printed = `${String(conn)} ${JSON.stringify(conn)} ${JSON.stringify(conn.redactValue(conn.sparkRead('a.parquet')))}`;
    expect(printed).not.toContain('golden-secret');
    expect(printed).not.toContain('golden-token');
  });
});

describe('config as users write it', () => {
  it('normalises the prefix and defaults part size, queue and attempts', async () => {
    await using conn = await getConnection<S3Connection>('aws_s3', { config: { bucket: 'lake', prefix: '/raw/2024/' }, dotenv: false, variables: {} });
    expect(conn.config).toMatchObject({ prefix: 'raw/2024/', partSize: 8 * 1024 * 1024, queueSize: 4, maxAttempts: 5, anonymous: false });
  });

  it('takes secrets from ${ENV} references', async () => {
    await using conn = await getConnection<S3Connection>('s3', {
      config: { bucket: 'lake', accessKeyId: '${TEST_KEY_ID}', secretAccessKey: '${TEST_SECRET}' },
      dotenv: false,
      variables: { TEST_KEY_ID: 'AKIAFROMENV', TEST_SECRET: 'env-secret-value' },
    });
    expect(conn.config.secretAccessKey).toBe('env-secret-value');
    expect(String(conn)).not.toContain('env-secret-value');
  });

  it('refuses two credential sources at once and a prefix with ..', async () => {
    await expect(getConnection('s3', { config: { bucket: 'lake', profile: 'p', accessKeyId: 'a', secretAccessKey: 'b' }, dotenv: false, variables: {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(getConnection('s3', { config: { bucket: 'lake', prefix: 'a/../b' }, dotenv: false, variables: {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
