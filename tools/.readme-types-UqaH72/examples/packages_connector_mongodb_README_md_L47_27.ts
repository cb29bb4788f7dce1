import { getConnection, where } from '@sparkle/core';
import type { MongodbConnection } from '@sparkle/connector-mongodb';
import '@sparkle/connector-mongodb';

await using mongo = await getConnection<MongodbConnection>('mongo', { config: { uri: 'mongodb://127.0.0.1:27017/', database: 'shop' } });
const frame = await mongo.readTable('orders', { filter: where.and(where.eq('status', 'open'), where.gt('total', 100)), columns: ['_id', 'total', 'address.city'], numPartitions: 4 });
await mongo.writeTable(frame, 'open_orders', { mode: 'overwrite', options: { idFieldList: '_id' } });
export {};
