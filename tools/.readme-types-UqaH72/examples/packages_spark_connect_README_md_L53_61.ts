import { getConnection } from '@sparkle/core';
import '@sparkle/connector-postgres';
import { SparkSession, type DataFrame } from '@sparkle/spark-connect';

const spark = await SparkSession.builder().remote('sc://spark.internal:15002/;token=...').getOrCreate();
await using pg = await getConnection('postgres', { spark, env: 'prod' });
const orders = await pg.readTable<DataFrame>('public.orders', { partitionColumn: 'id', lowerBound: 1, upperBound: 10_000_000, numPartitions: 16 });
await orders.filter('amount > 100').write.format('parquet').mode('overwrite').save('s3a://lake/big_orders');
export {};
