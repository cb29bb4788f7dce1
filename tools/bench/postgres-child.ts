/**
 * One PostgreSQL bench measurement in its own process, so its peak RSS is its own. Prints one
 * JSON line: { ms, rows, bytes, maxRssMb }. Modes:
 * - `sparkle-read`: Sparkle's binary COPY → Arrow path, streaming (each batch dropped after use);
 * - `pg-rows`: node-postgres `SELECT *` into row objects (the usual Node way);
 * - `sparkle-write`: Arrow batches (read first, not timed) → binary COPY FROM STDIN;
 * - `engine-read <n>`: `readTable` through the local engine with `partitionColumn: 'id'` and n
 *   partitions (bounds pushed down), on a fresh connection: what a user's partitioned read costs.
 */
import { PostgreSQLConnection } from '@sparkle/connector-postgres';
import type { RecordBatch } from 'apache-arrow';

const [mode, url, table, target] = process.argv.slice(2);
if (!mode || !url || !table) throw new Error('usage: postgres-child <mode> <jdbc-url> <table> [target]');

const config = { url, user: process.env.PGUSER ?? 'postgres', fetchSize: 65_536 };
const signal = AbortSignal.timeout(240_000);

function payloadBytes(batch: RecordBatch): number {
  let n = 0;
  for (const d of batch.data.children) n += (d.values?.byteLength ?? 0) + (d.valueOffsets?.byteLength ?? 0) + (d.nullBitmap?.byteLength ?? 0);
  return n;
}

function report(result: { ms: number; rows: number; bytes: number; coldMs?: number }): void {
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ...result, maxRssMb }));
}

if (mode === 'sparkle-read') {
  // `coldMs` includes loading the driver modules and connecting; `ms` is the read on the open connection.
  const conn = new PostgreSQLConnection({ type: 'postgres', config });
  const t0 = performance.now();
  const session = await conn.session();
  const t1 = performance.now();
  let rows = 0;
  let bytes = 0;
  for await (const batch of session.queryArrow(`SELECT * FROM ${table}`, [], { signal, fetchSize: config.fetchSize })) {
    rows += batch.numRows;
    bytes += payloadBytes(batch);
  }
  const t2 = performance.now();
  await session.close();
  await conn.close();
  report({ ms: t2 - t1, coldMs: t2 - t0, rows, bytes } as never);
} else if (mode === 'engine-read') {
  const { localEngine } = await import('@sparkle/engine-local');
  const numPartitions = Number(target ?? '1');
  const conn = new PostgreSQLConnection({ type: 'postgres', config: { ...config, maxConnections: numPartitions } });
  const t0 = performance.now();
  const frame = await localEngine.readTable(conn, table, numPartitions > 1 ? { partitionColumn: 'id', numPartitions, signal } : { signal });
  let rows = 0;
  let bytes = 0;
  for await (const batch of frame) {
    rows += batch.numRows;
    bytes += payloadBytes(batch);
  }
  const ms = performance.now() - t0;
  await conn.close();
  report({ ms, rows, bytes });
} else if (mode === 'pg-rows') {
  const { default: pg } = await import('pg');
  const u = new URL(url.replace(/^jdbc:postgresql:/, 'postgres:'));
  const client = new pg.Client({ host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), user: config.user });
  await client.connect();
  const t0 = performance.now();
  const result = await client.query(`SELECT * FROM ${table}`);
  const ms = performance.now() - t0;
  await client.end();
  report({ ms, rows: result.rows.length, bytes: 0 });
} else if (mode === 'sparkle-write') {
  if (!target) throw new Error('sparkle-write needs a target table');
  const conn = new PostgreSQLConnection({ type: 'postgres', config });
  const batches: RecordBatch[] = [];
  for await (const batch of conn.nativeQuery(`SELECT * FROM ${table}`, [], { signal })) batches.push(batch);
  const bytes = batches.reduce((n, b) => n + payloadBytes(b), 0);
  await conn.withSession((s) => s.execute(`TRUNCATE ${target}`));
  async function* source() {
    yield* batches;
  }
  const t0 = performance.now();
  const result = await conn.nativeWrite(target, source(), { mode: 'append' }, { signal, onRows: () => undefined });
  const ms = performance.now() - t0;
  await conn.close();
  report({ ms, rows: result.rows, bytes });
} else {
  throw new Error(`unknown mode ${mode}`);
}
