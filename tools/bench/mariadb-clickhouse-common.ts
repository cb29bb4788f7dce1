/**
 * What the MariaDB and ClickHouse bench rows share: the generated data (the 8 column kinds of
 * the Postgres bench: bigint id, int, double, decimal(12,2), boolean, timestamp, date, text,
 * with NULLs), a timer, the table printer, and the result shape the bench harness takes.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Field, Schema, type RecordBatch } from 'apache-arrow';

const built = new Set<string>();

/**
 * Imports a workspace connector from its built `dist/` (what users get), building it first
 * through Nx — cached, so a fresh build costs seconds once and nothing after. `pnpm bench`
 * builds only core and the Postgres connector, and the tools package does not list these.
 */
export async function loadWorkspacePackage<T>(name: string): Promise<T> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  if (!built.has(name)) {
    execFileSync('pnpm', ['exec', 'nx', 'run-many', '-t', 'build', '-p', name, '--outputStyle=static'], { cwd: root, stdio: 'ignore', timeout: 300_000 });
    built.add(name);
  }
  const dir = name.replace('@sparkle/', '');
  return (await import(pathToFileURL(join(root, 'packages', dir, 'dist', 'index.js')).href)) as T;
}

type MysqlModule = typeof import('../../packages/connector-mysql/src/index.js');
const mysql = await loadWorkspacePackage<MysqlModule>('@sparkle/connector-mysql');
const { ArrowTypes, batchFromBuilders, columnBuilder } = mysql;
export const cellReader = mysql.cellReader;

export interface BenchRow {
  bench: string;
  path: string;
  rows: number;
  ms: number;
  baseline: string;
  baselineMs: number;
}

export const BENCH_COLUMNS = [
  new Field('id', ArrowTypes.int64(), false),
  new Field('qty', ArrowTypes.int32(), true),
  new Field('score', ArrowTypes.float64(), true),
  new Field('price', ArrowTypes.decimal(12, 2), true),
  new Field('active', ArrowTypes.bool(), true),
  new Field('created_at', ArrowTypes.timestamp(), true),
  new Field('day', ArrowTypes.date(), true),
  new Field('name', ArrowTypes.utf8(), true),
];

const BASE_MICROS = 1_700_000_000_000_000n;

/**
 * `rows` rows in batches of `batchRows`, deterministic. `subSecond: false` keeps timestamps on
 * whole seconds (for servers whose DateTime has second precision).
 */
export function benchBatches(rows: number, options: { batchRows?: number; subSecond?: boolean } = {}): RecordBatch[] {
  const batchRows = options.batchRows ?? 50_000;
  const subSecond = options.subSecond ?? true;
  const schema = new Schema(BENCH_COLUMNS);
  const out: RecordBatch[] = [];
  for (let start = 0; start < rows; start += batchRows) {
    const builders = BENCH_COLUMNS.map(columnBuilder);
    const end = Math.min(rows, start + batchRows);
    for (let i = start; i < end; i++) {
      const nul = i % 10 === 3;
      builders[0]!.append(BigInt(i));
      builders[1]!.append(nul ? null : i % 1000);
      builders[2]!.append(nul ? null : i * 0.25);
      builders[3]!.append(nul ? null : `${i % 1_000_000_000}.${String(i % 100).padStart(2, '0')}`);
      builders[4]!.append(nul ? null : i % 2 === 0);
      builders[5]!.append(nul ? null : BASE_MICROS + BigInt(i) * (subSecond ? 1_000_123n : 1_000_000n));
      builders[6]!.append(nul ? null : BigInt(19_000 + (i % 3650))); // days since the epoch (a number would mean epoch ms)
      builders[7]!.append(nul ? null : `name ${i} ✓`);
    }
    out.push(batchFromBuilders(schema, builders));
  }
  return out;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** A plain-text table: rows/s and the ratio to the CLI baseline (below 1 means Sparkle was faster). */
export function formatRows(rows: BenchRow[]): string {
  const lines = rows.map((r) => {
    const rate = Math.round(r.rows / (r.ms / 1000)).toLocaleString('en-US');
    const ratio = (r.ms / r.baselineMs).toFixed(2);
    return `${r.bench.padEnd(16)} ${r.path.padEnd(48)} ${String(r.rows).padStart(9)} rows ${(r.ms / 1000).toFixed(2).padStart(7)} s ${rate.padStart(11)} rows/s   ${(r.baselineMs / 1000).toFixed(2).padStart(6)} s ${r.baseline}   ratio ${ratio}×`;
  });
  return lines.join('\n');
}

/** The harness's result shape (as the Postgres bench returns it): printable lines and named figures. */
export interface BenchResult {
  lines: string[];
  figures: Record<string, number>;
  rows: BenchRow[];
}

export function toBenchResult(prefix: string, rows: BenchRow[]): BenchResult {
  const figures: Record<string, number> = {};
  for (const r of rows) {
    const key = `${prefix}_${r.bench.split(' ').pop()}_${r.path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '').toLowerCase()}`;
    figures[`${key}_ms`] = Math.round(r.ms);
    figures[`${key}_rows_per_s`] = Math.round(r.rows / (r.ms / 1000));
    figures[`${key}_ratio_to_cli`] = Number((r.ms / r.baselineMs).toFixed(3));
  }
  return { lines: formatRows(rows).split('\n'), figures, rows };
}
