import { getConnection } from '@sparkle/core';
import '@sparkle/connector-ftp';

await using ftp = await getConnection('ftp', { env: 'prod' });
const rows = await ftp.readTable('incoming/*.csv');
await ftp.writeTable(rows, 'outgoing/report.parquet', { mode: 'overwrite' });
export {};
