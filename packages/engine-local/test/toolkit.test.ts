/** The Arrow toolkit the local engine lends core's family bases, and the exact nested builders under it. */
import { describe, expect, it } from 'vitest';
import { Decimal, Field, Schema } from 'apache-arrow';
import { SparkleError, type ColumnSpec } from '@sparkle/core';
import { arrowToolkit, localEngine, RowBatchBuilder } from '../src/index.js';

const columns: ColumnSpec[] = [
  { name: 'id', type: 'int64', nullable: false },
  { name: 'at', type: 'timestamp' },
  { name: 'headers', type: { list: { struct: [{ name: 'key', type: 'utf8', nullable: false }, { name: 'value', type: 'binary' }] } } },
  { name: 'address', type: { struct: [{ name: 'city', type: 'utf8' }, { name: 'zip', type: 'int32' }, { name: 'tags', type: { list: 'utf8' } }] } },
  { name: 'ok', type: 'bool' },
  { name: 'day', type: 'date' },
  { name: 'score', type: 'float64' },
];

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('arrowToolkit', () => {
  it('is the local engine’s toolkit', () => {
    expect(localEngine.arrow).toBe(arrowToolkit);
  });

  it('round-trips nested rows exactly: int64 beyond 2^53, timestamps, lists of structs, null structs', async () => {
    const schema = arrowToolkit.schema(columns);
    expect(String(schema.fields[2]!.type)).toBe('List<Struct<{key:Utf8, value:Binary}>>');
    const rows = [
      { id: 9007199254740993n, at: new Date('2024-01-02T03:04:05.678Z'), headers: [{ key: 'h', value: new Uint8Array([0, 255]) }], address: { city: 'Bern', zip: 3011, tags: ['a', 'b'] }, ok: true, day: new Date('2024-02-29T00:00:00Z'), score: 1.5 },
      { id: 2n, at: null, headers: [], address: null, ok: null, day: null, score: null },
      { id: 3, at: 0, headers: null, address: { city: null, zip: null, tags: [] }, ok: false, day: 0, score: -0.25 },
    ];
    const batches = await all(arrowToolkit.rowsToBatches(rows, { schema, batchSize: 2 }));
    expect(batches.map((b) => b.numRows)).toEqual([2, 1]);
    const back = batches.flatMap((b) => [...arrowToolkit.rows(b)]);
    expect(back).toEqual([
      rows[0],
      { ...rows[1], headers: [] },
      { id: 3n, at: new Date(0), headers: null, address: { city: null, zip: null, tags: [] }, ok: false, day: new Date(0), score: -0.25 },
    ]);
    expect(arrowToolkit.columns(schema)).toEqual(columns.map((c) => ({ ...c, nullable: c.nullable ?? true, ...(typeof c.type === 'object' ? { type: withNullable(c.type) } : {}) })));
  });

  it('yields one empty batch with the schema for no rows', async () => {
    const schema = arrowToolkit.schema(columns);
    const batches = await all(arrowToolkit.rowsToBatches([], { schema }));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.numRows).toBe(0);
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(columns.map((c) => c.name));
  });

  it('reads decimals as exact text', () => {
    const schema = new Schema([new Field('price', new Decimal(2, 38, 128))]);
    const builder = new RowBatchBuilder(schema);
    builder.append({ price: '12345678901234567890123456789012.34' });
    expect([...arrowToolkit.rows(builder.flush())]).toEqual([{ price: '12345678901234567890123456789012.34' }]);
  });

  it('nested builders refuse values their type cannot hold, naming the column', () => {
    const schema = arrowToolkit.schema(columns);
    for (const bad of [{ id: 1, address: 'Bern' }, { id: 1, headers: 'h' }, { id: 1, address: { zip: 1.5 } }, { id: 1, headers: [5] }]) {
      const builder = new RowBatchBuilder(schema);
      let error: unknown;
      try {
        builder.append(bad);
      } catch (e) {
        error = e;
      }
      expect(SparkleError.isInstance(error), JSON.stringify(bad)).toBe(true);
      expect((error as Error).message).toMatch(/^Column '(address|headers)'/);
    }
  });
});

function withNullable(type: ColumnSpec['type']): ColumnSpec['type'] {
  if (typeof type !== 'object') return type;
  if ('list' in type) return { list: withNullable(type.list) };
  return { struct: type.struct.map((f) => ({ ...f, nullable: f.nullable ?? true, type: withNullable(f.type) })) };
}
