/**
 * The row → Arrow mechanism is exact: microsecond timestamps, DECIMAL(38,10) at its limits,
 * int64 beyond 2^53 and NULLs survive unchanged, and anything that would need rounding or
 * wrapping is refused with the column named.
 */
import { Binary, Bool, DateDay, Decimal, Field, Int32, Int64, RecordBatch, Schema, TimestampMicrosecond, TimestampMillisecond, TimestampNanosecond, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  arrowTypeOfSqlName,
  cellConverter,
  cellReader,
  columnReaders,
  formatDate,
  formatTimestamp,
  RowBatchBuilder,
  rowPagesToBatches,
  rowsToBatches,
  timestampTextToMs,
} from '../src/index.js';

/** Every cell of `batch` as cellReader renders it, row by row. */
function cells(batch: RecordBatch): unknown[][] {
  const readers = batch.schema.fields.map((_, c) => cellReader(batch.getChildAt(c)!));
  return Array.from({ length: batch.numRows }, (_, r) => readers.map((read) => read(r)));
}

function build(field: Field, values: unknown[]): RecordBatch {
  const b = new RowBatchBuilder(new Schema([field]));
  for (const v of values) b.append([v]);
  return b.flush();
}

describe('timestamps keep microseconds', () => {
  const ts = new Field('at', new TimestampMicrosecond('UTC'));

  it('accepts Date, epoch ms (fractions included), SQL/ISO text with zones, and bigint µs', () => {
    const batch = build(ts, [
      new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 123)),
      Date.UTC(2024, 0, 1) + 0.001, // 1 µs after midnight, as a fractional millisecond
      '2024-02-29 23:59:59.123456',
      '2024-02-29T23:59:59.999999Z',
      '2024-03-01T01:59:59.000001+02:00',
      '1969-12-31 23:59:59.999999',
      1_709_251_199_123_457n,
      '0001-01-01 00:00:00',
      '9999-12-31 23:59:59.999999',
    ]);
    const raw = batch.getChildAt(0)!.data[0]!.values as BigInt64Array;
    expect(raw[2]).toBe(1_709_251_199_123_456n);
    expect(raw[5]).toBe(-1n);
    expect(cells(batch).map((r) => r[0])).toEqual([
      '2024-02-29 23:59:59.123000',
      '2024-01-01 00:00:00.000001',
      '2024-02-29 23:59:59.123456',
      '2024-02-29 23:59:59.999999',
      '2024-02-29 23:59:59.000001',
      '1969-12-31 23:59:59.999999',
      '2024-02-29 23:59:59.123457',
      '0001-01-01 00:00:00.000000',
      '9999-12-31 23:59:59.999999',
    ]);
  });

  it('refuses digits the column cannot hold instead of truncating them, naming the column', () => {
    expect(() => build(ts, ['2024-01-01 00:00:00.1234567'])).toThrow(/Column 'at' .*more than 6 fractional digits/);
    expect(() => build(new Field('ms', new TimestampMillisecond()), ['2024-01-01 00:00:00.0005'])).toThrow(/Column 'ms' .*finer than the column's millisecond precision/);
    expect(() => build(ts, ['yesterday'])).toThrow(/Column 'at' .*Not a timestamp/);
    expect(() => build(ts, [new Date(Number.NaN)])).toThrow(/Column 'at'/);
  });

  it('keeps nanoseconds in a nanosecond column', () => {
    const batch = build(new Field('ns', new TimestampNanosecond()), ['1970-01-01 00:00:00.000000123', new Date(1), 5n]);
    expect(Array.from(batch.getChildAt(0)!.data[0]!.values as BigInt64Array)).toEqual([123n, 1_000_000n, 5n]);
  });
});

describe('DECIMAL(38,10) at its limits', () => {
  const dec = new Field('price', new Decimal(10, 38, 128));
  const max = '9999999999999999999999999999.9999999999';

  it('stores the largest, smallest and tiniest values exactly, from text, bigint and number', () => {
    const batch = build(dec, [max, `-${max}`, '-0.0000000001', '0.0000000001', '0', 12345678901234567890n, 0.1, '1E-10', ' 42.5 ', '-0', null]);
    expect(cells(batch).map((r) => r[0])).toEqual([
      max,
      `-${max}`,
      '-0.0000000001',
      '0.0000000001',
      '0.0000000000',
      '12345678901234567890.0000000000',
      '0.1000000000',
      '0.0000000001',
      '42.5000000000',
      '0.0000000000',
      null,
    ]);
  });

  it('refuses a value with too many digits or fractional digits, naming the column (no rounding)', () => {
    expect(() => build(dec, ['99999999999999999999999999999.0'])).toThrow(/Column 'price' \(Decimal\[38e\+10\]\).*does not fit DECIMAL\(38, 10\)/);
    expect(() => build(dec, ['0.00000000001'])).toThrow(/Column 'price' .*more than 10 fractional digits/);
    expect(() => build(dec, [1 / 3])).toThrow(/Column 'price' .*more than 10 fractional digits/);
    expect(() => build(new Field('cents', new Decimal(2, 5, 128)), ['1000.00'])).toThrow(/Column 'cents' .*does not fit DECIMAL\(5, 2\)/);
    expect(() => build(dec, ['12,5'])).toThrow(/Column 'price' .*Not a decimal number/);
    expect(() => build(dec, [Number.NaN])).toThrow(/Column 'price'/);
  });

  it('encodes negative values as 128-bit two\'s complement (fast and bigint paths agree)', () => {
    const batch = build(new Field('d', new Decimal(2, 20, 128)), ['-0.01', -0.01, -1n * 1n, '-42949672.96']);
    const words = Array.from(batch.getChildAt(0)!.data[0]!.values as Uint32Array);
    expect(words.slice(0, 4)).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    expect(words.slice(4, 8)).toEqual(words.slice(0, 4));
    expect(words.slice(8, 12)).toEqual([0xffffff9c, 0xffffffff, 0xffffffff, 0xffffffff]);
    expect(words.slice(12, 16)).toEqual([0, 0xffffffff, 0xffffffff, 0xffffffff]);
  });
});

describe('int64 beyond 2^53', () => {
  const id = new Field('id', new Int64());

  it('keeps every bit from bigints and text', () => {
    const batch = build(id, [9_007_199_254_740_993n, '9223372036854775807', -9_223_372_036_854_775_808n, 42, true, null]);
    expect(cells(batch).map((r) => r[0])).toEqual([9_007_199_254_740_993n, 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, 42n, 1n, null]);
  });

  it('refuses values out of range or not integral instead of wrapping or truncating', () => {
    expect(() => build(id, [9_223_372_036_854_775_808n])).toThrow(/Column 'id' .*out of int64 range/);
    expect(() => build(id, [1.5])).toThrow(/Column 'id' .*not an integer/);
    expect(() => build(id, ['12abc'])).toThrow(/Column 'id' .*not an integer/);
    expect(() => build(new Field('n', new Int32()), [2 ** 31])).toThrow(/Column 'n' .*out of range/);
  });
});

describe('NULLs, dates, booleans, binary', () => {
  it('keeps NULL and undefined as NULL in every type, and values around them', async () => {
    const schema = new Schema([
      new Field('i', new Int64()),
      new Field('d', new Decimal(10, 38, 128)),
      new Field('t', new TimestampMicrosecond()),
      new Field('day', new DateDay()),
      new Field('ok', new Bool()),
      new Field('s', new Utf8()),
      new Field('b', new Binary()),
    ]);
    const rows = [
      { i: 1n, d: '1.5', t: '2024-01-01 00:00:00.000001', day: '2024-02-29', ok: 1, s: 'x', b: new Uint8Array([0, 255]) },
      { i: null, d: null, t: null, day: null, ok: null, s: null, b: null },
      {},
    ];
    const [batch] = await collectAll(rowsToBatches(rows, { schema }));
    expect(batch!.numRows).toBe(3);
    expect(batch!.schema.fields.map((f) => batch!.getChild(f.name)!.nullCount)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(cells(batch!)).toEqual([
      [1n, '1.5000000000', '2024-01-01 00:00:00.000001', '2024-02-29', true, 'x', new Uint8Array([0, 255])],
      [null, null, null, null, null, null, null],
      [null, null, null, null, null, null, null],
    ]);
  });

  it('stores dates as days from text, Date and epoch ms, and booleans from 0/1 and words', () => {
    const days = build(new Field('day', new DateDay()), ['2024-02-29', new Date(Date.UTC(1000, 0, 1)), Date.UTC(1969, 11, 31), '1970-01-01']);
    expect(Array.from(days.getChildAt(0)!.data[0]!.values as Int32Array)).toEqual([19_782, -354_285, -1, 0]);
    const flags = build(new Field('ok', new Bool()), [0, 1, 't', 'false', true, 2]);
    expect(cells(flags).map((r) => r[0])).toEqual([false, true, true, false, true, true]);
    expect(() => build(new Field('ok', new Bool()), ['maybe'])).toThrow(/Column 'ok' .*not a boolean/);
  });

  it('counts rows of a schema without columns', () => {
    const b = new RowBatchBuilder(new Schema([]));
    b.append({});
    b.append([]);
    expect(b.flush().numRows).toBe(2);
  });

  it('is unusable after a failed row, so a half-appended row never reaches a batch', () => {
    const b = new RowBatchBuilder(new Schema([new Field('a', new Int32()), new Field('b', new Int32())]));
    b.append([1, 2]);
    expect(() => b.append([3, 'x'])).toThrow(/Column 'b'/);
    expect(() => b.flush()).toThrow(/Column 'b'/);
  });
});

describe('SQL type names and cell readers for writers', () => {
  it('maps database type names to Arrow types', () => {
    expect(['DECIMAL', 'numeric(5,2)', 'NUMBER', 'timestamp with time zone', 'DATETIME', 'BIGINT', 'VARBYTE', 'CLOB'].map((n, i) => String(arrowTypeOfSqlName(n, i === 0 ? 12 : undefined, i === 0 ? 2 : undefined)))).toEqual([
      'Decimal[12e+2]',
      'Decimal[38e+10]',
      'Decimal[38e+10]',
      'Timestamp<MICROSECOND, UTC>',
      'Timestamp<MICROSECOND>',
      'Int64',
      'Binary',
      'Utf8',
    ]);
  });

  it('turns driver pages into exact batches (Db2 timestamps, hex binary, Y/N booleans)', async () => {
    const columns = [
      { name: 'id', typeName: 'BIGINT' },
      { name: 'at', typeName: 'TIMESTAMP' },
      { name: 'amount', typeName: 'DECIMAL', precision: 38, scale: 10 },
      { name: 'raw', typeName: 'VARBINARY' },
      { name: 'ok', typeName: 'BOOLEAN' },
    ];
    async function* pages() {
      yield [['9007199254740993', '2024-01-31-12.00.00.123456', '-0.0000000001', '00ff', 'Y']];
      yield [[1, '2024-01-31T12:00:00.000001Z', max38(), null, 'N']];
    }
    const batches = await collectAll(rowPagesToBatches(columns, pages(), 10));
    expect(batches).toHaveLength(1);
    expect(cells(batches[0]!)).toEqual([
      [9_007_199_254_740_993n, '2024-01-31 12:00:00.123456', '-0.0000000001', new Uint8Array([0, 255]), true],
      [1n, '2024-01-31 12:00:00.000001', max38(), null, false],
    ]);
    expect(cellConverter(new TimestampMicrosecond())('2024-01-31 12:00:00.5')).toBe(1_706_702_400_500_000n);
  });

  it('reads cells back with their literal kind and exact text', () => {
    const schema = new Schema([new Field('t', new TimestampMicrosecond()), new Field('d', new Decimal(10, 38, 128)), new Field('day', new DateDay()), new Field('n', new Int64())]);
    const b = new RowBatchBuilder(schema);
    b.append(['2024-02-29 23:59:59.123456', max38(), '2024-02-29', 9_007_199_254_740_993n]);
    b.append([null, null, null, null]);
    const readers = columnReaders(b.flush());
    expect(readers.map((r) => r.kind)).toEqual(['timestamp', 'decimal', 'date', 'integer']);
    expect(readers.map((r) => r.read(0))).toEqual(['2024-02-29 23:59:59.123456', max38(), '2024-02-29', 9_007_199_254_740_993n]);
    expect(readers.map((r) => r.read(1))).toEqual([null, null, null, null]);
    expect(formatTimestamp(Date.UTC(2024, 0, 31, 12) + 0.123)).toBe('2024-01-31 12:00:00.000123');
    expect(formatDate(Date.UTC(1969, 11, 31, 23))).toBe('1969-12-31');
    expect(timestampTextToMs('2024-01-31-12.00.00.5')).toBe(Date.UTC(2024, 0, 31, 12, 0, 0, 500));
  });
});

function max38(): string {
  return '9999999999999999999999999999.9999999999';
}

async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
