import { describe, expect, it } from 'vitest';
import { Decimal, Field, Schema, Table, TimestampMicrosecond, Type, Utf8, tableFromArrays } from 'apache-arrow';
import { RowBatchBuilder, batchByteLength, emptyBatch, encodeDecimal, inferSchema, iterateBatches, rowsToBatches } from '../src/index.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('inferSchema', () => {
  it('maps JS values to Arrow types, with nulls, bigints and dates', () => {
    const schema = inferSchema([
      { i: 1, f: 1, big: 2n ** 60n, s: 'a', b: true, d: new Date('2024-01-01T00:00:00Z'), n: null, mixed: 1, bin: new Uint8Array([1]) },
      { i: null, f: 2.5, big: 3, s: null, b: false, d: null, n: undefined, mixed: 'x', bin: null },
    ]);
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toEqual({
      i: 'Int64',
      f: 'Float64',
      big: 'Int64',
      s: 'Utf8',
      b: 'Bool',
      d: 'Timestamp<MILLISECOND, UTC>',
      n: 'Utf8',
      mixed: 'Utf8',
      bin: 'Binary',
    });
    expect(schema.fields.every((f) => f.nullable)).toBe(true);
  });

  it('needs column names for array rows', () => {
    expect(() => inferSchema([[1, 'a']])).toThrow(/column names/);
    expect(inferSchema([[1, 'a']], { columns: ['id', 'name'] }).fields.map((f) => String(f.type))).toEqual(['Int64', 'Utf8']);
  });
});

describe('rowsToBatches', () => {
  it('builds batches of batchSize with values and nulls intact', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: i, big: BigInt(i) * 10n ** 15n, at: new Date(Date.UTC(2024, 0, 1 + i)), name: i % 5 ? `n${i}` : null }));
    const batches = await collect(rowsToBatches(rows, { batchSize: 10 }));
    expect(batches.map((b) => b.numRows)).toEqual([10, 10, 5]);
    const table = new Table(batches);
    expect(table.getChild('id')!.toArray()).toEqual(BigInt64Array.from(rows.map((r) => BigInt(r.id))));
    expect(table.get(3)!.toJSON()).toEqual({ id: 3n, big: 3n * 10n ** 15n, at: Date.UTC(2024, 0, 4), name: 'n3' });
    expect(table.get(5)!.toJSON().name).toBeNull();
  });

  it('accepts array rows and async iterables, and a given schema', async () => {
    const schema = new Schema([new Field('id', new Utf8(), true), new Field('ts', new TimestampMicrosecond('UTC'), true)]);
    async function* gen() {
      yield [1, '2024-01-01T00:00:00Z'];
      yield [null, null];
    }
    const [batch] = await collect(rowsToBatches(gen(), { schema }));
    expect(batch!.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Timestamp<MICROSECOND, UTC>']);
    expect(batch!.get(0)!.toJSON()).toEqual({ id: '1', ts: Date.UTC(2024, 0, 1) });
    expect(batch!.get(1)!.toJSON()).toEqual({ id: null, ts: null });
  });

  it('fails clearly when a later row does not fit the inferred type', async () => {
    const rows = [{ n: 1 }, { n: 2.5 }];
    await expect(collect(rowsToBatches(rows, { batchSize: 1 }))).rejects.toThrow(/Column 'n' \(Int64\) cannot hold number 2.5/);
  });

  it('yields one empty batch for no rows', async () => {
    const schema = new Schema([new Field('a', new Utf8())]);
    const batches = await collect(rowsToBatches([], { schema }));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.numRows).toBe(0);
    expect(batches[0]!.schema.fields[0]!.name).toBe('a');
  });
});

describe('decimals', () => {
  it('encodes decimals as Arrow stores them', () => {
    const schema = new Schema([new Field('amount', new Decimal(2, 12, 128), true)]);
    const b = new RowBatchBuilder(schema);
    b.append({ amount: '1234.56' });
    b.append({ amount: -0.5 });
    b.append({ amount: null });
    const batch = b.flush();
    const words = batch.getChild('amount')!.data[0]!.values as Uint32Array;
    expect(Array.from(words.slice(0, 4))).toEqual([123456, 0, 0, 0]);
    expect(Array.from(words.slice(4, 8))).toEqual(Array.from(encodeDecimal(-50n * 1n, 0, 128)));
    expect(batch.getChild('amount')!.nullCount).toBe(1);
  });
});

describe('batch helpers', () => {
  it('measures batches and makes empty ones', () => {
    const t = tableFromArrays({ x: Float64Array.from([1, 2, 3, 4]) });
    expect(batchByteLength(t.batches[0]!)).toBeGreaterThanOrEqual(32);
    const e = emptyBatch(t.schema);
    expect(e.numRows).toBe(0);
    expect(e.schema.fields[0]!.type.typeId).toBe(Type.Float);
  });

  it('iterateBatches normalises every accepted input', async () => {
    const t = tableFromArrays({ x: Int32Array.from([1, 2]) });
    const count = async (d: unknown) => (await collect(iterateBatches(d))).reduce((n, b) => n + b.numRows, 0);
    expect(await count(t)).toBe(2);
    expect(await count(t.batches[0])).toBe(2);
    expect(await count([t.batches[0], t.batches[0]])).toBe(4);
    expect(await count([{ a: 1 }, { a: 2 }, { a: 3 }])).toBe(3);
    expect(await count(new Set([{ a: 1 }]))).toBe(1);
    await expect(count(42)).rejects.toThrow(/Cannot write number/);
    await expect(count([t.batches[0], { a: 1 }])).rejects.toThrow(/contained something else/);
  });
});
