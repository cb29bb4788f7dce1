/**
 * `s3_compatible` against a real S3-compatible server: gofakes3 (Go, memory backend; started by
 * tools/services/ensure-gofakes3.sh), driven through `@sparkle/connector-s3`'s class with the
 * compatible config shape (endpoint required, path style by default).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { getConnection, setFileFormats } from '@sparkle/core';
import { S3Connection } from '@sparkle/connector-s3';
import { fileFormats } from '@sparkle/formats';
import { testConnector, testObjectStore } from '@sparkle/testkit';
import { S3CompatibleConnection } from '../src/index.js';

setFileFormats(fileFormats);

const ENDPOINT = process.env.SPARKLE_TEST_S3_COMPATIBLE_ENDPOINT ?? 'http://127.0.0.1:9333';
const bucket = `sparkle-compat-${process.pid}-${Date.now().toString(36)}`;
const config = { endpoint: ENDPOINT, bucket, accessKeyId: 'sparkle', secretAccessKey: 'sparkle-compatible-secret' };

async function createBucket(name: string): Promise<void> {
  const client = new S3Client({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
}

beforeAll(() => createBucket(bucket));

testConnector({
  type: 's3_compatible',
  aliases: ['minio'],
  connectionClass: S3CompatibleConnection,
  validConfig: { endpoint: 'http://127.0.0.1:9000', bucket: 'lake', format: 'parquet', accessKeyId: 'minio', secretAccessKey: 'example-minio-secret' },
  invalidConfigs: [
    { name: 'no endpoint', config: { bucket: 'lake' }, path: 'endpoint' },
    { name: 'a key id without its secret', config: { endpoint: 'http://127.0.0.1:9000', bucket: 'lake', accessKeyId: 'minio' }, path: 'secretAccessKey' },
  ],
  secretFields: ['secretAccessKey'],
  sparkSecretOptions: ['fs.s3a.secret.key'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true, partitionedRead: false },
  service: async () => {
    await createBucket(`${bucket}-ct`);
    return { config: { ...config, bucket: `${bucket}-ct`, format: 'jsonl' } };
  },
  serviceRequired: true,
  unreachableConfig: { endpoint: 'http://127.0.0.1:1', bucket: 'lake', maxAttempts: 1, accessKeyId: 'a', secretAccessKey: 'b' },
});

testObjectStore({ type: 's3_compatible', config, streamedBytes: 11 * 1024 * 1024, partSize: 5 * 1024 * 1024, tableExtension: 'parquet' });

describe('s3_compatible', () => {
  it('is the s3 connection class with path style on and the endpoint required', async () => {
    await using conn = await getConnection<S3CompatibleConnection>('minio', { config, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf(S3Connection);
    expect(conn.config.forcePathStyle).toBe(true);
    const spark = conn.sparkRead('raw/a.parquet');
    expect(spark.options).toMatchObject({ 'fs.s3a.endpoint': ENDPOINT, 'fs.s3a.path.style.access': 'true', 'fs.s3a.connection.ssl.enabled': 'false' });
    expect(spark.paths).toEqual([`s3a://${bucket}/raw/a.parquet`]);
  });
});
