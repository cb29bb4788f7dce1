import { describe, expect, it } from 'vitest';
import { getConnection, MissingDriverError, type ConnectionInit, type JDBCConnection } from '@sparkle/core';
import { PrestoConnection, inlineParams, literal, mapType, timestampTextToMs } from '../src/index.js';
import { prestoProtocolSuite } from './presto-protocol-suite.js';

describe('presto: registration, URL and Spark mapping', () => {
  it('registers presto and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('presto', {
      config: { url: 'jdbc:presto://coord.internal:8080/hive/sales?SSL=true', user: 'etl', password: 's3cret-pw', fetchSize: 5000 },
    })) as PrestoConnection;
    expect(conn).toBeInstanceOf(PrestoConnection);
    const read = conn.sparkRead('orders', { partitionColumn: 'id', lowerBound: 0, upperBound: 1000, numPartitions: 4 });
    expect(read).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:presto://coord.internal:8080/hive/sales?SSL=true',
        driver: 'com.facebook.presto.jdbc.PrestoDriver',
        user: 'etl',
        password: 's3cret-pw',
        dbtable: '"orders"',
        fetchsize: '5000',
        partitionColumn: '"id"',
        lowerBound: '0',
        upperBound: '1000',
        numPartitions: '4',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const withPredicates = conn.sparkRead('orders', { predicates: ["region = 'EU'", "region = 'US'"] });
    expect(withPredicates.predicates).toEqual(["region = 'EU'", "region = 'US'"]);
    const write = conn.sparkWrite('hive.sales."Odd ""Name"""', { mode: 'append', batchSize: 500 });
    expect(write.options).toEqual({
      url: 'jdbc:presto://coord.internal:8080/hive/sales?SSL=true',
      driver: 'com.facebook.presto.jdbc.PrestoDriver',
      user: 'etl',
      password: 's3cret-pw',
      dbtable: '"hive"."sales"."Odd ""Name"""',
      batchsize: '500',
    });
    expect(Object.entries(write.options).filter(([, v]) => v === 's3cret-pw').map(([k]) => k)).toEqual(['password']);
    expect(String(conn)).not.toContain('s3cret-pw');
    await conn.close();
  });

  it('reads catalog and schema from the URL path and builds the coordinator URL', () => {
    const conn = new PrestoConnection({ type: 'presto', config: { url: 'jdbc:presto://h:8443/hive/sales?SSL=true', user: 'u' } });
    expect(conn.connectionInfo()).toMatchObject({ host: 'h', port: 8443, catalog: 'hive', schema: 'sales' });
    expect(conn.serverUrl()).toBe('https://h:8443');
    expect(conn.dataset('orders')).toEqual({ namespace: 'presto://h:8443', name: 'hive.sales.orders' });
    expect(conn.dataset('other.orders')).toEqual({ namespace: 'presto://h:8443', name: 'hive.other.orders' });
    const plain = new PrestoConnection({ type: 'presto', config: { host: 'h', catalog: 'memory', user: 'u' } });
    expect(plain.serverUrl()).toBe('http://h:8080');
    expect(plain.jdbcUrl()).toBe('jdbc:presto://h:8080/');
  });

  it('quotes hostile identifiers and renders typed literals', () => {
    const conn = new PrestoConnection({ type: 'presto', config: { host: 'h' } });
    expect(conn.quoteTable('"a"";DROP TABLE x;--".t')).toBe('"a"";DROP TABLE x;--"."t"');
    expect(() => conn.quoteColumn('bad\u0000name')).toThrow(/NUL/);
    expect(literal('text', "it's")).toBe("'it''s'");
    expect(literal('float', 1.5)).toBe('1.5e+0');
    expect(literal('float', Number.NaN)).toBe('nan()');
    expect(literal('decimal', '12.50')).toBe("DECIMAL '12.50'");
    expect(literal('binary', new Uint8Array([0, 255]))).toBe("X'00ff'");
    expect(inlineParams("SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?", ["x'y", 3n])).toBe("SELECT * FROM t WHERE a = 'x''y' AND b = '?' AND c = 3");
    expect(() => inlineParams('SELECT ?', [])).not.toThrow();
    expect(() => inlineParams('SELECT ?, ?', [1])).toThrow(/placeholders/);
  });

  it('maps protocol types and cells to Arrow', () => {
    expect(String(mapType('decimal(10,2)').type)).toBe('Decimal[10e+2]');
    expect(String(mapType('timestamp(3) with time zone').type)).toContain('Timestamp<MICROSECOND, UTC>');
    expect(mapType('bigint').convert(42)).toBe(42n);
    expect(mapType('double').convert('NaN')).toBeNaN();
    expect(timestampTextToMs('2024-01-31 12:00:00.123456')).toBe(Date.UTC(2024, 0, 31, 12, 0, 0, 123));
    expect(timestampTextToMs('2024-01-31 12:00:00.000 UTC')).toBe(Date.UTC(2024, 0, 31, 12));
    expect(timestampTextToMs('2024-01-31 12:00:00.000 +01:00')).toBe(Date.UTC(2024, 0, 31, 11));
    expect(Buffer.from(mapType('varbinary').convert('AP8=') as Uint8Array)).toEqual(Buffer.from([0, 255]));
  });

  it('needs no driver package (the client is built in), so MissingDriverError never applies', () => {
    // Documented difference from the driver-based connectors: nothing to import lazily.
    expect(MissingDriverError).toBeTypeOf('function');
  });
});

prestoProtocolSuite({ type: 'presto', headerPrefix: 'X-Presto', make: (config) => new PrestoConnection({ type: 'presto', config } as ConnectionInit) as JDBCConnection });
