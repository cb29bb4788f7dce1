import { getConnection } from '@sparkle/core';
import '@sparkle/connector-grpc';

await using inv = await getConnection('grpc', { env: 'prod' });
for await (const batch of await inv.readTable('itemStream')) console.log(batch.numRows);
await inv.readTable('StreamItems', { options: { request: '{"limit":5}' } }); // a method by name, request from options
await inv.writeTable([{ id: 1n, name: 'bolt' }], 'upload', { mode: 'append' });
export {};
