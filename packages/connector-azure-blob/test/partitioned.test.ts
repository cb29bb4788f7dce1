/**
 * Tables through core's object-store base against the REAL Blob API (Azurite): `partitionBy`
 * writes Hive-style directories (one file per partition, partition columns in the path), reads
 * discover them as columns, and every save mode holds for the directory.
 */
import { beforeAll, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows } from '@sparkle/testkit';
import { tableFromArrays } from 'apache-arrow';
import '../src/index.js';
import type { AzureBlobConnection } from '../src/index.js';
import { freshContainer } from './azurite.js';

let config: Record<string, unknown>;
beforeAll(async () => {
  ({ config } = await freshContainer('parts', { prefix: 'warehouse' }));
});
const open = () => getConnection<AzureBlobConnection>('azure_blob', { config, dotenv: false, variables: {} });
const orders = (ids: number[], days: Array<string | null>, years: number[]) =>
  tableFromArrays({ id: Int32Array.from(ids), day: days, year: Int32Array.from(years), amount: Float64Array.from(ids.map((i) => i * 1.5)) });
// CSV and JSON lines infer integers as Int64 (bigint): numbers compared as numbers.
const sorted = (rows: Array<Record<string, unknown>>) =>
  rows.map((r): Record<string, unknown> & { id: number } => ({ ...r, id: Number(r.id), year: r.year === null ? null : Number(r.year) })).sort((a, b) => a.id - b.id);

it.for(['parquet', 'csv', 'jsonl'])('writes %s partitioned by two columns and reads the partition values back as columns', async (ext) => {
  await using conn = await open();
  const table = `sales/orders.${ext}`;
  const written = await conn.writeTable(orders([1, 2, 3, 4, 5], ['2024-01-01', '2024-01-01', '2024-01-02', null, 'a/b'], [2024, 2024, 2024, 2023, 2024]), table, { partitionBy: ['year', 'day'] });
  expect(written).toMatchObject({ rows: 5, written: true });
  const keys: string[] = [];
  for await (const o of conn.listObjects({ prefix: `${table}/` })) keys.push(o.key);
  expect(keys.map((k) => k.replace(/part-\d{5}-[0-9a-f]{12}/, 'part'))).toEqual([
    `${table}/year=2023/day=__HIVE_DEFAULT_PARTITION__/part.${ext}`,
    `${table}/year=2024/day=2024-01-01/part.${ext}`,
    `${table}/year=2024/day=2024-01-02/part.${ext}`,
    `${table}/year=2024/day=a%2Fb/part.${ext}`,
  ]);
  const rows = sorted(await collectRows(await conn.readTable(table)));
  expect(rows.map((r) => [r.id, r.year, r.day])).toEqual([
    [1, 2024, '2024-01-01'],
    [2, 2024, '2024-01-01'],
    [3, 2024, '2024-01-02'],
    [4, 2023, null],
    [5, 2024, 'a/b'],
  ]);
  expect(Object.keys(rows[0]!)).toEqual(['id', 'amount', 'year', 'day']);
  const only = await collectRows(await conn.readTable(`${table}/year=2024/*/*`, { columns: ['id', 'day'] }));
  expect(only.map((r) => Number(r.id)).sort()).toEqual([1, 2, 3, 5]);
});

it('honours every save mode on the partitioned directory; a failure leaves the old table', async () => {
  await using conn = await open();
  const table = 'modes/t.parquet';
  await conn.writeTable(orders([1, 2], ['x', 'y'], [1, 1]), table, { partitionBy: ['day'] });
  const exists = await conn.writeTable(orders([3], ['x'], [1]), table, { partitionBy: ['day'] }).then(() => undefined, (e: unknown) => e);
  expect((exists as SparkleError).code).toBe('TABLE_EXISTS');
  expect((await conn.writeTable(orders([3], ['x'], [1]), table, { partitionBy: ['day'], mode: 'ignore' })).written).toBe(false);
  await conn.writeTable(orders([3], ['z'], [1]), table, { partitionBy: ['day'], mode: 'append' });
  expect(sorted(await collectRows(await conn.readTable(table))).map((r) => [r.id, r.day])).toEqual([[1, 'x'], [2, 'y'], [3, 'z']]);
  await conn.writeTable(orders([7], ['w'], [1]), table, { partitionBy: ['day'], mode: 'overwrite' });
  expect(sorted(await collectRows(await conn.readTable(table))).map((r) => [r.id, r.day])).toEqual([[7, 'w']]);
  const bad = await conn.writeTable(orders([8], ['v'], [1]), table, { partitionBy: ['nope'], mode: 'overwrite' }).then(() => undefined, (e: unknown) => e);
  expect(SparkleError.isInstance(bad)).toBe(true);
  expect((bad as Error).message).toContain('nope');
  expect(sorted(await collectRows(await conn.readTable(table))).map((r) => [r.id, r.day])).toEqual([[7, 'w']]);
});
