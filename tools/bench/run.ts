/**
 * `pnpm bench`: every benchmark of the workspace, each figure printed as a ratio against a peer
 * measured in the same run. Sections run when their service answers; each is bounded in time.
 *
 *   pnpm bench                       # everything available
 *   pnpm bench -- --only=postgres,import
 *   pnpm bench -- --rows=200000      # smaller Postgres table (the committed figures use 1M)
 *   pnpm bench -- --only=s3 --s3-mb=1024   # the S3 section on a 1 GB object (default 256 MB)
 *   pnpm bench -- --only=kafka --kafka-records=200000   # fewer Kafka records (default 1M)
 *   pnpm bench -- --only=mongodb,redis,cassandra --nosql-rows=1000000   # the NoSQL sections at the 1M
 *
 * The NoSQL sections default to fewer rows where the local server is slow to load or serve them
 * (FerretDB, a single small-heap Cassandra node); each prints the size it used.
 *   pnpm bench -- --only=sftp --sftp-mb=100 # the SFTP section on a 100 MB file (default 500 MB)
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = flag('only')?.split(',');
const want = (section: string) => !only || only.includes(section);
const rows = flag('rows') ? Number(flag('rows')) : 1_000_000;
const nosqlRows = flag('nosql-rows') ? Number(flag('nosql-rows')) : undefined;

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host, port });
    s.setTimeout(500, () => (s.destroy(), done(false)));
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
  });
}

/** Prints a section's result: `{ lines }` or rows for the shared table printer. */
async function printResult(result: unknown): Promise<void> {
  if (Array.isArray(result)) {
    const { formatRows } = await import('./mariadb-clickhouse-common.js');
    console.log(formatRows(result as never).replace(/^/gm, '   '));
  } else {
    for (const line of (result as { lines: string[] }).lines) console.log(`   ${line}`);
  }
}

async function section(name: string, fn: () => Promise<void>): Promise<void> {
  console.log(`\n== ${name}`);
  const t0 = performance.now();
  try {
    await fn();
  } catch (error) {
    console.log(`   ${name} failed: ${(error as Error).message.split('\n')[0]}`);
    process.exitCode = 1;
  }
  console.log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

const { stdout: pgVersion } = await run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-XAtc', 'SHOW server_version']).catch(() => ({ stdout: 'not running' }));
console.log(
  `machine: ${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, PostgreSQL ${pgVersion.trim()}, ${new Date().toISOString()}`,
);

if (want('postgres')) {
  await section('PostgreSQL (1 table, 8 columns)', async () => {
    if (!(await tcpOpen('127.0.0.1', 5432))) throw new Error('no PostgreSQL on 127.0.0.1:5432 (bash tools/services/ensure-postgres.sh)');
    const { benchPostgres } = await import('./postgres.js');
    await benchPostgres({ rows, log: (l) => console.log(`   ${l}`) });
  });
}

if (want('import')) {
  await section('import time (built dist, fresh process)', async () => {
    const { benchImportTime } = await import('./import-time.js');
    for (const line of (await benchImportTime()).lines) console.log(`   ${line}`);
  });
}

if (want('mariadb') && existsSync(join(root, 'tools/bench/mariadb.ts'))) {
  await section('MariaDB', async () => {
    if (!(await tcpOpen('127.0.0.1', 3306))) throw new Error('no MariaDB on 127.0.0.1:3306');
    const { benchMariaDb } = await import('./mariadb.js');
    await printResult(await benchMariaDb({ rows: Math.min(rows, 500_000) }));
  });
}

if (want('clickhouse') && existsSync(join(root, 'tools/bench/clickhouse.ts'))) {
  await section('ClickHouse', async () => {
    const { benchClickHouse } = await import('./clickhouse.js');
    await printResult(await benchClickHouse({ rows: Math.min(rows, 500_000) }));
  });
}

if (want('rest') && existsSync(join(root, 'tools/bench/rest.ts'))) {
  await section('REST (paginated read into Arrow vs a fetch loop)', async () => {
    const { benchRest } = await import('./rest.js');
    await printResult(await benchRest({ records: Math.min(rows, 200_000) }));
  });
}

if (want('s3') && existsSync(join(root, 'tools/bench/s3.ts'))) {
  await section('S3 on moto (Parquet read/write vs the raw AWS SDK)', async () => {
    const ensure = join(root, 'tools/services/ensure-moto.sh');
    await run('bash', [ensure], { timeout: 600_000 });
    const { benchS3 } = await import('./s3.js');
    await printResult(await benchS3({ mb: flag('s3-mb') ? Number(flag('s3-mb')) : 256 }));
  });
}

if (want('kafka') && existsSync(join(root, 'tools/bench/kafka.ts'))) {
  await section('Kafka (produce and bounded consume into Arrow vs plain kafkajs and the Java perf test)', async () => {
    const { benchKafka } = await import('./kafka.js');
    await benchKafka({
      records: flag('kafka-records') ? Number(flag('kafka-records')) : 1_000_000,
      ...(flag('kafka-repeat') ? { repeat: Number(flag('kafka-repeat')) } : {}),
      log: (l) => console.log(`   ${l}`),
    });
  });
}

if (want('mongodb')) {
  await section('MongoDB on FerretDB (read into Arrow vs the plain driver into objects)', async () => {
    const { MONGODB_URL, benchMongo } = await import('./mongodb.js');
    const u = new URL(MONGODB_URL);
    if (!(await tcpOpen(u.hostname, Number(u.port || 27017)))) return console.log(`   skipped: no MongoDB peer on ${u.host} (bash tools/services/ensure-ferretdb.sh)`);
    // FerretDB serves a few thousand documents a second here: 1M would take many minutes per side.
    await printResult(await benchMongo({ rows: nosqlRows ?? 50_000, ...(flag('mongo-partitions') ? { partitions: Number(flag('mongo-partitions')) } : {}) }));
  });
}

if (want('redis')) {
  await section('Redis (write of keys from Arrow vs redis-cli --pipe)', async () => {
    const { REDIS_URL, benchRedis } = await import('./redis.js');
    const u = new URL(REDIS_URL);
    if (!(await tcpOpen(u.hostname, Number(u.port || 6379)))) return console.log(`   skipped: no Redis on ${u.host} (bash tools/services/ensure-redis.sh)`);
    await printResult(await benchRedis({ rows: nosqlRows ?? 1_000_000 }));
  });
}

if (want('cassandra')) {
  await section('Cassandra (token-range read into Arrow vs the driver\'s paged eachRow)', async () => {
    const { CASSANDRA_HOST, CASSANDRA_PORT, benchCassandra } = await import('./cassandra.js');
    if (!(await tcpOpen(CASSANDRA_HOST, CASSANDRA_PORT))) return console.log(`   skipped: no Cassandra on ${CASSANDRA_HOST}:${CASSANDRA_PORT} (bash tools/services/ensure-cassandra.sh)`);
    // Loading runs at a few thousand rows a second into the one small-heap node: 1M is opt-in.
    await printResult(await benchCassandra({ rows: nosqlRows ?? 100_000 }));
  });
}

if (want('sftp') && existsSync(join(root, 'tools/bench/sftp.ts'))) {
  await section('SFTP on OpenSSH (download vs ssh2-sftp-client fastGet)', async () => {
    // ensure-sshd.sh prints `export NAME=value …` lines: the server and the test user's key.
    const { stdout } = await run('bash', [join(root, 'tools/services/ensure-sshd.sh')], { timeout: 600_000 });
    for (const [, name, value] of stdout.matchAll(/^export (\w+)=(.*)$/gm)) process.env[name!] = value!.trim();
    const { benchSftp } = await import('./sftp.js');
    await printResult(await benchSftp({ mb: flag('sftp-mb') ? Number(flag('sftp-mb')) : 500 }));
  });
}

if (want('spark-connect')) {
  const dir = join(root, 'packages/spark-connect/bench');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts')) : [];
  for (const file of files) {
    await section(`spark-connect ${file}`, async () => {
      const tsx = join(root, 'node_modules/.bin/tsx');
      const { stdout } = await run(tsx, [join(dir, file)], { cwd: join(root, 'packages/spark-connect'), timeout: 180_000, maxBuffer: 4 << 20 });
      console.log(stdout.trimEnd().replace(/^/gm, '   '));
    });
  }
}
