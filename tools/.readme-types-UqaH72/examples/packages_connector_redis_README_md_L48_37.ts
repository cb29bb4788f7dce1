import { getConnection, where } from '@sparkle/core';
import type { RedisConnection } from '@sparkle/connector-redis';
import '@sparkle/connector-redis';

await using redis = await getConnection<RedisConnection>('redis', { config: { host: '127.0.0.1', port: 6379 } });
await redis.upsertDocuments('orders', [{ _id: 1, status: 'open', total: 12.5, created: new Date() }]);
for await (const doc of redis.findDocuments('orders', { filter: where.eq('status', 'open') })) console.log(doc);
const frame = await redis.readTable('orders', { filter: where.prefix('_id', '1'), numPartitions: 4 });
await redis.writeTable(frame, 'orders_copy', { mode: 'overwrite' });
export {};
