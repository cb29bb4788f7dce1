import { getConnection } from '@sparkle/core';
import type { EventhubConnection } from '@sparkle/connector-eventhub';

await using hubs = await getConnection<EventhubConnection>('eventhub', { env: 'prod' });
await hubs.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' } }]);
const table = await hubs.readTable('orders'); // Arrow: key, value, topic, partition, offset (sequence number), timestamp, headers
for await (const m of hubs.subscribe('orders', { group: 'billing', from: 'earliest', signal: AbortSignal.timeout(60_000) })) {
  await m.ack();
}
export {};
