import { it, expect } from 'vitest';
import { getConnection, where } from '@sparkle/core';
import '../src/index.js';
import { FakeCosmos, FAKE_KEY } from './fake-cosmos.js';

it('smoke', async () => {
  const fake = new FakeCosmos();
  const url = await fake.start();
  try {
    await using c = await getConnection<any>('cosmosdb', { config: { endpoint: url, key: FAKE_KEY, database: 'db1', keyFields: ['_id'] }, dotenv: false, variables: {} });
    const r = await c.upsertDocuments('c1', [{ _id: 1, a: 'x', d: new Date(0) }, { _id: 2, a: 'y' }, { _id: 3, a: 'x' }]);
    console.log(r);
    const all = []; for await (const d of c.findDocuments('c1', { filter: where.eq('a', 'x'), projection: ['_id'] })) all.push(d);
    console.log(all);
    const parts = await c.documentPartitions('c1', { partitions: 4 });
    for (const p of parts) { const x = []; for await (const d of p.find({})) x.push(d); console.log(p.description, x); }
    console.log(await c.getDocument('c1', 1), await c.deleteDocuments('c1', [1, 9]));
    console.log(await c.check({ timeoutMs: 5000 }));
    console.log(fake.requests.map((r) => `${r.method} ${r.path} ${Object.keys(r.headers).filter((k) => k.startsWith('x-ms-cosmos-is') || k.includes('isquery') || k.includes('rangeid')).join(',')}`).join('\n'));
  } finally { await fake.stop(); }
});
