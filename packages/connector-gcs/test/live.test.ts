/**
 * The opt-in live suite against real Google Cloud Storage: set SPARKLE_TEST_GCS_BUCKET (a bucket
 * the credentials may write to), optionally SPARKLE_TEST_GCS_PROJECT and SPARKLE_TEST_GCS_KEY_FILE
 * (else Application Default Credentials). Everything is written under a fresh
 * `sparkle-live/<run>/` prefix. Unset: skipped, and it says so.
 */
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';

const bucket = process.env.SPARKLE_TEST_GCS_BUCKET;
const reason = 'SPARKLE_TEST_GCS_BUCKET is not set: no real GCS bucket to test against (the emulator suites run regardless)';
if (!bucket) console.info(`[gcs live] skipped: ${reason}`);

testObjectStore({
  type: 'gcs',
  namePrefix: 'sparkle_live',
  service: async () =>
    bucket
      ? {
          config: {
            bucket,
            prefix: `sparkle-live/${Date.now().toString(36)}`,
            ...(process.env.SPARKLE_TEST_GCS_PROJECT ? { project: process.env.SPARKLE_TEST_GCS_PROJECT } : {}),
            ...(process.env.SPARKLE_TEST_GCS_KEY_FILE ? { credentials: { keyFile: process.env.SPARKLE_TEST_GCS_KEY_FILE } } : {}),
          },
        }
      : { skip: reason },
});
