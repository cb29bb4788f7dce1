import { getConnection } from '@sparkle/core';
import '@sparkle/connector-parquet';
import type { LocalFrame } from '@sparkle/engine-local';

await using files = await getConnection('parquet', { config: { basePath: './out', compression: 'zstd' } });
await files.writeTable([{ id: 1, name: 'a' }, { id: 2, name: 'b' }], 'people.parquet', { mode: 'overwrite' });
const frame = await files.readTable<LocalFrame>('people.parquet', { columns: ['id'] });
console.log(await frame.toArray()); // [{ id: 1n }, { id: 2n }]
export {};
