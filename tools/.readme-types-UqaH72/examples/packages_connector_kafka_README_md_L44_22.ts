import { getConnection } from '@sparkle/core';
import type { KafkaConnection } from '@sparkle/connector-kafka';

await using kafka = await getConnection<KafkaConnection>('kafka', { env: 'dev' });

// Produce: keys, headers, explicit partitions; resolves when the broker acknowledged every record.
await kafka.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' }, partition: '0' }]);

// A bounded read into Arrow, in Spark's Kafka layout (key, value, topic, partition, offset, timestamp, headers).
// endingOffsets defaults to the end offsets seen when the read starts: it ends even while producers write.
const orders = await kafka.readTable('orders', { options: { startingOffsets: 'earliest' } });

// Unbounded: a consumer group; an offset is committed only after ack() (at-least-once).
for await (const message of kafka.subscribe('orders', { group: 'billing', from: 'earliest', signal: AbortSignal.timeout(60_000) })) {
  console.log(message.partition, message.position, message.value);
  await message.ack();
}
console.log(orders);
export {};
