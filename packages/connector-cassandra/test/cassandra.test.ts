// Unit checks of the CQL translation and error mapping, and bad input, CQL types and token-range
// reads against the REAL Cassandra node (tools/services/ensure-cassandra.sh).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cassandra from 'cassandra-driver';
import { getConnection, SparkleError, where, type SparkleConnection } from '@sparkle/core';
import { arrowToolkit } from '@sparkle/engine-local';
import { cassandraError, CassandraConnection, filterToCql, quoteIdent, tokenRanges } from '../src/index.js';
import { liveConfig } from './live-config.js';

const open = (config: Record<string, unknown>) => getConnection<CassandraConnection>('cassandra', { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown> | (() => Promise<unknown>)) => (typeof p === 'function' ? p() : p).then(() => undefined, (e: unknown) => e as SparkleError);
async function rows(frame: unknown): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const batch of frame as AsyncIterable<Parameters<typeof arrowToolkit.rows>[0]>) out.push(...arrowToolkit.rows(batch));
  return out;
}
const shape = {
  name: 'orders',
  partitionKeys: ['customer'],
  clusteringKeys: ['placed'],
  columns: new Map([
    ['customer', { code: 0x02 }],
    ['placed', { code: 0x0b }],
    ['status', { code: 0x0d }],
  ]),
};

describe('CQL translation (unit)', () => {
  it('quotes plain identifiers and refuses hostile ones', () => {
    expect(quoteIdent('_id')).toBe('"_id"');
    for (const bad of ['x"; DROP TABLE t; --', 'a b', '', 'x'.repeat(49), "o'brien", 'tab\tle']) {
      expect(() => quoteIdent(bad)).toThrow(/not allowed/);
    }
  });

  it('binds values, never splices them; the partition key by = needs no filtering', () => {
    const hostile = "x' OR 1=1; --";
    const w = filterToCql(where.and(where.eq('customer', 7), where.gte('placed', new Date(0)), where.eq('status', hostile)), shape, true);
    expect(w.clauses).toEqual(['"customer" = ?', '"placed" >= ?', '"status" = ?']);
    expect(w.params).toEqual([7, new Date(0), hostile]);
    expect(w.partitionKeyBound).toBe(true);
    expect(w.needsFiltering).toBe(true);
    expect(filterToCql(where.in('customer', [1, 2]), shape, false)).toMatchObject({ clauses: ['"customer" IN ?'], params: [[1, 2]], partitionKeyBound: true, needsFiltering: false });
    expect(filterToCql(where.and(where.eq('customer', 1), where.gt('placed', new Date(0))), shape, false).needsFiltering).toBe(false);
  });

  it('refuses what CQL cannot express, and non-key filters without the opt-in', () => {
    for (const f of [where.or(where.eq('status', 'a'), where.eq('status', 'b')), where.not(where.eq('status', 'a')), where.ne('status', 'a'), where.exists('status'), where.prefix('status', 'a'), where.eq('status', null), where.eq('address.city', 'x')]) {
      expect(() => filterToCql(f, shape, true)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    }
    expect(() => filterToCql(where.eq('status', 'open'), shape, false)).toThrow(/allowFiltering/);
    expect(() => filterToCql(where.eq('nope', 1), shape, true)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('cuts the Murmur3 ring into contiguous ranges covering it once', () => {
    for (const n of [1, 2, 7, 64]) {
      const ranges = tokenRanges(n);
      expect(ranges).toHaveLength(n);
      expect(ranges[0]![0]).toBe(-(2n ** 63n));
      expect(ranges.at(-1)![1]).toBe(2n ** 63n - 1n);
      for (let i = 1; i < n; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
    }
  });

  it('maps protocol errors to typed errors: Unavailable and WriteTimeout retryable, Unauthorized not', () => {
    const redact = (t: string) => t.replaceAll('s3cret', '***');
    const unavailable = cassandraError(Object.assign(new Error('Cannot achieve consistency'), { code: 0x1000 }), 'cassandra', 'write', redact, true);
    expect(unavailable).toMatchObject({ code: 'WRITE_FAILED', retryable: true });
    expect(cassandraError(Object.assign(new Error('timeout'), { code: 0x1100 }), 'cassandra', 'write', redact, true).retryable).toBe(true);
    const unauthorized = cassandraError(Object.assign(new Error('User x has no MODIFY permission'), { code: 0x2100 }), 'cassandra', 'write', redact, true);
    expect(unauthorized).toMatchObject({ code: 'AUTHENTICATION_FAILED', retryable: false });
    const invalid = cassandraError(Object.assign(new Error('bad s3cret query'), { code: 0x2200 }), 'cassandra', 'read', redact);
    expect(invalid.code).toBe('UNSUPPORTED');
    expect(invalid.message).not.toContain('s3cret');
  });
});

describe('Spark mapping (golden options)', () => {
  it('names the Spark Cassandra connector format, keyspace, table and spark.cassandra.* options', async () => {
    await using conn = await open({ contactPoints: 'db1.example, db2.example', port: 9142, localDataCenter: 'dc1', keyspace: 'shop', username: 'app', password: 'pw-golden', tls: true, consistency: 'LOCAL_QUORUM' });
    expect(conn.sparkRead('orders', {})).toEqual({
      format: 'org.apache.spark.sql.cassandra',
      options: {
        keyspace: 'shop',
        table: 'orders',
        'spark.cassandra.connection.host': 'db1.example,db2.example',
        'spark.cassandra.connection.port': '9142',
        'spark.cassandra.connection.localDC': 'dc1',
        'spark.cassandra.auth.username': 'app',
        'spark.cassandra.auth.password': 'pw-golden',
        'spark.cassandra.connection.ssl.enabled': 'true',
        'spark.cassandra.input.consistency.level': 'LOCAL_QUORUM',
        'spark.cassandra.output.consistency.level': 'LOCAL_QUORUM',
      },
      secretOptions: ['spark.cassandra.auth.password'],
    });
    const write = conn.sparkWrite('orders', { mode: 'append', options: { 'spark.cassandra.output.batch.size.rows': '100', idFieldList: 'id', ignoreNullValues: 'true' } });
    expect(write).toMatchObject({ format: 'org.apache.spark.sql.cassandra', mode: 'append', options: { keyspace: 'shop', table: 'orders', 'spark.cassandra.output.batch.size.rows': '100', 'spark.cassandra.output.ignoreNulls': 'true' } });
    expect(write.options.idFieldList).toBeUndefined();
    expect(() => conn.sparkRead('bad name', {})).toThrow(/not allowed/);
  });
});

describe('against the real Cassandra node', () => {
  const conns: SparkleConnection[] = [];
  const live = async (extra: Record<string, unknown> = {}) => {
    const conn = await open(liveConfig(extra));
    conns.push(conn);
    return conn;
  };
  let raw: cassandra.Client;
  const suffix = `${Date.now().toString(36)}_${process.pid}`;
  const typed = `types_${suffix}`;
  const ranged = `ranged_${suffix}`;

  beforeAll(async () => {
    const c = liveConfig();
    raw = new cassandra.Client({ contactPoints: c.contactPoints as string[], protocolOptions: { port: c.port as number }, localDataCenter: c.localDataCenter as string, credentials: { username: c.username as string, password: c.password as string } });
    await raw.execute(`CREATE TYPE IF NOT EXISTS sparkle_test.point_${suffix} (x double, y double, label text)`);
    await raw.execute(
      `CREATE TABLE sparkle_test.${typed} (id uuid PRIMARY KEY, tid timeuuid, amount decimal, big varint, n bigint, i int, s smallint, t tinyint, d date, tm time, ip inet, b blob, ` +
        `tags set<int>, attrs map<text, int>, path list<frozen<point_${suffix}>>, pair tuple<int, text>, home frozen<point_${suffix}>, at timestamp)`,
    );
    await raw.execute(
      `INSERT INTO sparkle_test.${typed} (id, tid, amount, big, n, i, s, t, d, tm, ip, b, tags, attrs, path, pair, home, at) VALUES ` +
        `(6ab09bec-e68e-48d9-a5f8-97e6fb4c9b47, 50554d6e-29bb-11e5-b345-feff819cdc9f, 12345678901234567890.123456789, 123456789012345678901234567890, 9007199254740993, -5, 300, 7, '2024-02-29', '13:14:15.123456789', '10.0.0.1', 0xcafe, ` +
        `{3, 1, 2}, {'a': 1, 'b': 2}, [{x: 1.5, y: -2, label: 'start'}], (42, 'answer'), {x: 0, y: 0, label: null}, '2024-03-01T12:00:00.123Z')`,
    );
    await raw.execute(`CREATE TABLE sparkle_test.${ranged} (k int, c int, v text, PRIMARY KEY ((k), c))`);
  });

  afterAll(async () => {
    for (const c of conns) await c.close().catch(() => undefined);
    await raw.execute(`DROP TABLE IF EXISTS sparkle_test.${typed}`).catch(() => undefined);
    await raw.execute(`DROP TABLE IF EXISTS sparkle_test.${ranged}`).catch(() => undefined);
    await raw.shutdown();
  });

  it('a wrong password fails the auth tier typed, and no message carries it', async () => {
    const conn = await live({ password: 'wrong-secret-pw-123' });
    const report = await conn.check({ timeoutMs: 20_000 });
    expect(report.ok).toBe(false);
    const auth = report.steps.find((s) => s.tier === 'auth');
    expect(auth?.status).toBe('failed');
    expect(auth?.error?.code).toBe('AUTHENTICATION_FAILED');
    expect(auth?.error?.retryable).toBe(false);
    expect(JSON.stringify(report)).not.toContain('wrong-secret-pw-123');
    const error = await rejection(conn.listCollections());
    expect(error?.code).toBe('AUTHENTICATION_FAILED');
    expect(error?.message).toMatch(/credentials/);
    expect(`${error?.message} ${JSON.stringify(error)} ${String(error?.cause)}`).not.toContain('wrong-secret-pw-123');
  });

  it('passes every health tier with the right credentials', async () => {
    const conn = await live();
    const report = await conn.check({ timeoutMs: 20_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.map((s) => [s.tier, s.status])).toEqual([['config', 'ok'], ['network', 'ok'], ['auth', 'ok'], ['probe', 'ok']]);
  });

  it('an unknown keyspace or table is a typed error naming it', async () => {
    const conn = await live({ keyspace: 'no_such_ks' });
    const error = await rejection(conn.listCollections());
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.message).toContain("keyspace 'no_such_ks' does not exist");
    const missing = await rejection((await live()).readTable('no_such_table').then(rows));
    expect(missing?.code).toBe('INVALID_ARGUMENT');
    expect(missing?.message).toContain("'sparkle_test.no_such_table' does not exist");
    const hostile = await rejection((await live()).readTable('t"; DROP KEYSPACE sparkle_test; --').then(rows));
    expect(hostile?.code).toBe('INVALID_ARGUMENT');
  });

  it('reads CQL types into Arrow: uuid, decimal and varint exact, collections, UDTs, tuples, maps', async () => {
    const conn = await live();
    const frame = (await conn.readTable(typed)) as unknown as { schema(): Promise<{ fields: Array<{ name: string; type: unknown }> }> };
    const types = Object.fromEntries((await frame.schema()).fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      id: 'Utf8', tid: 'Utf8', amount: 'Utf8', big: 'Utf8', n: 'Int64', i: 'Int32', s: 'Int32', t: 'Int32', tm: 'Int64', ip: 'Utf8', b: 'Binary',
      tags: 'List<Int32>', attrs: 'List<Struct<{key:Utf8, value:Int32}>>', path: 'List<Struct<{x:Float64, y:Float64, label:Utf8}>>',
      pair: 'Struct<{_1:Int32, _2:Utf8}>', home: 'Struct<{x:Float64, y:Float64, label:Utf8}>',
    });
    expect(types.d).toMatch(/^Date/);
    expect(types.at).toMatch(/^Timestamp/);
    const [row] = await rows(frame);
    expect(row).toMatchObject({
      id: '6ab09bec-e68e-48d9-a5f8-97e6fb4c9b47',
      amount: '12345678901234567890.123456789',
      big: '123456789012345678901234567890',
      n: 9007199254740993n,
      i: -5,
      s: 300,
      t: 7,
      tm: 47655123456789n,
      ip: '10.0.0.1',
      tags: [1, 2, 3],
      attrs: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }],
      path: [{ x: 1.5, y: -2, label: 'start' }],
      pair: { _1: 42, _2: 'answer' },
      home: { x: 0, y: 0, label: null },
      at: new Date('2024-03-01T12:00:00.123Z'),
    });
    expect([...(row!.b as Uint8Array)]).toEqual([0xca, 0xfe]);
    expect((row!.d as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    // findDocuments gives maps as objects and leaves null columns out.
    const [doc] = await all(conn.findDocuments(typed, { projection: ['id', 'attrs', 'home.label', 'home.x'] }));
    expect(doc).toEqual({ id: '6ab09bec-e68e-48d9-a5f8-97e6fb4c9b47', attrs: { a: 1, b: 2 }, home: { x: 0 } });
  });

  it('discovers the keyspace: tables, columns with CQL and Spark types, keys first and not nullable', async () => {
    const conn = await live();
    const tables = await conn.discover();
    const table = tables.find((t) => t.name === typed);
    expect(table?.schema).toBe('sparkle_test');
    const byName = Object.fromEntries(table!.columns.map((c) => [c.name, c]));
    expect(table!.columns[0]).toEqual({ name: 'id', dataType: 'uuid', sparkType: 'string', nullable: false });
    expect(byName.amount).toMatchObject({ sparkType: 'decimal(38,18)', nullable: true });
    expect(byName.big!.sparkType).toBe('decimal(38,0)');
    expect(byName.attrs!.sparkType).toBe('map<string,int>');
    expect(byName.path!.sparkType).toBe('array<struct<x:double,y:double,label:string>>');
    expect(byName.pair!.sparkType).toBe('struct<_1:int,_2:string>');
    expect(byName.tags!.sparkType).toBe('array<int>');
  });

  it('reads token ranges in parallel partitions, every row once; a partition-key filter reads one partition', async () => {
    const conn = await live();
    const docs = Array.from({ length: 120 }, (_, n) => ({ k: n % 17, c: n, v: `v${n}` }));
    const written = await conn.upsertDocuments(ranged, docs, { batchSize: 40 });
    expect(written).toEqual({ written: 120, failed: [] });
    const plan = await conn.nativeRead(ranged, { numPartitions: 7 });
    expect(plan.partitions).toHaveLength(7);
    expect(plan.partitions[0]!.description).toMatch(/token\("k"\) in \(-9223372036854775808, /);
    const seen: number[] = [];
    const perPartition: number[] = [];
    for (const p of plan.partitions) {
      const r = await rows(p.open(new AbortController().signal));
      perPartition.push(r.length);
      seen.push(...r.map((x) => Number(x.c)));
    }
    expect(seen.sort((a, b) => a - b)).toEqual(docs.map((d) => d.c));
    expect(perPartition.filter((n) => n > 0).length).toBeGreaterThan(1);
    const one = await conn.nativeRead(ranged, { numPartitions: 7, filter: where.and(where.eq('k', 3), where.gte('c', 50)) });
    expect(one.partitions).toHaveLength(1);
    const selected = (await rows(one.partitions[0]!.open(new AbortController().signal))).map((r) => Number(r.c));
    expect(selected).toEqual(docs.filter((d) => d.k === 3 && d.c >= 50).map((d) => d.c));
  });

  it('refuses a non-key filter without allowFiltering, naming the opt-in; a wrong-typed filter value is INVALID_ARGUMENT', async () => {
    const conn = await live();
    const error = await rejection(all(conn.findDocuments(ranged, { filter: where.eq('v', 'v1') })));
    expect(error?.code).toBe('UNSUPPORTED');
    expect(error?.message).toMatch(/"allowFiltering": true/);
    expect(await all(conn.findDocuments(ranged, { filter: where.eq('k', 1), limit: 2 }))).toHaveLength(2);
    const wrongType = await rejection(all(conn.findDocuments(ranged, { filter: where.eq('k', 'one') })));
    expect(wrongType?.code).toBe('INVALID_ARGUMENT');
  });

  it('reports values out of a column type range per item, writing the rest', async () => {
    const conn = await live();
    const result = await conn.upsertDocuments(ranged, [
      { k: 1000, c: 1, v: 'ok' },
      { k: 2 ** 31, c: 1, v: 'int overflow' },
      { k: 1001, c: 2, v: 'ok' },
      { k: 1002, c: 1.5, v: 'fraction' },
    ]);
    expect(result.written).toBe(2);
    expect(result.failed.map((f) => [f.index, f.retryable])).toEqual([[1, false], [3, false]]);
    expect(result.failed[0]!.message).toMatch(/field 'k' holds 2147483648, outside the range of int/);
    expect(result.failed[1]!.message).toMatch(/field 'c'/);
    const big = await conn.upsertDocuments(`big_${suffix}`, [{ _id: 1, n: 2n ** 63n - 1n }, { _id: 2, n: 5 }]);
    expect(big.failed).toEqual([]);
    expect((await conn.getDocument(`big_${suffix}`, 1))?.n).toBe(2n ** 63n - 1n);
    const over = await conn.upsertDocuments(`big_${suffix}`, [{ _id: 3, n: 2n ** 63n }]);
    expect(over.failed[0]!.message).toMatch(/outside the range of bigint/);
    await raw.execute(`DROP TABLE IF EXISTS sparkle_test.big_${suffix}`);
  });
});

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
