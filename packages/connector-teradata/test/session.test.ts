import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { TeradataSession, type TeradataConnectionLike, type TeradataCursorLike } from '../src/index.js';

/** A recording stand-in for a teradatasql connection: statements, commits, rollbacks and paged results. */
function recorder(resultRows: unknown[][] = []) {
  const log: string[] = [];
  const fetches: number[] = [];
  let at = 0;
  const conn: TeradataConnectionLike = {
    autocommit: true,
    cursor(): TeradataCursorLike {
      return {
        description: [['ID', 'INTEGER']],
        columntypename: ['INTEGER'],
        rowcount: 0,
        async executeAsync(sql: string) {
          log.push(sql);
        },
        async executemanyAsync(sql: string, rows: unknown[][]) {
          log.push(`${sql} x${rows.length}`);
        },
        fetchmany(n = 1) {
          fetches.push(n);
          const page = resultRows.slice(at, at + n);
          at += n;
          return page;
        },
        close() {},
      };
    },
    commit: () => void log.push('<commit>'),
    rollback: () => void log.push('<rollback>'),
    cancel() {},
    async closeAsync() {},
  };
  return { conn, log, fetches };
}

describe('teradata: session glue (recording stand-in for teradatasql)', () => {
  it('undoes the renames of a failed swap on ROLLBACK, newest first', async () => {
    const { conn, log } = recorder();
    const s = new TeradataSession(conn, { connector: 'teradata' });
    await s.execute('BT');
    await s.execute('RENAME TABLE "APP"."T" TO "APP"."T_OLD"');
    await s.execute('RENAME TABLE "APP"."T_STG" TO "APP"."T"');
    await s.execute('ROLLBACK');
    expect(log.filter((l) => l.startsWith('RENAME') || l.startsWith('<'))).toEqual([
      'RENAME TABLE "APP"."T" TO "APP"."T_OLD"',
      '<commit>',
      'RENAME TABLE "APP"."T_STG" TO "APP"."T"',
      '<commit>',
      '<rollback>',
      'RENAME TABLE "APP"."T" TO "APP"."T_STG"',
      'RENAME TABLE "APP"."T_OLD" TO "APP"."T"',
    ]);
    expect(conn.autocommit).toBe(true);
  });

  it('streams a result in fetchSize pages and stops after a short page', async () => {
    const { conn, fetches } = recorder([[1], [2], [3], [4], [5]]);
    const s = new TeradataSession(conn, { connector: 'teradata' });
    const ids: number[] = [];
    for await (const batch of s.queryArrow('SELECT id FROM t', [], { signal: new AbortController().signal, fetchSize: 2 })) {
      for (const row of batch) ids.push(Number(row.ID));
    }
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(fetches).toEqual([2, 2, 2]);
  });

  it('inserts in batchSize chunks with one executemany each', async () => {
    const { conn, log } = recorder();
    const s = new TeradataSession(conn, { connector: 'teradata' });
    const batch = tableFromArrays({ id: Int32Array.from([1, 2, 3, 4, 5]) }).batches[0]!;
    const progress: number[] = [];
    const result = await s.bulkInsert('"APP"."T"', batch.schema, (async function* () { yield batch; })(), { signal: new AbortController().signal, batchSize: 2, onRows: (r) => progress.push(r) });
    expect(result.rows).toBe(5);
    expect(progress).toEqual([2, 2, 1]);
    expect(log).toEqual(['INSERT INTO "APP"."T" ("id") VALUES (?) x2', 'INSERT INTO "APP"."T" ("id") VALUES (?) x2', 'INSERT INTO "APP"."T" ("id") VALUES (?) x1']);
  });
});
