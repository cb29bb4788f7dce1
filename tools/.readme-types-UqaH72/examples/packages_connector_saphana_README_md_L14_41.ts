import { getConnection } from '@sparkle/core';
import '@sparkle/connector-saphana';

await using hana = await getConnection('hana', {
  config: { url: 'jdbc:sap://hana.internal:39015/?databaseName=HXE', user: 'SYSTEM', password: process.env.HANA_PASSWORD },
});
const frame = await hana.readTable('sales.orders', { partitionColumn: 'id', numPartitions: 4 });
export {};
