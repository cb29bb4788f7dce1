import { SparkSession } from '@sparkle/spark-connect';

const spark = await SparkSession.builder()
  .remote(process.env.SPARK_REMOTE ?? 'sc://localhost:15002')
  .appName('sparkle-example')
  .config('spark.sql.shuffle.partitions', 8)
  .getOrCreate();

console.log('Spark', await spark.version);

const df = spark.sql('SELECT id, id * 2 AS twice FROM range(100)').filter('id % 10 = 0').select('id', 'twice').limit(5);
await df.show();
console.log(await df.collect()); // [{ id: 0n, twice: 0n }, { id: 10n, twice: 20n }, ...]

// Stream a large result without holding it: one Arrow RecordBatch at a time.
let rows = 0;
for await (const batch of spark.range(1_000_000).toArrowBatches()) rows += batch.numRows;

await spark.range(1000).write.format('parquet').mode('overwrite').save('/tmp/sparkle-example');
console.log(await spark.read.format('parquet').load('/tmp/sparkle-example').count()); // 1000

await spark.stop();
export {};
