import { getConnection } from '@sparkle/core';
import type { HdfsConnection } from '@sparkle/connector-hdfs';

await using hdfs = await getConnection<HdfsConnection>('hdfs', { env: 'prod' });
const orders = await hdfs.readTable('orders/2026-*/*.parquet');          // one partition per row group
await hdfs.writeTable(orders, 'clean/orders.parquet', { mode: 'overwrite' }); // temp file + atomic rename
await hdfs.renameObject('clean/orders.parquet', 'published/orders.parquet');
console.log(await hdfs.discover({ path: 'published/orders.parquet' }));
export {};
