import { getConnection } from '@sparkle/core';
import type { AdlsConnection } from '@sparkle/connector-adls';
import type { LocalFrame } from '@sparkle/engine-local';

await using lake = await getConnection<AdlsConnection>('adls', {
  config: { account: 'lakeprod', filesystem: 'curated', auth: { type: 'managedIdentity' } },
});
const frame = await lake.readTable<LocalFrame>('sales/2024/*.parquet');
await lake.writeTable(frame, 'sales/all.parquet', { mode: 'overwrite' }); // temp file, then one atomic rename
await lake.renameObject('sales/all.parquet', 'archive/sales-2024.parquet', { overwrite: false });
export {};
