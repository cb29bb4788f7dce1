/**
 * Decode benchmark: a large multi-batch result (default 2,000,000 rows × 4 columns in 50 Arrow
 * batches, each its own IPC stream as Spark sends them) streamed from the in-process fake Spark
 * Connect server through this client, against apache-arrow's `tableFromIPC` on the very same
 * bytes (no network, no protobuf): the ratio is the price of the wire path. Then peak RSS while
 * streaming (`toArrowBatches`, each batch dropped after use) versus collecting (`toArrow`), each
 * measured in its own child process so one run's heap does not inflate the other's.
 *
 * Run: `npx tsx bench/decode.bench.ts [rows] [batches]` from packages/spark-connect.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsconfig = join(here, 'tsconfig.json');

// Re-run under the bench tsconfig so `@sparkle/core` resolves to its sources (no build needed).
if (process.env.TSX_TSCONFIG_PATH !== tsconfig) {
  const tsx = resolve(here, '../../../node_modules/.bin/tsx');
  const r = spawnSync(tsx, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig } });
  process.exit(r.status ?? 1);
}

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ROWS = Number(args[0] ?? 2_000_000);
const BATCHES = Number(args[1] ?? 50);
const mode = process.argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length);

const { tableFromIPC } = await import('apache-arrow');
const { FakeSparkServer, ipcStream, sampleTable } = await import('../test/fake-spark-server.js');
const { SparkSession } = await import('../src/session.js');

async function setup() {
  const per = Math.ceil(ROWS / BATCHES);
  const payloads: Uint8Array[] = [];
  for (let offset = 0; offset < ROWS; offset += per) payloads.push(ipcStream(sampleTable(offset, Math.min(per, ROWS - offset))));
  const server = await new FakeSparkServer().start();
  server.rangePayloads.set(BigInt(ROWS), payloads);
  const spark = await SparkSession.builder().remote(server.url).create();
  return { server, spark, payloads, bytes: payloads.reduce((a, p) => a + p.byteLength, 0) };
}

/** Peak RSS above the starting point while `fn` runs, sampled every 5 ms. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Sums column `n` so every batch is really read. */
function sumN(batch: { getChild(name: string): { toArray(): ArrayLike<number> } | null }): number {
  const values = batch.getChild('n')!.toArray();
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

if (mode === 'stream' || mode === 'collect') {
  // Child: one memory measurement, printed as JSON.
  const { server, spark } = await setup();
  const { result, peakMb } = await peakRss(async () => {
    if (mode === 'stream') {
      let rows = 0;
      for await (const batch of spark.range(ROWS).toArrowBatches()) rows += batch.numRows + 0 * sumN(batch);
      return rows;
    }
    const table = await spark.range(ROWS).toArrow();
    return table.numRows;
  });
  await spark.stop();
  await server.stop();
  process.stdout.write(`${JSON.stringify({ mode, rows: result, peakMb })}\n`);
  process.exit(0);
}

const { server, spark, payloads, bytes } = await setup();
const mb = bytes / 2 ** 20;
console.log(`spark-connect decode bench: ${ROWS.toLocaleString()} rows × 4 columns, ${payloads.length} IPC streams, ${mb.toFixed(1)} MiB`);

async function best(label: string, runs: number, fn: () => Promise<number>): Promise<number> {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const rows = await fn();
    const ms = performance.now() - t0;
    if (rows !== ROWS) throw new Error(`${label}: ${rows} rows, expected ${ROWS}`);
    bestMs = Math.min(bestMs, ms);
  }
  console.log(`  ${label.padEnd(38)} ${bestMs.toFixed(0).padStart(6)} ms  ${((ROWS / bestMs) * 1000).toExponential(2)} rows/s  ${((mb / bestMs) * 1000).toFixed(0)} MiB/s`);
  return bestMs;
}

const baseline = await best('apache-arrow tableFromIPC (same bytes)', 3, async () => {
  let rows = 0;
  for (const p of payloads) {
    const t = tableFromIPC(p);
    for (const b of t.batches) rows += b.numRows + 0 * sumN(b);
  }
  return rows;
});
// The client's own decode path without the network: protobuf ExecutePlanResponse → Arrow batches.
const { create, toBinary, fromBinary } = await import('@bufbuild/protobuf');
const { ExecutePlanResponseSchema } = await import('../src/gen/spark/connect/base_pb.js');
const { decodeArrowBatches } = await import('../src/arrow.js');
const encoded = payloads.map((data, i) =>
  toBinary(ExecutePlanResponseSchema, create(ExecutePlanResponseSchema, { operationId: 'op', responseId: String(i), responseType: { case: 'arrowBatch', value: { rowCount: 0n, data } } })),
);
await best('protobuf + Arrow decode (no network)', 3, async () => {
  async function* responses() {
    for (const bytes of encoded) yield fromBinary(ExecutePlanResponseSchema, bytes);
  }
  let rows = 0;
  for await (const b of decodeArrowBatches(responses())) rows += b.numRows + 0 * sumN(b);
  return rows;
});
const client = await best('client toArrowBatches (gRPC + protobuf)', 3, async () => {
  let rows = 0;
  for await (const b of spark.range(ROWS).toArrowBatches()) rows += b.numRows + 0 * sumN(b);
  return rows;
});
await spark.stop();
await server.stop();
console.log(`  throughput ratio client/baseline: ${(baseline / client).toFixed(2)} (1.00 = as fast as decoding local bytes)`);

function child(m: string, rows: number, batches: number): { peakMb: number } {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(rows), String(batches), `--mode=${m}`], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`${m} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { peakMb: number };
}
// Two sizes show the shape: streaming stays flat (one batch plus not-yet-collected garbage),
// collecting grows with the result.
for (const factor of [1, 3]) {
  const stream = child('stream', ROWS * factor, BATCHES * factor);
  const collect = child('collect', ROWS * factor, BATCHES * factor);
  console.log(
    `  peak RSS growth at ${(ROWS * factor).toLocaleString()} rows: streaming ${stream.peakMb.toFixed(1)} MiB, collecting ${collect.peakMb.toFixed(1)} MiB, ratio collect/stream ${(collect.peakMb / Math.max(stream.peakMb, 0.1)).toFixed(1)}×`,
  );
}
