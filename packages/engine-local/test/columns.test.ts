/** The value conversions behind reads and writes: fast paths agree with the exact slow paths. */
import { Field, Schema } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  ArrowTypes,
  batchFromBuilders,
  bigIntToDecimalString,
  cellReader,
  columnBuilder,
  decimalStringToBigInt,
  formatTimestampMicros,
  parseTimestampMicros,
} from '../src/index.js';

function roundTrip(field: Field, values: unknown[]): unknown[] {
  const b = columnBuilder(field);
  for (const v of values) b.append(v);
  const batch = batchFromBuilders(new Schema([field]), [b]);
  const read = cellReader(batch.getChildAt(0)!);
  return values.map((_, i) => read(i));
}

describe('decimals', () => {
  const cases = ['0', '-0', '+5', '.5', '5.', '-0.01', '123456789.12', '-9007199254.74', '9999999999999.99', '-1234567890123456789012.5', '1e3', '0.000001'];
  it('encodes every spelling to the same unscaled value as the exact parser', () => {
    const field = new Field('d', ArrowTypes.decimal(38, 6), true);
    const out = roundTrip(field, cases);
    out.forEach((text, i) => expect(decimalStringToBigInt(text as string, 6)).toBe(decimalStringToBigInt(cases[i]!, 6)));
    expect(out.slice(0, 6)).toEqual(['0.000000', '0.000000', '5.000000', '0.500000', '5.000000', '-0.010000']);
    expect(out[9]).toBe('-1234567890123456789012.500000');
  });

  it('refuses digits beyond the scale instead of rounding them away', () => {
    expect(() => roundTrip(new Field('d', ArrowTypes.decimal(10, 2), true), ['1.234'])).toThrow(/more than 2 fractional digits/);
    expect(bigIntToDecimalString(-5n, 3)).toBe('-0.005');
  });
});

describe('timestamps', () => {
  const cases = ['2024-02-29 23:59:59', '2024-02-29T23:59:59.5', '1969-12-31 23:59:59.999999', '0999-01-01 00:00:00.123', '1970-01-01 00:00:00.000001'];
  it('parses the common shape exactly like the general parser', () => {
    expect(cases.map((c) => formatTimestampMicros(parseTimestampMicros(c)))).toEqual([
      '2024-02-29 23:59:59.000000',
      '2024-02-29 23:59:59.500000',
      '1969-12-31 23:59:59.999999',
      '0999-01-01 00:00:00.123000',
      '1970-01-01 00:00:00.000001',
    ]);
    expect(parseTimestampMicros('2024-01-01 00:00:00+02:00')).toBe(parseTimestampMicros('2023-12-31 22:00:00'));
    expect(formatTimestampMicros(-62_135_596_800_000_000n - 1n)).toBe('0000-12-31 23:59:59.999999');
    expect(formatTimestampMicros(253_402_300_799_999_999n)).toBe('9999-12-31 23:59:59.999999');
  });

  it('round-trips through the builders with microseconds', () => {
    expect(roundTrip(new Field('t', ArrowTypes.timestamp(), true), [...cases, null])).toEqual([
      '2024-02-29 23:59:59.000000',
      '2024-02-29 23:59:59.500000',
      '1969-12-31 23:59:59.999999',
      '0999-01-01 00:00:00.123000',
      '1970-01-01 00:00:00.000001',
      null,
    ]);
  });
});
