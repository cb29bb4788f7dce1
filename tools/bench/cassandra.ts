/**
 * Cassandra bench (issue 14): a read of N rows into Arrow through `@sparkle/connector-cassandra`
 * (`readTable` on the built dist, local engine, the ring cut into token ranges read in parallel,
 * as the Spark Cassandra connector splits a table) against the plain `cassandra-driver` reading the
 * same table with its paged `eachRow` (`autoPage`), same page size, in the same run.
 *
 * Rows: `id int` partition key, text, double, int, boolean, timestamp and `list<text>`, in a
 * keyspace of a unique name (loaded with the driver's `executeConcurrent`, not timed), dropped at
 * the end. Each side runs in its own child process, so its peak RSS is its own.
 */
import { fileURLToPath } from 'node:url';
import { argOf, driver, rate, ratio, reportSide, runSide, uniqueName, type SideResult } from './nosql-common.js';

type Driver = typeof import('cassandra-driver');

const HOST = process.env.SPARKLE_TEST_CASSANDRA_HOST ?? '127.0.0.1';
const PORT = Number(process.env.SPARKLE_TEST_CASSANDRA_PORT ?? 9042);
const USER = process.env.SPARKLE_TEST_CASSANDRA_USER ?? 'cassandra';
const PASSWORD = process.env.SPARKLE_TEST_CASSANDRA_PASSWORD ?? 'cassandra';
const DC = process.env.SPARKLE_TEST_CASSANDRA_DC ?? 'datacenter1';
const TABLE = 'rows';
const PAGE = 5_000;

export { HOST as CASSANDRA_HOST, PORT as CASSANDRA_PORT };

async function plainClient(keyspace?: string) {
  const cassandra = await driver<Driver>('connector-cassandra', 'cassandra-driver');
  const client = new cassandra.Client({
    contactPoints: [`${HOST}:${PORT}`],
    localDataCenter: DC,
    ...(keyspace ? { keyspace } : {}),
    credentials: { username: USER, password: PASSWORD },
    socketOptions: { readTimeout: 120_000 },
  });
  await client.connect();
  return { cassandra, client };
}

async function side(name: string, keyspace: string, partitions: number): Promise<void> {
  let rows = 0;
  if (name === 'driver') {
    const { client } = await plainClient(keyspace);
    const t0 = performance.now();
    await new Promise<void>((done, fail) =>
      client.eachRow(
        `SELECT * FROM ${TABLE}`,
        [],
        { prepare: true, fetchSize: PAGE, autoPage: true },
        (_n, row) => {
          if (row) rows++;
        },
        (error) => (error ? fail(error) : done()),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    await client.shutdown();
    return reportSide({ side: name, seconds, rows });
  }
  const core = await import('@sparkle/core');
  await import('@sparkle/connector-cassandra');
  const { localEngine } = await import('@sparkle/engine-local');
  core.setLocalEngine(localEngine);
  const conn = await core.getConnection<import('@sparkle/connector-cassandra').CassandraConnection>('cassandra', {
    config: { contactPoints: [HOST], port: PORT, localDataCenter: DC, keyspace, username: USER, password: PASSWORD, requestTimeoutMs: 120_000 },
    dotenv: false,
    variables: {},
  });
  await conn.listCollections(); // connects, as the driver side connects before its clock starts
  const t0 = performance.now();
  const frame = await conn.readTable<AsyncIterable<{ numRows: number }>>(TABLE, { fetchSize: PAGE, numPartitions: partitions });
  for await (const batch of frame) rows += batch.numRows;
  const seconds = (performance.now() - t0) / 1000;
  await conn.close();
  reportSide({ side: name, seconds, rows });
}

/** Loads the rows, runs both sides (best of `runs`), drops the keyspace, returns the lines. */
export async function benchCassandra(options: { rows: number; runs?: number; partitions?: number }): Promise<{ lines: string[] }> {
  const { cassandra, client } = await plainClient();
  const keyspace = uniqueName('sparkle_bench');
  const runs = options.runs ?? 2;
  const partitions = options.partitions ?? 4;
  try {
    await client.execute(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await client.execute(`CREATE TABLE ${keyspace}.${TABLE} (id int PRIMARY KEY, name text, amount double, quantity int, active boolean, created timestamp, tags list<text>)`);
    const tLoad = performance.now();
    const insert = `INSERT INTO ${keyspace}.${TABLE} (id, name, amount, quantity, active, created, tags) VALUES (?, ?, ?, ?, ?, ?, ?)`;
    for (let at = 0; at < options.rows; at += 50_000) {
      const params = Array.from({ length: Math.min(50_000, options.rows - at) }, (_, k) => {
        const i = at + k;
        return [i, `customer-${i}`, i * 0.25, i % 1000, i % 3 === 0, new Date(1_700_000_000_000 + i * 1000), ['a', `t${i % 7}`]];
      });
      await cassandra.concurrent.executeConcurrent(client, insert, params, { concurrencyLevel: 64 });
    }
    const loadSeconds = (performance.now() - tLoad) / 1000;
    const file = fileURLToPath(import.meta.url);
    const best = async (name: string) => {
      let top: SideResult | undefined;
      for (let i = 0; i < runs; i++) {
        const r = await runSide(file, name, [`--keyspace=${keyspace}`, `--partitions=${partitions}`]);
        if (r.rows !== options.rows) throw new Error(`${name} read ${r.rows} of ${options.rows} rows`);
        if (!top || r.seconds < top.seconds) top = { ...r, maxRssMB: Math.max(r.maxRssMB, top?.maxRssMB ?? 0) };
      }
      return top!;
    };
    const plain = await best('driver');
    const sparkle = await best('sparkle');
    return {
      lines: [
        `${options.rows.toLocaleString('en-US')} rows (id int key, text, double, int, boolean, timestamp, list<text>) in Cassandra ${HOST}:${PORT}; loaded in ${loadSeconds.toFixed(1)} s; best of ${runs}; page ${PAGE}`,
        `readTable → Arrow (${partitions} token ranges)   ${rate(sparkle, 'rows')} = ${ratio(sparkle, plain)} the driver's paged eachRow (target ≥ 1.0×)   peak RSS ${sparkle.maxRssMB.toFixed(0)} MB`,
        `plain driver eachRow (autoPage)     ${rate(plain, 'rows')}   peak RSS ${plain.maxRssMB.toFixed(0)} MB`,
      ],
    };
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await client.shutdown();
  }
}

const sideArg = argOf('side');
if (sideArg) await side(sideArg, argOf('keyspace')!, Number(argOf('partitions') ?? '4'));
