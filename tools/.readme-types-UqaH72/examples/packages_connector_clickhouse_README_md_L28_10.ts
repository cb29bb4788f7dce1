import { getConnection } from '@sparkle/core';
import '@sparkle/connector-clickhouse';

await using ch = await getConnection('clickhouse', {
  config: { url: 'jdbc:clickhouse://127.0.0.1:8123/default', user: 'default' },
});
const frame = await ch.query('SELECT number AS id, toString(number) AS name FROM system.numbers LIMIT ?', [1000]);
await ch.writeTable(frame, 'numbers_copy', { mode: 'overwrite' });
export {};
