import { getConnection } from '@sparkle/core';
import '@sparkle/connector-rest';

await using api = await getConnection('rest', { env: 'prod' });
const newOrders = [{ id: 101, total: 42.5 }];
const users = await api.readTable('users');                 // lazy: pages are fetched as batches are pulled
for await (const batch of users) console.log(batch.numRows);
await api.writeTable(newOrders, 'orders', { mode: 'append' });
export {};
