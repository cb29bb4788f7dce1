/** Hive-style partition directories read as columns (core's cloud-storage base) on the real moto server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { setFileFormats } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import type { S3Connection } from '../src/index.js';
import { bucketName, createBucket, openS3 } from './helpers.js';

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
