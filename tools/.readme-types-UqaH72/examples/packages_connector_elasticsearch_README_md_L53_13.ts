import { getConnection, where } from '@sparkle/core';
import type { ElasticsearchConnection } from '@sparkle/connector-elasticsearch';
import '@sparkle/connector-elasticsearch';

await using es = await getConnection<ElasticsearchConnection>('elastic', { config: { nodes: ['http://127.0.0.1:9200'] } });
const frame = await es.readTable('orders', { filter: where.and(where.eq('status', 'open'), where.gt('total', 100)), columns: ['_id', 'total', 'address.city'], numPartitions: 4 });
await es.writeTable(frame, 'open_orders', { mode: 'overwrite', options: { idFieldList: '_id' } });
export {};
