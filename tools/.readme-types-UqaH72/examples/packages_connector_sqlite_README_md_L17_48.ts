import { getConnection } from '@sparkle/core';
import '@sparkle/connector-sqlite';

await using db = await getConnection('sqlite', { config: { url: 'jdbc:sqlite:/tmp/sparkle-demo.db' } });
await db.writeTable([{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }], 'people', { mode: 'overwrite' });
const people = await db.readTable('people', { partitionColumn: 'id', numPartitions: 2 });
console.log(await people.toArray()); // [{ id: 1n, name: 'Ada' }, { id: 2n, name: 'Grace' }]
export {};
