/** Hive-style partition paths: escaping as Hive does, parsing back, splitting batches by partition values. */
import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { escapePartitionValue, HIVE_DEFAULT_PARTITION, partitionValuesOf, splitByPartition, unescapePartitionValue, withPartitionColumns } from '../src/index.js';

describe('Hive partition paths', () => {
  it('escapes unsafe characters and round-trips them', () => {
    for (const value of ['plain', 'a/b', 'x=y', '50%', 'C:\\dir', 'tab\there', 'ÆØÅ']) {
      const segment = escapePartitionValue(value);
      expect(segment).not.toMatch(/[/=:\\\t]/);
      expect(unescapePartitionValue(segment)).toBe(value);
    }
    expect(escapePartitionValue('a/b=c')).toBe('a%2Fb%3Dc');
    expect(escapePartitionValue(null)).toBe(HIVE_DEFAULT_PARTITION);
    expect(escapePartitionValue('')).toBe(HIVE_DEFAULT_PARTITION);
    expect(unescapePartitionValue(HIVE_DEFAULT_PARTITION)).toBeNull();
  });

  it('reads column=value directories of a relative key, ignoring other directories and the file name', () => {
    expect(partitionValuesOf('day=2024-01-01/raw/country=N%2FO/part-0.parquet')).toEqual([
      ['day', '2024-01-01'],
      ['country', 'N/O'],
    ]);
    expect(partitionValuesOf('x=1.parquet')).toEqual([]);
  });

  it('splits batches into one batch per partition without the partition columns, and adds them back', async () => {
    const table = tableFromArrays({ id: Int32Array.from([1, 2, 3, 4]), day: ['a', 'b', 'a', null] as Array<string | null> });
    const slices = [];
    for await (const s of splitByPartition((async function* () { yield* table.batches; })(), ['day'])) slices.push(s);
    expect(slices.map((s) => [s.path, s.batch.schema.fields.map((f) => f.name), [...s.batch.getChild('id')!]])).toEqual([
      ['day=a', ['id'], [1, 3]],
      ['day=b', ['id'], [2]],
      [`day=${HIVE_DEFAULT_PARTITION}`, ['id'], [4]],
    ]);
    const { Field, Utf8 } = await import('apache-arrow');
    const back = [];
    for await (const b of withPartitionColumns((async function* () { yield slices[0]!.batch; })(), [{ field: new Field('day', new Utf8(), true), value: 'a' }])) back.push(b);
    expect(back[0]!.toArray().map((r) => r.toJSON())).toEqual([
      { id: 1, day: 'a' },
      { id: 3, day: 'a' },
    ]);
  });
});
