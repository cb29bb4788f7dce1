import { getConnection } from '@sparkle/core';

await using local = await getConnection('postgres', { env: 'dev' });
const frame = await local.readTable('public.customers', { partitionColumn: 'customer_id', numPartitions: 4 });
for await (const batch of frame) console.log(`${batch.numRows} rows`);
console.log(await frame.count()); // runs the read again
export {};
