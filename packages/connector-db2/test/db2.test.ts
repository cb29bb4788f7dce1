import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { getConnection } from '@sparkle/core';
import { nativeDriverChecks } from '@sparkle/testkit';
import { Db2Connection, Db2Session, normalizeDb2Error, type Db2ConnectionLike } from '../src/index.js';

describe('db2: registration, URLs and Spark mapping', () => {
  it('registers db2 and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('db2', {
      config: { url: 'jdbc:db2://db2.internal:50000/SAMPLE:currentSchema=APP;sslConnection=true;', user: 'db2inst1', password: 's3cret-pw', isolationLevel: 'READ_COMMITTED' },
    })) as Db2Connection;
    expect(conn).toBeInstanceOf(Db2Connection);
    expect(conn.sparkRead('employee', { partitionColumn: 'empno', lowerBound: 0, upperBound: 400, numPartitions: 4, fetchSize: 5000 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:db2://db2.internal:50000/SAMPLE:currentSchema=APP;sslConnection=true;',
        driver: 'com.ibm.db2.jcc.DB2Driver',
        user: 'db2inst1',
        password: 's3cret-pw',
        isolationLevel: 'READ_COMMITTED',
        dbtable: '"APP"."EMPLOYEE"',
        fetchsize: '5000',
        partitionColumn: '"EMPNO"',
        lowerBound: '0',
        upperBound: '400',
        numPartitions: '4',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const write = conn.sparkWrite('"Mixed"."Case"', { mode: 'overwrite', batchSize: 2000 });
    expect(write.options).toEqual({
      url: 'jdbc:db2://db2.internal:50000/SAMPLE:currentSchema=APP;sslConnection=true;',
      driver: 'com.ibm.db2.jcc.DB2Driver',
      user: 'db2inst1',
      password: 's3cret-pw',
      isolationLevel: 'READ_COMMITTED',
      dbtable: '"Mixed"."Case"',
      batchsize: '2000',
    });
    expect(Object.entries(write.options).filter(([, v]) => v === 's3cret-pw').map(([k]) => k)).toEqual(['password']);
    expect(conn.dataset('employee')).toEqual({ namespace: 'db2://db2.internal:50000', name: 'SAMPLE.APP.EMPLOYEE' });
    expect(String(conn)).not.toContain('s3cret-pw');
  });

  it('reads JCC URL properties and builds the CLI connection string (braced values)', () => {
    const conn = new Db2Connection({ type: 'db2', config: { url: 'jdbc:db2://h:50001/SAMPLE:currentSchema=APP;sslConnection=true;', user: 'u', password: 'p;w}d' } });
    expect(conn.connectionInfo()).toMatchObject({ host: 'h', port: 50001, database: 'SAMPLE', params: { currentSchema: 'APP', sslConnection: 'true' } });
    expect(conn.connectionString()).toBe('DATABASE=SAMPLE;HOSTNAME=h;PORT=50001;PROTOCOL=TCPIP;UID=u;PWD={p;w}}d};CurrentSchema=APP;Security=SSL;ConnectTimeout=10;');
    expect(new Db2Connection({ type: 'db2', config: { host: 'h', database: 'DB' } }).jdbcUrl()).toBe('jdbc:db2://h:50000/DB');
  });

  it('folds unquoted names to upper case and quotes hostile ones', () => {
    const conn = new Db2Connection({ type: 'db2', config: { host: 'h' } });
    expect(conn.quoteTable('app.orders')).toBe('"APP"."ORDERS"');
    expect(conn.quoteTable('"x"";DROP TABLE t;--"')).toBe('"x"";DROP TABLE t;--"');
  });


  it('classifies SQL30082N as an authentication failure', () => {
    const conn = new Db2Connection({ type: 'db2', config: { host: 'h', password: 'pw-x' } });
    const e = conn.wrapError(normalizeDb2Error({ sqlcode: -30082, state: '08001', message: 'SQL30082N Security processing failed with reason "24" ("USERNAME AND/OR PASSWORD INVALID") pw-x' }), 'connect');
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.message).not.toContain('pw-x');
  });
});

describe('db2: session glue (recording stand-in for an ibm_db connection)', () => {
  function recorder() {
    const log: unknown[] = [];
    const conn: Db2ConnectionLike = {
      async query(q, params) {
        log.push(typeof q === 'string' ? [q, params] : q);
        if (typeof q === 'string' && q.startsWith('DROP TABLE')) throw Object.assign(new Error('SQL0204N "APP.T" is an undefined name.'), { sqlcode: -204 });
        return [{ LO: 1, HI: 9 }];
      },
      async queryResult() {
        throw new Error('not used');
      },
      async beginTransaction() {
        log.push('<begin>');
      },
      async commitTransaction() {
        log.push('<commit>');
      },
      async rollbackTransaction() {
        log.push('<rollback>');
      },
      async close() {},
    };
    return { conn, log };
  }

  it('maps BEGIN/COMMIT/ROLLBACK to driver calls, lower-cases row keys and ignores SQL0204N for DROP IF EXISTS', async () => {
    const { conn, log } = recorder();
    const s = new Db2Session(conn);
    await s.execute('BEGIN');
    await s.execute('ROLLBACK');
    await s.execute('DROP TABLE IF EXISTS "APP"."T"');
    expect(await s.queryRows('SELECT MIN(x) AS lo, MAX(x) AS hi FROM t')).toEqual([{ lo: 1, hi: 9 }]);
    expect(log.slice(0, 3)).toEqual(['<begin>', '<rollback>', ['DROP TABLE "APP"."T"', undefined]]);
  });

  it('bulk-inserts with array inserts in batchSize chunks, 64-bit integers as exact text', async () => {
    const { conn, log } = recorder();
    const t = tableFromArrays({ id: BigInt64Array.from([1n, 2n, 9007199254740993n]), name: ['a', 'b', null as unknown as string] });
    const result = await new Db2Session(conn).bulkInsert('"APP"."T"', t.schema, (async function* () {
      yield* t.batches;
    })(), { signal: new AbortController().signal, batchSize: 2, onRows: () => undefined });
    expect(result.rows).toBe(3);
    expect(log).toEqual([
      { sql: 'INSERT INTO "APP"."T" ("id", "name") VALUES (?, ?)', rows: [['1', 'a'], ['2', 'b']] },
      { sql: 'INSERT INTO "APP"."T" ("id", "name") VALUES (?, ?)', rows: [['9007199254740993', null]] },
    ]);
  });
});

nativeDriverChecks({ type: 'db2', connectionClass: Db2Connection, driverPackage: 'ibm_db', product: 'Db2', driverInstalled: false });
