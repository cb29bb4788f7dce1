/**
 * Behaviour shared by every MySQL-protocol connector, run against a real server
 * (MariaDB on 127.0.0.1:3306, root without password, database `test`). The mysql and mariadb
 * packages each run it with their own connection class.
 */
import { createServer, type Server } from 'node:net';
import { Field, Schema, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkleError, type JDBCConnection, type NativeWriteContext, type WriteTableOptions } from '@sparkle/core';
import { ArrowTypes, batchFromBuilders, cellReader, columnBuilder, type Cell } from '../src/index.js';

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' } as const;

type Conn = JDBCConnection;

export interface SuiteOptions {
  type: string;
  make(config: Record<string, unknown>): Conn;
}

/** A batch from columns of plain values (null = NULL). */
export function makeBatch(fields: Field[], columns: unknown[][]): RecordBatch {
  const builders = fields.map(columnBuilder);
  const n = columns[0]?.length ?? 0;
  for (let r = 0; r < n; r++) for (let c = 0; c < fields.length; c++) builders[c]!.append(columns[c]![r]);
  return batchFromBuilders(new Schema(fields), builders);
}

export async function* batchesOf(...batches: RecordBatch[]): AsyncGenerator<RecordBatch> {
  for (const b of batches) yield b;
}

export function ctx(): NativeWriteContext & { rows: number } {
  const c = { rows: 0, signal: AbortSignal.timeout(60_000), onRows: (n: number) => void (c.rows += n) };
  return c;
}

/** Reads every partition of a native read plan; returns rows as arrays of canonical cells. */
export async function readAll(conn: Conn, table: string, options: Parameters<Conn['nativeRead']>[1] = {}): Promise<{ rows: Cell[][]; schema?: Schema; partitions: number }> {
  const plan = await conn.nativeRead(table, options);
  const rows: Cell[][] = [];
  let schema: Schema | undefined;
  for (const p of plan.partitions) {
    for await (const batch of p.open(AbortSignal.timeout(60_000))) {
      schema = batch.schema;
      const readers = batch.schema.fields.map((_, c) => cellReader(batch.getChildAt(c)!));
      for (let r = 0; r < batch.numRows; r++) rows.push(readers.map((read) => normalizeCell(read(r))));
    }
  }
  return { rows, schema, partitions: plan.partitions.length };
}

function normalizeCell(c: Cell): Cell {
  return c instanceof Uint8Array ? Buffer.from(c).toString('hex') : c;
}

export async function sql(conn: Conn, text: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  return conn.withSession((s) => s.queryRows(text, params));
}

export function mysqlProtocolSuite({ type, make }: SuiteOptions): void {
  const prefix = `sp_${type}_${process.pid}_${Date.now().toString(36)}`;
  let conn: Conn;

  beforeAll(async () => {
    conn = make({ ...MARIADB });
  });
  afterAll(async () => {
    const tables = await sql(conn, 'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?', [`${prefix}%`]);
    for (const { t } of tables) await conn.withSession((s) => s.execute(`DROP TABLE IF EXISTS \`${String(t).replace(/`/g, '``')}\``));
    await conn.close();
  });

  describe(`${type}: real MariaDB on 127.0.0.1:3306`, () => {
    it('passes every tier of check()', async () => {
      const report = await conn.check({ timeoutMs: 10_000 });
      expect(report.steps.map((s) => `${s.tier}:${s.status}`)).toEqual(['config:ok', 'network:ok', 'auth:ok', 'probe:ok']);
      expect(await conn.test()).toBe(true);
    });

    const fields = [
      new Field('id', ArrowTypes.int64(), false),
      new Field('flag', ArrowTypes.bool(), true),
      new Field('small', ArrowTypes.int16(), true),
      new Field('n32', ArrowTypes.int32(), true),
      new Field('f64', ArrowTypes.float64(), true),
      new Field('price', ArrowTypes.decimal(38, 10), true),
      new Field('at', ArrowTypes.timestamp(), true),
      new Field('day', ArrowTypes.date(), true),
      new Field('name', ArrowTypes.utf8(), true),
      new Field('blob', ArrowTypes.binary(), true),
    ];
    const columns: unknown[][] = [
      [1n, 9007199254740993n, -9223372036854775808n, 4n],
      [true, false, null, true],
      [-32768, 32767, null, 0],
      [2147483647, -2147483648, null, 7],
      [0.1, -1.5e300, null, 3.141592653589793],
      ['1234567890123456789012345678.0123456789', '-0.0000000001', null, '0'],
      ['2024-02-29 23:59:59.123456', '1970-01-01 00:00:00.000001', null, '2038-01-19 03:14:08.999999'],
      ['2024-02-29', '1000-01-01', null, '9999-12-31'],
      ['tab\there', 'new\nline \\ back\\slash \u0000 nul', null, 'ünïcødé ✓ 𝄞 \'quote\' "dq"'],
      [new Uint8Array([0, 9, 10, 92, 255]), new Uint8Array([]), null, new Uint8Array([0x4e])],
    ];

    for (const bulkLoad of ['load-data', 'insert'] as const) {
      it(`round-trips every type exactly (bulkLoad ${bulkLoad})`, async () => {
        const c = make({ ...MARIADB, bulkLoad });
        try {
          const table = `${prefix}_types_${bulkLoad.replace('-', '_')}`;
          const context = ctx();
          const result = await c.nativeWrite(table, batchesOf(makeBatch(fields, columns)), { mode: 'errorIfExists' }, context);
          expect(result).toMatchObject({ rows: 4, written: true });
          expect(context.rows).toBe(4);
          const { rows, schema } = await readAll(c, table);
          rows.sort((a, b) => (BigInt(a[0] as bigint) < BigInt(b[0] as bigint) ? -1 : 1));
          expect(schema!.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
            'id:Int64',
            'flag:Bool',
            'small:Int16',
            'n32:Int32',
            'f64:Float64',
            'price:Decimal[38e+10]',
            'at:Timestamp<MICROSECOND>',
            'day:Date32<DAY>',
            'name:Utf8',
            'blob:Binary',
          ]);
          const expected = [0, 1, 2, 3]
            .map((r) => columns.map((col) => col[r]))
            .map((row) => [
              row[0],
              row[1],
              row[2],
              row[3],
              row[4],
              row[5] === null ? null : canonicalDecimal(row[5] as string, 10),
              row[6] === null ? null : `${row[6]}`,
              row[7],
              row[8],
              row[9] === null ? null : Buffer.from(row[9] as Uint8Array).toString('hex'),
            ])
            .sort((a, b) => (BigInt(a[0] as bigint) < BigInt(b[0] as bigint) ? -1 : 1));
          expect(rows).toEqual(expected);
        } finally {
          await c.close();
        }
      });
    }

    it('reads a partitioned table with automatic bounds: every row exactly once, NULLs included', async () => {
      const table = `${prefix}_parts`;
      const ids: Array<bigint | null> = [];
      for (let i = 1; i <= 997; i++) ids.push(BigInt(i * 3 - 50));
      ids.push(null, null, null);
      const f = [new Field('k', ArrowTypes.int64(), true), new Field('v', ArrowTypes.utf8(), false)];
      await conn.nativeWrite(table, batchesOf(makeBatch(f, [ids, ids.map((_, i) => `row ${i}`)])), {}, ctx());
      const { rows, partitions } = await readAll(conn, table, { partitionColumn: 'k', numPartitions: 4 });
      expect(partitions).toBe(4);
      expect(rows).toHaveLength(1000);
      const seen = new Set(rows.map((r) => r[1]));
      expect(seen.size).toBe(1000);
      expect(rows.filter((r) => r[0] === null)).toHaveLength(3);
      // Explicit narrow bounds still read rows outside them (first/last partitions are open).
      const narrow = await readAll(conn, table, { partitionColumn: 'k', lowerBound: 100, upperBound: 200, numPartitions: 3 });
      expect(narrow.rows).toHaveLength(1000);
      // Predicates: one partition each.
      const byPredicate = await readAll(conn, table, { predicates: ['k < 0', 'k >= 0', 'k IS NULL'] });
      expect(byPredicate.partitions).toBe(3);
      expect(byPredicate.rows).toHaveLength(1000);
      // Projection and filter push-down.
      const projected = await readAll(conn, table, { columns: ['v'], where: 'k BETWEEN 1 AND 10' });
      expect(projected.schema!.fields.map((x) => x.name)).toEqual(['v']);
      expect(projected.rows.length).toBe([...ids].filter((k) => k !== null && k >= 1n && k <= 10n).length);
    });

    it('honours the save modes', async () => {
      const table = `${prefix}_modes`;
      const f = [new Field('x', ArrowTypes.int32(), false)];
      const write = (values: number[], options: WriteTableOptions) => conn.nativeWrite(table, batchesOf(makeBatch(f, [values])), options, ctx());
      await write([1, 2], { mode: 'errorIfExists' });
      await expect(write([3], { mode: 'errorIfExists' })).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
      expect(await write([3], { mode: 'ignore' })).toMatchObject({ written: false, rows: 0 });
      await write([3, 4], { mode: 'append' });
      expect((await readAll(conn, table)).rows.map((r) => r[0]).sort()).toEqual([1, 2, 3, 4]);
      await write([9], { mode: 'overwrite' });
      expect((await readAll(conn, table)).rows).toEqual([[9]]);
    });

    it('overwrite is atomic: a failure halfway leaves the old table intact', async () => {
      const table = `${prefix}_atomic`;
      const f = [new Field('x', ArrowTypes.int32(), false)];
      await conn.nativeWrite(table, batchesOf(makeBatch(f, [[1, 2, 3]])), {}, ctx());
      async function* failing(): AsyncGenerator<RecordBatch> {
        yield makeBatch(f, [Array.from({ length: 5000 }, (_, i) => i)]);
        throw new Error('injected failure after the first batch');
      }
      const error = await conn.nativeWrite(table, failing(), { mode: 'overwrite' }, ctx()).catch((e: unknown) => e);
      expect(SparkleError.isInstance(error)).toBe(true);
      expect((error as SparkleError).code).toBe('WRITE_FAILED');
      expect((error as SparkleError).details).toMatchObject({ committed: false });
      expect((await readAll(conn, table)).rows.map((r) => r[0]).sort()).toEqual([1, 2, 3]);
      // A failure in append mode rolls back too.
      await conn.nativeWrite(table, failing(), { mode: 'append' }, ctx()).catch(() => undefined);
      expect((await readAll(conn, table)).rows).toHaveLength(3);
      // No staging table is left behind.
      const leftovers = await sql(conn, "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE '%\\_\\_sparkle\\_%'");
      expect(leftovers.filter((r) => String(r.t).startsWith(prefix))).toEqual([]);
    });

    it('quotes hostile identifiers', async () => {
      const table = `${prefix}_we\`ird"; DROP TABLE x; --`;
      const f = [new Field('col`umn; --', ArrowTypes.int32(), true), new Field('sel ect', ArrowTypes.utf8(), true)];
      await conn.nativeWrite(table, batchesOf(makeBatch(f, [[1, null], ["'); DROP TABLE t; --", 'ok']])), {}, ctx());
      const quoted = '`' + table.replace(/`/g, '``') + '`';
      const { rows, schema } = await readAll(conn, quoted, { columns: ['col`umn; --', 'sel ect'] });
      expect(schema!.fields.map((x) => x.name)).toEqual(['col`umn; --', 'sel ect']);
      expect(rows).toEqual([
        [1, "'); DROP TABLE t; --"],
        [null, 'ok'],
      ]);
      await expect(conn.nativeRead('a\u0000b', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('discovers tables and columns with Spark types', async () => {
      const tables = await conn.discover();
      const types = tables.find((t) => t.name === `${prefix}_types_load_data`);
      expect(types?.schema).toBe('test');
      expect(Object.fromEntries(types!.columns.map((c) => [c.name, c.sparkType]))).toMatchObject({
        id: 'bigint',
        flag: 'boolean',
        price: 'decimal(38,10)',
        at: 'timestamp_ntz',
        day: 'date',
        name: 'string',
        blob: 'binary',
      });
      expect(types!.columns.find((c) => c.name === 'id')!.nullable).toBe(false);
    });

    it('maps a wrong password to AuthenticationError without leaking it', async () => {
      const user = `sparkle_pw_${process.pid}`;
      await conn.withSession(async (s) => {
        await s.execute(`CREATE USER IF NOT EXISTS '${user}'@'127.0.0.1' IDENTIFIED BY 'right-Passw0rd'`);
        await s.execute(`GRANT SELECT ON test.* TO '${user}'@'127.0.0.1'`);
      });
      try {
        const good = make({ ...MARIADB, user, password: 'right-Passw0rd' });
        expect((await good.check()).ok).toBe(true);
        await good.close();
        const bad = make({ ...MARIADB, user, password: 'wrong-Secret-4711' });
        const error = await bad.withSession(async () => undefined).catch((e: unknown) => e);
        expect((error as SparkleError).code).toBe('AUTHENTICATION_FAILED');
        expect((error as SparkleError).retryable).toBe(false);
        expect(String((error as Error).message)).not.toContain('wrong-Secret-4711');
        const report = await bad.check();
        expect(report.ok).toBe(false);
        expect(report.failedTier).toBe('auth');
        expect(JSON.stringify(report)).not.toContain('wrong-Secret-4711');
        expect(String(bad)).not.toContain('wrong-Secret-4711');
        await bad.close();
      } finally {
        await conn.withSession((s) => s.execute(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`));
      }
    });

    it('fails fast on a closed port and times out on a silent one', async () => {
      const closed = make({ ...MARIADB, port: 1, connectTimeoutMs: 2000 });
      const refused = await closed.withSession(async () => undefined).catch((e: unknown) => e);
      expect((refused as SparkleError).code).toBe('CONNECTION_FAILED');
      expect((refused as SparkleError).retryable).toBe(true);
      await closed.close();

      // A server that accepts TCP but never sends the handshake.
      const sockets: import('node:net').Socket[] = [];
      const silent: Server = createServer((s) => void sockets.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as { port: number }).port;
      try {
        const hung = make({ ...MARIADB, port, connectTimeoutMs: 700 });
        const started = Date.now();
        const report = await hung.check({ timeoutMs: 1500 });
        expect(report.ok).toBe(false);
        expect(report.failedTier).toBe('auth');
        expect(Date.now() - started).toBeLessThan(5000);
        const error = await hung.withSession(async () => undefined).catch((e: unknown) => e);
        expect((error as SparkleError).code).toBe('TIMEOUT');
        expect(Date.now() - started).toBeLessThan(8000);
        await hung.close();
      } finally {
        for (const s of sockets) s.destroy();
        silent.close();
      }
    });
  });
}

function canonicalDecimal(text: string, scale: number): string {
  const negative = text.startsWith('-');
  const [int, frac = ''] = text.replace('-', '').split('.');
  const digits = `${(int ?? '0').replace(/^0+(?=\d)/, '')}.${frac.padEnd(scale, '0')}`;
  return negative ? `-${digits}` : digits;
}
