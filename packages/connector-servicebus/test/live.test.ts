/**
 * Opt-in live suite against a real Service Bus namespace: SPARKLE_TEST_SERVICEBUS_CONNECTION (a
 * namespace connection string) and SPARKLE_TEST_SERVICEBUS_QUEUE (an existing, empty queue the
 * suite may use). Skipped, with the reason printed, when unset.
 */
import { testStream } from '@sparkle/testkit';
import '../src/index.js';

const connectionString = process.env.SPARKLE_TEST_SERVICEBUS_CONNECTION;
const queue = process.env.SPARKLE_TEST_SERVICEBUS_QUEUE;

testStream({
  type: 'servicebus',
  service: async () =>
    connectionString && queue ? { config: { connectionString } } : { skip: 'SPARKLE_TEST_SERVICEBUS_CONNECTION and SPARKLE_TEST_SERVICEBUS_QUEUE are not set (live Service Bus suite)' },
  partitions: 1,
  queue: true,
});
