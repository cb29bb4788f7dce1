/** The README example, against the real PostgreSQL (127.0.0.1:5432) through the local engine. */
import { afterAll, expect, it } from 'vitest';
import { getConnection, setLocalEngine } from '@sparkle/core';
import { localEngine } from '@sparkle/engine-local';
import { collectRows } from '@sparkle/testkit';
import { GreenplumConnection } from '../src/index.js';

afterAll(async () => {
  const gp = new GreenplumConnection({ type: 'greenplum', config: { url: 'jdbc:postgresql://127.0.0.1:5432/test', user: 'postgres' } });
  await gp.withSession((s) => s.execute('DROP TABLE IF EXISTS public.gp_demo'));
  await gp.close();
});

it('runs the README example', async () => {
  setLocalEngine(localEngine);
  await using gp = await getConnection('greenplum', {
    config: { url: 'jdbc:postgresql://127.0.0.1:5432/test', user: 'postgres' },
  });
  expect(await gp.test()).toBe(true);
  await gp.writeTable([{ id: 1, name: 'a' }], 'public.gp_demo', { mode: 'overwrite' });
  expect(await collectRows(await gp.readTable('public.gp_demo'))).toEqual([{ id: 1n, name: 'a' }]); // integers without a schema are inferred as int64
});
