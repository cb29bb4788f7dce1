/**
 * MariaDB bench: Sparkle's native reads and writes (mysql2 → Arrow, LOAD DATA LOCAL INFILE /
 * multi-row INSERT ← Arrow) against the `mariadb` command-line client's own bulk paths in the
 * same run: `--batch --quick` SELECT to /dev/null for reads, `LOAD DATA LOCAL INFILE` of a
 * tab-separated file for writes. Prints one row per measurement with the ratio to the CLI.
 *
 * Run alone: `pnpm exec tsx tools/bench/mariadb.ts [rows]` (needs MariaDB on 127.0.0.1:3306,
 * see tools/services/ensure-mariadb.sh), or call `benchMariaDb()` from the bench harness.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { RecordBatch } from 'apache-arrow';
import { benchBatches, BENCH_COLUMNS, cellReader, loadWorkspacePackage, toBenchResult, type BenchResult, type BenchRow, timed } from './mariadb-clickhouse-common.js';

const run = promisify(execFile);

export interface MariaDbBenchOptions {
  rows?: number;
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  /** Also time the multi-row INSERT write path (slower; the default path is LOAD DATA). */
  includeInsert?: boolean;
  /** Progress lines (the harness passes its logger). */
  log?: (line: string) => void;
}

/** Runs the MariaDB rows of the bench; bounded by the row count (1M rows take well under 2 minutes here). */
export async function benchMariaDb(options: MariaDbBenchOptions = {}): Promise<BenchResult> {
  const rows = options.rows ?? 1_000_000;
  const cfg = { host: options.host ?? '127.0.0.1', port: options.port ?? 3306, user: options.user ?? 'root', database: options.database ?? 'test' };
  const { MariaDBConnection } = await loadWorkspacePackage<typeof import('../../packages/connector-mariadb/src/index.js')>('@sparkle/connector-mariadb');
  const cli = ['--protocol=tcp', `-h${cfg.host}`, `-P${cfg.port}`, `-u${cfg.user}`, cfg.database];
  const mariadb = (sql: string, extra: string[] = []) => run('mariadb', [...cli, ...extra, '-e', sql], { maxBuffer: 1 << 20 });
  const dir = await mkdtemp(join(tmpdir(), 'sparkle-bench-mariadb-'));
  const results: BenchRow[] = [];
  const conn = new MariaDBConnection({ type: 'mariadb', config: { ...cfg, bulkLoad: 'load-data' } });
  const insertConn = new MariaDBConnection({ type: 'mariadb', config: { ...cfg, bulkLoad: 'insert' } });
  const signal = AbortSignal.timeout(300_000);
  const context = { signal, onRows: () => undefined };
  const batches = benchBatches(rows);
  try {
    // --- writes ---------------------------------------------------------------------------
    const sparkleWrite = await timed(() => conn.nativeWrite('sparkle_bench_mdb', iterate(batches), { mode: 'overwrite' }, context));
    const tsv = join(dir, 'rows.tsv');
    await writeTsv(tsv, batches);
    await mariadb('DROP TABLE IF EXISTS sparkle_bench_mdb_cli; CREATE TABLE sparkle_bench_mdb_cli LIKE sparkle_bench_mdb');
    const cliWrite = await timed(() =>
      mariadb(
        `LOAD DATA LOCAL INFILE '${tsv}' INTO TABLE sparkle_bench_mdb_cli CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'`,
        ['--local-infile=1'],
      ),
    );
    const { stdout: count } = await mariadb('SELECT COUNT(*) FROM sparkle_bench_mdb_cli', ['-N']);
    if (Number(count.trim()) !== rows) throw new Error(`CLI load stored ${count.trim()} rows, expected ${rows}`);
    results.push({ bench: 'mariadb write', path: 'sparkle LOAD DATA (Arrow → mysql2)', rows, ms: sparkleWrite.ms, baselineMs: cliWrite.ms, baseline: 'mariadb CLI LOAD DATA LOCAL INFILE' });
    if (options.includeInsert ?? true) {
      const insertWrite = await timed(() => insertConn.nativeWrite('sparkle_bench_mdb_ins', iterate(batches), { mode: 'overwrite' }, context));
      results.push({ bench: 'mariadb write', path: 'sparkle multi-row INSERT', rows, ms: insertWrite.ms, baselineMs: cliWrite.ms, baseline: 'mariadb CLI LOAD DATA LOCAL INFILE' });
    }

    // --- reads ----------------------------------------------------------------------------
    const cliRead = await timed(() => run('sh', ['-c', `mariadb ${cli.join(' ')} --batch --quick -e 'SELECT * FROM sparkle_bench_mdb' > /dev/null`]));
    const read = async (numPartitions: number) => {
      let n = 0;
      const plan = await conn.nativeRead('sparkle_bench_mdb', numPartitions > 1 ? { partitionColumn: 'id', numPartitions } : {});
      await Promise.all(
        plan.partitions.map(async (p) => {
          for await (const b of p.open(signal)) n += b.numRows;
        }),
      );
      if (n !== rows) throw new Error(`read ${n} rows, expected ${rows}`);
    };
    const sparkleRead = await timed(() => read(1));
    results.push({ bench: 'mariadb read', path: 'sparkle (mysql2 stream → Arrow), 1 partition', rows, ms: sparkleRead.ms, baselineMs: cliRead.ms, baseline: 'mariadb CLI --batch --quick > /dev/null' });
    const partitioned = await timed(() => read(4));
    results.push({ bench: 'mariadb read', path: 'sparkle, 4 partitions (auto bounds)', rows, ms: partitioned.ms, baselineMs: cliRead.ms, baseline: 'mariadb CLI --batch --quick > /dev/null' });
  } finally {
    await mariadb('DROP TABLE IF EXISTS sparkle_bench_mdb, sparkle_bench_mdb_cli, sparkle_bench_mdb_ins').catch(() => undefined);
    await conn.close();
    await insertConn.close();
    await rm(dir, { recursive: true, force: true });
  }
  const result = toBenchResult('mariadb', results);
  for (const line of result.lines) options.log?.(line);
  return result;
}

async function* iterate(batches: RecordBatch[]): AsyncGenerator<RecordBatch> {
  for (const b of batches) yield b;
}

/** The bench rows as LOAD DATA text (the same escaping rules the connector uses). */
async function writeTsv(path: string, batches: RecordBatch[]): Promise<void> {
  const out = createWriteStream(path);
  for (const batch of batches) {
    const readers = BENCH_COLUMNS.map((_, c) => cellReader(batch.getChildAt(c)!));
    let text = '';
    for (let r = 0; r < batch.numRows; r++) {
      text += readers
        .map((read) => {
          const v = read(r);
          if (v === null) return '\\N';
          if (typeof v === 'boolean') return v ? '1' : '0';
          return String(v).replace(/[\\\t\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : '\\n'));
        })
        .join('\t');
      text += '\n';
    }
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  benchMariaDb({ rows })
    .then((r) => console.log(r.lines.join('\n')))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
