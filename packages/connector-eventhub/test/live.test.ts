/**
 * Opt-in live suite against a real Event Hubs namespace: SPARKLE_TEST_EVENTHUB_CONNECTION (a
 * namespace connection string) and SPARKLE_TEST_EVENTHUB_NAME (an existing hub the suite may
 * write to). Skipped, with the reason printed, when unset.
 */
import { testStream } from '@sparkle/testkit';
import '../src/index.js';

const connectionString = process.env.SPARKLE_TEST_EVENTHUB_CONNECTION;
const hub = process.env.SPARKLE_TEST_EVENTHUB_NAME;

testStream({
  type: 'eventhub',
  service: async () =>
    connectionString && hub ? { config: { connectionString } } : { skip: 'SPARKLE_TEST_EVENTHUB_CONNECTION and SPARKLE_TEST_EVENTHUB_NAME are not set (live Event Hubs suite)' },
  namePrefix: hub ?? 'unset',
});
