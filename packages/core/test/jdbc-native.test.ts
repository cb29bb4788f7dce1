import { tableFromArrays, type RecordBatch, type Schema } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { JDBCConnection, type JdbcSession, type NativeWriteContext } from '../src/index.js';

/**
 * An in-memory "database" behind the JdbcSession contract: enough SQL to see what the JDBC base
 * sends, and to fail a bulk load halfway on request.
 */
class MemoryDb {
  tables = new Map<string, number>();
  log: string[] = [];
  failAfterRows?: number;
  inTx = false;
  txSnapshot?: Map<string, number>;
}

class MemorySession implements JdbcSession {
  constructor(private db: MemoryDb) {}
  async *queryArrow(sql: string) {
    this.db.log.push(sql);
    yield tableFromArrays({ n: Int32Array.from([1]) }).batches[0]!;
  }
  async queryRows(sql: string, params: readonly unknown[] = []) {
    this.db.log.push(sql);
    if (sql.includes('information_schema.tables')) {
      const name = `"${params[0]}"."${params[1]}"`;
      return this.db.tables.has(name) ? [{ '?column?': 1 }] : [];
    }
    if (sql.startsWith('SELECT MIN')) return [{ lo: 1, hi: 100 }];
    return [{ ok: 1 }];
  }
  async execute(sql: string) {
    this.db.log.push(sql);
    const create = /^CREATE TABLE (\S+)/.exec(sql);
    if (create) this.db.tables.set(create[1]!, 0);
    const drop = /^DROP TABLE (?:IF EXISTS )?(\S+)/.exec(sql);
    if (drop) this.db.tables.delete(drop[1]!);
    const rename = /^ALTER TABLE (\S+) RENAME TO (\S+)/.exec(sql);
    if (rename) {
      const rows = this.db.tables.get(rename[1]!)!;
      this.db.tables.delete(rename[1]!);
      this.db.tables.set(`${rename[1]!.split('.')[0]}.${rename[2]}`, rows);
    }
    if (sql === 'BEGIN') this.db.txSnapshot = new Map(this.db.tables);
    if (sql === 'ROLLBACK' && this.db.txSnapshot) this.db.tables = this.db.txSnapshot;
    return 0;
  }
  async bulkInsert(quotedTable: string, _schema: Schema, batches: AsyncIterable<RecordBatch>, o: { onRows: (r: number, b: number) => void }) {
    let rows = 0;
    for await (const batch of batches) {
      rows += batch.numRows;
      if (this.db.failAfterRows !== undefined && rows > this.db.failAfterRows) throw new Error('disk full (injected)');
      this.db.tables.set(quotedTable, (this.db.tables.get(quotedTable) ?? 0) + batch.numRows);
      o.onRows(batch.numRows, 0);
    }
    return { rows, bytes: 0 };
  }
  async close() {}
}

class MemoryJdbc extends JDBCConnection {
  static override jdbc = { driver: 'mem.Driver', subprotocol: 'mem', defaultPort: 1 };
  db = new MemoryDb();
  protected override async openSession() {
    return new MemorySession(this.db);
  }
}

const make = () => new MemoryJdbc({ type: 'mem', config: { url: 'jdbc:mem://h:1/db', schema: 'public' } });
const batches = (count: number, size = 10) =>
  (async function* () {
    for (let i = 0; i < count; i++) yield tableFromArrays({ id: Int32Array.from({ length: size }, (_, j) => i * size + j) }).batches[0]!;
  })();
const ctx = (): NativeWriteContext => ({ signal: new AbortController().signal, onRows: () => undefined });

describe('JDBCConnection native writes', () => {
  it('creates a new table through a staging table', async () => {
    const conn = make();
    const r = await conn.nativeWrite('t', batches(3), { mode: 'errorIfExists' }, ctx());
    expect(r).toMatchObject({ rows: 30, written: true });
    expect([...conn.db.tables]).toEqual([['"public"."t"', 30]]);
    expect(conn.db.log.some((s) => s.startsWith('CREATE TABLE "public"."t__sparkle_stg_'))).toBe(true);
  });

  it('errorIfExists refuses and ignore skips an existing table', async () => {
    const conn = make();
    conn.db.tables.set('"public"."t"', 5);
    await expect(conn.nativeWrite('t', batches(1), {}, ctx())).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    await expect(conn.nativeWrite('t', batches(1), { mode: 'ignore' }, ctx())).resolves.toMatchObject({ written: false, rows: 0 });
    expect(conn.db.tables.get('"public"."t"')).toBe(5);
  });

  it('overwrite that fails halfway leaves the old table intact and no staging table behind', async () => {
    const conn = make();
    conn.db.tables.set('"public"."t"', 5);
    conn.db.failAfterRows = 15;
    const err = await conn.nativeWrite('t', batches(3), { mode: 'overwrite' }, ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WRITE_FAILED', details: { committed: false } });
    expect((err as Error).message).toMatch(/previous table is unchanged.*disk full/);
    expect([...conn.db.tables]).toEqual([['"public"."t"', 5]]);
  });

  it('overwrite swaps atomically inside a transaction', async () => {
    const conn = make();
    conn.db.tables.set('"public"."t"', 5);
    await conn.nativeWrite('t', batches(2), { mode: 'overwrite' }, ctx());
    expect([...conn.db.tables]).toEqual([['"public"."t"', 20]]);
    const begin = conn.db.log.indexOf('BEGIN');
    expect(conn.db.log.slice(begin, begin + 4)).toEqual([
      'BEGIN',
      'DROP TABLE "public"."t"',
      expect.stringMatching(/^ALTER TABLE "public"\."t__sparkle_stg_\w+" RENAME TO "t"$/),
      'COMMIT',
    ]);
  });

  it('append rolls back a failed load', async () => {
    const conn = make();
    conn.db.tables.set('"public"."t"', 5);
    conn.db.failAfterRows = 5;
    await expect(conn.nativeWrite('t', batches(2), { mode: 'append' }, ctx())).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(conn.db.tables.get('"public"."t"')).toBe(5);
  });
});

describe('JDBCConnection native reads', () => {
  it('plans stride partitions, pushing MIN/MAX down when bounds are missing', async () => {
    const conn = make();
    const plan = await conn.nativeRead('t', { partitionColumn: 'id', numPartitions: 3, columns: ['id', 'x"y'], where: 'id > 0' });
    expect(conn.db.log[0]).toBe('SELECT MIN("id") AS lo, MAX("id") AS hi FROM "public"."t" WHERE (id > 0)');
    expect(plan.partitions.map((p) => p.description)).toEqual(['"id" < 34 OR "id" IS NULL', '"id" >= 34 AND "id" < 67', '"id" >= 67']);
    for await (const _ of plan.partitions[1]!.open(new AbortController().signal)) void _;
    expect(conn.db.log.at(-1)).toBe('SELECT "id", "x""y" FROM "public"."t" WHERE (id > 0) AND ("id" >= 34 AND "id" < 67)');
  });

  it('uses one partition per predicate', async () => {
    const plan = await make().nativeRead('t', { predicates: ["region = 'eu'", "region = 'us'"] });
    expect(plan.partitions.map((p) => p.description)).toEqual(["region = 'eu'", "region = 'us'"]);
  });
});
