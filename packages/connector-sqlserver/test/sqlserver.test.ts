import { describe, expect, it } from 'vitest';
import { getConnection, MissingDriverError, type ConnectionInit } from '@sparkle/core';
import { SqlServerConnection, sqlServerDialect } from '../src/index.js';

describe('sqlserver: registration, URLs and Spark mapping', () => {
  it('resolves the mssql alias and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('mssql', {
      config: { url: 'jdbc:sqlserver://db.internal:1433;databaseName=shop;encrypt=true;trustServerCertificate=false', user: 'app', password: 's3cret-pw', isolationLevel: 'SERIALIZABLE' },
    })) as SqlServerConnection;
    expect(conn).toBeInstanceOf(SqlServerConnection);
    expect(conn.type).toBe('sqlserver');
    expect(conn.sparkRead('dbo.orders', { partitionColumn: 'id', lowerBound: 0, upperBound: 100, numPartitions: 4, fetchSize: 1000 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:sqlserver://db.internal:1433;databaseName=shop;encrypt=true;trustServerCertificate=false',
        driver: 'com.microsoft.sqlserver.jdbc.SQLServerDriver',
        user: 'app',
        password: 's3cret-pw',
        isolationLevel: 'SERIALIZABLE',
        dbtable: '[dbo].[orders]',
        fetchsize: '1000',
        partitionColumn: '[id]',
        lowerBound: '0',
        upperBound: '100',
        numPartitions: '4',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const write = conn.sparkWrite('[dbo].[order]]s copy]', { mode: 'append', batchSize: 10000 });
    expect(write).toEqual({
      format: 'jdbc',
      mode: 'append',
      options: {
        url: 'jdbc:sqlserver://db.internal:1433;databaseName=shop;encrypt=true;trustServerCertificate=false',
        driver: 'com.microsoft.sqlserver.jdbc.SQLServerDriver',
        user: 'app',
        password: 's3cret-pw',
        isolationLevel: 'SERIALIZABLE',
        dbtable: '[dbo].[order]]s copy]',
        batchsize: '10000',
      },
      secretOptions: ['password'],
    });
    expect(Object.entries(write.options).filter(([, v]) => v === 's3cret-pw').map(([k]) => k)).toEqual(['password']);
    expect(String(conn)).not.toContain('s3cret-pw');
    expect(conn.dataset('dbo.orders')).toEqual({ namespace: 'sqlserver://db.internal:1433', name: 'shop.dbo.orders' });
    await conn.close();
  });

  it('reads ;key=value URLs, named instances and builds URLs from fields', () => {
    const conn = new SqlServerConnection({ type: 'sqlserver', config: { url: 'jdbc:sqlserver://h\\SQLEXPRESS;databaseName=db;encrypt=false;applicationName=etl', user: 'u' } });
    expect(conn.connectionInfo()).toMatchObject({ host: 'h', instanceName: 'SQLEXPRESS', database: 'db', port: 1433 });
    expect(conn.driverConfig()).toMatchObject({ server: 'h', port: undefined, database: 'db', options: { encrypt: false, instanceName: 'SQLEXPRESS', appName: 'etl', useUTC: true }, pool: { max: 1 } });
    const fields = new SqlServerConnection({ type: 'sqlserver', config: { host: 'h', port: 1444, database: 'db', trustServerCertificate: true } });
    expect(fields.jdbcUrl()).toBe('jdbc:sqlserver://h:1444;databaseName=db;trustServerCertificate=true');
    expect(fields.driverConfig()).toMatchObject({ server: 'h', port: 1444, options: { encrypt: true, trustServerCertificate: true } });
  });

  it('quotes hostile names with brackets and swaps with sp_rename inside the transaction', () => {
    const conn = new SqlServerConnection({ type: 'sqlserver', config: { host: 'h', schema: 'dbo' } });
    expect(conn.quoteTable('x]; DROP TABLE t; --')).toBe('[dbo].[x]]; DROP TABLE t; --]');
    expect(conn.quoteColumn("it's")).toBe("[it's]");
    expect(sqlServerDialect.swapTables(['dbo', "o'rders"], ['dbo', 'stg'])).toEqual(['DROP TABLE [dbo].[o\'rders]', "EXEC sp_rename N'[dbo].[stg]', N'o''rders', N'OBJECT'"]);
    expect(sqlServerDialect.transactionalDdl).toBe(true);
  });

  it('raises MissingDriverError naming mssql when the driver cannot be imported', async () => {
    class Unloadable extends SqlServerConnection {
      static override driverModule = 'mssql-not-installed-for-this-test';
    }
    const error = await new Unloadable({ type: 'sqlserver', config: { host: '127.0.0.1' } } as ConnectionInit).withSession(async () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDriverError);
    expect((error as Error).message).toContain('pnpm add mssql');
  });

  it('fails the network tier for an unreachable server', async () => {
    const conn = new SqlServerConnection({ type: 'sqlserver', config: { host: '127.0.0.1', port: 1 } });
    expect((await conn.check({ timeoutMs: 3000 })).failedTier).toBe('network');
  });
});
