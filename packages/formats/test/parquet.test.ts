import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bool, DateDay, Decimal, Field, Float64, Int32, Int64, Schema, TimestampMicrosecond, Utf8, Table, makeData, makeVector, RecordBatch, Struct } from 'apache-arrow';
import { RowBatchBuilder, emptyBatch } from '@sparkle/engine-local';
import { parquetInfo, readParquetBatches, writeParquet } from '../src/parquet.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkle-parquet-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(file: string, options = {}) {
  const batches: RecordBatch[] = [];
  for await (const b of readParquetBatches(file, options)) batches.push(b);
  return new Table(batches.filter((b) => b.numRows > 0).length ? batches.filter((b) => b.numRows > 0) : batches.slice(0, 1));
}

/** The seed's column mix: bigint, int, double, numeric(12,2), text, timestamp (µs), boolean, date. */
const schema = new Schema([
  new Field('id', new Int64(), false),
  new Field('qty', new Int32(), true),
  new Field('price', new Float64(), true),
  new Field('amount', new Decimal(2, 12, 128), true),
  new Field('name', new Utf8(), true),
  new Field('ts', new TimestampMicrosecond('UTC'), true),
  new Field('flag', new Bool(), true),
  new Field('day', new DateDay(), true),
]);

function sample(): RecordBatch {
  const b = new RowBatchBuilder(schema);
  b.append({ id: 9007199254740993n, qty: 1, price: 1.5, amount: '1234567890.12', name: 'é ü 😀', ts: null, flag: true, day: new Date('2024-02-29') });
  b.append({ id: -1n, qty: null, price: null, amount: '-0.01', name: null, ts: null, flag: false, day: null });
  b.append({ id: 3n, qty: -2147483648, price: -0, amount: null, name: '', ts: null, flag: null, day: new Date('1969-12-31') });
  const batch = b.flush();
  // Microsecond timestamps (sub-millisecond digits that a JS Date cannot hold) are set directly.
  const ts = makeData({ type: schema.fields[5]!.type, length: 3, nullCount: 1, nullBitmap: new Uint8Array([0b011]), data: new BigInt64Array([1700000000123456n, -1n, 0n]) });
  const children = batch.data.children.map((c, i) => (i === 5 ? ts : c));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 3, nullCount: 0, children }));
}

describe('Parquet codec', () => {
  it('round-trips bigint, int, double, decimal(12,2), text, µs timestamps, booleans, dates and nulls', async () => {
    const file = join(dir, 'types.parquet');
    const batch = sample();
    const result = await writeParquet(file, [batch], { compression: 'zstd' });
    expect(result.rows).toBe(3);
    expect(result.fileBytes).toBeGreaterThan(0);
    const table = await collect(file);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(schema.fields.map((f) => `${f.name}:${String(f.type)}`));
    expect(table.getChild('id')!.toArray()).toEqual(BigInt64Array.from([9007199254740993n, -1n, 3n]));
    expect([...table.getChild('qty')!]).toEqual([1, null, -2147483648]);
    expect([...table.getChild('price')!]).toEqual([1.5, null, -0]);
    const amount = table.getChild('amount')!;
    expect(Array.from(amount.data[0]!.values.slice(0, 8) as Uint32Array)).toEqual(Array.from(batch.getChild('amount')!.data[0]!.values.slice(0, 8) as Uint32Array));
    expect(amount.get(2)).toBeNull();
    expect([...table.getChild('name')!]).toEqual(['é ü 😀', null, '']);
    const ts = table.getChild('ts')!;
    expect(Array.from((ts.data[0]!.values as BigInt64Array).slice(0, 2))).toEqual([1700000000123456n, -1n]);
    expect(ts.get(2)).toBeNull();
    expect([...table.getChild('flag')!]).toEqual([true, false, null]);
    expect([...table.getChild('day')!]).toEqual([Date.UTC(2024, 1, 29), null, Date.UTC(1969, 11, 31)]);
  });

  it('streams row groups as batches, projects columns and reads chosen row groups', async () => {
    const file = join(dir, 'many.parquet');
    const small = new Schema([new Field('n', new Int64(), false), new Field('s', new Utf8(), true)]);
    async function* gen() {
      for (let k = 0; k < 10; k++) {
        const b = new RowBatchBuilder(small);
        for (let i = 0; i < 1000; i++) b.append({ n: BigInt(k * 1000 + i), s: `row ${k * 1000 + i}` });
        yield b.flush();
      }
    }
    const result = await writeParquet(file, gen(), { rowGroupSize: 2500, compression: 'snappy' });
    expect(result.rows).toBe(10_000);
    const info = await parquetInfo(file);
    expect(info).toMatchObject({ rows: 10_000, rowGroups: 4 });
    let batches = 0;
    let rows = 0;
    for await (const b of readParquetBatches(file, { batchSize: 1000, columns: ['n'] })) {
      batches++;
      rows += b.numRows;
      expect(b.schema.fields.map((f) => f.name)).toEqual(['n']);
    }
    expect(rows).toBe(10_000);
    expect(batches).toBeGreaterThanOrEqual(10);
    const second = await collect(file, { rowGroups: [1] });
    expect(second.numRows).toBe(2500);
    expect(second.getChild('n')!.get(0)).toBe(2500n);
  });

  it('writes an empty file from an empty batch and reads back its schema', async () => {
    const file = join(dir, 'empty.parquet');
    await writeParquet(file, [emptyBatch(schema)]);
    const table = await collect(file);
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(schema.fields.map((f) => f.name));
  });

  it('leaves the previous file intact and no temp file when the source fails midway', async () => {
    const file = join(dir, 'atomic.parquet');
    await writeParquet(file, [sample()]);
    async function* broken() {
      yield sample();
      throw new Error('source broke');
    }
    await expect(writeParquet(file, broken())).rejects.toThrow(/source broke/);
    expect((await collect(file)).numRows).toBe(3);
    expect((await readdir(dir)).filter((f) => f.includes('sparkle-tmp'))).toEqual([]);
    await expect(writeParquet(file, [sample()], { mode: 'create' })).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
  });

  it('rejects a file that is not Parquet with an error', async () => {
    const file = join(dir, 'bad.parquet');
    await writeFile(file, 'not parquet at all');
    await expect(collect(file)).rejects.toThrow();
  });
});
