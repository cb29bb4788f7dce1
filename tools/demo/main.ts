/**
 * `pnpm demo` — the seed's story on a laptop with no Spark and no services:
 * config overlays with a secret from the environment, health checks, a partitioned read with
 * bounds pushed down, writes to Parquet and to another table, lineage events in a file.
 *
 * Run from the repository root by tools/scripts/demo.sh (which sets the OpenLineage file
 * transport through `OPENLINEAGE__TRANSPORT__*`, as a user would).
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { describeProvenance, getConnection, getLineageClient, type HealthReport, type SparkleConnection } from '@sparkle/core';
import '@sparkle/connector-sqlite';
import '@sparkle/connector-parquet';
import { copyTable, type LocalFrame } from '@sparkle/engine-local';

const OUT = resolve('out/demo');
const ROWS = 10_000;
const rel = (p: string) => `./${relative(process.cwd(), p)}`;
const n = (x: number) => x.toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(0)} ms`;
const kb = (x: number) => `${n(Math.round(x / 1024))} KiB`;
const say = (step: string, text: string) => console.log(`${step.padEnd(9)} ${text}`);
const more = (text: string) => console.log(`${''.padEnd(9)} ${text}`);

function tiers(report: HealthReport): string {
  return report.steps.map((s) => `${s.tier} ${s.status === 'ok' ? 'ok' : s.status}`).join(' · ');
}

/** Deterministic sample orders: ids 1..ROWS with a few NULL amounts and a spread of dates. */
function sampleOrders() {
  const statuses = ['new', 'paid', 'shipped', 'returned'];
  return Array.from({ length: ROWS }, (_, i) => ({
    id: i + 1,
    customer: `customer-${String((i * 7919) % 997).padStart(3, '0')}`,
    amount: i % 50 === 0 ? null : Math.round(((i * 37) % 100_000) + 99) / 100,
    status: statuses[i % statuses.length]!,
    ordered_at: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
  }));
}

async function main(): Promise<void> {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const started = performance.now();
  console.log('Sparkle demo: move a table between systems, config-driven, with health checks and lineage');
  console.log('(local engine: Node + Apache Arrow; no Spark, no database server)\n');

  // 1. Config: common.json + dev.json, a secret from the environment, redacted when printed.
  await using db = await getConnection('sqlite', { env: 'dev' });
  const files = db.resolved?.files.map(rel).join(' + ') ?? '(code)';
  say('config', `${files}  (env: ${db.env})`);
  const secretRow = describeProvenance(db.resolved!, (db.constructor as typeof SparkleConnection).schema).find((r) => r.envVars.length);
  if (secretRow) more(`${secretRow.path} = ${JSON.stringify(secretRow.value)} ← \${${secretRow.envVars.join(', ')}} in ${secretRow.file ? rel(secretRow.file) : secretRow.layer} (printed redacted)`);
  more(`${String(db)}`);

  // 2. Seed a small sample database through Sparkle itself (rows → Arrow → one SQLite transaction).
  const seeded = await db.writeTable(sampleOrders(), 'orders', { mode: 'overwrite' });
  say('seed', `${n(seeded.rows)} rows → table orders in ${rel(resolve(String(db.config.path)))} (${ms(seeded.elapsedMs)})`);

  // 3. Health: the boolean test() and the tiered check().
  const ok = await db.test();
  if (!ok) throw new Error(`health check failed: ${JSON.stringify((await db.check()).steps)}`);
  const report = await db.check();
  say('health', `test() → ${ok}; check(): ${tiers(report)} (${ms(report.durationMs)})`);

  // 4. A partitioned read: only the column is given, so MIN/MAX bounds are pushed down.
  const readOptions = { partitionColumn: 'id', numPartitions: 4 };
  const plan = await (db as unknown as { nativeRead(t: string, o: object): Promise<{ partitions: Array<{ description: string }> }> }).nativeRead('orders', readOptions);
  say('read', `orders, partitionColumn=id, numPartitions=4 → bounds from MIN/MAX pushed down:`);
  for (const p of plan.partitions) more(`  WHERE ${p.description}`);
  let lastPartitions = '';
  const frame = await db.readTable<LocalFrame>('orders', { ...readOptions, onProgress: (p) => (lastPartitions = `${p.partitionsDone}/${p.partitions}`) });
  const t0 = performance.now();
  const table = await frame.toTable();
  if (table.numRows !== ROWS) throw new Error(`partitioned read returned ${table.numRows} rows, expected ${ROWS}`);
  more(`${n(table.numRows)} rows, ${table.schema.fields.length} columns, ${lastPartitions} partitions, ${ms(performance.now() - t0)}`);

  // 5a. Write to Parquet (config/connections/parquet): streamed, atomic temp file + rename.
  await using parquet = await getConnection('parquet', { env: 'dev' });
  const toParquet = await copyTable({
    source: { connection: db, table: 'orders', options: readOptions },
    target: { connection: parquet, table: 'orders.parquet', options: { mode: 'overwrite' } },
  });
  const parquetBack = await (await parquet.readTable<LocalFrame>('orders.parquet')).count();
  if (parquetBack !== ROWS || toParquet.rows !== ROWS) throw new Error(`expected ${ROWS} rows in orders.parquet, found ${parquetBack}`);
  say('write', `→ parquet ${rel(resolve(String(parquet.config.basePath), 'orders.parquet'))} (${parquet.config.compression}): ${n(toParquet.rows)} rows, ${kb(toParquet.bytes)} Arrow, ${ms(toParquet.elapsedMs)}; read back ${n(parquetBack)}`);

  // 5b. Write to another SQLite table with overwrite (staging table + atomic swap).
  const toTable = await copyTable({
    source: { connection: db, table: 'orders', options: { ...readOptions, where: "status <> 'returned'" } },
    target: { connection: db, table: 'orders_kept', options: { mode: 'overwrite' } },
  });
  const tableBack = await (await db.readTable<LocalFrame>('orders_kept')).count();
  if (tableBack !== toTable.rows || tableBack !== (ROWS * 3) / 4) throw new Error(`expected ${(ROWS * 3) / 4} rows in orders_kept, found ${tableBack}`);
  more(`→ sqlite table orders_kept (overwrite, where status <> 'returned'): ${n(toTable.rows)} rows, ${ms(toTable.elapsedMs)}; read back ${n(tableBack)}`);

  // 6. Lineage: flush the file transport and summarise what it holds.
  await getLineageClient().close();
  const logFile = process.env.OPENLINEAGE__TRANSPORT__LOG_FILE_PATH;
  if (logFile) {
    const events = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { eventType: string; job: { name: string }; run: { facets?: { parent?: unknown } } });
    const byType = new Map<string, number>();
    for (const e of events) byType.set(e.eventType, (byType.get(e.eventType) ?? 0) + 1);
    const jobs = new Set(events.map((e) => e.job.name.split('.').slice(0, 3).join('.')));
    say('lineage', `${events.length} OpenLineage events (${[...byType].map(([t, c]) => `${c} ${t}`).join(', ')}) → ${rel(resolve(logFile))}`);
    const children = events.filter((e) => e.eventType === 'START' && e.run.facets?.parent).length;
    more(`jobs: ${[...jobs].sort().join(', ')}`);
    more(`${children} read/write runs carry a ParentRunFacet linking them to their copy job`);
  } else say('lineage', 'OPENLINEAGE__TRANSPORT__LOG_FILE_PATH is not set: events went to the configured transport');

  console.log(`\nDone in ${ms(performance.now() - started)}. Results in ${rel(OUT)}/:`);
  more(`shop.db (orders, orders_kept) · orders.parquet · lineage.ndjson`);
  more(`try: sqlite3 ${rel(OUT)}/shop.db 'select count(*) from orders_kept'`);
}

main().catch((error: unknown) => {
  console.error('demo failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
