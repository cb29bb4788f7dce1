/**
 * PostgreSQL bench: Sparkle's binary COPY paths against peers measured in the same run, on a
 * 1M-row, 8-column table (bigint, int, double, numeric(12,2), text, timestamp, boolean, date)
 * created once in the real server and reused:
 * - Postgres → Arrow vs `psql \copy (…) to '/dev/null' with (format binary)` and vs node-postgres rows;
 * - Arrow → Postgres vs `psql \copy … from <file> with (format binary)`;
 * - peak RSS of the streaming read vs the Arrow payload size.
 * Every measurement runs in a fresh child process, best of `repeat` runs.
 *
 * Run alone: `pnpm exec tsx tools/bench/postgres.ts` (needs PostgreSQL on 127.0.0.1:5432 and a
 * built `@sparkle/connector-postgres`, which `pnpm bench` builds).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const tsx = resolve(here, '../../node_modules/.bin/tsx');

export interface PgBenchOptions {
  rows?: number;
  host?: string;
  port?: number;
  database?: string;
  repeat?: number;
  log?: (line: string) => void;
}

export interface PgBenchResult {
  lines: string[];
  figures: Record<string, number>;
}

const TABLE = 'sparkle_bench_pg';

function psqlArgs(o: Required<Pick<PgBenchOptions, 'host' | 'port' | 'database'>>): string[] {
  return ['-h', o.host, '-p', String(o.port), '-U', 'postgres', '-d', o.database, '-X', '-q', '-v', 'ON_ERROR_STOP=1'];
}

async function timedSpawn(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await run(cmd, args, { maxBuffer: 1 << 20, timeout: 240_000 });
  return performance.now() - t0;
}

interface ChildResult {
  ms: number;
  coldMs?: number;
  rows: number;
  bytes: number;
  maxRssMb: number;
}

async function child(mode: string, url: string, table: string, target?: string): Promise<ChildResult> {
  const { stdout } = await run(tsx, [join(here, 'postgres-child.ts'), mode, url, table, ...(target ? [target] : [])], { cwd: resolve(here, '..'), maxBuffer: 1 << 20, timeout: 240_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

async function best<T extends { ms: number }>(repeat: number, fn: () => Promise<T>): Promise<T> {
  let winner: T | undefined;
  for (let i = 0; i < repeat; i++) {
    const r = await fn();
    if (!winner || r.ms < winner.ms) winner = r;
  }
  return winner!;
}

const ratio = (peer: number, ours: number) => `${(peer / ours).toFixed(2)}×`;

/** Runs the PostgreSQL rows of the bench. */
export async function benchPostgres(options: PgBenchOptions = {}): Promise<PgBenchResult> {
  const o = { host: options.host ?? '127.0.0.1', port: options.port ?? 5432, database: options.database ?? 'test' };
  const rows = options.rows ?? 1_000_000;
  const repeat = options.repeat ?? 3;
  const log = options.log ?? ((line: string) => console.log(line));
  const psql = (sql: string) => run('psql', [...psqlArgs(o), '-Atc', sql], { maxBuffer: 1 << 20 });
  const url = `jdbc:postgresql://${o.host}:${o.port}/${o.database}`;

  // The table is generated once and reused.
  const { stdout: present } = await psql(`SELECT to_regclass('${TABLE}') IS NOT NULL`);
  const existing = present.trim() === 't' ? (await psql(`SELECT count(*) FROM ${TABLE}`)).stdout : '-1';
  if (Number(existing.trim()) !== rows) {
    log(`creating ${TABLE} (${rows.toLocaleString('en-US')} rows)…`);
    await psql(`DROP TABLE IF EXISTS ${TABLE}`);
    await psql(
      `CREATE TABLE ${TABLE} AS SELECT g::bigint AS id, CASE WHEN g % 97 = 0 THEN NULL ELSE (g % 100000)::int END AS qty, g * 1.000001::float8 AS price, ` +
        `((g % 10000000) / 100.0)::numeric(12,2) AS amount, 'customer-' || g || CASE WHEN g % 5 = 0 THEN ' (vip)' ELSE '' END AS name, ` +
        `timestamp '2020-01-01' + g * interval '1.000001 second' AS created_at, g % 3 = 0 AS active, date '2020-01-01' + (g % 3650) AS day ` +
        `FROM generate_series(1, ${rows}) g`,
    );
    await psql(`VACUUM ANALYZE ${TABLE}`);
  }
  await psql(`DROP TABLE IF EXISTS ${TABLE}_w; CREATE TABLE ${TABLE}_w (LIKE ${TABLE}); DROP TABLE IF EXISTS ${TABLE}_w2; CREATE TABLE ${TABLE}_w2 (LIKE ${TABLE})`);
  const { stdout: version } = await psql('SHOW server_version');

  const dir = await mkdtemp(join(tmpdir(), 'sparkle-bench-pg-'));
  const figures: Record<string, number> = {};
  const lines: string[] = [];
  try {
    // Warm the server's cache so the first measurement is not penalised.
    await timedSpawn('psql', [...psqlArgs(o), '-c', `\\copy (SELECT * FROM ${TABLE}) TO '/dev/null' WITH (FORMAT binary)`]);

    const psqlRead = await best(repeat, async () => ({ ms: await timedSpawn('psql', [...psqlArgs(o), '-c', `\\copy (SELECT * FROM ${TABLE}) TO '/dev/null' WITH (FORMAT binary)`]) }));
    const sparkleRead = await best(repeat, () => child('sparkle-read', url, TABLE));
    const pgRows = await best(Math.min(repeat, 2), () => child('pg-rows', url, TABLE));
    if (sparkleRead.rows !== rows) throw new Error(`Sparkle read ${sparkleRead.rows} rows, expected ${rows}`);
    // Partitioned reads through the local engine: 4 partitions (bounds from MIN/MAX) against 1.
    const onePartition = await best(repeat, () => child('engine-read', url, TABLE, '1'));
    const fourPartitions = await best(repeat, () => child('engine-read', url, TABLE, '4'));
    if (onePartition.rows !== rows || fourPartitions.rows !== rows) throw new Error(`partitioned read returned ${fourPartitions.rows} rows, expected ${rows}`);

    const file = join(dir, 'rows.bin');
    await timedSpawn('psql', [...psqlArgs(o), '-c', `\\copy (SELECT * FROM ${TABLE}) TO '${file}' WITH (FORMAT binary)`]);
    const fileMb = (await stat(file)).size / 2 ** 20;
    const psqlWrite = await best(repeat, async () => {
      await psql(`TRUNCATE ${TABLE}_w2`);
      return { ms: await timedSpawn('psql', [...psqlArgs(o), '-c', `\\copy ${TABLE}_w2 FROM '${file}' WITH (FORMAT binary)`]) };
    });
    const sparkleWrite = await best(repeat, () => child('sparkle-write', url, TABLE, `${TABLE}_w`));
    const { stdout: same } = await psql(`SELECT count(*) FROM (SELECT * FROM ${TABLE} EXCEPT ALL SELECT * FROM ${TABLE}_w) d`);
    if (Number(same.trim()) !== 0) throw new Error(`Arrow → Postgres wrote ${same.trim()} rows that differ from the source`);

    const payloadMb = sparkleRead.bytes / 2 ** 20;
    const rssBudget = 60 + 2 * payloadMb;
    figures.readMs = sparkleRead.ms;
    figures.readColdMs = sparkleRead.coldMs!;
    figures.psqlReadMs = psqlRead.ms;
    figures.pgRowsMs = pgRows.ms;
    figures.writeMs = sparkleWrite.ms;
    figures.psqlWriteMs = psqlWrite.ms;
    figures.readRssMb = sparkleRead.maxRssMb;
    figures.partition1Ms = onePartition.ms;
    figures.partition4Ms = fourPartitions.ms;
    figures.payloadMb = payloadMb;
    lines.push(
      `PostgreSQL ${version.trim()}, table ${TABLE}: ${rows.toLocaleString('en-US')} rows × 8 columns (binary COPY file ${fileMb.toFixed(1)} MB), best of ${repeat}`,
      `postgres→arrow:  sparkle ${(sparkleRead.ms / 1000).toFixed(2)} s (${Math.round(rows / (sparkleRead.ms / 1000)).toLocaleString('en-US')} rows/s): ` +
        `${ratio(psqlRead.ms, sparkleRead.ms)} psql binary COPY to /dev/null (${(psqlRead.ms / 1000).toFixed(2)} s), ` +
        `${ratio(pgRows.ms, sparkleRead.ms)} node-postgres rows (${(pgRows.ms / 1000).toFixed(2)} s); ` +
        `cold, incl. driver import + connect: ${(sparkleRead.coldMs! / 1000).toFixed(2)} s = ${ratio(psqlRead.ms, sparkleRead.coldMs!)} psql (whose time includes its own start and connect)`,
      `arrow→postgres:  sparkle ${(sparkleWrite.ms / 1000).toFixed(2)} s (${Math.round(rows / (sparkleWrite.ms / 1000)).toLocaleString('en-US')} rows/s): ` +
        `${ratio(psqlWrite.ms, sparkleWrite.ms)} psql \\copy from a binary file (${(psqlWrite.ms / 1000).toFixed(2)} s)`,
      `partitioned read (local engine, fresh connections): 4 partitions ${(fourPartitions.ms / 1000).toFixed(2)} s = ${ratio(onePartition.ms, fourPartitions.ms)} one partition (${(onePartition.ms / 1000).toFixed(2)} s); target on 2 cores: no slowdown (≥ 1.0×)`,
      `peak RSS (streaming read): ${sparkleRead.maxRssMb.toFixed(0)} MB for an Arrow payload of ${payloadMb.toFixed(0)} MB ` +
        `(${(sparkleRead.maxRssMb / payloadMb).toFixed(2)}× payload; target ≤ 60 MB + 2× payload = ${rssBudget.toFixed(0)} MB: ${sparkleRead.maxRssMb <= rssBudget ? 'met' : 'missed'}); ` +
        `node-postgres rows peak ${pgRows.maxRssMb.toFixed(0)} MB`,
    );
    for (const line of lines) log(line);
    return { lines, figures };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await psql(`DROP TABLE IF EXISTS ${TABLE}_w; DROP TABLE IF EXISTS ${TABLE}_w2`).catch(() => undefined);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchPostgres({ rows: process.argv[2] ? Number(process.argv[2]) : undefined });
}
