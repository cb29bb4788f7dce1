/** The README example, run against the real server through the local engine. */
import { afterAll, expect, it } from 'vitest';
import { getConnection, setLocalEngine } from '@sparkle/core';
import { collectRows } from '@sparkle/testkit';
import { localEngine } from '@sparkle/engine-local';
import { ClickHouseConnection } from '../src/index.js';

const table = `numbers_copy_${process.pid}`;

afterAll(async () => {
  const ch = new ClickHouseConnection({ type: 'clickhouse', config: { host: '127.0.0.1' } });
  await ch.withSession((s) => s.execute(`DROP TABLE IF EXISTS ${table}`));
  await ch.close();
});

it('runs the README example', async () => {
  setLocalEngine(localEngine);
  await using ch = await getConnection('clickhouse', {
    config: { url: 'jdbc:clickhouse://127.0.0.1:8123/default', user: 'default' },
  });
  const frame = await ch.query('SELECT number AS id, toString(number) AS name FROM system.numbers LIMIT ?', [1000]);
  const result = await ch.writeTable(frame, table, { mode: 'overwrite' });
  expect(result).toMatchObject({ rows: 1000, written: true });
  const rows = await collectRows(await ch.readTable(table, { where: 'id >= 998' }));
  expect(rows.map((r) => [Number(r.id), r.name]).sort()).toEqual([
    [998, '998'],
    [999, '999'],
  ]);
});
