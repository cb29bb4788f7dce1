import { getConnection } from '@sparkle/core';
import type { ServicebusConnection } from '@sparkle/connector-servicebus';

await using bus = await getConnection<ServicebusConnection>('servicebus', { env: 'prod' });
await bus.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' } }]);
const table = await bus.readTable('orders'); // a peek: key, value, topic, partition, position (sequence number), timestamp, headers
for await (const m of bus.subscribe('orders', { group: 'billing', signal: AbortSignal.timeout(60_000) })) {
  await m.ack(); // completes the message
}
export {};
