import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { nativeDriverChecks } from '@sparkle/testkit';
import { describeHanaColumn, HanaSession, SapHanaConnection, type HanaClientLike } from '../src/index.js';

describe('saphana: registration, URLs and Spark mapping', () => {
  it('resolves the hana alias and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('hana', {
      config: { url: 'jdbc:sap://hana.internal:39015/?databaseName=HXE&currentschema=SALES', user: 'SYSTEM', password: 's3cret-pw', batchSize: 1000 },
    })) as SapHanaConnection;
    expect(conn).toBeInstanceOf(SapHanaConnection);
    expect(conn.type).toBe('saphana');
    expect(conn.sparkRead('orders', { partitionColumn: 'id', lowerBound: 0, upperBound: 50, numPartitions: 5 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:sap://hana.internal:39015/?databaseName=HXE&currentschema=SALES',
        driver: 'com.sap.db.jdbc.Driver',
        user: 'SYSTEM',
        password: 's3cret-pw',
        dbtable: '"SALES"."ORDERS"',
        partitionColumn: '"ID"',
        lowerBound: '0',
        upperBound: '50',
        numPartitions: '5',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const write = conn.sparkWrite('"Odd""Name"', { mode: 'append' });
    expect(write.options).toEqual({
      url: 'jdbc:sap://hana.internal:39015/?databaseName=HXE&currentschema=SALES',
      driver: 'com.sap.db.jdbc.Driver',
      user: 'SYSTEM',
      password: 's3cret-pw',
      dbtable: '"SALES"."Odd""Name"',
      batchsize: '1000',
    });
    expect(Object.entries(write.options).filter(([, v]) => v === 's3cret-pw').map(([k]) => k)).toEqual(['password']);
    expect(conn.dataset('orders')).toEqual({ namespace: 'hana://hana.internal:39015', name: 'HXE.SALES.ORDERS' });
    expect(conn.driverOptions()).toMatchObject({ host: 'hana.internal', port: 39015, databaseName: 'HXE', user: 'SYSTEM' });
    expect(String(conn)).not.toContain('s3cret-pw');
  });

  it('builds URLs from fields and turns on TLS for HANA Cloud', () => {
    expect(new SapHanaConnection({ type: 'saphana', config: { host: 'h', database: 'HXE' } }).jdbcUrl()).toBe('jdbc:sap://h:30015/?databaseName=HXE');
    const cloud = new SapHanaConnection({ type: 'saphana', config: { url: 'jdbc:sap://x.hanacloud.ondemand.com:443/?encrypt=true' } });
    expect(cloud.driverOptions()).toMatchObject({ port: 443, useTLS: true, rejectUnauthorized: true });
  });

  it('maps protocol type codes to Arrow-ready column descriptions', () => {
    expect(describeHanaColumn({ columnDisplayName: 'AMOUNT', dataType: 5, length: 12, fraction: 2 })).toEqual({ name: 'AMOUNT', typeName: 'DECIMAL', precision: 12, scale: 2, nullable: true });
    expect(describeHanaColumn({ columnDisplayName: 'AT', dataType: 61 }).typeName).toBe('LONGDATE');
  });


  it('BEGIN/COMMIT switch autocommit around the transaction', async () => {
    const calls: string[] = [];
    const client = {
      setAutoCommit: (v: boolean) => calls.push(`autocommit=${v}`),
      commit: (cb: (e: Error | null) => void) => {
        calls.push('commit');
        cb(null);
      },
    } as unknown as HanaClientLike;
    const s = new HanaSession(client);
    await s.execute('BEGIN');
    await s.execute('COMMIT');
    expect(calls).toEqual(['autocommit=false', 'commit', 'autocommit=true']);
  });
});

nativeDriverChecks({ type: 'saphana', connectionClass: SapHanaConnection, driverPackage: 'hdb', product: 'HANA', config: { user: 'SYSTEM' } });
