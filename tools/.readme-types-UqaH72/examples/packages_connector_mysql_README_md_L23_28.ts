import { getConnection } from '@sparkle/core';
import '@sparkle/connector-mysql';

await using db = await getConnection('mysql', {
  config: { url: 'jdbc:mysql://127.0.0.1:3306/test', user: 'root' },
});
console.log(await db.test()); // true

// Atomic overwrite: a staging table loaded with LOAD DATA, swapped in with one RENAME TABLE.
await db.writeTable([{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: null }], 'orders_demo', { mode: 'overwrite' });
// Partitioned read: MIN/MAX of `id` are pushed down when no bounds are given.
const frame = await db.readTable('orders_demo', { partitionColumn: 'id', numPartitions: 2 });
for await (const batch of frame) console.log(batch.numRows);
export {};
