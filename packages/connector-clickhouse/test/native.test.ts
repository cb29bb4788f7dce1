/**
 * The Native codec on its own: types only newer servers have (DateTime64, Bool, Date32,
 * LowCardinality) through encode → decode, types the old server here does have
 * (UUID, Enum8, FixedString, NULL) through the real server, and server feature detection.
 */
import { Field, Schema, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowTypes, batchFromBuilders, cellReader, columnBuilder, type Cell } from '@sparkle/engine-local';
import { ClickHouseConnection, clickhouseDialect, chTypeForField, decodeNative, encodeNativeBlock, featuresOf, parseChType } from '../src/index.js';

function cells(batch: RecordBatch): Cell[][] {
  const readers = batch.schema.fields.map((_, c) => cellReader(batch.getChildAt(c)!));
  return Array.from({ length: batch.numRows }, (_, r) => readers.map((read) => read(r)));
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

describe('Native codec', () => {
  it('round-trips the types newer servers offer (DateTime64, Bool) and the Decimal widths', async () => {
    const fields = [
      new Field('id', ArrowTypes.int64(), false),
      new Field('ok', ArrowTypes.bool(), true),
      new Field('at', ArrowTypes.timestamp(), true),
      new Field('d9', ArrowTypes.decimal(9, 2), true),
      new Field('d18', ArrowTypes.decimal(18, 4), true),
      new Field('d38', ArrowTypes.decimal(38, 10), true),
      new Field('day', ArrowTypes.date(), false),
      new Field('s', ArrowTypes.utf8(), true),
    ];
    const columns: unknown[][] = [
      [1n, 2n, 3n],
      [true, null, false],
      ['2024-02-29 23:59:59.123456', null, '1969-12-31 23:59:59.999999'],
      ['-1234567.89', null, '0.01'],
      ['-99999999999999.9999', null, '1.0001'],
      ['-1234567890123456789012345678.0123456789', null, '0.0000000001'],
      ['2149-06-06', '1970-01-01', '2024-01-01'],
      ['ü ✓', null, ''],
    ];
    const builders = fields.map(columnBuilder);
    for (let r = 0; r < 3; r++) fields.forEach((_, c) => builders[c]!.append(columns[c]![r]));
    const batch = batchFromBuilders(new Schema(fields), builders);
    const newServer = featuresOf('24.3.1', 'Atomic');
    const types = fields.map((f) => chTypeForField(f, newServer));
    expect(types).toEqual(['Int64', 'Nullable(Bool)', "Nullable(DateTime64(6, 'UTC'))", 'Nullable(Decimal(9, 2))', 'Nullable(Decimal(18, 4))', 'Nullable(Decimal(38, 10))', 'Date', 'Nullable(String)']);
    const decoded: RecordBatch[] = [];
    for await (const b of decodeNative(once(encodeNativeBlock(batch, types)))) decoded.push(b);
    expect(decoded).toHaveLength(1);
    expect(decoded[0]!.schema.fields.map((f) => String(f.type))).toEqual([
      'Int64',
      'Bool',
      'Timestamp<MICROSECOND, UTC>',
      'Decimal[9e+2]',
      'Decimal[18e+4]',
      'Decimal[38e+10]',
      'Date32<DAY>',
      'Utf8',
    ]);
    expect(cells(decoded[0]!)).toEqual([
      [1n, true, '2024-02-29 23:59:59.123456', '-1234567.89', '-99999999999999.9999', '-1234567890123456789012345678.0123456789', '2149-06-06', 'ü ✓'],
      [2n, null, null, null, null, null, '1970-01-01', null],
      [3n, false, '1969-12-31 23:59:59.999999', '0.01', '1.0001', '0.0000000001', '2024-01-01', ''],
    ]);
  });

  it('refuses dates ClickHouse Date cannot hold instead of wrapping them', () => {
    const f = [new Field('day', ArrowTypes.date(), false)];
    const b = columnBuilder(f[0]!);
    b.append('1969-12-31');
    const batch = batchFromBuilders(new Schema(f), [b]);
    expect(() => encodeNativeBlock(batch, ['Date'])).toThrow(/out of ClickHouse's Date range/);
  });

  it('parses wrapped and parameterised type names', () => {
    expect(parseChType("LowCardinality(Nullable(String))")).toMatchObject({ base: 'String', nullable: true });
    expect(parseChType("DateTime64(3, 'Europe/Paris')")).toMatchObject({ base: 'DateTime64', args: ['3', "'Europe/Paris'"] });
    expect(parseChType("Enum8('a,b' = 1, 'c' = 2)").args).toEqual(["'a,b' = 1", "'c' = 2"]);
  });
});

describe('server features and swap statements', () => {
  it('derives what a server version offers', () => {
    expect(featuresOf('18.16.1', 'Ordinary')).toEqual({ dateTime64: false, bool: false, exchange: false, lowCardinalitySetting: false });
    expect(featuresOf('20.10.2', 'Atomic')).toEqual({ dateTime64: true, bool: false, exchange: true, lowCardinalitySetting: true });
    expect(featuresOf('23.8.1', 'Ordinary').exchange).toBe(false);
  });

  it('swaps with EXCHANGE TABLES where supported, else one multi-table RENAME', () => {
    expect(clickhouseDialect(true).swapTables(['db', 't'], ['db', 't_stg'])).toEqual(['EXCHANGE TABLES `db`.`t` AND `db`.`t_stg`', 'DROP TABLE `db`.`t_stg`']);
    const [rename, drop] = clickhouseDialect(false).swapTables(['t'], ['t_stg']);
    expect(rename).toMatch(/^RENAME TABLE `t` TO `t__sparkle_old_[0-9a-f]+`, `t_stg` TO `t`$/);
    expect(drop).toMatch(/^DROP TABLE `t__sparkle_old_[0-9a-f]+`$/);
  });
});

describe('real server: types Sparkle does not create', () => {
  it('reads UUID, Enum8, FixedString, NULL and unsigned columns', async () => {
    const conn = new ClickHouseConnection({ type: 'clickhouse', config: { host: '127.0.0.1', port: 8123 } });
    try {
      const out: Cell[][] = [];
      let schema: Schema | undefined;
      const q =
        "SELECT toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') AS u, CAST('large' AS Enum8('small' = 1, 'large' = 2)) AS e," +
        " toFixedString('ab', 3) AS fs, NULL AS nothing, toUInt8(255) AS u8, toUInt64(18446744073709551615) AS u64, toInt8(-128) AS i8";
      for await (const b of conn.nativeQuery(q, [], { signal: AbortSignal.timeout(10_000) })) {
        schema = b.schema;
        out.push(...cells(b));
      }
      expect(schema!.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['u:Utf8', 'e:Utf8', 'fs:Binary', 'nothing:Null', 'u8:Uint8', 'u64:Uint64', 'i8:Int8']);
      expect(out[0]!.slice(0, 2)).toEqual(['61f0c404-5cb3-11e7-907b-a6006ad3dba0', 'large']);
      expect(Buffer.from(out[0]![2] as Uint8Array).toString('hex')).toBe('616200');
      expect(out[0]!.slice(3)).toEqual([null, 255, 18446744073709551615n, -128]);
    } finally {
      await conn.close();
    }
  });

  it('reads arrays (nested, nullable elements, strings, empty) as Arrow lists', async () => {
    const conn = new ClickHouseConnection({ type: 'clickhouse', config: { host: '127.0.0.1', port: 8123 } });
    try {
      const q = "SELECT range(number) AS r, [toNullable(number), NULL] AS n, [[number], []] AS nested, ['x', toString(number)] AS s FROM system.numbers LIMIT 4";
      const batches: RecordBatch[] = [];
      for await (const b of conn.nativeQuery(q, [], { signal: AbortSignal.timeout(10_000), fetchSize: 3 })) batches.push(b);
      expect(batches.map((b) => b.numRows)).toEqual([3, 1]);
      expect(batches[0]!.schema.fields.map((f) => String(f.type))).toEqual(['List<Uint64>', 'List<Uint64>', 'List<List<Uint64>>', 'List<Utf8>']);
      const rows = batches.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => b.schema.fields.map((f) => JSON.parse(JSON.stringify(b.getChild(f.name)!.get(i), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))))));
      expect(rows).toEqual([
        [[], [0, null], [[0], []], ['x', '0']],
        [[0], [1, null], [[1], []], ['x', '1']],
        [[0, 1], [2, null], [[2], []], ['x', '2']],
        [[0, 1, 2], [3, null], [[3], []], ['x', '3']],
      ]);
    } finally {
      await conn.close();
    }
  });

  it('names the column when a type cannot be decoded', async () => {
    const conn = new ClickHouseConnection({ type: 'clickhouse', config: { host: '127.0.0.1', port: 8123 } });
    try {
      const read = async () => {
        for await (const _ of conn.nativeQuery("SELECT (1, 'a') AS tup", [], { signal: AbortSignal.timeout(10_000) })) void _;
      };
      await expect(read()).rejects.toThrow(/Column 'tup' has type Tuple\(UInt8, String\).*toString\(tup\)/);
    } finally {
      await conn.close();
    }
  });
});
