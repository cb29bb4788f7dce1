import { getConnection } from '@sparkle/core';
import type { KinesisConnection } from '@sparkle/connector-kinesis';

await using kinesis = await getConnection<KinesisConnection>('kinesis', { env: 'prod' });
await kinesis.produce('clicks', [{ key: 'user-1', value: '{"page":"/"}' }]);
// Everything from TRIM_HORIZON until caught up, one engine partition per shard:
const table = await kinesis.readTable('clicks', { options: { startingOffsets: 'earliest' } });
for await (const m of kinesis.consumeRange('clicks', { from: { timestamp: new Date(Date.now() - 3_600_000) } })) {
  console.log(m.partition, m.position); // shardId-000000000000, a sequence number
}
export {};
