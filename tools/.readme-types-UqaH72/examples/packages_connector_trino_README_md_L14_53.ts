import { getConnection } from '@sparkle/core';
import '@sparkle/connector-trino';

await using trino = await getConnection('trino', { config: { url: 'jdbc:trino://coordinator:8080/iceberg/sales', user: 'etl' } });
const frame = await trino.readTable('orders', { partitionColumn: 'id', numPartitions: 4 });
console.log(await frame.count());
export {};
