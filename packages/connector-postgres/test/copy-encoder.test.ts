/**
 * The column-at-a-time COPY encoder against the row-at-a-time one (byte for byte, on awkward data:
 * NULLs everywhere, sliced batches with non-zero offsets, decimals on both the arithmetic and the
 * BigInt paths, jsonb's version byte), and an exact round trip through the real PostgreSQL server.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bool, Date_, DateUnit, Decimal, Float64, Int16, Int32, Int64, makeData, RecordBatch, Schema, Field, Struct, TimeUnit, Timestamp, Utf8, type Data, type DataType } from 'apache-arrow';
import { getConnection, type JdbcSession } from '@sparkle/core';
import { findPostgres, type PostgresService } from '@sparkle/testkit';
import '../src/index.js';
import type { PostgreSQLConnection } from '../src/index.js';
import { CopyBinaryEncoder, type TargetColumn } from '../src/copy-encoder.js';
import { PgOid } from '../src/pg-types.js';

const ROWS = 5000;

/** A validity bitmap with every `every`-th row NULL (none when every = 0). */
function bitmap(rows: number, every: number): { bits: Uint8Array; nulls: number } {
  const bits = new Uint8Array(Math.ceil(rows / 8)).fill(0xff);
  let nulls = 0;
  if (every) for (let i = 0; i < rows; i += every, nulls++) bits[i >> 3]! &= ~(1 << (i & 7));
  return { bits, nulls };
}

function fixed<T extends DataType>(type: T, values: ArrayLike<number> | ArrayLike<bigint>, every: number): Data<T> {
  // Decimal128 values take four 32-bit words each.
  const length = type instanceof Decimal ? values.length / 4 : values.length;
  const { bits, nulls } = bitmap(length, every);
  return makeData({ type, length, nullCount: nulls, nullBitmap: every ? bits : undefined, data: values as never } as never) as Data<T>;
}

/** Decimal128 words of an unscaled bigint. */
function decimalWords(values: bigint[]): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, r) => {
    let u = BigInt.asUintN(128, v);
    for (let k = 0; k < 4; k++, u >>= 32n) words[r * 4 + k] = Number(u & 0xffffffffn);
  });
  return words;
}

/** Unscaled decimals covering zero, signs, fraction-only values, zero groups and > 2^53 magnitudes. */
function decimals(rows: number): bigint[] {
  const specials = [0n, 1n, -1n, 5n, -50n, 10000n, 100000000n, 1000000000000n, 99999999999999n, -12345678901234n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), 10n ** 30n + 7n, -(10n ** 37n)];
  return Array.from({ length: rows }, (_, i) => (i < specials.length ? specials[i]! : BigInt(((i * 7919) % 2_000_003) - 1_000_000) * BigInt(1 + (i % 13) * 997)));
}

function batchOf(rows: number): { batch: RecordBatch; targets: TargetColumn[] } {
  const text = Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? '' : i % 7 === 0 ? `long value ${'x'.repeat(40 + (i % 50))} ✓` : `row-${i} é`));
  const encoded = text.map((s) => Buffer.from(s, 'utf8'));
  const offsets = new Int32Array(rows + 1);
  encoded.forEach((b, i) => (offsets[i + 1] = offsets[i]! + b.length));
  const utf8 = Buffer.concat(encoded);
  const textNulls = bitmap(rows, 9);
  const textData = (type: DataType) => makeData({ type, length: rows, nullCount: textNulls.nulls, nullBitmap: textNulls.bits, valueOffsets: offsets, data: utf8 } as never) as Data;
  const bools = new Uint8Array(Math.ceil(rows / 8)).map((_, i) => (i * 37) & 0xff);
  const columns: Array<[string, Data, number]> = [
    ['i8', fixed(new Int64(), BigInt64Array.from({ length: rows }, (_, i) => BigInt(i) * 0x1_0000_0001n * (i % 2 ? -1n : 1n) + (i === 1 ? -(2n ** 63n) + 1n : 0n)), 5), PgOid.int8],
    ['i4', fixed(new Int32(), Int32Array.from({ length: rows }, (_, i) => (i * 2_654_435_761) | 0), 7), PgOid.int4],
    ['i2', fixed(new Int16(), Int16Array.from({ length: rows }, (_, i) => ((i * 40_503) << 16) >> 16), 0), PgOid.int2],
    ['f8', fixed(new Float64(), Float64Array.from({ length: rows }, (_, i) => (i % 17 === 0 ? -0 : i * 1.000001 - 2500.5)), 3), PgOid.float8],
    ['n2', fixed(new Decimal(2, 38, 128), decimalWords(decimals(rows)), 4), PgOid.numeric],
    ['n0', fixed(new Decimal(0, 18, 128), decimalWords(decimals(rows).map((v) => v % 10n ** 18n)), 0), PgOid.numeric],
    ['n4', fixed(new Decimal(4, 38, 128), decimalWords(decimals(rows)), 6), PgOid.numeric],
    ['t', textData(new Utf8()), PgOid.text],
    ['jb', textData(new Utf8()), PgOid.jsonb],
    ['ts', fixed(new Timestamp(TimeUnit.MICROSECOND), BigInt64Array.from({ length: rows }, (_, i) => BigInt(i - 2500) * 86_400_000_123n), 8), PgOid.timestamp],
    ['tsms', fixed(new Timestamp(TimeUnit.MILLISECOND, 'UTC'), BigInt64Array.from({ length: rows }, (_, i) => BigInt(i - 2500) * 3_600_001n), 0), PgOid.timestamptz],
    ['b', makeData({ type: new Bool(), length: rows, nullCount: bitmap(rows, 10).nulls, nullBitmap: bitmap(rows, 10).bits, data: bools } as never) as Data, PgOid.bool],
    ['d', fixed(new Date_(DateUnit.DAY), Int32Array.from({ length: rows }, (_, i) => i * 3 - 7000), 12), PgOid.date],
  ];
  const fields = columns.map(([name, data]) => new Field(name, data.type, true));
  const struct = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children: columns.map(([, data]) => data) } as never);
  return { batch: new RecordBatch(new Schema(fields), struct as never), targets: columns.map(([name, , oid]) => ({ name, oid, typmod: -1 })) };
}

function encodeAll(targets: TargetColumn[], batches: RecordBatch[], columnar: boolean, slice: number): Buffer {
  const chunks: Buffer[] = [];
  const encoder = new CopyBinaryEncoder(targets, (c) => chunks.push(Buffer.from(c)), 4096, columnar);
  encoder.header();
  for (const batch of batches) {
    const encode = encoder.prepare(batch);
    for (let start = 0; start < batch.numRows; start += slice) encode(start, Math.min(batch.numRows, start + slice));
  }
  encoder.trailer();
  return Buffer.concat(chunks);
}

describe('column-at-a-time COPY encoder', () => {
  it('produces the same bytes as the row encoder, whole batches and sliced (offset) ones, in any slice size', () => {
    const { batch, targets } = batchOf(ROWS);
    // Slices share the parent's buffers with a non-zero offset (and a bitmap read at an odd bit).
    const sliced = [batch.slice(0, 1), batch.slice(1, 1237), batch.slice(1237, 4099), batch.slice(4099)];
    const reference = encodeAll(targets, [batch], false, ROWS);
    expect(reference.length).toBeGreaterThan(ROWS * 50);
    for (const slice of [1, 3, 1000, ROWS]) {
      expect(encodeAll(targets, [batch], true, slice).equals(reference)).toBe(true);
      expect(encodeAll(targets, sliced, true, slice).equals(reference)).toBe(true);
    }
    // The row encoder reads sliced columns right too (values start at the slice, bitmaps at `offset`).
    expect(encodeAll(targets, sliced, false, 777).equals(reference)).toBe(true);
  });

  it('falls back to the row encoder for a batch with a column it cannot read column-wise', () => {
    const { batch, targets } = batchOf(100);
    // A Float64 column into a numeric target goes through the row encoder's text conversion.
    const mixed = targets.map((t) => (t.name === 'f8' ? { ...t, oid: PgOid.numeric } : t));
    const a = encodeAll(mixed, [batch], true, 7);
    const b = encodeAll(mixed, [batch], false, 100);
    expect(createHash('sha1').update(a).digest('hex')).toBe(createHash('sha1').update(b).digest('hex'));
  });
});

describe('column-at-a-time COPY encoder against the real server', () => {
  let service: PostgresService | null = null;
  let conn: PostgreSQLConnection;
  const sql = (text: string) => conn.withSession((s: JdbcSession) => s.queryRows(text));

  beforeAll(async () => {
    service = await findPostgres({ allowPglite: false });
    if (!service) {
      if (process.env.CI) throw new Error('PostgreSQL server required in CI (tools/services/ensure-postgres.sh)');
      return;
    }
    conn = await getConnection<PostgreSQLConnection>('postgres', { config: service.config, dotenv: false, variables: {} });
  });
  afterAll(async () => {
    await conn?.close();
    await service?.stop();
  });

  it('round-trips the bench shape with NULLs in every column exactly, across batch and slice boundaries', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const src = 'sparkle_pg_enc_src';
    const dst = 'sparkle_pg_enc_dst';
    await sql(`DROP TABLE IF EXISTS ${src}, ${dst}`);
    await sql(
      `CREATE TABLE ${src} AS SELECT CASE WHEN g % 89 = 0 THEN NULL ELSE g * 4294967311 * (1 - 2 * (g % 2)) END::bigint AS id,
        CASE WHEN g % 97 = 0 THEN NULL ELSE (g % 100000)::int END AS qty, CASE WHEN g % 83 = 0 THEN NULL ELSE g * 1.000001::float8 END AS price,
        CASE WHEN g % 79 = 0 THEN NULL ELSE (((g * 7919) % 20000001) - 10000000) / 100.0 END::numeric(12,2) AS amount,
        CASE WHEN g % 73 = 0 THEN NULL WHEN g % 71 = 0 THEN '' ELSE 'customer-' || g || CASE WHEN g % 5 = 0 THEN ' (vip) ✓ ' || repeat('é', g % 40) ELSE '' END END AS name,
        CASE WHEN g % 67 = 0 THEN NULL ELSE timestamp '1960-01-01' + g * interval '17.000013 minutes' END AS created_at,
        CASE WHEN g % 61 = 0 THEN NULL ELSE g % 3 = 0 END AS active, CASE WHEN g % 59 = 0 THEN NULL ELSE date '1990-01-01' + (g % 30000) END AS day
        FROM generate_series(1, 150000) g`,
    );
    await sql(`CREATE TABLE ${dst} (LIKE ${src})`);
    const batches: RecordBatch[] = [];
    for await (const b of conn.nativeQuery(`SELECT * FROM ${src}`, [], { signal: AbortSignal.timeout(60_000) } as never)) batches.push(b);
    expect(batches.length).toBeGreaterThan(1);
    const result = await conn.writeTable(batches, dst, { mode: 'append' });
    expect(result.rows).toBe(150_000);
    const diff = (a: string, b: string) => sql(`SELECT count(*)::int AS n FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}) d`);
    expect(await diff(src, dst)).toEqual([{ n: 0 }]);
    expect(await diff(dst, src)).toEqual([{ n: 0 }]);
    expect(await sql(`SELECT count(*)::int AS n FROM ${dst} WHERE name IS NULL`)).toEqual(await sql(`SELECT count(*)::int AS n FROM ${src} WHERE name IS NULL`));
    await sql(`DROP TABLE IF EXISTS ${src}, ${dst}`);
  }, 60_000);
});
