import { getConnection } from '@sparkle/core';
import type { S3Connection } from '@sparkle/connector-s3';
import '@sparkle/connector-s3';

await using lake = await getConnection<S3Connection>('s3', { config: { region: 'eu-west-1', bucket: 'lake', prefix: 'raw' } });
for await (const o of lake.listObjects({ glob: 'orders/**/*.parquet' })) console.log(o.key, o.size);
const frame = await lake.readTable('orders/*.parquet', { columns: ['id', 'total'] }); // only those column chunks are fetched
await lake.writeTable(frame, 'clean/orders.parquet', { mode: 'overwrite' });
console.log(await lake.discover({ path: 'clean/orders.parquet' })); // format and Arrow schema
console.log(await lake.check()); // credentials → list of at most one key → stat
export {};
