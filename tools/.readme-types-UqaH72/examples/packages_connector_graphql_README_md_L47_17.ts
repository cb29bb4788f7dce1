import { getConnection } from '@sparkle/core';
import '@sparkle/connector-graphql';

await using gql = await getConnection('graphql', { env: 'prod' });
for await (const batch of await gql.readTable('users')) console.log(batch.numRows); // pages fetched as batches are pulled
await gql.writeTable([{ name: 'Ada', score: 1 }], 'addUsers', { mode: 'append' });
export {};
