/**
 * Reading tables created with MySQL DDL (types Sparkle itself never creates) from the real
 * MariaDB, and cancelling reads mid-stream.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MySQLConnection } from '../src/index.js';
import { ctx, MARIADB, readAll, sql } from './mysql-protocol-suite.js';

const table = `sp_mysql_ddl_${process.pid}`;
let conn: MySQLConnection;

beforeAll(async () => {
  // queryTimeoutMs on a `mysql` connection to MariaDB: max_execution_time is unknown there, so the
  // session falls back to max_statement_time (opening would fail otherwise).
  conn = new MySQLConnection({ type: 'mysql', config: { ...MARIADB, queryTimeoutMs: 60_000 } });
  await conn.withSession(async (s) => {
    await s.execute(`DROP TABLE IF EXISTS ${table}`);
    await s.execute(
      `CREATE TABLE ${table} (
        id INT PRIMARY KEY, u8 TINYINT UNSIGNED, u64 BIGINT UNSIGNED, yr YEAR, t TIME(6), j JSON,
        e ENUM('small','large'), b1 BIT(1), vb VARBINARY(8), ts TIMESTAMP(6) NULL, wide DECIMAL(65,30), f FLOAT, m MEDIUMINT
      )`,
    );
    await s.execute(
      `INSERT INTO ${table} VALUES
        (1, 255, 18446744073709551615, 2024, '-838:59:59.000000', '{"a": [1, 2]}', 'large', b'1', X'00ff', '2038-01-19 03:14:07.999999', '12345678901234567890123456789012345.123456789012345678901234567891', 1.5, -8388608),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
  });
});

afterAll(async () => {
  await conn.withSession((s) => s.execute(`DROP TABLE IF EXISTS ${table}`));
  await conn.close();
});

it('maps MySQL column types to exact Arrow types', async () => {
  const { rows, schema } = await readAll(conn, table);
  expect(Object.fromEntries(schema!.fields.map((f) => [f.name, String(f.type)]))).toEqual({
    id: 'Int32',
    u8: 'Int16',
    u64: 'Decimal[20e0]',
    yr: 'Int16',
    t: 'Utf8',
    j: 'Utf8',
    e: 'Utf8',
    b1: 'Bool',
    vb: 'Binary',
    ts: 'Timestamp<MICROSECOND, UTC>',
    wide: 'Utf8',
    f: 'Float32',
    m: 'Int32',
  });
  rows.sort((a, b) => Number(a[0]) - Number(b[0]));
  expect(rows[0]).toEqual([
    1,
    255,
    '18446744073709551615',
    2024,
    '-838:59:59.000000',
    expect.stringMatching(/^\{"a": ?\[1, ?2\]\}$/),
    'large',
    true,
    '00ff',
    '2038-01-19 03:14:07.999999',
    '12345678901234567890123456789012345.123456789012345678901234567891',
    1.5,
    -8388608,
  ]);
  expect(rows[1]).toEqual([2, ...Array(12).fill(null)]);
});

it('reads and writes edge values exactly: DATETIME(6) years 1000 and 9999, DECIMAL(38,10) limits, BIGINT extremes', async () => {
  const edges = `${table}_edges`;
  const max = '9999999999999999999999999999.9999999999';
  try {
    await conn.withSession(async (s) => {
      await s.execute(`DROP TABLE IF EXISTS ${edges}`);
      await s.execute(`CREATE TABLE ${edges} (id INT PRIMARY KEY, at DATETIME(6), d DECIMAL(38,10), n BIGINT, day DATE)`);
      await s.execute(
        `INSERT INTO ${edges} VALUES
          (1, '9999-12-31 23:59:59.999999', '${max}', 9223372036854775807, '9999-12-31'),
          (2, '1000-01-01 00:00:00.000001', '-${max}', -9223372036854775808, '1000-01-01'),
          (3, '1970-01-01 00:00:00.000001', '-0.0000000001', 9007199254740993, '1970-01-01')`,
      );
    });
    const expected = [
      [1, '9999-12-31 23:59:59.999999', max, 9223372036854775807n, '9999-12-31'],
      [2, '1000-01-01 00:00:00.000001', `-${max}`, -9223372036854775808n, '1000-01-01'],
      [3, '1970-01-01 00:00:00.000001', '-0.0000000001', 9007199254740993n, '1970-01-01'],
    ];
    const read = await readAll(conn, edges);
    expect(read.rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(expected);
    // Written back through LOAD DATA from those Arrow batches, and read again: still identical.
    await conn.nativeWrite(`${edges}_copy`, conn.nativeQuery(`SELECT * FROM ${edges}`, [], { signal: AbortSignal.timeout(30_000) }), { mode: 'overwrite' }, ctx());
    const copied = await readAll(conn, `${edges}_copy`);
    expect(copied.rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(expected);
  } finally {
    await conn.withSession(async (s) => {
      await s.execute(`DROP TABLE IF EXISTS ${edges}`);
      await s.execute(`DROP TABLE IF EXISTS ${edges}_copy`);
    });
  }
});

it('stops a read when the signal aborts, and when the consumer stops early', async () => {
  const controller = new AbortController();
  let rows = 0;
  const big = 'SELECT a.seq AS x FROM seq_1_to_1000 a, seq_1_to_1000 b';
  const stopped = (async () => {
    for await (const batch of conn.nativeQuery(big, [], { signal: controller.signal, fetchSize: 1000 })) {
      rows += batch.numRows;
      if (rows >= 5000) controller.abort();
    }
  })();
  await expect(stopped).rejects.toMatchObject({ code: 'ABORTED' });
  expect(rows).toBeLessThan(1_000_000);
  let seen = 0;
  for await (const batch of conn.nativeQuery(big, [], { signal: AbortSignal.timeout(20_000), fetchSize: 1000 })) {
    seen += batch.numRows;
    if (seen >= 3000) break;
  }
  expect(seen).toBe(3000);
  // The server is not left running the abandoned statements.
  const running = await sql(conn, "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE 'SELECT a.seq AS x FROM seq_1_to_1000%'");
  expect(Number(running[0]!.n)).toBeLessThanOrEqual(1);
});
