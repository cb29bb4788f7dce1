import { getConnection, where } from '@sparkle/core';
import '@sparkle/connector-cassandra';

await using conn = await getConnection('cassandra', { env: 'prod' });
const open = await conn.readTable('orders', { filter: where.eq('customer_id', 42), columns: ['order_id', 'total'] });
const all = await conn.readTable('orders', { numPartitions: 16 }); // 16 token ranges, read in parallel
await conn.writeTable(open, 'orders_copy', { mode: 'append' });
void all;
export {};
