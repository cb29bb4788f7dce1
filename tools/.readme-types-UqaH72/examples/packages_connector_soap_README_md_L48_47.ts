import { getConnection } from '@sparkle/core';
import '@sparkle/connector-soap';

await using crm = await getConnection('soap', { env: 'prod' });
for await (const batch of await crm.readTable('customers')) console.log(batch.numRows);
await crm.writeTable([{ id: 7, name: 'Ada', balance: 0, active: true }], 'addCustomer', { mode: 'append' });
export {};
