import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { nativeDriverChecks } from '@sparkle/testkit';
import { tableFromArrays } from 'apache-arrow';
import { OracleConnection, OracleSession, oracleTimestampToMs, type OracleDriverConnection, type OracleDriverConstants } from '../src/index.js';

describe('oracle: registration, URLs and Spark mapping', () => {
  it('registers oracle and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('oracle', {
      config: { url: 'jdbc:oracle:thin:@//db.internal:1521/ORCLPDB1', user: 'app', password: 's3cret-pw', fetchSize: 2000, sessionInitStatement: "ALTER SESSION SET CURRENT_SCHEMA = SALES" },
    })) as OracleConnection;
    expect(conn).toBeInstanceOf(OracleConnection);
    expect(conn.sparkRead('sales.orders', { partitionColumn: 'order_id', lowerBound: 1, upperBound: 1_000_000, numPartitions: 8 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:oracle:thin:@//db.internal:1521/ORCLPDB1',
        driver: 'oracle.jdbc.OracleDriver',
        user: 'app',
        password: 's3cret-pw',
        sessionInitStatement: 'ALTER SESSION SET CURRENT_SCHEMA = SALES',
        dbtable: '"SALES"."ORDERS"',
        fetchsize: '2000',
        partitionColumn: '"ORDER_ID"',
        lowerBound: '1',
        upperBound: '1000000',
        numPartitions: '8',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    expect(conn.sparkRead('"MixedCase"', { predicates: ['REGION = 1', 'REGION = 2'] })).toMatchObject({ options: { dbtable: '"MixedCase"' }, predicates: ['REGION = 1', 'REGION = 2'] });
    const write = conn.sparkWrite('orders_copy', { mode: 'overwrite', batchSize: 5000 });
    expect(write.options).toEqual({
      url: 'jdbc:oracle:thin:@//db.internal:1521/ORCLPDB1',
      driver: 'oracle.jdbc.OracleDriver',
      user: 'app',
      password: 's3cret-pw',
      sessionInitStatement: 'ALTER SESSION SET CURRENT_SCHEMA = SALES',
      dbtable: '"ORDERS_COPY"',
      batchsize: '5000',
    });
    expect(Object.entries(write.options).filter(([, v]) => v === 's3cret-pw').map(([k]) => k)).toEqual(['password']);
    expect(String(conn)).not.toContain('s3cret-pw');
    expect(conn.dataset('sales.orders')).toEqual({ namespace: 'oracle://db.internal:1521', name: 'ORCLPDB1.SALES.ORDERS' });
    await conn.close();
  });

  it('parses service, SID and descriptor forms and builds URLs from fields', () => {
    const service = new OracleConnection({ type: 'oracle', config: { url: 'jdbc:oracle:thin:@//h:1522/svc.example' } });
    expect(service.connectionInfo()).toMatchObject({ host: 'h', port: 1522, database: 'svc.example' });
    expect(service.connectString()).toBe('h:1522/svc.example');
    const sid = new OracleConnection({ type: 'oracle', config: { url: 'jdbc:oracle:thin:@h:1521:ORCL' } });
    expect(sid.connectString()).toBe('(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=h)(PORT=1521))(CONNECT_DATA=(SID=ORCL)))');
    const tns = new OracleConnection({ type: 'oracle', config: { url: 'jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=h)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=s)))', host: 'h' } });
    expect(tns.connectString()).toBe('(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=h)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=s)))');
    const fields = new OracleConnection({ type: 'oracle', config: { host: 'h', serviceName: 'FREEPDB1' } });
    expect(fields.jdbcUrl()).toBe('jdbc:oracle:thin:@//h:1521/FREEPDB1');
    expect(new OracleConnection({ type: 'oracle', config: { host: 'h', sid: 'XE' } }).jdbcUrl()).toBe('jdbc:oracle:thin:@h:1521:XE');
  });

  it('folds unquoted names to upper case and quotes hostile ones safely', () => {
    const conn = new OracleConnection({ type: 'oracle', config: { host: 'h', schema: 'sales' } });
    expect(conn.quoteTable('orders')).toBe('"SALES"."ORDERS"');
    expect(conn.quoteTable('"Odd"".Name"')).toBe('"SALES"."Odd"".Name"');
    expect(conn.quoteTable('"x"";DROP TABLE t;--"')).toBe('"SALES"."x"";DROP TABLE t;--"');
    expect(conn.quoteColumn('amount')).toBe('"AMOUNT"');
    expect(() => conn.quoteColumn('a\u0000b')).toThrow(/NUL/);
  });


  it('reads NLS timestamp text as UTC', () => {
    expect(oracleTimestampToMs('2024-02-29 23:59:58.123456')).toBe(Date.UTC(2024, 1, 29, 23, 59, 58, 123));
    expect(oracleTimestampToMs('2024-02-29 23:59:58.000000 +02:00')).toBe(Date.UTC(2024, 1, 29, 21, 59, 58));
  });
});


describe('oracle: session glue (recording stand-in for an oracledb connection)', () => {
  const constants = {
    OUT_FORMAT_ARRAY: 4001,
    OUT_FORMAT_OBJECT: 4002,
    DB_TYPE_NUMBER: 'NUMBER',
    DB_TYPE_BINARY_DOUBLE: 'BINARY_DOUBLE',
    DB_TYPE_VARCHAR: 'VARCHAR',
    DB_TYPE_DATE: 'DATE',
    DB_TYPE_TIMESTAMP: 'TIMESTAMP',
    DB_TYPE_TIMESTAMP_TZ: 'TIMESTAMP_TZ',
    DB_TYPE_RAW: 'RAW',
    DB_TYPE_CLOB: 'CLOB',
    DB_TYPE_BLOB: 'BLOB',
    STRING: 'STRING',
    BUFFER: 'BUFFER',
  } satisfies OracleDriverConstants;

  function recorder(failOn?: RegExp) {
    const log: string[] = [];
    const many: unknown[][][] = [];
    const conn: OracleDriverConnection = {
      async execute(sql) {
        log.push(sql);
        if (failOn?.test(sql)) throw Object.assign(new Error('ORA-00942: table or view does not exist'), { code: 'ORA-00942' });
        return { rowsAffected: 0, rows: [] };
      },
      async executeMany(sql, binds) {
        log.push(sql);
        many.push(binds);
        return { rowsAffected: binds.length };
      },
      async commit() {
        log.push('<commit>');
      },
      async rollback() {
        log.push('<rollback>');
      },
      async close() {},
    };
    return { conn, log, many };
  }

  it('undoes journaled renames on ROLLBACK, since Oracle DDL commits implicitly', async () => {
    const { conn, log } = recorder();
    const session = new OracleSession(conn, constants);
    await session.execute('BEGIN');
    await session.execute('ALTER TABLE "APP"."T" RENAME TO "T_OLD_1"');
    await session.execute('ALTER TABLE "APP"."T_STG" RENAME TO "T"');
    await session.execute('ROLLBACK');
    expect(log).toEqual([
      'ALTER TABLE "APP"."T" RENAME TO "T_OLD_1"',
      'ALTER TABLE "APP"."T_STG" RENAME TO "T"',
      '<rollback>',
      'ALTER TABLE "APP"."T" RENAME TO "T_STG"',
      'ALTER TABLE "APP"."T_OLD_1" RENAME TO "T"',
    ]);
  });

  it('turns DROP TABLE IF EXISTS into DROP … PURGE that ignores ORA-00942', async () => {
    const { conn, log } = recorder(/^DROP/);
    await new OracleSession(conn, constants).execute('DROP TABLE IF EXISTS "APP"."T_STG"');
    expect(log).toEqual(['DROP TABLE "APP"."T_STG" PURGE']);
  });

  it('bulk-inserts with executeMany in batchSize chunks with typed binds', async () => {
    const { conn, log, many } = recorder();
    const table = tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]), name: ['a', "b'c", 'd'], score: Float64Array.from([1.5, 2, 3]) });
    const rows: number[] = [];
    const result = await new OracleSession(conn, constants).bulkInsert('"APP"."T"', table.schema, (async function* () {
      yield* table.batches;
    })(), { signal: new AbortController().signal, batchSize: 2, onRows: (n) => rows.push(n) });
    expect(result.rows).toBe(3);
    expect(rows).toEqual([2, 1]);
    expect(log[0]).toBe('INSERT INTO "APP"."T" ("id", "name", "score") VALUES (:1, :2, :3)');
    expect(many).toEqual([
      [
        [1, 'a', 1.5],
        [2, "b'c", 2],
      ],
      [[3, 'd', 3]],
    ]);
  });
});

nativeDriverChecks({ type: 'oracle', connectionClass: OracleConnection, driverPackage: 'oracledb', product: 'Oracle', config: { database: 'FREEPDB1', user: 'app' }, authErrorCodes: /CONNECTION_FAILED|QUERY_FAILED|TIMEOUT/ });
