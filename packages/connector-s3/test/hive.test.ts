/** Hive-style partition directories read as columns (core's cloud-storage base) on the real moto server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordBatch, tableFromArrays } from 'apache-arrow';
import { setFileFormats } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import type { S3Connection } from '../src/index.js';
import { bucketName, createBucket, openS3, rejection } from './helpers.js';

setFileFormats(fileFormats);

const bucket = bucketName('hive');
let conn: S3Connection;

beforeAll(async () => {
  await ensureLocalEngine();
  await createBucket(bucket);
  conn = await openS3(bucket);
  const part = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) });
  await conn.writeTable(part([1, 2]), 'events/year=2024/country=NO/part-0.parquet', { mode: 'overwrite' });
  await conn.writeTable(part([3]), 'events/year=2024/country=PE/part-0.parquet', { mode: 'overwrite' });
  await conn.writeTable(part([4]), 'events/year=2025/country=__HIVE_DEFAULT_PARTITION__/part-0.parquet', { mode: 'overwrite' });
  await conn.putObject('events/_SUCCESS', '');
});
afterAll(() => conn?.close());

const sorted = (rows: Array<Record<string, unknown>>) => rows.map((r) => ({ ...r, id: Number(r.id), year: r.year === undefined ? undefined : Number(r.year) })).sort((a, b) => a.id - b.id);

describe('Hive-style partitions', () => {
  it('a directory read adds the name=value segments as typed columns', async () => {
    const frame = await conn.readTable('events');
    const rows = sorted(await collectRows(frame));
    expect(rows).toEqual([
      { id: 1, year: 2024, country: 'NO' },
      { id: 2, year: 2024, country: 'NO' },
      { id: 3, year: 2024, country: 'PE' },
      { id: 4, year: 2025, country: null },
    ]);
  });

  it('a glob read does the same; projection may pick partition columns alone or with data', async () => {
    expect(sorted(await collectRows(await conn.readTable('events/**/*.parquet', { columns: ['id', 'country'] })))).toEqual([
      { id: 1, country: 'NO' },
      { id: 2, country: 'NO' },
      { id: 3, country: 'PE' },
      { id: 4, country: null },
    ]);
    expect(sorted(await collectRows(await conn.readTable('events/year=2024', { columns: ['id'] })))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('a single object read has no partition columns', async () => {
    expect(await collectRows(await conn.readTable('events/year=2024/country=PE/part-0.parquet'))).toEqual([{ id: 3 }]);
  });
});

describe('partitionBy writes', () => {
  const table = () => tableFromArrays({ id: Int32Array.from([1, 2, 3, 4, 5]), day: ['d1', 'd1', 'd2', 'd2', 'd3'], v: Float64Array.from([1, 2, 3, 4, 5]) });
  const keys = async (prefix: string) => {
    const out: string[] = [];
    for await (const o of conn.listObjects({ prefix })) out.push(o.key);
    return out;
  };

  it('writes one part file per value under name=value/ folders, read back with the column', async () => {
    const result = await conn.writeTable(table(), 'out/by-day', { partitionBy: ['day'] });
    expect(result).toMatchObject({ rows: 5, written: true });
    const written = await keys('out/by-day/');
    expect(written.map((k) => k.replace(/part-\d+-[0-9a-f]+/, 'part'))).toEqual(['out/by-day/day=d1/part.parquet', 'out/by-day/day=d2/part.parquet', 'out/by-day/day=d3/part.parquet']);
    const rows = (await collectRows(await conn.readTable('out/by-day'))).map((r) => ({ id: Number(r.id), day: r.day, v: r.v })).sort((a, b) => a.id - b.id);
    expect(rows).toEqual([
      { id: 1, day: 'd1', v: 1 },
      { id: 2, day: 'd1', v: 2 },
      { id: 3, day: 'd2', v: 3 },
      { id: 4, day: 'd2', v: 4 },
      { id: 5, day: 'd3', v: 5 },
    ]);
    // The partition column lives in the path only.
    expect(Object.keys((await collectRows(await conn.readTable(written[0]!)))[0]!)).toEqual(['id', 'v']);
    const exists = await rejection(conn.writeTable(table(), 'out/by-day', { partitionBy: ['day'] }));
    expect(exists.code).toBe('TABLE_EXISTS');
    expect((await conn.writeTable(table(), 'out/by-day', { partitionBy: ['day'], mode: 'ignore' })).written).toBe(false);
  });

  it('overwrite replaces the directory; a failure halfway deletes the new part files and keeps the old ones', async () => {
    await conn.writeTable(table(), 'out/ow', { partitionBy: ['day'], mode: 'overwrite' });
    const before = await keys('out/ow/');
    async function* failing(): AsyncGenerator<RecordBatch> {
      yield* tableFromArrays({ id: Int32Array.from([10, 11]), day: ['d7', 'd8'], v: Float64Array.from([0, 0]) }).batches;
      throw new Error('injected input failure mid-write');
    }
    const error = await rejection(conn.writeTable(failing(), 'out/ow', { partitionBy: ['day'], mode: 'overwrite' }));
    expect(String(error.message)).toMatch(/injected input failure/);
    expect(await keys('out/ow/')).toEqual(before);
    expect((await collectRows(await conn.readTable('out/ow'))).length).toBe(5);

    await conn.writeTable(tableFromArrays({ id: Int32Array.from([9]), day: ['d9'], v: Float64Array.from([9]) }), 'out/ow', { partitionBy: ['day'], mode: 'overwrite' });
    const after = await collectRows(await conn.readTable('out/ow'));
    expect(after.map((r) => [Number(r.id), r.day])).toEqual([[9, 'd9']]);
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([8]), day: ['d9'], v: Float64Array.from([8]) }), 'out/ow', { partitionBy: ['day'], mode: 'append' });
    expect((await collectRows(await conn.readTable('out/ow'))).map((r) => Number(r.id)).sort()).toEqual([8, 9]);
  });
});
