/**
 * The shared suites against the real moto server: testConnector (registration, schema,
 * redaction, Spark specs, health, round trip) and testObjectStore (list, stat, ranged get,
 * streamed multipart put, create-only put and copy, delete, copy, confinement, tables).
 */
import { beforeAll } from 'vitest';
import { setFileFormats } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { testConnector, testObjectStore } from '@sparkle/testkit';
import { S3Connection } from '../src/index.js';
import { bucketName, createBucket, motoConfig } from './helpers.js';

setFileFormats(fileFormats);

const bucket = bucketName('conformance');
beforeAll(() => createBucket(bucket));

testConnector({
  type: 's3',
  aliases: ['aws_s3'],
  connectionClass: S3Connection,
  validConfig: { region: 'eu-west-1', bucket: 'lake', format: 'parquet', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example-secret-access-key', sessionToken: 'example-session-token' },
  invalidConfigs: [
    { name: 'missing bucket', config: { region: 'eu-west-1' }, path: 'bucket' },
    { name: 'bucket with a scheme', config: { bucket: 's3://lake/raw' }, path: 'bucket' },
    { name: 'secret without key id', config: { bucket: 'lake', secretAccessKey: 'x' }, path: 'accessKeyId' },
    { name: 'part size under 5 MiB', config: { bucket: 'lake', partSize: 1024 }, path: 'partSize' },
  ],
  secretFields: ['secretAccessKey', 'sessionToken'],
  sparkSecretOptions: ['fs.s3a.secret.key', 'fs.s3a.session.token'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true, partitionedRead: false },
  service: async () => {
    await createBucket(`${bucket}-ct`);
    return { config: { ...motoConfig(`${bucket}-ct`), format: 'jsonl' } };
  },
  serviceRequired: true,
  unreachableConfig: { bucket: 'lake', endpoint: 'http://127.0.0.1:1', accessKeyId: 'a', secretAccessKey: 'b', maxAttempts: 1 },
});

testObjectStore({
  type: 's3',
  config: motoConfig(bucket),
  // Two 5 MiB parts and a tail: the streamed put really goes multipart.
  streamedBytes: 11 * 1024 * 1024,
  partSize: 5 * 1024 * 1024,
  tableExtension: 'parquet',
});
