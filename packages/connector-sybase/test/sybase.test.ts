import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, UnsupportedOperationError } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';
import { parseSybaseUrl, SybaseConnection } from '../src/index.js';

describe('sybase', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('parses jConnect and jTDS URLs', () => {
    expect(parseSybaseUrl('jdbc:sybase:Tds:ase.internal:5000/sales?CHARSET=utf8&APPLICATIONNAME=etl')).toEqual({
      subprotocol: 'sybase',
      flavour: 'jconnect',
      host: 'ase.internal',
      port: 5000,
      database: 'sales',
      params: { CHARSET: 'utf8', APPLICATIONNAME: 'etl' },
    });
    expect(parseSybaseUrl('jdbc:jtds:sybase://ase:4100/db;charset=utf8')).toMatchObject({ flavour: 'jtds', host: 'ase', port: 4100, database: 'db', params: { charset: 'utf8' } });
    expect(parseSybaseUrl('jdbc:sybase:Tds:ase:5000')).toMatchObject({ host: 'ase', port: 5000, database: undefined });
    expect(() => parseSybaseUrl('jdbc:postgresql://h/db')).toThrow(/Sybase JDBC URL/);
  });

  it('registers sybase and derives the golden Spark JDBC options (jConnect and jTDS)', async () => {
    const conn = (await getConnection('sybase', { config: { url: 'jdbc:sybase:Tds:ase.internal:5000/sales', user: 'sa', password: 's3cret-pw' } })) as SybaseConnection;
    expect(conn.sparkRead('dbo.orders', { predicates: ['id < 10', 'id >= 10'] })).toEqual({
      format: 'jdbc',
      options: { url: 'jdbc:sybase:Tds:ase.internal:5000/sales', driver: 'com.sybase.jdbc4.jdbc.SybDriver', user: 'sa', password: 's3cret-pw', dbtable: '[dbo].[orders]' },
      predicates: ['id < 10', 'id >= 10'],
      secretOptions: ['password'],
    });
    expect(conn.sparkWrite('x]; drop table y; --', { batchSize: 1000 }).options).toMatchObject({ dbtable: '[x]]; drop table y; --]', batchsize: '1000' });
    expect(conn.dataset('dbo.orders')).toEqual({ namespace: 'sybase://ase.internal:5000', name: 'sales.dbo.orders' });
    const jtds = new SybaseConnection({ type: 'sybase', config: { url: 'jdbc:jtds:sybase://ase:5000/sales', user: 'sa' } });
    expect(jtds.sparkRead('t', {}).options.driver).toBe('net.sourceforge.jtds.jdbc.Driver');
    expect(new SybaseConnection({ type: 'sybase', config: { host: 'ase', database: 'db' } }).jdbcUrl()).toBe('jdbc:sybase:Tds:ase:5000/db');
    expect(String(conn)).not.toContain('s3cret-pw');
  });

  it('check() reaches the port over TCP and reports auth and probe as skipped, with the reason', async () => {
    const conn = new SybaseConnection({ type: 'sybase', config: { url: `jdbc:sybase:Tds:127.0.0.1:${port}/db` } });
    const report = await conn.check();
    expect(report.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'skipped', 'skipped']);
    expect(report.steps[2]!.message).toContain('TDS 5.0');
    expect((await new SybaseConnection({ type: 'sybase', config: { host: '127.0.0.1', port: 1 } }).check({ timeoutMs: 3000 })).failedTier).toBe('network');
  });

  it('refuses native reads and writes with UnsupportedOperationError pointing at Spark', async () => {
    const conn = new SybaseConnection({ type: 'sybase', config: { host: '127.0.0.1', port } });
    await expect((await conn.readTable<LocalFrame>('orders')).toArray()).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(conn.writeTable([{ a: 1 }], 'orders')).rejects.toThrow(/getConnection\('sybase', \{ spark \}\)/);
  });
});
