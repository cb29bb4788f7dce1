import { getConnection } from '@sparkle/core';
import '@sparkle/connector-postgres'; // optional: installed connectors are discovered on demand
import { SparkSession } from '@sparkle/spark-connect';

const spark = await SparkSession.builder().remote('sc://spark-host:15002').appName('MyApp').getOrCreate();

// Loads config/connections/postgres/common.json + prod.json, secrets from the environment
const conn = await getConnection('postgres', { spark, env: 'prod' });

// Test connectivity
if (!(await conn.test())) throw new Error('Connection failed');

// Read data with automatic partitioning
const df = await conn.readTable('public.customers', {
  partitionColumn: 'customer_id',
  lowerBound: 0,
  upperBound: 1_000_000,
  numPartitions: 20,
});

console.log(await df.count());

// Write data
await conn.writeTable(df, 'public.customers_gold', { mode: 'overwrite' });

// Cleanup
await conn.close();
export {};
