import { getConnection } from '@sparkle/core';
import '@sparkle/connector-presto';

await using presto = await getConnection('presto', { config: { url: 'jdbc:presto://coordinator:8080/hive/default', user: 'etl' } });
const frame = await presto.readTable('orders', { partitionColumn: 'id', numPartitions: 4 });
console.log(await frame.count());
export {};
