/** When the client or server refuses LOCAL INFILE, writes fall back to INSERT before sending a row. */
import { Field } from 'apache-arrow';
import { afterAll, expect, it } from 'vitest';
import { ArrowTypes, MySQLConnection } from '../src/index.js';
import { batchesOf, ctx, MARIADB, makeBatch, readAll } from './mysql-protocol-suite.js';

/** A connection whose driver does not offer the LOCAL_FILES capability, so the server refuses LOAD DATA LOCAL. */
class NoLocalInfile extends MySQLConnection {
  protected override driverOptions(): Record<string, unknown> {
    return { ...super.driverOptions(), flags: ['-LOCAL_FILES'] };
  }
}

const table = `sp_mysql_fallback_${process.pid}`;
const conn = new NoLocalInfile({ type: 'mysql', config: { ...MARIADB, bulkLoad: 'load-data' } });

afterAll(async () => {
  await conn.withSession((s) => s.execute(`DROP TABLE IF EXISTS ${table}`));
  await conn.close();
});

it('writes every row through INSERT when LOAD DATA LOCAL is refused', async () => {
  const f = [new Field('x', ArrowTypes.int32(), false), new Field('s', ArrowTypes.utf8(), true)];
  const refused = await conn.withSession((s) => s.execute("LOAD DATA LOCAL INFILE 'x' INTO TABLE nowhere").catch((e: { errno?: number }) => e.errno));
  expect([1148, 3948, 4166]).toContain(refused);
  const result = await conn.nativeWrite(table, batchesOf(makeBatch(f, [[1, 2, 3], ['a', null, "c'"]])), {}, ctx());
  expect(result).toMatchObject({ rows: 3, written: true });
  expect((await readAll(conn, table)).rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
    [1, 'a'],
    [2, null],
    [3, "c'"],
  ]);
});
