import { getConnection } from '@sparkle/core';
import type { PulsarConnection } from '@sparkle/connector-pulsar';

await using pulsar = await getConnection<PulsarConnection>('pulsar', { env: 'dev' });

// Produce: key, properties (headers), event time, optional explicit partition; resolves when the
// broker acknowledged every message. At most producer.maxPendingMessages wait for receipts.
await pulsar.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' }, timestamp: new Date() }]);

// A bounded read into Arrow: Spark's Kafka layout plus publishTime and eventTime, one engine
// partition per topic partition; it ends at each partition's last message seen when it starts.
const orders = await pulsar.readTable('orders', { options: { startingOffsets: 'earliest', valueFormat: 'json' } });

// Unbounded: a subscription; a message is acknowledged only by ack() (at-least-once), nack()
// redelivers it (and after maxRedeliverCount moves it to the dead-letter topic).
for await (const message of pulsar.subscribe('orders', { group: 'billing', from: 'earliest', signal: AbortSignal.timeout(60_000) })) {
  console.log(message.partition, message.position, message.value);
  await message.ack();
}
console.log(orders);
export {};
