/**
 * Tests shared by Presto and Trino: the real connector code (HTTP client, session, JDBC base,
 * local engine) against the in-process fake coordinator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, QueryError, SparkleError, type JDBCConnection } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';
import { FakeCoordinator } from './fake-coordinator.js';

export interface SuiteOptions {
  type: string;
  headerPrefix: string;
  make(config: Record<string, unknown>): JDBCConnection;
}

const ROWS = Array.from({ length: 11 }, (_, i) => ({
  id: i + 1,
  name: i === 3 ? "O'Brien \"quoted\"" : `name-${i + 1}`,
  amount: i === 5 ? null : (i + 1) * 1.25,
  flag: i % 2 === 0,
  at: new Date(Date.UTC(2024, 0, i + 1, 12, 30, 15, 250)),
}));

export function prestoProtocolSuite(o: SuiteOptions): void {
  describe(`${o.type}: real client against a fake coordinator (HTTP protocol, PGlite SQL)`, () => {
    let fake: FakeCoordinator;
    const config = () => ({ url: `jdbc:${o.type}://127.0.0.1:${fake.port}/memory/public`, user: 'alice', sessionProperties: { query_max_run_time: '1h' } });

    beforeAll(async () => {
      fake = await new FakeCoordinator({ headerPrefix: o.headerPrefix, pageSize: 3 }).start();
    }, 60_000);
    afterAll(async () => {
      await fake?.close();
    });

    it('check() walks every tier and authenticates through a real request', async () => {
      const conn = o.make(config());
      const report = await conn.check();
      expect(report.ok).toBe(true);
      expect(report.steps.map((s) => [s.tier, s.status])).toEqual([
        ['config', 'ok'],
        ['network', 'ok'],
        ['auth', 'ok'],
        ['probe', 'ok'],
      ]);
      expect(report.steps[2]!.message).toBe('authenticated as alice');
      const post = fake.requests.filter((r) => r.method === 'POST').at(-1)!;
      expect(post.headers[`${o.headerPrefix}-user`.toLowerCase()]).toBe('alice');
      expect(post.headers[`${o.headerPrefix}-catalog`.toLowerCase()]).toBe('memory');
      expect(post.headers[`${o.headerPrefix}-schema`.toLowerCase()]).toBe('public');
      expect(post.headers[`${o.headerPrefix}-session`.toLowerCase()]).toBe('query_max_run_time=1h');
      await conn.close();
    });

    it('writes a new table with INSERT batches and reads it back through the local engine', async () => {
      const conn = o.make({ ...config(), batchSize: 3 });
      const result = await conn.writeTable(ROWS, 'events', { mode: 'overwrite' });
      expect(result).toMatchObject({ rows: 11, written: true });
      const inserts = fake.statements.filter((s) => s.startsWith('INSERT INTO'));
      expect(inserts).toHaveLength(4); // 3 + 3 + 3 + 2 rows, into the staging table
      expect(inserts[0]).toMatch(/^INSERT INTO "events__sparkle_stg_[0-9a-z]+" \("id", "name", "amount", "flag", "at"\) VALUES \(1, 'name-1', 1\.25e\+0, TRUE, TIMESTAMP '2024-01-01 12:30:15\.250000'\)/);
      const frame = await conn.readTable<LocalFrame>('events');
      const back = await frame.toArray();
      expect(back).toHaveLength(11);
      const byId = new Map(back.map((r) => [Number(r.id), r]));
      expect(byId.get(4)!.name).toBe("O'Brien \"quoted\"");
      expect(byId.get(6)!.amount).toBeNull();
      expect(byId.get(2)!.amount).toBe(2.5);
      expect(byId.get(1)!.flag).toBe(true);
      expect(byId.get(1)!.at).toBe(Date.UTC(2024, 0, 1, 12, 30, 15, 250));
      await conn.close();
    });

    it('reads partitions in parallel with MIN/MAX bounds pushed down, pages through nextUri and retries a 503', async () => {
      const conn = o.make(config());
      const before = fake.requests.length;
      fake.unavailableFetches = 1;
      const frame = await conn.readTable<LocalFrame>('events', { partitionColumn: 'id', numPartitions: 3 });
      const rows = await frame.toArray();
      expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(ROWS.map((r) => r.id));
      const sent = fake.requests.slice(before).filter((r) => r.sql).map((r) => r.sql!);
      expect(sent[0]).toBe('SELECT MIN("id") AS lo, MAX("id") AS hi FROM "events"');
      expect(sent.slice(1).sort()).toEqual([
        'SELECT * FROM "events" WHERE ("id" < 5 OR "id" IS NULL)',
        'SELECT * FROM "events" WHERE ("id" >= 5 AND "id" < 9)',
        'SELECT * FROM "events" WHERE ("id" >= 9)',
      ]);
      // Page size 3: each 4-row partition needs a second page behind nextUri.
      expect(fake.requests.slice(before).some((r) => /\/executing\/.+\/2$/.test(r.path))).toBe(true);
      await conn.close();
    });

    it('append is atomic: a failure while moving staged rows leaves the table unchanged', async () => {
      const conn = o.make(config());
      fake.failOnce.push(/^INSERT INTO "events" \(.*\) SELECT .* FROM "events__sparkle_stg_[0-9a-z]+"$/);
      await expect(conn.writeTable([{ id: 99, name: 'never', amount: 1, flag: false, at: new Date() }], 'events', { mode: 'append' })).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        details: { committed: false },
      });
      const count = await fake.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      expect(count.rows[0]!.n).toBe(11);
      const tables = await fake.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
      expect(tables.rows.map((r) => r.table_name)).toEqual(['events']);
    });

    it('appends through a staging table and keeps an explicit projection and filter', async () => {
      const conn = o.make(config());
      const before = fake.statements.length;
      await conn.writeTable([{ id: 12, name: 'late', amount: 1, flag: false, at: new Date(Date.UTC(2024, 5, 1)) }], 'events', { mode: 'append' });
      expect(fake.statements.slice(before).filter((s) => s.startsWith('INSERT INTO "events" ('))).toEqual([
        expect.stringMatching(/^INSERT INTO "events" \("id", "name", "amount", "flag", "at"\) SELECT "id", "name", "amount", "flag", "at" FROM "events__sparkle_stg_[0-9a-z]+"$/),
      ]);
      const frame = await conn.readTable<LocalFrame>('events', { columns: ['id', 'name'], where: '"id" > 10' });
      expect(await frame.toArray()).toEqual([
        { id: 11n, name: 'name-11' },
        { id: 12n, name: 'late' },
      ]);
      await conn.close();
    });

    it('overwrite is atomic: a failed swap leaves the old table intact and the staging table gone', async () => {
      const conn = o.make(config());
      fake.failOnce.push(/^ALTER TABLE "events__sparkle_stg_[0-9a-z]+" RENAME TO/);
      await expect(conn.writeTable([{ id: 1, name: 'new' }], 'events', { mode: 'overwrite' })).rejects.toMatchObject({ code: 'WRITE_FAILED', details: { committed: false } });
      const tables = await fake.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
      expect(tables.rows.map((r) => r.table_name)).toEqual(['events']);
      const count = await fake.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      expect(count.rows[0]!.n).toBe(12);
      // The backup rename was undone by the session's journal.
      expect(fake.statements.some((s) => /^ALTER TABLE "events__sparkle_old_[0-9a-f]+" RENAME TO "events"$/.test(s))).toBe(true);
      await conn.close();
    });

    it('overwrite replaces the table when nothing fails', async () => {
      const conn = o.make(config());
      await conn.writeTable([{ id: 100, name: 'only' }], 'events_copy', { mode: 'overwrite' });
      await conn.writeTable([{ id: 200, name: 'replaced' }], 'events_copy', { mode: 'overwrite' });
      const frame = await conn.readTable<LocalFrame>('events_copy');
      expect(await frame.toArray()).toEqual([{ id: 200n, name: 'replaced' }]);
      await expect(conn.writeTable([{ id: 1, name: 'x' }], 'events_copy')).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
      await conn.close();
    });

    it('maps server error objects to QueryError with the error name', async () => {
      const conn = o.make(config());
      const frame = await conn.readTable<LocalFrame>('no_such_table');
      const error = await frame.toArray().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(QueryError);
      expect((error as SparkleError).message).toContain('TABLE_NOT_FOUND');
      await conn.close();
    });

    it('cancels the query on the server (DELETE nextUri) when the reader stops early', async () => {
      const conn = o.make(config());
      const before = fake.requests.length;
      const frame = await conn.readTable<LocalFrame>('events', { fetchSize: 2 });
      for await (const batch of frame.batches()) {
        expect(batch.numRows).toBe(2);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(fake.requests.slice(before).some((r) => r.method === 'DELETE')).toBe(true);
      await conn.close();
    });

    it('discover() lists tables and columns with Spark types', async () => {
      const conn = o.make(config());
      const tables = await conn.discover();
      const events = tables.find((t) => t.name === 'events')!;
      expect(events.schema).toBe('public');
      expect(events.columns.map((c) => [c.name, c.sparkType])).toEqual([
        ['id', 'bigint'],
        ['name', 'string'],
        ['amount', 'double'],
        ['flag', 'boolean'],
        ['at', 'timestamp'], // written from JS Dates: timestamp with time zone
      ]);
      await conn.close();
    });

    it('keeps SET SESSION from sessionInitStatement for later statements of the session', async () => {
      const conn = o.make({ ...config(), sessionInitStatement: "SET SESSION join_distribution_type = 'BROADCAST'" });
      const before = fake.requests.length;
      expect(await (await conn.readTable<LocalFrame>('events', { columns: ['id'], where: '"id" = 1' })).toArray()).toEqual([{ id: 1n }]);
      const select = fake.requests.slice(before).find((r) => r.sql?.startsWith('SELECT'))!;
      expect(String(select.headers[`${o.headerPrefix}-session`.toLowerCase()])).toContain('join_distribution_type=BROADCAST');
      await conn.close();
    });

    it('a wrong password fails the auth tier with AuthenticationError', async () => {
      const guarded = await new FakeCoordinator({ headerPrefix: o.headerPrefix, password: 'right-pw' }).start();
      try {
        const conn = o.make({ host: '127.0.0.1', port: guarded.port, user: 'alice', password: 'wrong-pw-123' });
        const report = await conn.check();
        expect(report.ok).toBe(false);
        expect(report.failedTier).toBe('auth');
        expect(report.steps[2]!.error?.code).toBe('AUTHENTICATION_FAILED');
        expect(JSON.stringify(report)).not.toContain('wrong-pw-123');
        await expect(conn.withSession((s) => s.queryRows('SELECT 1'))).rejects.toBeInstanceOf(AuthenticationError);
        const ok = o.make({ host: '127.0.0.1', port: guarded.port, user: 'alice', password: 'right-pw' });
        expect(await ok.test()).toBe(true);
      } finally {
        await guarded.close();
      }
    });

    it('reports an unreachable coordinator at the network tier', async () => {
      const conn = o.make({ host: '127.0.0.1', port: 1, user: 'alice' });
      const report = await conn.check({ timeoutMs: 3000 });
      expect(report.failedTier).toBe('network');
    });
  });
}
