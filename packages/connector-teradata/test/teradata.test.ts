import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { nativeDriverChecks } from '@sparkle/testkit';
import { normalizeTeradataError, parseTeradataUrl, TeradataConnection, teradataDialect } from '../src/index.js';

describe('teradata: registration, URLs and Spark mapping', () => {
  it('registers teradata and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('teradata', {
      config: { url: 'jdbc:teradata://td.internal/DATABASE=sales,DBS_PORT=1025,CHARSET=UTF8', user: 'etl', password: 's3cret-pw', fetchSize: 20000 },
    })) as TeradataConnection;
    expect(conn).toBeInstanceOf(TeradataConnection);
    expect(conn.sparkRead('orders', { partitionColumn: 'order_id', lowerBound: 1, upperBound: 9, numPartitions: 3 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:teradata://td.internal/DATABASE=sales,DBS_PORT=1025,CHARSET=UTF8',
        driver: 'com.teradata.jdbc.TeraDriver',
        user: 'etl',
        password: 's3cret-pw',
        dbtable: '"orders"',
        fetchsize: '20000',
        partitionColumn: '"order_id"',
        lowerBound: '1',
        upperBound: '9',
        numPartitions: '3',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const write = conn.sparkWrite('sales."odd"" name"', { mode: 'append', batchSize: 10000 });
    expect(write.options).toEqual({
      url: 'jdbc:teradata://td.internal/DATABASE=sales,DBS_PORT=1025,CHARSET=UTF8',
      driver: 'com.teradata.jdbc.TeraDriver',
      user: 'etl',
      password: 's3cret-pw',
      dbtable: '"sales"."odd"" name"',
      batchsize: '10000',
    });
    expect(Object.entries(write.options).filter(([, v]) => v === 's3cret-pw').map(([k]) => k)).toEqual(['password']);
    expect(conn.dataset('orders')).toEqual({ namespace: 'teradata://td.internal:1025', name: 'sales.orders' });
    expect(String(conn)).not.toContain('s3cret-pw');
  });

  it('parses Teradata URLs (database and port as parameters) and builds them from fields', () => {
    expect(parseTeradataUrl('jdbc:teradata://td/DATABASE=sales,DBS_PORT=1026,TMODE=ANSI')).toEqual({
      subprotocol: 'teradata',
      host: 'td',
      port: 1026,
      database: 'sales',
      params: { DATABASE: 'sales', DBS_PORT: '1026', TMODE: 'ANSI' },
    });
    expect(parseTeradataUrl('jdbc:teradata://td')).toMatchObject({ host: 'td', port: undefined, database: undefined });
    expect(() => parseTeradataUrl('jdbc:td://x')).toThrow(/Teradata JDBC URL/);
    const conn = new TeradataConnection({ type: 'teradata', config: { url: 'jdbc:teradata://td/DATABASE=sales,TMODE=ANSI', user: 'u', password: 'p' } });
    expect(conn.driverParams()).toMatchObject({ host: 'td', dbs_port: '1025', database: 'sales', tmode: 'ANSI', user: 'u', password: 'p' });
    expect(new TeradataConnection({ type: 'teradata', config: { host: 'td', port: 1030, database: 'db' } }).jdbcUrl()).toBe('jdbc:teradata://td/DATABASE=db,DBS_PORT=1030');
  });

  it('quotes hostile names and swaps by journaled renames', () => {
    const conn = new TeradataConnection({ type: 'teradata', config: { host: 'td' } });
    expect(conn.quoteTable('a"; DELETE FROM t; --')).toBe('"a""; DELETE FROM t; --"');
    const swap = teradataDialect.swapTables(['s', 't'], ['s', 't_stg']);
    expect(swap[0]).toMatch(/^RENAME TABLE "s"."t" TO "s"."t_old_[0-9a-f]+"$/);
    expect(swap[1]).toBe('RENAME TABLE "s"."t_stg" TO "s"."t"');
    expect(swap[2]).toMatch(/^DROP TABLE "s"."t_old_[0-9a-f]+"$/);
  });

  it('puts the error number of a driver message on code', () => {
    const e = normalizeTeradataError(new Error('[Version 20.0] [Error 8017] [SQLState 28000] The UserId, Password or Account is invalid.'), 'teradata');
    expect((e as { code: number }).code).toBe(8017);
  });

});

nativeDriverChecks({ type: 'teradata', connectionClass: TeradataConnection, driverPackage: 'teradatasql', product: 'Teradata', config: { user: 'u' }, authErrorCodes: /CONNECTION_FAILED|QUERY_FAILED|TIMEOUT/, checkTimeoutMs: 15_000 });
