import { tableFromArrays, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  ANSI_QUOTES,
  ansiDialect,
  BRACKETS,
  fetchPages,
  insertInChunks,
  parameterizedInsertSql,
  RenameJournal,
  JDBCConnection,
  MissingDriverError,
  NoNativeDriverConnection,
  UnsupportedOperationError,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '../src/index.js';

/** A session that records statements and can be told to fail one. */
class RecordingSession implements JdbcSession {
  log: string[] = [];
  closed = false;
  failOn?: string;
  async *queryArrow(): AsyncGenerator<RecordBatch> {
    yield tableFromArrays({ n: Int32Array.from([1]) }).batches[0]!;
  }
  async queryRows(sql: string) {
    this.log.push(sql);
    return [{ ok: 1 }];
  }
  async execute(sql: string) {
    if (sql === this.failOn) throw new Error(`rejected: ${sql}`);
    this.log.push(sql);
    return 0;
  }
  async bulkInsert() {
    return { rows: 0, bytes: 0 };
  }
  async close() {
    this.closed = true;
  }
}

const hookDialect: JdbcDialect = {
  ...ansiDialect,
  name: 'hooked',
  probeSql: 'SELECT 1 FROM ONE_ROW',
  unquotedCase: 'upper',
  isolationStatement: (level) => (level === 'READ_UNCOMMITTED' ? undefined : `SET ISOLATION ${level}`),
};

/** A connector written against the hooks only: connectSession + setupStatements + dialect. */
class HookedConnection extends JDBCConnection {
  static override jdbc: JdbcDefaults = { driver: 'x.Driver', subprotocol: 'hooked', defaultPort: 4000, lineageScheme: 'hk' };
  last?: RecordingSession;
  failOn?: string;
  override get dialect(): JdbcDialect {
    return hookDialect;
  }
  protected override async connectSession(): Promise<JdbcSession> {
    this.last = new RecordingSession();
    this.last.failOn = this.failOn;
    return this.last;
  }
  protected override setupStatements(): string[] {
    return ["SET TIME ZONE 'UTC'"];
  }
}

describe('JDBCConnection hooks', () => {
  it('runs setup statements, the dialect isolation statement, then sessionInitStatement, in that order', async () => {
    const conn = new HookedConnection({ type: 'hooked', config: { host: 'h', isolationLevel: 'SERIALIZABLE', sessionInitStatement: 'SET ROLE etl' } });
    await conn.withSession(async () => undefined);
    expect(conn.last!.log).toEqual(["SET TIME ZONE 'UTC'", 'SET ISOLATION SERIALIZABLE', 'SET ROLE etl']);
  });

  it('skips levels the dialect cannot set and NONE', async () => {
    for (const isolationLevel of ['READ_UNCOMMITTED', 'NONE'] as const) {
      const conn = new HookedConnection({ type: 'hooked', config: { host: 'h', isolationLevel } });
      await conn.withSession(async () => undefined);
      expect(conn.last!.log).toEqual(["SET TIME ZONE 'UTC'"]);
    }
  });

  it('closes the session and reports a typed error when a session setting fails', async () => {
    const conn = new HookedConnection({ type: 'hooked', config: { host: 'h', sessionInitStatement: 'SET ROLE nobody' } });
    conn.failOn = 'SET ROLE nobody';
    const error = await conn.withSession(async () => 1).catch((e: unknown) => e);
    expect((error as Error).message).toContain('rejected: SET ROLE nobody');
    expect(conn.last!.closed).toBe(true);
  });

  it("probes with the dialect's probeSql", async () => {
    const conn = new HookedConnection({ type: 'hooked', config: { host: 'h' } });
    const probe = (conn as unknown as { checkProbe(s: AbortSignal): Promise<string> }).checkProbe.bind(conn);
    expect(await probe(new AbortController().signal)).toBe('SELECT 1 FROM ONE_ROW succeeded');
    expect(conn.last!.log).toContain('SELECT 1 FROM ONE_ROW');
  });

  it("folds unquoted table and column names per the dialect's unquotedCase, never quoted ones", () => {
    const conn = new HookedConnection({ type: 'hooked', config: { host: 'h', schema: 'app' } });
    expect(conn.tableParts('orders')).toEqual(['APP', 'ORDERS']);
    expect(conn.tableParts('"Mixed"."Case"')).toEqual(['Mixed', 'Case']);
    expect(conn.quoteTable('x; drop')).toBe('"APP"."X; DROP"');
    expect(conn.quoteColumn('amount')).toBe('"AMOUNT"');
    expect(conn.quoteColumn('"Amount"')).toBe('"Amount"');
    // Without unquotedCase nothing changes: names are used as written.
    class Plain extends JDBCConnection {}
    const plain = new Plain({ type: 'plain', config: { host: 'h', schema: 'app' } });
    expect(plain.tableParts('orders')).toEqual(['app', 'orders']);
    expect(plain.quoteColumn('Amount')).toBe('"Amount"');
  });

  it('names lineage datasets <scheme>://host:port + database.schema.table through tableParts()', () => {
    const conn = new HookedConnection({ type: 'hooked', config: { host: 'db.internal', database: 'sales', schema: 'app' } });
    expect(conn.dataset('orders')).toEqual({ namespace: 'hk://db.internal:4000', name: 'sales.APP.ORDERS' });
    expect(conn.dataset('other.orders')).toEqual({ namespace: 'hk://db.internal:4000', name: 'sales.OTHER.ORDERS' });
  });

  it('keeps the old contract: a connector overriding openSession() gets no settings from the base', async () => {
    const session = new RecordingSession();
    class Legacy extends JDBCConnection {
      protected override async openSession(): Promise<JdbcSession> {
        return session;
      }
    }
    const conn = new Legacy({ type: 'legacy', config: { host: 'h', isolationLevel: 'SERIALIZABLE', sessionInitStatement: 'SET ROLE etl' } });
    await conn.withSession(async () => undefined);
    expect(session.log).toEqual([]);
  });

  it('importDriver() raises MissingDriverError naming the package (not the test specifier)', async () => {
    class Missing extends HookedConnection {
      static override driverPackage = 'some-db-driver';
      static override driverModule = 'some-db-driver-not-installed-for-this-test';
      protected override async connectSession(): Promise<JdbcSession> {
        await this.importDriver<{ connect(): void }>('connect');
        throw new Error('unreachable');
      }
    }
    const error = await new Missing({ type: 'missing', config: { host: 'h' } }).withSession(async () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDriverError);
    expect((error as Error).message).toContain('pnpm add some-db-driver');
  });

  it('importDriver() returns the module namespace when it has the entry export', async () => {
    class NodeFs extends HookedConnection {
      static override driverPackage = 'node:path';
      async driver() {
        return this.importDriver<typeof import('node:path')>('join');
      }
    }
    const path = await new NodeFs({ type: 'fs', config: { host: 'h' } }).driver();
    expect(path.join('a', 'b')).toBe('a/b');
  });

  it('a connector with neither a driver nor openSession() says it has no native driver', async () => {
    class Bare extends JDBCConnection {}
    const error = await new Bare({ type: 'bare', config: { host: 'h' } }).withSession(async () => 1).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/no native Node driver/);
  });
});

describe('NoNativeDriverConnection', () => {
  class NoDriver extends NoNativeDriverConnection {
    static override description = 'Old DB';
    static override jdbc: JdbcDefaults = { driver: 'old.Driver', subprotocol: 'olddb', defaultPort: 1 };
    static override noDriverReason = 'no Node.js driver speaks the old protocol';
  }

  it('skips auth and probe with the reason, and refuses native reads and writes pointing at Spark', async () => {
    const conn = new NoDriver({ type: 'olddb', config: { host: 'h' } });
    const hooks = conn as unknown as { checkAuth(): Promise<{ reason: string }>; checkProbe(): Promise<{ reason: string }> };
    expect((await hooks.checkAuth()).reason).toBe('no Node.js driver speaks the old protocol');
    expect((await hooks.checkProbe()).reason).toBe('no Node.js driver speaks the old protocol');
    const read = await conn.nativeRead().catch((e: unknown) => e);
    expect(read).toBeInstanceOf(UnsupportedOperationError);
    expect((read as Error).message).toBe("Cannot read Old DB natively: no Node.js driver speaks the old protocol. Pass a Spark session: getConnection('olddb', { spark })");
    expect(conn.sparkRead('t').options.driver).toBe('old.Driver');
  });
});

describe('insertInChunks', () => {
  it('splits batches into chunks of batchSize rows, skips empty batches, checks the signal and reports progress', async () => {
    const batch = (n: number) => tableFromArrays({ v: Int32Array.from({ length: n }, (_, i) => i) }).batches[0]!;
    async function* batches() {
      yield batch(5);
      yield batch(0);
      yield batch(2);
    }
    const ranges: Array<[number, number]> = [];
    const progress: number[] = [];
    const result = await insertInChunks(batches(), { signal: new AbortController().signal, batchSize: 2, defaultChunkRows: 1000, onRows: (r) => progress.push(r) }, async (_b, start, end) => {
      ranges.push([start, end]);
    });
    expect(ranges).toEqual([[0, 2], [2, 4], [4, 5], [0, 2]]);
    expect(progress).toEqual([2, 2, 1, 2]);
    expect(result.rows).toBe(7);
    expect(result.bytes).toBeGreaterThan(0);

    const aborted = new AbortController();
    aborted.abort(new Error('stop'));
    await expect(insertInChunks(batches(), { signal: aborted.signal, defaultChunkRows: 10, onRows: () => undefined }, async () => undefined)).rejects.toThrow('stop');
  });
});

describe('parameterizedInsertSql', () => {
  it('lists every column quoted in the dialect, with ? or numbered placeholders', () => {
    const schema = tableFromArrays({ id: Int32Array.from([1]), 'na"me': ['x'] }).schema;
    expect(parameterizedInsertSql('"APP"."T"', schema, ANSI_QUOTES)).toBe('INSERT INTO "APP"."T" ("id", "na""me") VALUES (?, ?)');
    expect(parameterizedInsertSql('[dbo].[t]', schema, BRACKETS, (i) => `:${i + 1}`)).toBe('INSERT INTO [dbo].[t] ([id], [na"me]) VALUES (:1, :2)');
  });
});

describe('fetchPages', () => {
  it('pages until a short page, without a round trip past it', async () => {
    const source = Array.from({ length: 7 }, (_, i) => i);
    const asked: number[] = [];
    let at = 0;
    const fetch = async (n: number) => {
      asked.push(n);
      const page = source.slice(at, at + n);
      at += n;
      return page;
    };
    const pages: number[][] = [];
    for await (const page of fetchPages(fetch, 3, new AbortController().signal)) pages.push(page);
    expect(pages).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(asked).toEqual([3, 3, 3]);
  });

  it('stops at an empty page and honours the signal', async () => {
    const pages: unknown[][] = [];
    for await (const page of fetchPages(async () => null, 3, new AbortController().signal)) pages.push(page);
    expect(pages).toEqual([]);
    const stop = new AbortController();
    stop.abort(new Error('cancelled'));
    await expect(fetchPages(async () => [1, 2, 3], 3, stop.signal).next()).rejects.toThrow('cancelled');
  });
});

describe('RenameJournal', () => {
  it('undoes the renames of a rolled-back transaction newest first, and forgets committed ones', async () => {
    const journal = new RenameJournal<{ from: string; to: string }>();
    const undone: string[] = [];
    journal.record({ from: 'outside', to: 'tx' }); // not in a transaction: nothing to undo later
    journal.begin();
    journal.record({ from: 'T', to: 'T_OLD' });
    journal.record({ from: 'T_STG', to: 'T' });
    await journal.rollback(async ({ from, to }) => undone.push(`${to}->${from}`));
    expect(undone).toEqual(['T->T_STG', 'T_OLD->T']);

    journal.begin();
    journal.record({ from: 'A', to: 'B' });
    journal.commit();
    await journal.rollback(async ({ from, to }) => undone.push(`${to}->${from}`));
    expect(undone).toHaveLength(2);
  });
});
