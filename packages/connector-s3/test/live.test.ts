/**
 * Opt-in live suite against real Amazon S3: set SPARKLE_TEST_S3_BUCKET (a bucket the standard AWS
 * environment's credentials may read and write: AWS_PROFILE, AWS_ACCESS_KEY_ID/…, a role) and
 * optionally SPARKLE_TEST_S3_PREFIX (default `sparkle-live/`) and AWS_REGION. Without the bucket
 * the suite is skipped with that reason printed.
 */
import { setFileFormats } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';

setFileFormats(fileFormats);

const bucket = process.env.SPARKLE_TEST_S3_BUCKET;

testObjectStore({
  type: 's3',
  namePrefix: 'sparkle_live',
  service: async () =>
    bucket
      ? { config: { bucket, prefix: process.env.SPARKLE_TEST_S3_PREFIX ?? 'sparkle-live/', ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}) } }
      : { skip: 'SPARKLE_TEST_S3_BUCKET is not set (the live Amazon S3 suite is opt-in; set it and the standard AWS credentials to run it)' },
  streamedBytes: 11 * 1024 * 1024,
  partSize: 5 * 1024 * 1024,
  tableExtension: 'parquet',
});
