import { getConnection } from '@sparkle/core';
import type { LocalFileConnection } from '@sparkle/connector-local';
import type { LocalFrame } from '@sparkle/engine-local';

await using files = await getConnection<LocalFileConnection>('file', { config: { basePath: './data' } });
await files.writeTable([{ id: 1, city: 'Oslo' }, { id: 2, city: 'Lima' }], 'cities.csv', { mode: 'overwrite' });
const frame = await files.readTable<LocalFrame>('*.csv', { columns: ['city'] }); // one partition per file
console.log(await frame.toArray());
await files.writeTable(frame, 'cities.parquet', { mode: 'overwrite' });

// The same connection as an object store.
for await (const o of files.listObjects({ glob: '**/*.parquet' })) console.log(o.key, o.size);
await files.putObject('notes/readme.txt', 'hello', { ifNoneMatch: '*' }); // fails with TABLE_EXISTS if it exists
export {};
