import { getConnection } from '@sparkle/core';
import type { SqsConnection } from '@sparkle/connector-sqs';

await using sqs = await getConnection<SqsConnection>('sqs', { env: 'prod' });
await sqs.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' } }]);
const table = await sqs.readTable('orders'); // Arrow: key, value, topic, partition, position, timestamp, headers
for await (const m of sqs.subscribe('orders', { group: 'billing', signal: AbortSignal.timeout(60_000) })) {
  console.log(new TextDecoder().decode(m.value!));
  await m.ack(); // DeleteMessage
}
export {};
