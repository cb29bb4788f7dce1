/**
 * The README example as a program: `SPARK_REMOTE=sc://localhost:15002 npx tsx examples/quickstart.ts`
 * (from packages/spark-connect; the bench tsconfig maps `@sparkle/core` to its sources:
 * `TSX_TSCONFIG_PATH=bench/tsconfig.json`). The test suite runs it against the fake server.
 */
import { SparkSession } from '../src/index.js';

export async function quickstart(remote: string, log: (...args: unknown[]) => void = console.log): Promise<void> {
  const spark = await SparkSession.builder().remote(remote).appName('sparkle-example').config('spark.sql.shuffle.partitions', 8).getOrCreate();
  try {
    log('Spark', await spark.version);

    const df = spark.sql('SELECT id, id * 2 AS twice FROM range(100)').filter('id % 10 = 0').select('id', 'twice').limit(5);
    log(await df.show(5, { print: false }));
    log(await df.collect());

    // Stream a large result without holding it: one Arrow RecordBatch at a time.
    let rows = 0;
    for await (const batch of spark.range(1_000_000).toArrowBatches()) rows += batch.numRows;
    log('streamed rows', rows);

    await spark.range(1000).write.format('parquet').mode('overwrite').save('/tmp/sparkle-example');
    log('parquet rows', await spark.read.format('parquet').load('/tmp/sparkle-example').count());
  } finally {
    await spark.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const remote = process.env.SPARK_REMOTE;
  if (!remote) {
    console.error('Set SPARK_REMOTE=sc://host:15002');
    process.exit(2);
  }
  await quickstart(remote);
}
