import { describe, expect, it } from 'vitest';
import { getConnection, type ConnectionInit, type JDBCConnection } from '@sparkle/core';
import { TrinoConnection } from '../src/index.js';
import { prestoProtocolSuite } from '../../connector-presto/test/presto-protocol-suite.js';

describe('trino: registration, URL and Spark mapping', () => {
  it('registers trino and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('trino', {
      config: { url: 'jdbc:trino://coord.internal:8443/iceberg/sales?SSL=true', user: 'etl', password: 's3cret-pw', isolationLevel: 'READ_COMMITTED' },
    })) as TrinoConnection;
    expect(conn).toBeInstanceOf(TrinoConnection);
    expect(conn.sparkRead('orders', { partitionColumn: 'order_date', lowerBound: '2024-01-01', upperBound: '2025-01-01', numPartitions: 12 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:trino://coord.internal:8443/iceberg/sales?SSL=true',
        driver: 'io.trino.jdbc.TrinoDriver',
        user: 'etl',
        password: 's3cret-pw',
        isolationLevel: 'READ_COMMITTED',
        dbtable: '"orders"',
        partitionColumn: '"order_date"',
        lowerBound: '2024-01-01',
        upperBound: '2025-01-01',
        numPartitions: '12',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const write = conn.sparkWrite('orders_copy', { mode: 'overwrite', batchSize: 2000 });
    expect(write).toEqual({
      format: 'jdbc',
      mode: 'overwrite',
      options: {
        url: 'jdbc:trino://coord.internal:8443/iceberg/sales?SSL=true',
        driver: 'io.trino.jdbc.TrinoDriver',
        user: 'etl',
        password: 's3cret-pw',
        isolationLevel: 'READ_COMMITTED',
        dbtable: '"orders_copy"',
        batchsize: '2000',
      },
      secretOptions: ['password'],
    });
    expect(conn.serverUrl()).toBe('https://coord.internal:8443');
    expect(conn.dataset('orders')).toEqual({ namespace: 'trino://coord.internal:8443', name: 'iceberg.sales.orders' });
    expect(conn.dataset('hive.raw.events')).toEqual({ namespace: 'trino://coord.internal:8443', name: 'hive.raw.events' });
    expect(String(conn)).not.toContain('s3cret-pw');
    await conn.close();
  });

  it('uses Trino type names with timestamp precision', () => {
    const conn = new TrinoConnection({ type: 'trino', config: { host: 'h' } });
    expect(conn.dialect.typeNames.timestamp).toBe('TIMESTAMP(6)');
    expect(conn.dialect.name).toBe('trino');
    expect(conn.protocol.headerPrefix).toBe('X-Trino');
  });
});

prestoProtocolSuite({ type: 'trino', headerPrefix: 'X-Trino', make: (config) => new TrinoConnection({ type: 'trino', config } as ConnectionInit) as JDBCConnection });
