/**
 * `fileFormats` over an object store without rename (S3-like, in memory): every format written
 * and read back exactly, one partition per object, projection, Parquet footers and row groups
 * read by range (not the whole object), save modes, append, a failed source storing nothing, and
 * the format and glob helpers.
 */
import { describe, expect, it } from 'vitest';
import { Field, Int64, Schema, Utf8, type RecordBatch } from 'apache-arrow';
import type { ObjectInfo } from '@sparkle/core';
import { RowBatchBuilder } from '@sparkle/engine-local';
import { csvSettings, fileFormats, formatOf, globPrefix, isGlob, keyMatcher, parquetSettings, rowGroupRows, tempKeyFor } from '../src/index.js';
import { MemoryObjectStore } from './memory-store.js';

const schema = new Schema([new Field('id', new Int64(), false), new Field('name', new Utf8(), true)]);

function batchOf(from: number, n: number): RecordBatch {
  const b = new RowBatchBuilder(schema);
  for (let i = from; i < from + n; i++) b.append({ id: BigInt(i) + 9007199254740000n, name: i % 5 === 0 ? null : i % 7 === 0 ? '' : `n${i}, "q"` });
  return b.flush();
}

async function* batches(count: number, size: number): AsyncGenerator<RecordBatch> {
  for (let k = 0; k < count; k++) yield batchOf(k * size, size);
}

async function objects(store: MemoryObjectStore, glob: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of store.listObjects({ glob })) out.push(o);
  return out;
}

async function rowsOf(store: MemoryObjectStore, glob: string, options = {}): Promise<Array<Record<string, unknown>>> {
  const plan = await fileFormats.planRead(store, await objects(store, glob), options);
  const out: Array<Record<string, unknown>> = [];
  for (const p of plan.partitions) for await (const b of p.open(new AbortController().signal)) for (const r of b.toArray()) out.push({ ...r });
  return out;
}

describe('fileFormats over a store without rename', () => {
  for (const ext of ['csv', 'jsonl', 'arrow', 'arrows', 'parquet']) {
    it(`writes and reads ${ext} exactly, one partition per object`, async () => {
      const store = new MemoryObjectStore();
      const a = await fileFormats.write(store, `t/a.${ext}`, batches(3, 100), { mode: 'errorIfExists' });
      await fileFormats.write(store, `t/b.${ext}`, batches(1, 10), {});
      expect(a.rows).toBe(300);
      // No rename: one put per object, and no temp key left behind.
      expect([...store.objects.keys()].sort()).toEqual([`t/a.${ext}`, `t/b.${ext}`]);
      const plan = await fileFormats.planRead(store, await objects(store, `t/*.${ext}`), {});
      expect(plan.partitions.map((p) => p.description)).toEqual([`t/a.${ext}`, `t/b.${ext}`]);
      const back = await rowsOf(store, `t/a.${ext}`);
      expect(back).toHaveLength(300);
      const expected = batchOf(0, 300).toArray().map((r) => ({ ...r }));
      // JSON lines keep Int64 beyond 2^53 as text (exact), CSV and the binary formats as Int64.
      const norm = (r: Record<string, unknown>) => ({ id: BigInt(r.id as string | bigint), name: r.name });
      expect(back.map(norm)).toEqual(expected.map(norm));
    });
  }

  it('projects columns and refuses a column that is not there', async () => {
    const store = new MemoryObjectStore();
    await fileFormats.write(store, 'p.csv', batches(1, 5), {});
    const plan = await fileFormats.planRead(store, await objects(store, 'p.csv'), { columns: ['name'] });
    expect(plan.schema!.fields.map((f) => f.name)).toEqual(['name']);
    const bad = await fileFormats.planRead(store, await objects(store, 'p.csv'), { columns: ['nope'] });
    await expect(bad.partitions[0]!.open(new AbortController().signal)[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reads Parquet footers and row groups by range, and splits one file by row groups', async () => {
    const store = new MemoryObjectStore();
    await fileFormats.write(store, 'big.parquet', batches(10, 1000), { settings: { rowGroupSize: 2500, compression: 'zstd' } });
    const size = store.objects.get('big.parquet')!.bytes.byteLength;
    store.reads.bytes = 0;
    const plan = await fileFormats.planRead(store, await objects(store, 'big.parquet'), { numPartitions: 4, columns: ['id'] });
    expect(plan.estimatedRows).toBe(10_000);
    expect(plan.partitions).toHaveLength(4);
    // Planning read the footer only.
    expect(store.reads.bytes).toBeLessThan(size / 4);
    let rows = 0;
    const ids = new Set<bigint>();
    for (const p of plan.partitions) for await (const b of p.open(new AbortController().signal)) for (const v of b.getChild('id')!) (rows++, ids.add(v as bigint));
    expect(rows).toBe(10_000);
    expect(ids.size).toBe(10_000);
  });

  it('honours create-only writes, append for text formats, and refuses append for binary ones', async () => {
    const store = new MemoryObjectStore();
    await fileFormats.write(store, 'm.csv', batches(1, 2), { mode: 'errorIfExists' });
    await expect(fileFormats.write(store, 'm.csv', batches(1, 2), { mode: 'errorIfExists' })).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    await fileFormats.write(store, 'm.csv', (async function* () { yield batchOf(10, 1); })(), { mode: 'append' });
    const text = Buffer.from(store.objects.get('m.csv')!.bytes).toString('utf8');
    expect(text.split('\n').filter(Boolean)).toEqual(['id,name', '9007199254740000,', '9007199254740001,"n1, ""q"""', '9007199254740010,']);
    await fileFormats.write(store, 'm.jsonl', batches(1, 2), { mode: 'append' });
    await fileFormats.write(store, 'm.jsonl', batches(1, 2), { mode: 'append' });
    expect(await rowsOf(store, 'm.jsonl')).toHaveLength(4);
    await expect(fileFormats.write(store, 'm.parquet', batches(1, 2), { mode: 'append' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('stores nothing when the source fails midway, for every format', async () => {
    for (const ext of ['csv', 'jsonl', 'arrow', 'parquet']) {
      const store = new MemoryObjectStore();
      async function* broken() {
        yield batchOf(0, 10);
        throw new Error('source died');
      }
      await expect(fileFormats.write(store, `x.${ext}`, broken(), { mode: 'overwrite' }), ext).rejects.toThrow(/source died/);
      expect(store.objects.size, ext).toBe(0);
    }
  });

  it('writes a header-only CSV and an empty Parquet file from a schema when no batch comes', async () => {
    const store = new MemoryObjectStore();
    const none = (async function* (): AsyncGenerator<RecordBatch> {})();
    await fileFormats.write(store, 'e.csv', none, { schema });
    expect(Buffer.from(store.objects.get('e.csv')!.bytes).toString()).toBe('id,name\n');
    await fileFormats.write(store, 'e.parquet', (async function* (): AsyncGenerator<RecordBatch> {})(), { schema });
    const plan = await fileFormats.planRead(store, await objects(store, 'e.parquet'), {});
    expect(plan.estimatedRows).toBe(0);
    expect(plan.schema!.fields.map((f) => f.name)).toEqual(['id', 'name']);
  });

  it('refuses pushdowns files cannot do, mixed formats, and an empty object list', async () => {
    const store = new MemoryObjectStore();
    await store.putObject('a.csv', 'a\n1\n');
    await store.putObject('a.jsonl', '{"a":1}\n');
    await expect(fileFormats.planRead(store, await objects(store, 'a.csv'), { where: 'a > 1' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(fileFormats.planRead(store, await objects(store, 'a.*'), {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(fileFormats.planRead(store, [], {})).rejects.toMatchObject({ code: 'QUERY_FAILED' });
  });
});

describe('format helpers', () => {
  it('tells formats from extensions and settings from loose values', () => {
    expect(fileFormats.formatOf('a/b.NDJSON')).toBe('jsonl');
    expect(formatOf('x.feather')).toBe('arrow');
    expect(formatOf('x.data', 'csv')).toBe('csv');
    expect(() => formatOf('x.xlsx')).toThrow(/Cannot tell the format of 'x.xlsx'/);
    expect(() => formatOf('x.csv', 'xlsx')).toThrow(/Unknown file format 'xlsx'/);
    expect(csvSettings('a.tsv', { header: 'false' })).toEqual({ header: false, delimiter: '\t', quote: '"', inferSchema: true });
    expect(csvSettings('a.csv', { sep: ';', nullValue: 'NULL' })).toMatchObject({ delimiter: ';', nullValue: 'NULL' });
    expect(parquetSettings({ compression: 'zstd', rowGroupSize: '500' })).toEqual({ compression: 'zstd', rowGroupSize: 500 });
    expect(() => parquetSettings({ compression: 'lzma' })).toThrow(/Unknown Parquet compression/);
    expect(tempKeyFor('a/b/c.parquet')).toMatch(/^a\/b\/\.c\.parquet\.[0-9a-z]{7}[0-9a-f]{6}\.sparkle-tmp$/);
  });

  it('sizes Parquet row groups by bytes, within bounds', () => {
    const wide = batchOf(0, 1000);
    const perRow = wide.data.byteLength / 1000;
    expect(rowGroupRows(wide, { rowGroupSize: 77 })).toBe(77);
    expect(rowGroupRows(wide, { rowGroupBytes: Math.round(perRow * 5000) })).toBeGreaterThanOrEqual(4999);
    expect(rowGroupRows(wide, { rowGroupBytes: Math.round(perRow * 5000) })).toBeLessThanOrEqual(5001);
    expect(rowGroupRows(wide, { rowGroupBytes: 1 })).toBe(1024);
    expect(rowGroupRows(wide, {})).toBe(1_048_576);
  });

  it('matches globs with picomatch and pushes down their literal prefix', () => {
    expect(isGlob('raw/*.csv')).toBe(true);
    expect(isGlob('raw/a.csv')).toBe(false);
    expect(globPrefix('raw/2024-*/*.csv')).toBe('raw/');
    expect(globPrefix('**/*.csv')).toBe('');
    const m = keyMatcher('raw/{a,b}-[!x]?.csv');
    expect(['raw/a-11.csv', 'raw/b-y2.csv', 'raw/a-x1.csv', 'raw/c-11.csv'].filter(m)).toEqual(['raw/a-11.csv', 'raw/b-y2.csv']);
    expect(keyMatcher('**/*.csv')('.hidden/a.csv')).toBe(false);
  });
});
