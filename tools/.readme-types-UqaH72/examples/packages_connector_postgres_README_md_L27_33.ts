import { getConnection } from '@sparkle/core';
import '@sparkle/connector-postgres'; // optional: installed connectors are discovered

// config/connections/postgres/common.json + prod.json, secrets from POSTGRES_USER / POSTGRES_PASSWORD
await using pg = await getConnection('postgres', { env: 'prod' });
if (!(await pg.test())) throw new Error('Connection failed');

// Spark's JDBC semantics: bounds set the stride, every row is read exactly once (NULL keys included).
const customers = await pg.readTable('public.customers', { partitionColumn: 'customer_id', lowerBound: 0, upperBound: 1_000_000, numPartitions: 4 });
await pg.writeTable(customers, 'public.customers_gold', { mode: 'overwrite' });
export {};
