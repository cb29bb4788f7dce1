import { describe, expect, it } from 'vitest';
import { getConnection, type ConnectionInit } from '@sparkle/core';
import { MySQLConnection, MySQLProtocolConnection } from '../src/index.js';
import { mysqlProtocolSuite } from './mysql-protocol-suite.js';

describe('mysql: registration and Spark mapping', () => {
  it('registers the mysql type and derives Spark JDBC options', async () => {
    const conn = await getConnection('mysql', {
      config: { host: 'db.internal', database: 'shop', user: 'app', password: 's3cret-pw', properties: { useSSL: 'true' }, fetchSize: 5000 },
    });
    expect(conn).toBeInstanceOf(MySQLConnection);
    const spec = (conn as MySQLConnection).sparkRead('orders', { partitionColumn: 'id', lowerBound: 0, upperBound: 100, numPartitions: 4 });
    expect(spec.format).toBe('jdbc');
    expect(spec.options).toMatchObject({
      url: 'jdbc:mysql://db.internal:3306/shop',
      driver: 'com.mysql.cj.jdbc.Driver',
      dbtable: '`orders`',
      user: 'app',
      password: 's3cret-pw',
      useSSL: 'true',
      fetchsize: '5000',
      partitionColumn: '`id`',
      lowerBound: '0',
      upperBound: '100',
      numPartitions: '4',
    });
    expect(spec.secretOptions).toContain('password');
    expect(String(conn)).not.toContain('s3cret-pw');
    expect((conn as MySQLConnection).dataset('orders')).toEqual({ namespace: 'mysql://db.internal:3306', name: 'shop.orders' });
    expect((conn as MySQLConnection).dataset('other.orders')).toEqual({ namespace: 'mysql://db.internal:3306', name: 'other.orders' });
    const write = (conn as MySQLConnection).sparkWrite('`odd``name`', { mode: 'append', batchSize: 1000 });
    expect(write.options).toMatchObject({ dbtable: '`odd``name`', batchsize: '1000' });
    expect(write.mode).toBe('append');
    await conn.close();
  });

  it('keeps a configured url and lets the config override the driver', async () => {
    const conn = new MySQLConnection({ type: 'mysql', config: { url: 'jdbc:mysql://h:3307/db?serverTimezone=UTC', driver: 'com.mysql.jdbc.Driver' } });
    expect(conn.sparkRead('t', {}).options).toMatchObject({ url: 'jdbc:mysql://h:3307/db?serverTimezone=UTC', driver: 'com.mysql.jdbc.Driver' });
    expect(conn.connectionInfo()).toMatchObject({ host: 'h', port: 3307, database: 'db' });
    await conn.close();
  });
});

mysqlProtocolSuite({ type: 'mysql', make: (config) => new MySQLConnection({ type: 'mysql', config } as ConnectionInit) as MySQLProtocolConnection });
