// Unit checks of the Cypher translation and values, Spark golden options, and bad input, Neo4j
// types and partitions against the REAL Neo4j (tools/services/ensure-neo4j.sh).
import { afterAll, describe, expect, it } from 'vitest';
import * as neo4j from 'neo4j-driver';
import { getConnection, inferDocumentColumns, matchesFilter, where, type Document, type SparkleConnection, type SparkleError } from '@sparkle/core';
import { arrowToolkit } from '@sparkle/engine-local';
import { filterToCypher, fromProperties, Neo4jConnection, neo4jError, quoteLabel, toProperties } from '../src/index.js';
import { liveConfig } from './live-config.js';

const open = (config: Record<string, unknown>) => getConnection<Neo4jConnection>('neo4j', { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
async function rows(frame: unknown): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const batch of frame as AsyncIterable<Parameters<typeof arrowToolkit.rows>[0]>) out.push(...arrowToolkit.rows(batch));
  return out;
}

describe('Cypher translation and values (unit)', () => {
  it('puts values in parameters, never in the text', () => {
    const hostile = "x' OR 1=1 //";
    const w = filterToCypher(where.and(where.eq('name', hostile), where.in('status', ['a', null]), where.not(where.prefix('address.city', 'B'))), (v) => v);
    expect(w.text).not.toContain(hostile);
    expect(w.text).toBe('(coalesce(n.`name` = $f0, false) AND (coalesce(n.`status` IN $f1, false) OR n.`status` IS NULL) AND (NOT coalesce(n.`address.city` STARTS WITH $f2, false)))');
    expect(w.params).toEqual({ f0: hostile, f1: ['a'], f2: 'B' });
  });

  it('refuses hostile labels and property names', () => {
    for (const bad of ['Person`) DETACH DELETE n //', 'a b', '', 'Lab:el']) expect(() => quoteLabel(bad)).toThrow(/not allowed/);
    expect(() => filterToCypher({ field: 'a`b', op: 'eq', value: 1 } as never, (v) => v)).toThrow(/not allowed/);
  });

  it('flattens nested objects into dotted keys and folds them back; mixed lists become JSON text', () => {
    const props = toProperties({ _id: 1, address: { city: 'Bern', geo: { lat: 46.9 } }, tags: ['a'], mixed: [1, 'x'], gone: null, at: new Date(0) }, neo4j);
    expect(Object.keys(props).sort()).toEqual(['_id', 'address.city', 'address.geo.lat', 'at', 'mixed', 'tags']);
    expect(neo4j.isInt(props._id)).toBe(true);
    expect(props.mixed).toBe('[1,"x"]');
    expect(fromProperties(props, neo4j)).toEqual({ _id: 1, address: { city: 'Bern', geo: { lat: 46.9 } }, tags: ['a'], mixed: '[1,"x"]', at: new Date(0) });
  });

  it('maps Neo4j status codes to typed errors', () => {
    const id = (t: string) => t;
    expect(neo4jError(Object.assign(new Error('auth'), { code: 'Neo.ClientError.Security.Unauthorized' }), 'neo4j', 'x', id)).toMatchObject({ code: 'AUTHENTICATION_FAILED', retryable: false });
    expect(neo4jError(Object.assign(new Error('deadlock'), { code: 'Neo.TransientError.Transaction.DeadlockDetected' }), 'neo4j', 'x', id, true)).toMatchObject({ code: 'WRITE_FAILED', retryable: true });
    expect(neo4jError(Object.assign(new Error('gone'), { code: 'ServiceUnavailable' }), 'neo4j', 'x', id)).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    expect(neo4jError(Object.assign(new Error('no db'), { code: 'Neo.ClientError.Database.DatabaseNotFound' }), 'neo4j', 'x', id).code).toBe('INVALID_ARGUMENT');
  });
});

describe('Spark mapping (golden options)', () => {
  it('names the Neo4j Spark connector format, url, basic auth, labels and node.keys', async () => {
    await using conn = await open({ uri: 'neo4j+s://graph.example:7687', username: 'app', password: 'pw-golden', database: 'shop' });
    const base = { url: 'neo4j+s://graph.example:7687', 'authentication.type': 'basic', 'authentication.basic.username': 'app', 'authentication.basic.password': 'pw-golden', database: 'shop' };
    expect(conn.sparkRead('Person', {})).toEqual({ format: 'org.neo4j.spark.DataSource', options: { ...base, labels: ':Person' }, secretOptions: ['authentication.basic.password'] });
    expect(conn.sparkRead('Person', { options: { query: 'MATCH (p:Person) RETURN p.name AS name' } }).options).toEqual({ ...base, query: 'MATCH (p:Person) RETURN p.name AS name' });
    expect(conn.sparkWrite('Person', { mode: 'overwrite', options: { idFieldList: 'email', 'batch.size': '500' } })).toEqual({
      format: 'org.neo4j.spark.DataSource',
      options: { ...base, labels: ':Person', 'node.keys': 'email', 'batch.size': '500' },
      mode: 'overwrite',
      secretOptions: ['authentication.basic.password'],
    });
  });
});

describe('against the real Neo4j', () => {
  const conns: SparkleConnection[] = [];
  const live = async (extra: Record<string, unknown> = {}) => {
    const conn = await open(liveConfig(extra));
    conns.push(conn);
    return conn;
  };
  const suffix = `${Date.now().toString(36)}${process.pid}`;
  // Test fixtures are written with the plain driver: the connection runs native Cypher read-only.
  const c = liveConfig();
  const raw = neo4j.driver(c.uri as string, neo4j.auth.basic(c.username as string, c.password as string));
  const cypher = (q: string) => raw.executeQuery(q);
  afterAll(async () => {
    for (const label of [`Typed${suffix}`, `Part${suffix}`, `Uniq${suffix}`]) await cypher(`MATCH (n:${label}) DETACH DELETE n`).catch(() => undefined);
    await raw.close();
    for (const c of conns) await c.close().catch(() => undefined);
  });

  it('a wrong password fails the auth tier typed, and no message carries it', async () => {
    const conn = await live({ password: 'wrong-secret-pw-456' });
    const report = await conn.check({ timeoutMs: 20_000 });
    expect(report.ok).toBe(false);
    const auth = report.steps.find((s) => s.tier === 'auth');
    expect(auth?.error?.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify(report)).not.toContain('wrong-secret-pw-456');
    const error = await rejection(conn.listCollections());
    expect(error?.code).toBe('AUTHENTICATION_FAILED');
    expect(`${error?.message} ${JSON.stringify(error)}`).not.toContain('wrong-secret-pw-456');
  });

  it('an unknown database is a typed error naming the fix', async () => {
    const conn = await live({ database: 'nosuchdb' });
    const error = await rejection(conn.listCollections());
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.message).toContain('"database"');
  });

  it('runs native Cypher with parameters (values never spliced), maps as structs', async () => {
    const conn = await live();
    const hostile = "x'}) DETACH DELETE n //";
    const docs = await all(conn.findDocuments('ignored', { native: { cypher: 'RETURN $name AS name, {inner: {n: $n}, tags: [$n, 2]} AS m, $when AS at', params: { name: hostile, n: 7, when: new Date('2024-01-01T00:00:00Z') } } }));
    expect(docs).toEqual([{ name: hostile, m: { inner: { n: 7 }, tags: [7, 2] }, at: new Date('2024-01-01T00:00:00Z') }]);
    const m = inferDocumentColumns(docs).find((col) => col.name === 'm')?.type as { struct: Array<{ name: string; type: unknown }> };
    expect(Object.fromEntries(m.struct.map((f) => [f.name, f.type]))).toEqual({ inner: { struct: [{ name: 'n', type: 'int64', nullable: true }] }, tags: { list: 'int64' } });
    const write = await rejection(all(conn.findDocuments('x', { native: { cypher: 'CREATE (n:ShouldNotExist) RETURN n' } })));
    expect(write?.message).toMatch(/read access mode/);
    const bad = await rejection(all(conn.findDocuments('x', { native: { cypher: 'MATCH (n RETURN n' } })));
    expect(bad?.code).toBe('QUERY_FAILED');
    const mixed = await rejection(all(conn.findDocuments('x', { native: { cypher: 'RETURN 1' }, filter: where.eq('a', 1) })));
    expect(mixed?.code).toBe('INVALID_ARGUMENT');
  });

  it('reads Neo4j types into Arrow: Integer beyond 2^53 exact, temporal values, lists, points', async () => {
    const conn = await live();
    const label = `Typed${suffix}`;
    await cypher(`CREATE (n:${label} {_id: 1, big: 9007199254740993, ratio: 0.25, d: date('2024-02-29'), dt: datetime('2024-03-01T12:00:00.123Z'), ldt: localdatetime('2024-03-01T12:00:00'), t: time('13:14:15+01:00'), dur: duration('P1DT2H'), tags: ['a', 'b'], nums: [1, 2, 3], p: point({x: 1.5, y: 2.5}), \`address.city\`: 'Bern'}) RETURN n`);
    const frame = (await conn.readTable(label)) as unknown as { schema(): Promise<{ fields: Array<{ name: string; type: unknown }> }> };
    const types = Object.fromEntries((await frame.schema()).fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({ _id: 'Int64', big: 'Int64', ratio: 'Float64', t: 'Utf8', dur: 'Utf8', tags: 'List<Utf8>', nums: 'List<Int64>', p: 'Struct<{srid:Int64, x:Float64, y:Float64}>', address: 'Struct<{city:Utf8}>' });
    for (const k of ['d', 'dt', 'ldt']) expect(types[k]).toMatch(/^Timestamp/);
    const [row] = await rows(frame);
    expect(row).toMatchObject({ big: 9007199254740993n, ratio: 0.25, tags: ['a', 'b'], nums: [1n, 2n, 3n], p: { srid: 7203n, x: 1.5, y: 2.5 }, address: { city: 'Bern' }, dur: 'P1DT2H', t: '13:14:15+01:00' });
    expect((row!.d as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect((row!.dt as Date).toISOString()).toBe('2024-03-01T12:00:00.123Z');
    expect((row!.ldt as Date).toISOString()).toBe('2024-03-01T12:00:00.000Z');
  });

  it('discovers labels with property types (Neo4j and Spark names)', async () => {
    const conn = await live();
    const label = `Typed${suffix}`;
    if (!(await conn.listCollections()).includes(label)) await cypher(`CREATE (:${label} {_id: 1, ratio: 0.5, tags: ['a'], dt: datetime()})`);
    const found = (await conn.discover()).find((l) => l.name === label);
    const byName = Object.fromEntries(found!.columns.map((c) => [c.name, c]));
    expect(byName._id).toMatchObject({ dataType: 'Long', sparkType: 'bigint' });
    expect(byName.ratio!.sparkType).toBe('double');
    expect(byName.tags).toMatchObject({ dataType: 'StringArray', sparkType: 'array<string>' });
    expect(byName.dt!.sparkType).toBe('timestamp');
  });

  it('reads SKIP/LIMIT partitions over elementId, every node once, a filter pushed into each', async () => {
    const conn = await live();
    const label = `Part${suffix}`;
    const docs: Document[] = Array.from({ length: 45 }, (_, i) => ({ _id: i, group: i % 3, name: `n${i}` }));
    expect(await conn.upsertDocuments(label, docs, { batchSize: 10 })).toEqual({ written: 45, failed: [] });
    const plan = await conn.nativeRead(label, { numPartitions: 4 });
    expect(plan.partitions).toHaveLength(4);
    expect(plan.partitions[1]!.description).toContain('SKIP 12 LIMIT 12');
    const seen: number[] = [];
    for (const p of plan.partitions) seen.push(...(await rows(p.open(new AbortController().signal))).map((r) => Number(r._id)));
    expect(seen.sort((a, b) => a - b)).toEqual(docs.map((d) => d._id));
    const filter = where.and(where.eq('group', 1), where.gte('_id', 10));
    const filtered = await rows(await conn.readTable(label, { numPartitions: 3, filter }));
    expect(filtered.map((r) => Number(r._id)).sort((a, b) => a - b)).toEqual(docs.filter((d) => matchesFilter(d, filter)).map((d) => d._id));
  });

  it('a partial bulk failure (a uniqueness constraint) reports exactly the failing rows and writes the rest', async () => {
    const conn = await live();
    const label = `Uniq${suffix}`;
    await cypher(`CREATE CONSTRAINT uniq_${suffix} IF NOT EXISTS FOR (n:${label}) REQUIRE n.email IS UNIQUE`);
    const result = await conn.upsertDocuments(label, [
      { _id: 1, email: 'a@example.com' },
      { _id: 2, email: 'b@example.com' },
      { _id: 3, email: 'a@example.com' },
      { _id: 4, email: 'c@example.com' },
    ]);
    expect(result.written).toBe(3);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ index: 2, key: 3, retryable: false });
    expect(result.failed[0]!.message).toMatch(/ConstraintValidationFailed|already exists/);
    expect((await all(conn.findDocuments(label))).map((d) => d._id).sort()).toEqual([1, 2, 4]);
    await cypher(`DROP CONSTRAINT uniq_${suffix} IF EXISTS`);
  });

  it('refuses a hostile label before sending anything', async () => {
    const conn = await live();
    const error = await rejection(all(conn.findDocuments('Person`) DETACH DELETE n //')));
    expect(error?.code).toBe('INVALID_ARGUMENT');
  });
});
