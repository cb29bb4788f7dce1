/**
 * The seed's Quick Start against the local server: `bash tools/services/ensure-postgres.sh`, then
 * `SPARKLE_CONFIG_DIR=config pnpm exec tsx packages/connector-postgres/examples/quickstart.ts`.
 */
import { getConnection } from '@sparkle/core';
import '@sparkle/connector-postgres';

// config/connections/postgres/common.json + dev.json (secrets would come from POSTGRES_USER / POSTGRES_PASSWORD)
await using pg = await getConnection('postgres', { env: 'dev' });
if (!(await pg.test())) throw new Error('Connection failed');

await pg.writeTable(
  Array.from({ length: 1000 }, (_, i) => ({ customer_id: i, name: `customer ${i}` })),
  'public.customers_example',
  { mode: 'overwrite' },
);
const customers = await pg.readTable<{ count(): Promise<number> }>('public.customers_example', {
  partitionColumn: 'customer_id',
  lowerBound: 0,
  upperBound: 1000,
  numPartitions: 4,
});
console.log(`read ${await customers.count()} rows in 4 partitions`);
await pg.writeTable(customers, 'public.customers_example_gold', { mode: 'overwrite' });
console.log((await pg.check()).steps.map((s) => `${s.tier}: ${s.status} (${s.durationMs.toFixed(0)} ms)`).join('\n'));
