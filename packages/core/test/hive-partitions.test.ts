import { describe, expect, it } from 'vitest';
import { hiveGroups, hiveTypeOf, hiveValuesOf } from '../src/index.js';

describe('Hive-style partition directories', () => {
  it('reads name=value segments below the root, URL-decoded, the default partition as null', () => {
    expect(hiveValuesOf('t/day=2024-01-01/city=S%C3%A3o%20Paulo/part-0.parquet', 't/')).toEqual([
      ['day', '2024-01-01'],
      ['city', 'São Paulo'],
    ]);
    expect(hiveValuesOf('t/k=__HIVE_DEFAULT_PARTITION__/a.csv', 't/')).toEqual([['k', null]]);
    // Segments above the root and the file name itself are not partitions.
    expect(hiveValuesOf('x=1/t/a=b.csv', 'x=1/t/')).toEqual([]);
    expect(hiveValuesOf('other/k=1/a.csv', 't/')).toEqual([]);
  });

  it('groups objects by their values and infers each column type from all values', () => {
    const { columns, groups } = hiveGroups(
      [
        { key: 't/y=2024/a.csv', size: 1 },
        { key: 't/y=2024/b.csv', size: 1 },
        { key: 't/y=2025/c.csv', size: 1 },
      ],
      't/',
    );
    expect(columns).toEqual(['y']);
    expect(groups.map((g) => [g.values.y, g.objects.length])).toEqual([
      ['2024', 2],
      ['2025', 1],
    ]);
    expect(hiveTypeOf(['1', '-2', null])).toBe('int64');
    expect(hiveTypeOf(['1', '2.5'])).toBe('float64');
    expect(hiveTypeOf(['1', 'x'])).toBe('utf8');
    expect(hiveTypeOf([null])).toBe('utf8');
  });
});
