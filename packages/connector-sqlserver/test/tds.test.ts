import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, QueryError } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';
import { SqlServerConnection } from '../src/index.js';
import { FakeTdsServer } from './fake-tds.js';

describe('sqlserver: the real mssql/tedious client against an in-process TDS server', () => {
  let fake: FakeTdsServer;
  beforeAll(async () => {
    fake = await new FakeTdsServer({ user: 'app', password: 'Right-pw-1' }).start();
  });
  afterAll(() => fake.close());

  const conn = (password: string, extra: Record<string, unknown> = {}) =>
    new SqlServerConnection({ type: 'sqlserver', config: { host: '127.0.0.1', port: fake.port, database: 'shop', user: 'app', password, encrypt: false, connectTimeoutMs: 5000, ...extra } });

  it('check(): PRELOGIN + LOGIN7 complete and SELECT 1 comes back through COLMETADATA + ROW + DONE', async () => {
    const report = await conn('Right-pw-1').check();
    expect(report.steps.map((s) => [s.tier, s.status])).toEqual([
      ['config', 'ok'],
      ['network', 'ok'],
      ['auth', 'ok'],
      ['probe', 'ok'],
    ]);
    const login = fake.logins.at(-1)!;
    expect(login).toMatchObject({ user: 'app', password: 'Right-pw-1', database: 'shop', appName: 'sparkle' });
    expect(fake.batches).toContain('SELECT 1 AS ok');
  });

  it('returns the probe row to the session as a plain row', async () => {
    const rows = await conn('Right-pw-1').withSession((s) => s.queryRows('SELECT 42 AS answer'));
    expect(rows).toEqual([{ answer: 42 }]);
  });

  it('streams a result into an Arrow batch with the column type from COLMETADATA', async () => {
    const batches = await conn('Right-pw-1').withSession(async (s) => {
      const out = [];
      for await (const b of s.queryArrow('SELECT 7 AS n', [], { signal: new AbortController().signal })) out.push(b);
      return out;
    });
    expect(batches).toHaveLength(1);
    expect(String(batches[0]!.schema.fields[0]!.type)).toBe('Int32');
    expect(batches[0]!.getChildAt(0)!.get(0)).toBe(7);
  });

  it('runs isolationLevel and sessionInitStatement on the pinned connection', async () => {
    const before = fake.batches.length;
    await conn('Right-pw-1', { isolationLevel: 'SERIALIZABLE', sessionInitStatement: 'SET LOCK_TIMEOUT 5000' }).withSession(async () => undefined);
    expect(fake.batches.slice(before)).toEqual(expect.arrayContaining(['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'SET LOCK_TIMEOUT 5000']));
  });

  it('runs BEGIN … ROLLBACK as a real TDS transaction: the rename travels inside it', async () => {
    const before = fake.statements.length;
    await conn('Right-pw-1').withSession(async (s) => {
      await s.execute('BEGIN TRANSACTION');
      await s.execute("EXEC sp_rename N'[dbo].[t_stg]', N't', N'OBJECT'");
      await s.execute('ROLLBACK TRANSACTION');
      await s.execute('BEGIN TRANSACTION');
      await s.execute('DROP TABLE [dbo].[t]');
      await s.execute('COMMIT TRANSACTION');
      await s.execute('DROP TABLE IF EXISTS [dbo].[t_stg]');
    });
    expect(fake.transactions.slice(-4)).toEqual(['begin', 'rollback', 'begin', 'commit']);
    const [rename, drop, dropIfExists] = fake.statements.slice(before).filter((st) => /sp_rename|DROP TABLE/.test(st.sql));
    expect(rename!.sql).toBe("EXEC sp_rename N'[dbo].[t_stg]', N't', N'OBJECT'");
    expect(rename!.transaction).not.toBe(0n);
    expect(drop!.transaction).not.toBe(0n);
    expect(drop!.transaction).not.toBe(rename!.transaction);
    // Outside the transaction, and written for SQL Server 2012 (no DROP … IF EXISTS there).
    expect(dropIfExists).toEqual({ sql: "IF OBJECT_ID(N'[dbo].[t_stg]', N'U') IS NOT NULL DROP TABLE [dbo].[t_stg]", transaction: 0n });
  });

  it('a wrong password fails the auth tier with AuthenticationError (error 18456), never showing the password', async () => {
    const c = conn('Wrong-pw-9');
    const report = await c.check();
    expect(report.failedTier).toBe('auth');
    expect(report.steps[2]!.error?.code).toBe('AUTHENTICATION_FAILED');
    expect(report.steps[2]!.message).toContain("Login failed for user 'app'");
    expect(JSON.stringify(report)).not.toContain('Wrong-pw-9');
    await expect(c.withSession(async () => 1)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('maps a server error token on a query to QueryError through the local engine', async () => {
    const frame = await conn('Right-pw-1').query<LocalFrame>('SELECT name FROM nowhere');
    const error = await frame.toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toContain('Invalid object name');
  });

  it('reads SELECT 1 through the local engine (sp_executesql RPC, DONEINPROC, RETURNSTATUS, DONEPROC)', async () => {
    const frame = await conn('Right-pw-1').query<LocalFrame>('SELECT 1 AS one');
    expect(await frame.toArray()).toEqual([{ one: 1 }]);
  });
});
