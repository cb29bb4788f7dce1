/**
 * S3 bench against moto (tools/services/ensure-moto.sh), each figure a ratio against the raw AWS
 * SDK on the same bytes in the same run:
 *
 * - write: `writeTable` of generated batches into one Parquet object (encode + multipart upload)
 *   and `putObject` of a byte stream, against lib-storage's `Upload` of as many bytes with the
 *   same part size and queue;
 * - read: `readTable` of that object into Arrow batches, and `getObject`, against a raw
 *   `GetObject` streamed to the end;
 * - projection: the bytes a 2-of-16-column read fetches, as a share of the object;
 * - peak RSS of every phase, each run in a fresh child process (`process.resourceUsage().maxRSS`).
 *
 * The object is `--s3-mb` MB of 16 Float64 columns (default 256; the issue's ≥ 1 GB figure is
 * `--s3-mb=1024`). Batches are generated as they are written, so no phase holds the data.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COLUMNS = 16;
const BATCH_ROWS = 65_536;
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
const ENDPOINT = process.env.SPARKLE_TEST_AWS_ENDPOINT ?? 'http://127.0.0.1:4566';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench-secret' };

/** The AWS SDK as connector-s3 resolves it (tools/ does not depend on it directly). */
async function sdk() {
  const require = createRequire(join(root, 'packages/connector-s3/package.json'));
  const s3 = (await import(pathToFileURL(require.resolve('@aws-sdk/client-s3')).href)) as typeof import('@aws-sdk/client-s3');
  const storage = (await import(pathToFileURL(require.resolve('@aws-sdk/lib-storage')).href)) as typeof import('@aws-sdk/lib-storage');
  return { s3, storage };
}

function rawClient(s3: typeof import('@aws-sdk/client-s3')) {
  return new s3.S3Client({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

/** xorshift bytes/doubles: incompressible, so the object keeps its size. */
function filler(seed: number) {
  let x = seed >>> 0 || 1;
  return (out: Float64Array) => {
    for (let i = 0; i < out.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = (x >>> 0) / 2 ** 32;
    }
    return out;
  };
}

async function* randomBytes(total: number, chunk = 1 << 20): AsyncGenerator<Uint8Array> {
  const fill = filler(11);
  for (let at = 0; at < total; at += chunk) {
    const n = Math.min(chunk, total - at);
    const f = fill(new Float64Array(Math.ceil(n / 8)));
    yield new Uint8Array(f.buffer, 0, n);
  }
}

/** One phase, in this (child) process: prints `{ seconds, bytes, maxRssMB, … }` as JSON. */
async function phase(name: string, bucket: string, mb: number): Promise<void> {
  const { s3, storage } = await sdk();
  const core = await import('@sparkle/core');
  await import('@sparkle/connector-s3');
  const { localEngine } = await import('@sparkle/engine-local');
  core.setLocalEngine(localEngine);
  const conn = await core.getConnection<import('@sparkle/connector-s3').S3Connection>('s3', {
    config: { bucket, endpoint: ENDPOINT, forcePathStyle: true, region: 'us-east-1', ...CREDENTIALS, partSize: PART_SIZE, queueSize: QUEUE_SIZE },
    dotenv: false,
    variables: {},
  });
  const key = 'bench/data.parquet';
  const t0 = performance.now();
  let bytes = 0;
  const extra: Record<string, unknown> = {};
  if (name === 'sparkle-write') {
    const arrow = await import('apache-arrow');
    const rows = Math.ceil((mb * 1e6) / (COLUMNS * 8));
    const fill = filler(7);
    async function* batches() {
      for (let at = 0; at < rows; at += BATCH_ROWS) {
        const n = Math.min(BATCH_ROWS, rows - at);
        const cols: Record<string, Float64Array> = {};
        for (let c = 0; c < COLUMNS; c++) cols[`c${c}`] = fill(new Float64Array(n));
        yield* arrow.tableFromArrays(cols).batches;
      }
    }
    await conn.writeTable(batches(), key, { mode: 'overwrite' });
    bytes = (await conn.statObject(key))!.size;
  } else if (name === 'sparkle-put' || name === 'raw-upload') {
    const size = (await conn.statObject(key))!.size;
    if (name === 'sparkle-put') await conn.putObject('bench/bytes.bin', randomBytes(size));
    else {
      const { Readable } = await import('node:stream');
      const client = rawClient(s3);
      await new storage.Upload({ client, params: { Bucket: bucket, Key: 'bench/raw.bin', Body: Readable.from(randomBytes(size)) }, partSize: PART_SIZE, queueSize: QUEUE_SIZE }).done();
      client.destroy();
    }
    bytes = size;
  } else if (name === 'raw-get') {
    const client = rawClient(s3);
    const response = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
    for await (const chunk of response.Body as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
    client.destroy();
  } else if (name === 'sparkle-get') {
    for await (const chunk of conn.getObject(key)) bytes += chunk.byteLength;
  } else if (name === 'sparkle-read' || name === 'sparkle-read-2col') {
    let fetched = 0;
    const client = await conn.s3Client();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        // GetObject bodies only: a HeadObject's Content-Length is the object's size, not bytes sent.
        if (context.commandName === 'GetObjectCommand') fetched += Number((result.response as { headers?: Record<string, string> }).headers?.['content-length'] ?? 0);
        return result;
      },
      { step: 'deserialize', name: 'benchBytes', priority: 'low' },
    );
    const frame = await conn.readTable<AsyncIterable<{ numRows: number }>>(key, name === 'sparkle-read-2col' ? { columns: ['c0', 'c1'] } : {});
    let rows = 0;
    for await (const batch of frame) rows += batch.numRows;
    bytes = (await conn.statObject(key))!.size;
    extra.rows = rows;
    extra.fetched = fetched;
  }
  const seconds = (performance.now() - t0) / 1000;
  await conn.close();
  console.log(JSON.stringify({ name, seconds, bytes, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra }));
}

async function child(name: string, bucket: string, mb: number): Promise<{ seconds: number; bytes: number; maxRssMB: number; rows?: number; fetched?: number }> {
  const tsx = join(root, 'node_modules/.bin/tsx');
  const { stdout } = await run(tsx, [fileURLToPath(import.meta.url), `--phase=${name}`, `--bucket=${bucket}`, `--s3-mb=${mb}`], { cwd: join(root, 'tools'), timeout: 1_800_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** Runs every phase (best of `runs` for the timed ones) and prints ratios and peak RSS. */
export async function benchS3(options: { mb?: number; runs?: number } = {}): Promise<{ lines: string[] }> {
  const mb = options.mb ?? 256;
  const runs = options.runs ?? 2;
  const { s3 } = await sdk();
  const bucket = `sparkle-bench-${process.pid}-${Date.now().toString(36)}`;
  const client = rawClient(s3);
  await client.send(new s3.CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  const best = async (name: string) => {
    let top: Awaited<ReturnType<typeof child>> | undefined;
    for (let i = 0; i < runs; i++) {
      const r = await child(name, bucket, mb);
      if (!top || r.seconds < top.seconds) top = { ...r, maxRssMB: Math.max(r.maxRssMB, top?.maxRssMB ?? 0) };
    }
    return top!;
  };
  const write = await best('sparkle-write');
  const put = await best('sparkle-put');
  const upload = await best('raw-upload');
  const read = await best('sparkle-read');
  const get = await best('sparkle-get');
  const rawGet = await best('raw-get');
  const two = await child('sparkle-read-2col', bucket, mb);
  const mbps = (r: { bytes: number; seconds: number }) => `${(r.bytes / 1e6 / r.seconds).toFixed(1)} MB/s`;
  const ratio = (a: { seconds: number }, b: { seconds: number }) => `${(b.seconds / a.seconds).toFixed(2)}×`;
  return {
    lines: [
      `object: ${(write.bytes / 1e6).toFixed(1)} MB Parquet, ${COLUMNS} Float64 columns; part size ${PART_SIZE / 2 ** 20} MiB × queue ${QUEUE_SIZE}; best of ${runs}; moto at ${ENDPOINT}`,
      `write  writeTable (encode + upload)  ${mbps(write)}  = ${ratio(write, upload)} raw Upload   peak RSS ${write.maxRssMB.toFixed(0)} MB`,
      `write  putObject (byte stream)       ${mbps(put)}  = ${ratio(put, upload)} raw Upload   peak RSS ${put.maxRssMB.toFixed(0)} MB`,
      `write  raw lib-storage Upload        ${mbps(upload)}                        peak RSS ${upload.maxRssMB.toFixed(0)} MB`,
      `read   readTable → Arrow             ${mbps(read)}  = ${ratio(read, rawGet)} raw GetObject   peak RSS ${read.maxRssMB.toFixed(0)} MB (${read.rows} rows)`,
      `read   getObject (byte stream)       ${mbps(get)}  = ${ratio(get, rawGet)} raw GetObject   peak RSS ${get.maxRssMB.toFixed(0)} MB`,
      `read   raw GetObject                 ${mbps(rawGet)}                        peak RSS ${rawGet.maxRssMB.toFixed(0)} MB`,
      `read   2 of 16 columns fetched ${(two.fetched! / 1e6).toFixed(1)} MB = ${((100 * two.fetched!) / two.bytes).toFixed(1)}% of the object   peak RSS ${two.maxRssMB.toFixed(0)} MB`,
    ],
  };
}

const phaseArg = process.argv.find((a) => a.startsWith('--phase='))?.split('=')[1];
if (phaseArg) {
  const arg = (n: string) => process.argv.find((a) => a.startsWith(`--${n}=`))!.split('=')[1]!;
  await phase(phaseArg, arg('bucket'), Number(arg('s3-mb')));
}
