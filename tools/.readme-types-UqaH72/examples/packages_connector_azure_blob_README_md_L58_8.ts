import { getConnection } from '@sparkle/core';
import type { AzureBlobConnection } from '@sparkle/connector-azure-blob';
import type { LocalFrame } from '@sparkle/engine-local';

await using lake = await getConnection<AzureBlobConnection>('azure_blob', {
  config: { account: 'lakeprod', container: 'raw', auth: { type: 'connectionString', connectionString: process.env.AZURE_STORAGE_CONNECTION_STRING ?? '' } },
});
const frame = await lake.readTable<LocalFrame>('events/2024-*.parquet'); // one partition per blob (or row group)
await lake.writeTable(frame, 'clean/events.parquet', { mode: 'overwrite' });
for await (const o of lake.listObjects({ glob: 'clean/**' })) console.log(o.key, o.size, o.etag);
console.log(await lake.discover({ path: 'clean/events.parquet' })); // the inferred columns
export {};
