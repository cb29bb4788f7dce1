/**
 * Redis bench (issue 14): a write of N keys from Arrow through `@sparkle/connector-redis`
 * (`writeTable` on the built dist, mode `append`, model `json`: `SET <collection>:<_id> <json>`)
 * against `redis-cli --pipe` sending the same commands with the same values, generated as RESP
 * into a file beforehand (only the pipe is timed). Sparkle's side generates its Arrow batches as it
 * writes (that cost is in its figure; it is small next to the network round trips).
 *
 * Keys live under collection names unique to this run and are deleted after each side. Each side
 * runs in its own process; redis-cli's peak RSS comes from `/usr/bin/time`.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argOf, driver, rate, ratio, reportSide, run, runSide, uniqueName, type SideResult } from './nosql-common.js';

type NodeRedis = typeof import('redis');

export const REDIS_URL = process.env.SPARKLE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH_ROWS = 10_000;

/** Row i as a document: the same fields, in the same order, as the Arrow batches carry. */
function makeDocument(i: number) {
  return { _id: i, name: `customer-${i}`, amount: i * 0.25, quantity: i % 1000, active: i % 3 === 0 };
}

async function side(name: string, collection: string, rows: number): Promise<void> {
  const arrow = await import('apache-arrow');
  const core = await import('@sparkle/core');
  await import('@sparkle/connector-redis');
  const { localEngine } = await import('@sparkle/engine-local');
  core.setLocalEngine(localEngine);
  const conn = await core.getConnection<import('@sparkle/connector-redis').RedisConnection>('redis', { config: { url: REDIS_URL }, dotenv: false, variables: {} });
  async function* batches() {
    for (let at = 0; at < rows; at += BATCH_ROWS) {
      const n = Math.min(BATCH_ROWS, rows - at);
      const id = new Int32Array(n);
      const amount = new Float64Array(n);
      const quantity = new Int32Array(n);
      const names: string[] = new Array(n);
      const active: boolean[] = new Array(n);
      for (let k = 0; k < n; k++) {
        const d = makeDocument(at + k);
        id[k] = d._id;
        names[k] = d.name;
        amount[k] = d.amount;
        quantity[k] = d.quantity;
        active[k] = d.active;
      }
      // Utf8, not the dictionary tableFromArrays would build for strings: a plain column, cheap to make.
      yield* new arrow.Table({
        _id: arrow.makeVector(id),
        name: arrow.vectorFromArray(names, new arrow.Utf8()),
        amount: arrow.makeVector(amount),
        quantity: arrow.makeVector(quantity),
        active: arrow.vectorFromArray(active, new arrow.Bool()),
      }).batches;
    }
  }
  const t0 = performance.now();
  const result = await conn.writeTable(batches(), collection, { mode: 'append', options: { idFieldList: '_id' } });
  const seconds = (performance.now() - t0) / 1000;
  await conn.close();
  reportSide({ side: name, seconds, rows: result.rows });
}

/** RESP of one command (bulk strings, byte lengths). */
function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

async function writeRespFile(path: string, collection: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += resp(['SET', `${collection}:${i}`, JSON.stringify(makeDocument(i))]);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((done, fail) => out.once('finish', done).once('error', fail));
}

/** Deletes a collection's keys (SCAN + UNLINK), returns how many there were. */
async function dropKeys(client: ReturnType<NodeRedis['createClient']>, collection: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const reply = await client.scan(cursor, { MATCH: `${collection}:*`, COUNT: 10_000 });
    cursor = String(reply.cursor);
    if (reply.keys.length) n += await client.unlink(reply.keys);
  } while (cursor !== '0');
  return n;
}

/** Runs both sides (best of `runs`), checks both wrote the same values, cleans up, returns the lines. */
export async function benchRedis(options: { rows: number; runs?: number }): Promise<{ lines: string[] }> {
  const { createClient } = await driver<NodeRedis>('connector-redis', 'redis');
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const runs = options.runs ?? 2;
  const dir = await mkdtemp(join(tmpdir(), 'sparkle-bench-redis-'));
  const file = fileURLToPath(import.meta.url);
  const u = new URL(REDIS_URL);
  const used: string[] = [];
  try {
    let sparkle: SideResult | undefined;
    let pipe: SideResult | undefined;
    let respBytes = 0;
    for (let i = 0; i < runs; i++) {
      const ours = uniqueName(`bench_sparkle${i}`);
      const theirs = uniqueName(`bench_pipe${i}`);
      used.push(ours, theirs);
      const r = await runSide(file, 'sparkle', [`--collection=${ours}`, `--rows=${options.rows}`]);
      if (r.rows !== options.rows) throw new Error(`writeTable wrote ${r.rows} of ${options.rows} keys`);
      if (!sparkle || r.seconds < sparkle.seconds) sparkle = { ...r, maxRssMB: Math.max(r.maxRssMB, sparkle?.maxRssMB ?? 0) };

      const respPath = join(dir, `${theirs}.resp`);
      await writeRespFile(respPath, theirs, options.rows);
      respBytes = (await import('node:fs')).statSync(respPath).size;
      const t0 = performance.now();
      const { stdout, stderr } = await run('bash', ['-c', `/usr/bin/time -f 'maxrss-kb=%M' redis-cli -h "$1" -p "$2" --pipe < "$3"`, 'pipe', u.hostname, u.port || '6379', respPath], { timeout: 900_000, maxBuffer: 1 << 20 });
      const seconds = (performance.now() - t0) / 1000;
      const replies = /replies:\s*(\d+)/.exec(stdout)?.[1];
      if (Number(replies) !== options.rows || !/errors:\s*0/.test(stdout)) throw new Error(`redis-cli --pipe: ${stdout.trim()}`);
      const maxRssMB = Number(/maxrss-kb=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
      if (!pipe || seconds < pipe.seconds) pipe = { side: 'redis-cli --pipe', seconds, rows: options.rows, maxRssMB: Math.max(maxRssMB, pipe?.maxRssMB ?? 0) };

      // Same data: a sample of keys holds the same text on both sides.
      for (const k of [0, Math.floor(options.rows / 2), options.rows - 1]) {
        const [a, b] = await Promise.all([client.get(`${ours}:${k}`), client.get(`${theirs}:${k}`)]);
        if (a !== b) throw new Error(`key ${k} differs: Sparkle wrote ${a}, the pipe ${b}`);
      }
      await dropKeys(client, ours);
      await dropKeys(client, theirs);
      await rm(respPath, { force: true });
    }
    return {
      lines: [
        `${options.rows.toLocaleString('en-US')} keys, SET <collection>:<_id> <JSON of 5 fields> (${(respBytes / 1e6).toFixed(1)} MB of RESP); best of ${runs}; Redis at ${u.host}`,
        `writeTable from Arrow (MULTI batches)  ${rate(sparkle!, 'keys')} = ${ratio(sparkle!, pipe!)} redis-cli --pipe (target ≥ 0.8×)   peak RSS ${sparkle!.maxRssMB.toFixed(0)} MB`,
        `redis-cli --pipe (RESP file)           ${rate(pipe!, 'keys')}   peak RSS ${pipe!.maxRssMB.toFixed(0)} MB (redis-cli)`,
      ],
    };
  } finally {
    for (const c of used) await dropKeys(client, c).catch(() => 0);
    await client.quit().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const sideArg = argOf('side');
if (sideArg) await side(sideArg, argOf('collection')!, Number(argOf('rows')));
