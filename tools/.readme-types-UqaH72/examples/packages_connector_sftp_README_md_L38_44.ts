import { getConnection } from '@sparkle/core';
import '@sparkle/connector-sftp';
import type { SftpConnection } from '@sparkle/connector-sftp';

await using sftp = await getConnection<SftpConnection>('sftp', { env: 'prod' });
for await (const file of sftp.listObjects({ glob: 'incoming/2026-*/*.csv' })) console.log(file.key, file.size);
const orders = await sftp.readTable('incoming/2026-*/*.csv'); // one partition per file
await sftp.writeTable(orders, 'outgoing/orders.parquet', { mode: 'overwrite' });
export {};
