import { getConnection } from '@sparkle/core';
import '@sparkle/connector-scylladb';

await using conn = await getConnection('scylla', { env: 'prod' });
const orders = await conn.readTable('orders', { numPartitions: 16 }); // token ranges
void orders;
export {};
