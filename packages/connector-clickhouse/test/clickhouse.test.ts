/**
 * Against the real ClickHouse server that tools/services/ensure-clickhouse.sh starts
 * (Debian's clickhouse-server, 127.0.0.1:8123). On Debian 12 that is 18.16, so the tests
 * branch on the server's features where old and new servers differ (DateTime64, Bool).
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Field, Schema, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type NativeWriteContext, type ReadTableOptions } from '@sparkle/core';
import { ArrowTypes, batchFromBuilders, cellReader, columnBuilder, type Cell } from '@sparkle/engine-local';
import { ClickHouseConnection, decodeNative } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CH = { host: '127.0.0.1', port: 8123, database: 'default' };
const prefix = `sp_ch_${process.pid}_${Date.now().toString(36)}`;

function makeBatch(fields: Field[], columns: unknown[][]): RecordBatch {
  const builders = fields.map(columnBuilder);
  for (let r = 0; r < (columns[0]?.length ?? 0); r++) for (let c = 0; c < fields.length; c++) builders[c]!.append(columns[c]![r]);
  return batchFromBuilders(new Schema(fields), builders);
}
async function* batchesOf(...batches: RecordBatch[]): AsyncGenerator<RecordBatch> {
  for (const b of batches) yield b;
}
function ctx(): NativeWriteContext {
  return { signal: AbortSignal.timeout(60_000), onRows: () => undefined };
}
function cells(batch: RecordBatch): Cell[][] {
  const readers = batch.schema.fields.map((_, c) => cellReader(batch.getChildAt(c)!));
  const rows: Cell[][] = [];
  for (let r = 0; r < batch.numRows; r++) rows.push(readers.map((read) => read(r)));
  return rows;
}
async function readAll(conn: ClickHouseConnection, table: string, options: ReadTableOptions = {}): Promise<{ rows: Cell[][]; schema?: Schema; partitions: number }> {
  const plan = await conn.nativeRead(table, options);
  const rows: Cell[][] = [];
  let schema: Schema | undefined;
  for (const p of plan.partitions) {
    for await (const batch of p.open(AbortSignal.timeout(60_000))) {
      schema = batch.schema;
      rows.push(...cells(batch));
    }
  }
  return { rows, schema, partitions: plan.partitions.length };
}

let conn: ClickHouseConnection;

beforeAll(() => {
  execFileSync('bash', [join(ROOT, 'tools/services/ensure-clickhouse.sh')], { stdio: 'inherit', timeout: 240_000 });
  conn = new ClickHouseConnection({ type: 'clickhouse', config: CH });
}, 250_000);

afterAll(async () => {
  await conn.withSession(async (s) => {
    const tables = await s.queryRows('SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, ?)', [prefix]);
    for (const t of tables) await s.execute(`DROP TABLE IF EXISTS \`${String(t.name).replace(/`/g, '``')}\``);
  });
  await conn.close();
});

describe('clickhouse: registration and Spark mapping', () => {
  it('registers clickhouse and derives Spark JDBC options', async () => {
    const c = await getConnection('clickhouse', { config: { host: 'ch.internal', database: 'events', user: 'reader', password: 'ch-Secret-99' } });
    expect(c).toBeInstanceOf(ClickHouseConnection);
    const spec = (c as ClickHouseConnection).sparkRead('hits', { predicates: ['id < 10', 'id >= 10'] });
    expect(spec.options).toMatchObject({
      url: 'jdbc:clickhouse://ch.internal:8123/events',
      driver: 'com.clickhouse.jdbc.ClickHouseDriver',
      dbtable: '`hits`',
      user: 'reader',
      password: 'ch-Secret-99',
    });
    expect(spec.predicates).toEqual(['id < 10', 'id >= 10']);
    expect((c as ClickHouseConnection).dataset('hits')).toEqual({ namespace: 'clickhouse://ch.internal:8123', name: 'events.hits' });
    expect(String(c)).not.toContain('ch-Secret-99');
    await c.close();
  });
});

describe('clickhouse: real server on 127.0.0.1:8123', () => {
  it('passes every tier of check() and learns the server features', async () => {
    const report = await conn.check();
    expect(report.steps.map((s) => `${s.tier}:${s.status}`)).toEqual(['config:ok', 'network:ok', 'auth:ok', 'probe:ok']);
    const version = (await conn.withSession((s) => s.queryRows('SELECT version() AS v')))[0]!.v as string;
    expect(conn.serverFeatures.dateTime64).toBe(Number(version.split('.')[0]) >= 20);
  });

  it('streams a large query as Native blocks into Arrow batches', async () => {
    let rows = 0;
    let batches = 0;
    let sum = 0n;
    for await (const b of conn.nativeQuery('SELECT number AS n, toString(number) AS s FROM system.numbers LIMIT 300000', [], { signal: AbortSignal.timeout(30_000), fetchSize: 50_000 })) {
      batches++;
      rows += b.numRows;
      for (const v of b.getChild('n')!.toArray() as BigUint64Array) sum += v;
      expect(b.getChild('s')!.get(0)).toBe(String(b.getChild('n')!.get(0)));
    }
    expect(rows).toBe(300_000);
    expect(batches).toBeGreaterThanOrEqual(6);
    expect(sum).toBe((299_999n * 300_000n) / 2n);
  });

  it('binds ? parameters with ClickHouse escapes', async () => {
    const hostile = "it's a \\ back'slash";
    const out: Cell[][] = [];
    for await (const b of conn.nativeQuery('SELECT ? AS s, ? AS n, ? AS nothing', [hostile, 42, null], { signal: AbortSignal.timeout(10_000) })) out.push(...cells(b));
    expect(out).toEqual([[hostile, 42, null]]);
  });

  it('returns an empty batch with the columns for an empty result', async () => {
    const batches: RecordBatch[] = [];
    for await (const b of conn.nativeQuery('SELECT number AS n, toString(number) AS s FROM system.numbers WHERE 0 LIMIT 1', [], { signal: AbortSignal.timeout(10_000) })) batches.push(b);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(0);
    expect(batches.at(-1)!.schema.fields.map((f) => f.name)).toEqual(['n', 's']);
  });

  it('round-trips types exactly, NULLs included', async () => {
    const micros = conn.serverFeatures.dateTime64;
    const fields = [
      new Field('id', ArrowTypes.int64(), false),
      new Field('flag', ArrowTypes.bool(), true),
      new Field('small', ArrowTypes.int16(), true),
      new Field('f64', ArrowTypes.float64(), true),
      new Field('price', ArrowTypes.decimal(38, 10), true),
      new Field('cents', ArrowTypes.decimal(9, 2), true),
      new Field('at', ArrowTypes.timestamp(), true),
      new Field('day', ArrowTypes.date(), true),
      new Field('name', ArrowTypes.utf8(), true),
    ];
    const columns: unknown[][] = [
      [1n, -9223372036854775808n, 9007199254740993n],
      [true, null, false],
      [-32768, null, 32767],
      [0.1, null, -1.5e300],
      ['1234567890123456789012345678.0123456789', null, '-0.0000000001'],
      ['1234567.89', null, '-0.01'],
      [micros ? '2024-02-29 23:59:59.123456' : '2024-02-29 23:59:59', null, '1970-01-01 00:00:01'],
      ['2024-02-29', null, '2149-06-06'],
      ["tab\t new\n line \\ 'q' ✓ 𝄞", null, ''],
    ];
    await conn.nativeWrite(`${prefix}_types`, batchesOf(makeBatch(fields, columns)), {}, ctx());
    const { rows, schema } = await readAll(conn, `${prefix}_types`);
    rows.sort((a, b) => (BigInt(a[0] as bigint) < BigInt(b[0] as bigint) ? -1 : 1));
    expect(schema!.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Int64',
      `flag:${conn.serverFeatures.bool ? 'Bool' : 'Uint8'}`,
      'small:Int16',
      'f64:Float64',
      'price:Decimal[38e+10]',
      'cents:Decimal[9e+2]',
      'at:Timestamp<MICROSECOND, UTC>',
      'day:Date32<DAY>',
      'name:Utf8',
    ]);
    const flag = (v: boolean | null) => (v === null ? null : conn.serverFeatures.bool ? v : v ? 1 : 0);
    const ts = (v: string) => (v.includes('.') ? v : `${v}.000000`);
    expect(rows).toEqual([
      [-9223372036854775808n, null, null, null, null, null, null, null, null],
      [1n, flag(true), -32768, 0.1, '1234567890123456789012345678.0123456789', '1234567.89', ts(columns[6]![0] as string), '2024-02-29', "tab\t new\n line \\ 'q' ✓ 𝄞"],
      [9007199254740993n, flag(false), 32767, -1.5e300, '-0.0000000001', '-0.01', '1970-01-01 00:00:01.000000', '2149-06-06', ''],
    ]);
  });

  it('refuses sub-second timestamps where the server only has DateTime (no silent truncation)', async () => {
    const fields = [new Field('at', ArrowTypes.timestamp(), false)];
    const write = conn.nativeWrite(`${prefix}_micros`, batchesOf(makeBatch(fields, [['2024-01-01 00:00:00.5']])), {}, ctx());
    if (conn.serverFeatures.dateTime64) {
      await write;
      expect((await readAll(conn, `${prefix}_micros`)).rows).toEqual([['2024-01-01 00:00:00.500000']]);
    } else {
      await expect(write).rejects.toMatchObject({ code: 'WRITE_FAILED', message: expect.stringContaining('second precision') });
    }
  });

  it('reads partitions with automatic bounds: every row exactly once, NULLs included', async () => {
    const f = [new Field('k', ArrowTypes.int64(), true), new Field('v', ArrowTypes.utf8(), false)];
    const keys: Array<bigint | null> = Array.from({ length: 1200 }, (_, i) => (i % 100 === 7 ? null : BigInt(i * 7 - 300)));
    await conn.nativeWrite(`${prefix}_parts`, batchesOf(makeBatch(f, [keys, keys.map((_, i) => `r${i}`)])), {}, ctx());
    const { rows, partitions } = await readAll(conn, `${prefix}_parts`, { partitionColumn: 'k', numPartitions: 5 });
    expect(partitions).toBe(5);
    expect(rows).toHaveLength(1200);
    expect(new Set(rows.map((r) => r[1])).size).toBe(1200);
    expect(rows.filter((r) => r[0] === null)).toHaveLength(12);
    const projected = await readAll(conn, `${prefix}_parts`, { columns: ['v'], where: 'k < 0' });
    expect(projected.rows).toHaveLength(keys.filter((k) => k !== null && k < 0n).length);
  });

  it('honours the save modes and converts types when appending to an existing table', async () => {
    const table = `${prefix}_modes`;
    const f = [new Field('x', ArrowTypes.int64(), false)];
    const write = (values: bigint[], mode: 'append' | 'overwrite' | 'errorIfExists' | 'ignore') => conn.nativeWrite(table, batchesOf(makeBatch(f, [values])), { mode }, ctx());
    await write([1n, 2n], 'errorIfExists');
    await expect(write([3n], 'errorIfExists')).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    expect(await write([3n], 'ignore')).toMatchObject({ written: false });
    await write([3n], 'append');
    await write([9n], 'overwrite');
    expect((await readAll(conn, table)).rows).toEqual([[9n]]);
    // A table created elsewhere with other types: Int32 and a String column with a default.
    await conn.withSession((s) => s.execute(`CREATE TABLE \`${prefix}_legacy\` (x Int32, note String DEFAULT 'n/a') ENGINE = MergeTree ORDER BY tuple()`));
    await conn.nativeWrite(`${prefix}_legacy`, batchesOf(makeBatch(f, [[5n, 6n]])), { mode: 'append' }, ctx());
    const legacy = await readAll(conn, `${prefix}_legacy`);
    expect(legacy.rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [5, 'n/a'],
      [6, 'n/a'],
    ]);
  });

  it('overwrite is atomic: a failure halfway leaves the old table intact', async () => {
    const table = `${prefix}_atomic`;
    const f = [new Field('x', ArrowTypes.int32(), false)];
    await conn.nativeWrite(table, batchesOf(makeBatch(f, [[1, 2, 3]])), {}, ctx());
    async function* failing(): AsyncGenerator<RecordBatch> {
      yield makeBatch(f, [Array.from({ length: 10_000 }, (_, i) => i)]);
      yield makeBatch(f, [Array.from({ length: 10_000 }, (_, i) => i)]);
      throw new Error('injected failure after two batches');
    }
    const error = await conn.nativeWrite(table, failing(), { mode: 'overwrite' }, ctx()).catch((e: unknown) => e);
    expect((error as SparkleError).code).toBe('WRITE_FAILED');
    expect((await readAll(conn, table)).rows.map((r) => r[0]).sort()).toEqual([1, 2, 3]);
    const leftovers = await conn.withSession((s) => s.queryRows("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '%\\_\\_sparkle\\_%'"));
    expect(leftovers.filter((r) => String(r.name).startsWith(prefix))).toEqual([]);
  });

  it('quotes hostile identifiers and refuses backslashes', async () => {
    const table = `${prefix}_we\`ird"; DROP TABLE x; --`;
    const f = [new Field('col`umn; --', ArrowTypes.int32(), true), new Field("it's", ArrowTypes.utf8(), true)];
    await conn.nativeWrite(table, batchesOf(makeBatch(f, [[1, null], ['a', "'); DROP TABLE t; --"]])), {}, ctx());
    const { rows, schema } = await readAll(conn, '`' + table.replace(/`/g, '``') + '`', { columns: ['col`umn; --', "it's"] });
    expect(schema!.fields.map((x) => x.name)).toEqual(['col`umn; --', "it's"]);
    expect(rows.sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
      [null, "'); DROP TABLE t; --"],
      [1, 'a'],
    ]);
    await expect(conn.nativeRead('back\\slash', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('discovers tables with Spark types', async () => {
    const tables = await conn.discover();
    const t = tables.find((x) => x.name === `${prefix}_types`);
    expect(t?.schema).toBe('default');
    expect(Object.fromEntries(t!.columns.map((c) => [c.name, c.sparkType]))).toMatchObject({
      id: 'bigint',
      small: 'short',
      price: 'decimal(38,10)',
      at: 'timestamp',
      day: 'date',
      name: 'string',
    });
    expect(t!.columns.find((c) => c.name === 'id')!.nullable).toBe(false);
    expect(t!.columns.find((c) => c.name === 'name')!.nullable).toBe(true);
  });

  it('reports an error the server raises after streaming has begun', async () => {
    const read = async () => {
      for await (const _ of conn.nativeQuery('SELECT number, throwIf(number = 250000) AS boom FROM system.numbers LIMIT 400000', [], { signal: AbortSignal.timeout(20_000), fetchSize: 10_000 }))
        void _;
    };
    await expect(read()).rejects.toMatchObject({ code: 'QUERY_FAILED', message: expect.stringMatching(/Code: 395/) });
  });

  it('decodes a Native response fed in tiny chunks identically', async () => {
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: 8123, method: 'POST', path: '/?max_block_size=1000' }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve(Buffer.concat(parts)));
      });
      req.on('error', reject);
      req.end("SELECT number, toString(number) AS s, toNullable(toDecimal32(number, 2)) AS d FROM system.numbers LIMIT 3500 FORMAT Native");
    });
    async function* chunks(size: number) {
      for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
    }
    const whole: Cell[][] = [];
    for await (const b of decodeNative(chunks(body.length))) whole.push(...cells(b));
    const tiny: Cell[][] = [];
    for await (const b of decodeNative(chunks(7))) tiny.push(...cells(b));
    expect(whole).toHaveLength(3500);
    expect(tiny).toEqual(whole);
    expect(whole[3499]).toEqual([3499n, '3499', '3499.00']);
  });

  it('maps a wrong password to AuthenticationError without leaking it', async () => {
    const bad = new ClickHouseConnection({ type: 'clickhouse', config: { ...CH, user: 'sparkle_secret', password: 'wrong-Secret-4711' } });
    const error = await bad.withSession(async () => undefined).catch((e: unknown) => e);
    expect((error as SparkleError).code).toBe('AUTHENTICATION_FAILED');
    expect((error as Error).message).not.toContain('wrong-Secret-4711');
    const report = await bad.check();
    expect(report.failedTier).toBe('auth');
    expect(JSON.stringify(report)).not.toContain('wrong-Secret-4711');
    await bad.close();
    const good = new ClickHouseConnection({ type: 'clickhouse', config: { ...CH, user: 'sparkle_secret', password: 'sparkle-test-secret' } });
    expect(await good.test()).toBe(true);
    await good.close();
  });

  it('fails fast on a closed port and times out on a silent one', async () => {
    const closed = new ClickHouseConnection({ type: 'clickhouse', config: { ...CH, port: 1 } });
    expect(await closed.withSession(async () => undefined).catch((e: unknown) => (e as SparkleError).code)).toBe('CONNECTION_FAILED');
    await closed.close();
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const hung = new ClickHouseConnection({ type: 'clickhouse', config: { ...CH, port: (silent.address() as { port: number }).port, connectTimeoutMs: 700 } });
      const started = Date.now();
      const error = await hung.withSession(async () => undefined).catch((e: unknown) => e);
      expect((error as SparkleError).code).toBe('TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5000);
      await hung.close();
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
