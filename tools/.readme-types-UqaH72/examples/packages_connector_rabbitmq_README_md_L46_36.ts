import { getConnection } from '@sparkle/core';
import type { RabbitMQConnection, RabbitMQDelivery } from '@sparkle/connector-rabbitmq';

await using mq = await getConnection<RabbitMQConnection>('rabbitmq', { env: 'dev' });

// Publish with confirms: to a queue (default exchange) or to an exchange with a routing key.
await mq.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { 'amqp.content-type': 'application/json' } }]);
await mq.produce('exchange:events/order.created', [{ value: '{"id":1}' }]);

// A bounded read into Arrow: the messages in the queue now (peeked: the queue keeps them).
const frame = await mq.readTable('orders');

// Unbounded: acknowledge each delivery after processing; nack() requeues, deadLetter() rejects.
for await (const delivery of mq.subscribe('orders', { group: 'billing', signal: AbortSignal.timeout(60_000) })) {
  const d = delivery as RabbitMQDelivery;
  if (d.value === null) await d.deadLetter();
  else await d.ack();
}
console.log(frame);
export {};
