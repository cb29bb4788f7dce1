import { getConnection, where } from '@sparkle/core';
import type { DynamodbConnection } from '@sparkle/connector-dynamodb';
import '@sparkle/connector-dynamodb';

await using ddb = await getConnection<DynamodbConnection>('dynamodb', { config: { region: 'eu-central-1' } });
await ddb.upsertDocuments('orders', [{ customer: 'c-17', order: 1, total: 12.5 }], { keyFields: ['customer', 'order'] });
// Pins the partition key: a Query with a key condition, the rest a FilterExpression.
const mine = await ddb.readTable('orders', { filter: where.and(where.eq('customer', 'c-17'), where.gte('order', 1), where.gt('total', 10)) });
// Anything else: a Scan, here in 8 parallel segments.
const big = await ddb.readTable('orders', { filter: where.gt('total', 100), numPartitions: 8 });
export {};
