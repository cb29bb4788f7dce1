import { describe, expect, it } from 'vitest';
import { getConnection, type ConnectionInit } from '@sparkle/core';
import { MariaDBConnection } from '../src/index.js';
import { MARIADB, mysqlProtocolSuite } from '../../connector-mysql/test/mysql-protocol-suite.js';

describe('mariadb: registration, Spark mapping, MariaDB specifics', () => {
  it('registers mariadb with its own driver, subprotocol and lineage scheme', async () => {
    const conn = await getConnection('mariadb', { config: { host: '127.0.0.1', database: 'test', user: 'root', password: 'pw-123456' } });
    expect(conn).toBeInstanceOf(MariaDBConnection);
    const spec = (conn as MariaDBConnection).sparkRead('orders', {});
    expect(spec.options).toMatchObject({ url: 'jdbc:mysql://127.0.0.1:3306/test?permitMysqlScheme', driver: 'org.mariadb.jdbc.Driver', dbtable: '`orders`' });
    expect((conn as MariaDBConnection).dataset('orders')).toEqual({ namespace: 'mariadb://127.0.0.1:3306', name: 'test.orders' });
    expect(String(conn)).not.toContain('pw-123456');
    await conn.close();
  });

  it('bounds statements with max_statement_time (queryTimeoutMs)', async () => {
    const conn = new MariaDBConnection({ type: 'mariadb', config: { ...MARIADB, queryTimeoutMs: 300 } });
    try {
      const started = Date.now();
      const error = await conn.withSession((s) => s.queryRows('SELECT SLEEP(5) AS s')).catch((e: unknown) => e);
      // MariaDB aborts the statement with ER_STATEMENT_TIMEOUT (1969), a typed, retryable error once wrapped.
      expect((error as { errno?: number }).errno).toBe(1969);
      const wrapped = conn.wrapError(error, 'query');
      expect(wrapped).toMatchObject({ code: 'QUERY_FAILED', retryable: true });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await conn.close();
    }
  });
});

mysqlProtocolSuite({ type: 'mariadb', make: (config) => new MariaDBConnection({ type: 'mariadb', config } as ConnectionInit) });
