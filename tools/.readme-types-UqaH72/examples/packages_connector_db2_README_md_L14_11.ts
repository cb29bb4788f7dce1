import { getConnection } from '@sparkle/core';
import '@sparkle/connector-db2';

await using db2 = await getConnection('db2', {
  config: { url: 'jdbc:db2://db2.internal:50000/SAMPLE:currentSchema=APP;', user: 'db2inst1', password: process.env.DB2_PASSWORD },
});
const frame = await db2.readTable('employee', { partitionColumn: 'empno', numPartitions: 4 });
export {};
