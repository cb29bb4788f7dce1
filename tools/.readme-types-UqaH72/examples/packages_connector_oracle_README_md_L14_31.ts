import { getConnection } from '@sparkle/core';
import '@sparkle/connector-oracle';

await using ora = await getConnection('oracle', {
  config: { url: 'jdbc:oracle:thin:@//db.internal:1521/ORCLPDB1', user: 'app', password: process.env.ORACLE_PASSWORD },
});
const frame = await ora.readTable('sales.orders', { partitionColumn: 'order_id', numPartitions: 8 });
console.log(await frame.count());
export {};
