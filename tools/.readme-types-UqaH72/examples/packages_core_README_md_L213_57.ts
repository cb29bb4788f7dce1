import { createLineageClient, getConnection } from '@sparkle/core';

const lineage = createLineageClient({ transport: { type: 'file', log_file_path: './events.ndjson' } });
await using conn = await getConnection('postgres', { env: 'dev', lineage });
await conn.readTable('public.customers');
await lineage.close(); // flush
export {};
