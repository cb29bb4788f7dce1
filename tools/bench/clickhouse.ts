/**
 * ClickHouse bench: Sparkle's native reads and writes (Native format over HTTP ↔ Arrow) against
 * `clickhouse-client`'s own bulk path in the same run: `SELECT … FORMAT Native > /dev/null` for
 * reads and `INSERT … FORMAT Native < file` for writes (over the native TCP protocol).
 *
 * Run alone: `pnpm exec tsx tools/bench/clickhouse.ts [rows]` (starts the server with
 * tools/services/ensure-clickhouse.sh when needed), or call `benchClickHouse()` from the harness.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { RecordBatch } from 'apache-arrow';
import { benchBatches, loadWorkspacePackage, toBenchResult, type BenchResult, type BenchRow, timed } from './mariadb-clickhouse-common.js';

const run = promisify(execFile);

export interface ClickHouseBenchOptions {
  rows?: number;
  host?: string;
  httpPort?: number;
  tcpPort?: number;
  /** Progress lines (the harness passes its logger). */
  log?: (line: string) => void;
}

export async function benchClickHouse(options: ClickHouseBenchOptions = {}): Promise<BenchResult> {
  const rows = options.rows ?? 1_000_000;
  const host = options.host ?? '127.0.0.1';
  await run('bash', [fileURLToPath(new URL('../services/ensure-clickhouse.sh', import.meta.url))], { timeout: 240_000 });
  const { ClickHouseConnection } = await loadWorkspacePackage<typeof import('../../packages/connector-clickhouse/src/index.js')>('@sparkle/connector-clickhouse');
  const conn = new ClickHouseConnection({ type: 'clickhouse', config: { host, port: options.httpPort ?? 8123, database: 'default' } });
  const cli = ['--host', host, '--port', String(options.tcpPort ?? 9000)];
  const client = (query: string) => run('clickhouse-client', [...cli, '--query', query], { maxBuffer: 1 << 20 });
  const shell = (command: string) => run('sh', ['-c', command], { maxBuffer: 1 << 20 });
  const dir = await mkdtemp(join(tmpdir(), 'sparkle-bench-ch-'));
  const signal = AbortSignal.timeout(300_000);
  const results: BenchRow[] = [];
  try {
    await conn.check();
    // Sub-second timestamps only where the server has DateTime64.
    const batches = benchBatches(rows, { subSecond: conn.serverFeatures.dateTime64 });
    const sparkleWrite = await timed(() => conn.nativeWrite('sparkle_bench_ch', iterate(batches), { mode: 'overwrite' }, { signal, onRows: () => undefined }));
    const file = join(dir, 'rows.native');
    await shell(`clickhouse-client ${cli.join(' ')} --query 'SELECT * FROM sparkle_bench_ch FORMAT Native' > '${file}'`);
    await client('DROP TABLE IF EXISTS sparkle_bench_ch_cli');
    await client('CREATE TABLE sparkle_bench_ch_cli AS sparkle_bench_ch');
    const cliWrite = await timed(() => shell(`clickhouse-client ${cli.join(' ')} --query 'INSERT INTO sparkle_bench_ch_cli FORMAT Native' < '${file}'`));
    const { stdout: count } = await client('SELECT count() FROM sparkle_bench_ch_cli');
    if (Number(count.trim()) !== rows) throw new Error(`CLI insert stored ${count.trim()} rows, expected ${rows}`);
    results.push({ bench: 'clickhouse write', path: 'sparkle Native over HTTP (Arrow → blocks)', rows, ms: sparkleWrite.ms, baselineMs: cliWrite.ms, baseline: 'clickhouse-client INSERT FORMAT Native < file' });

    const cliRead = await timed(() => shell(`clickhouse-client ${cli.join(' ')} --query 'SELECT * FROM sparkle_bench_ch FORMAT Native' > /dev/null`));
    const read = async (numPartitions: number) => {
      let n = 0;
      const plan = await conn.nativeRead('sparkle_bench_ch', numPartitions > 1 ? { partitionColumn: 'id', numPartitions } : {});
      await Promise.all(
        plan.partitions.map(async (p) => {
          for await (const b of p.open(signal)) n += b.numRows;
        }),
      );
      if (n !== rows) throw new Error(`read ${n} rows, expected ${rows}`);
    };
    const sparkleRead = await timed(() => read(1));
    results.push({ bench: 'clickhouse read', path: 'sparkle Native over HTTP → Arrow, 1 partition', rows, ms: sparkleRead.ms, baselineMs: cliRead.ms, baseline: 'clickhouse-client FORMAT Native > /dev/null' });
    const partitioned = await timed(() => read(4));
    results.push({ bench: 'clickhouse read', path: 'sparkle, 4 partitions (auto bounds)', rows, ms: partitioned.ms, baselineMs: cliRead.ms, baseline: 'clickhouse-client FORMAT Native > /dev/null' });
  } finally {
    await client('DROP TABLE IF EXISTS sparkle_bench_ch').catch(() => undefined);
    await client('DROP TABLE IF EXISTS sparkle_bench_ch_cli').catch(() => undefined);
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
  const result = toBenchResult('clickhouse', results);
  for (const line of result.lines) options.log?.(line);
  return result;
}

async function* iterate(batches: RecordBatch[]): AsyncGenerator<RecordBatch> {
  for (const b of batches) yield b;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchClickHouse({ rows: Number(process.argv[2] ?? 1_000_000) })
    .then((r) => console.log(r.lines.join('\n')))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
