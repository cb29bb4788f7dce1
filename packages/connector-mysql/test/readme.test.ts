/** The README example, against the real MariaDB through the local engine. */
import { afterAll, expect, it } from 'vitest';
import { getConnection, setLocalEngine } from '@sparkle/core';
import { localEngine } from '@sparkle/engine-local';
import { MySQLConnection } from '../src/index.js';
import { MARIADB } from './mysql-protocol-suite.js';

afterAll(async () => {
  const db = new MySQLConnection({ type: 'mysql', config: MARIADB });
  await db.withSession((s) => s.execute('DROP TABLE IF EXISTS orders_demo'));
  await db.close();
});

it('runs the README example', async () => {
  setLocalEngine(localEngine);
  await using db = await getConnection('mysql', {
    config: { url: 'jdbc:mysql://127.0.0.1:3306/test', user: 'root' },
  });
  expect(await db.test()).toBe(true);
  await db.writeTable([{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: null }], 'orders_demo', { mode: 'overwrite' });
  const frame = await db.readTable<AsyncIterable<{ numRows: number }>>('orders_demo', { partitionColumn: 'id', numPartitions: 2 });
  let rows = 0;
  for await (const batch of frame) rows += batch.numRows;
  expect(rows).toBe(3);
});
