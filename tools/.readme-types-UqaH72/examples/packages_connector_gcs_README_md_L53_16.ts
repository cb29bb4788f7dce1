import { getConnection } from '@sparkle/core';
import type { GcsConnection } from '@sparkle/connector-gcs';

await using lake = await getConnection<GcsConnection>('gcs', { env: 'prod' });
for await (const o of lake.listObjects({ glob: 'orders/2026-*/*.parquet' })) console.log(o.key, o.size, o.etag);
const orders = await lake.readTable('orders/2026-*/*.parquet');      // one partition per row group
await lake.writeTable(orders, 'clean/orders.parquet', { mode: 'overwrite' });
console.log(await lake.discover({ path: 'clean/orders.parquet' }));    // columns inferred from the file
export {};
