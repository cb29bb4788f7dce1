/**
 * Tables in files on the real moto server, through core's cloud-storage base and the file
 * formats: Parquet/CSV/JSON lines/Arrow round trips and globs; Parquet column projection fetching
 * only the chunks it needs (bytes counted by a middleware on the connection's own SDK client);
 * overwrite that leaves the old object readable and nothing partial when a part upload or the
 * input fails halfway (faults injected in the SDK's middleware stack and in the input).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { type RecordBatch, type Table, tableFromArrays } from 'apache-arrow';
import { setFileFormats, SparkleError } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import type { S3Connection } from '../src/index.js';
import { bucketName, createBucket, instrument, openS3, rawClient, rejection } from './helpers.js';

setFileFormats(fileFormats);

const bucket = bucketName('tables');
let conn: S3Connection;

beforeAll(async () => {
  await ensureLocalEngine();
  await createBucket(bucket);
  conn = await openS3(bucket, { partSize: 5 * 1024 * 1024, queueSize: 2 });
});
afterAll(() => conn?.close());

/** A pseudo-random generator, so the data does not compress away (column chunks keep their size). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A table of `columns` Float64 columns c0…c(n-1) and `rows` rows. */
function wideTable(rows: number, columns: number, seed = 7): Table {
  const next = random(seed);
  const data: Record<string, Float64Array> = {};
  for (let c = 0; c < columns; c++) data[`c${c}`] = Float64Array.from({ length: rows }, () => next());
  return tableFromArrays(data);
}

/** Batches of a table that fail after `failAfter` of them. */
async function* failingBatches(table: Table, rowsPerBatch: number, failAfter: number): AsyncGenerator<RecordBatch> {
  let n = 0;
  for (let at = 0; at < table.numRows; at += rowsPerBatch) {
    for (const batch of table.slice(at, at + rowsPerBatch).batches) {
      if (n++ === failAfter) throw new Error('injected input failure after some batches');
      yield batch;
    }
  }
  throw new Error('injected input failure at the end');
}

async function pendingUploads(prefix: string): Promise<number> {
  const client = rawClient();
  try {
    const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
    return listed.Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}

describe('file formats on S3', () => {
  it.for(['parquet', 'csv', 'jsonl', 'arrow'])('writes and reads back %s, alone and through a glob', async (ext) => {
    const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]), score: Float64Array.from([0.5, 1.5, 2.5]) });
    await conn.writeTable(table, `fmt/${ext}/a.${ext}`, { mode: 'overwrite' });
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([4]), score: Float64Array.from([3.5]) }), `fmt/${ext}/b.${ext}`, { mode: 'overwrite' });
    const one = await collectRows(await conn.readTable(`fmt/${ext}/a.${ext}`));
    expect(one.map((r) => Number(r.id))).toEqual([1, 2, 3]);
    const both = await collectRows(await conn.readTable(`fmt/${ext}/*.${ext}`));
    expect(both.map((r) => Number(r.id)).sort()).toEqual([1, 2, 3, 4]);
    expect(both.map((r) => Number(r.score)).sort()).toEqual([0.5, 1.5, 2.5, 3.5]);
  });

  it('appends to JSON lines by rewriting the object whole; refuses append to Parquet with a hint', async () => {
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1]) }), 'append/a.jsonl', { mode: 'overwrite' });
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([2]) }), 'append/a.jsonl', { mode: 'append' });
    expect((await collectRows(await conn.readTable('append/a.jsonl'))).map((r) => Number(r.id))).toEqual([1, 2]);
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1]) }), 'append/a.parquet', { mode: 'overwrite' });
    const error = await rejection(conn.writeTable(tableFromArrays({ id: Int32Array.from([2]) }), 'append/a.parquet', { mode: 'append' }));
    expect(SparkleError.isInstance(error)).toBe(true);
    expect(String(error.message)).toMatch(/append/i);
  });
});

describe('Parquet column projection fetches only the needed column chunks', () => {
  it('a 2-of-16-column read fetches at most 20% of the bytes of the object (and of a full read)', async () => {
    await conn.writeTable(wideTable(60_000, 16), 'wide/w16.parquet', { mode: 'overwrite' });
    const size = (await conn.statObject('wide/w16.parquet'))!.size;
    const log = await instrument(conn);

    log.clear();
    const full = await collectRows(await conn.readTable('wide/w16.parquet'));
    const fullBytes = log.bytes('GetObject');
    expect(full).toHaveLength(60_000);
    expect(fullBytes).toBeGreaterThanOrEqual(size * 0.95);

    log.clear();
    const two = await collectRows(await conn.readTable('wide/w16.parquet', { columns: ['c3', 'c11'] }));
    const twoBytes = log.bytes('GetObject');
    expect(two).toHaveLength(60_000);
    expect(Object.keys(two[0]!)).toEqual(['c3', 'c11']);
    // Every fetch was a ranged GET, and together they are a small share of the object.
    expect(log.calls.filter((c) => c.operation === 'GetObject').every((c) => c.range)).toBe(true);
    console.info(`[s3 projection] 2 of 16 columns fetched ${twoBytes} of ${size} bytes (${((100 * twoBytes) / size).toFixed(1)}%); the full read fetched ${fullBytes}`);
    expect(twoBytes / size, `${twoBytes} of ${size} bytes fetched for 2 of 16 columns`).toBeLessThanOrEqual(0.2);
    expect(twoBytes / fullBytes).toBeLessThanOrEqual(0.2);
  });
});

describe('overwrite leaves the old data readable when the new write fails halfway', () => {
  const key = 'atomic/data.parquet';
  const old = () => tableFromArrays({ c0: Float64Array.from([1, 2, 3]) });
  // ≈ 16 MB of incompressible doubles: four 5 MiB parts at least, so the upload is multipart.
  const big = () => wideTable(1_000_000, 2, 99);

  async function expectOldIntact(etag: string | undefined): Promise<void> {
    const after = await conn.statObject(key);
    expect(after?.etag).toBe(etag);
    expect((await collectRows(await conn.readTable(key))).map((r) => r.c0)).toEqual([1, 2, 3]);
    expect(await pendingUploads('atomic/'), 'no multipart upload left behind').toBe(0);
    const keys: string[] = [];
    for await (const o of conn.listObjects({ prefix: 'atomic/' })) keys.push(o.key);
    expect(keys, 'no visible partial or temporary object').toEqual([key]);
  }

  it('a failing part upload (injected into the SDK client) aborts the multipart upload', async () => {
    await conn.writeTable(old(), key, { mode: 'overwrite' });
    const before = await conn.statObject(key);
    const client = await conn.s3Client();
    let parts = 0;
    const name = `failPart-${Date.now()}`;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand' && ++parts === 2) {
          throw Object.assign(new Error('injected failure of part 2'), { name: 'InjectedPartFailure', $fault: 'client' });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const error = await rejection(conn.writeTable(big(), key, { mode: 'overwrite' }));
      expect(SparkleError.isInstance(error), String(error)).toBe(true);
      expect(String(error.message)).toContain(key);
      expect(parts).toBeGreaterThanOrEqual(2);
    } finally {
      client.middlewareStack.remove(name);
    }
    await expectOldIntact(before?.etag);
  });

  it('a failing input (after several parts went up) leaves the same', async () => {
    await conn.writeTable(old(), key, { mode: 'overwrite' });
    const before = await conn.statObject(key);
    const log = await instrument(conn);
    // Row groups of 100 000 rows (1.6 MB each) so encoded bytes, and parts, go out before the input fails at 80%.
    const error = await rejection(conn.writeTable(failingBatches(big(), 100_000, 8), key, { mode: 'overwrite', options: { rowGroupSize: '100000' } }));
    expect(String(error.message)).toMatch(/injected input failure/);
    expect(log.count('UploadPart'), 'parts were uploaded before the failure').toBeGreaterThanOrEqual(1);
    expect(log.count('AbortMultipartUpload')).toBe(1);
    await expectOldIntact(before?.etag);
  });
});
