import { getConnection } from '@sparkle/core';
import '@sparkle/connector-sqlite';
import '@sparkle/connector-parquet';
import { copyTable, type LocalFrame } from '@sparkle/engine-local';

await using db = await getConnection('sqlite', { config: { path: './demo.db' } });
const frame = await db.readTable<LocalFrame>('orders', { partitionColumn: 'id', numPartitions: 4 });
console.log(await frame.count());           // streams; nothing kept
const table = await frame.toTable();        // runs the read again, into an Arrow Table

await using files = await getConnection('parquet', { config: { basePath: './out' } });
const result = await copyTable({
  source: { connection: db, table: 'orders', options: { partitionColumn: 'id', numPartitions: 4 } },
  target: { connection: files, table: 'orders.parquet', options: { mode: 'overwrite' } },
  onProgress: (p) => console.log(`${p.rows} rows, ${p.bytes} bytes`),
});
console.log(`${result.rows} rows in ${result.elapsedMs.toFixed(0)} ms`);
export {};
