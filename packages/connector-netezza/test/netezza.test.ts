import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, UnsupportedOperationError } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';
import { NetezzaConnection } from '../src/index.js';

describe('netezza', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('registers netezza and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('netezza', { config: { url: 'jdbc:netezza://nz.internal:5480/SALES', user: 'admin', password: 's3cret-pw', fetchSize: 10000 } })) as NetezzaConnection;
    expect(conn).toBeInstanceOf(NetezzaConnection);
    expect(conn.sparkRead('admin.orders', { partitionColumn: 'id', lowerBound: 0, upperBound: 10, numPartitions: 2 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:netezza://nz.internal:5480/SALES',
        driver: 'org.netezza.Driver',
        user: 'admin',
        password: 's3cret-pw',
        dbtable: '"ADMIN"."ORDERS"',
        fetchsize: '10000',
        partitionColumn: '"ID"',
        lowerBound: '0',
        upperBound: '10',
        numPartitions: '2',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const write = conn.sparkWrite('"Odd"" Name"', { batchSize: 5000 });
    expect(write.options).toEqual({ url: 'jdbc:netezza://nz.internal:5480/SALES', driver: 'org.netezza.Driver', user: 'admin', password: 's3cret-pw', dbtable: '"Odd"" Name"', batchsize: '5000' });
    expect(write.secretOptions).toEqual(['password']);
    expect(conn.connectionInfo()).toMatchObject({ host: 'nz.internal', port: 5480, database: 'SALES' });
    expect(new NetezzaConnection({ type: 'netezza', config: { host: 'h', database: 'DB' } }).jdbcUrl()).toBe('jdbc:netezza://h:5480/DB');
    expect(String(conn)).not.toContain('s3cret-pw');
  });

  it('check() reaches the port over TCP and reports auth and probe as skipped, with the reason', async () => {
    const conn = new NetezzaConnection({ type: 'netezza', config: { host: '127.0.0.1', port, database: 'SALES' } });
    const report = await conn.check();
    expect(report.steps.map((s) => [s.tier, s.status])).toEqual([
      ['config', 'ok'],
      ['network', 'ok'],
      ['auth', 'skipped'],
      ['probe', 'skipped'],
    ]);
    expect(report.steps[2]!.message).toContain('no maintained Node.js driver');
    const down = new NetezzaConnection({ type: 'netezza', config: { host: '127.0.0.1', port: 1, database: 'SALES' } });
    expect((await down.check({ timeoutMs: 3000 })).failedTier).toBe('network');
  });

  it('refuses native reads and writes with UnsupportedOperationError pointing at Spark', async () => {
    const conn = new NetezzaConnection({ type: 'netezza', config: { host: '127.0.0.1', port, database: 'SALES' } });
    await expect((await conn.readTable<LocalFrame>('orders')).toArray()).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(conn.writeTable([{ a: 1 }], 'orders')).rejects.toThrow(/getConnection\('netezza', \{ spark \}\)/);
  });
});
