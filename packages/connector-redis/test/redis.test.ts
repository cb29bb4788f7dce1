/**
 * The `redis` connector against the REAL Redis server (tools/services/ensure-redis.sh →
 * SPARKLE_TEST_REDIS_URL): the shared conformance suite, the document-store suite in both
 * storage models' relevant parts, key pushdown, slot partitions, overwrite, credentials and
 * unreachable servers, and the golden spark-redis options.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { getConnection, SparkleError, where } from '@sparkle/core';
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { RedisConnection } from '../src/index.js';
import { decodeJson, encodeJson } from '../src/codec.js';
import { keySlot, slotRanges } from '../src/slots.js';
import { TEST_DATABASE } from './global-setup.js';

/** Tests use database 7 of the shared server, so they never meet other packages' keys in db 0. */
const DB = TEST_DATABASE;
const server = () => {
  const url = new URL(process.env.SPARKLE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return { host: url.hostname, port: Number(url.port || 6379), database: DB };
};
const service = async () => (process.env.SPARKLE_TEST_REDIS_URL ? { config: server() } : { skip: 'SPARKLE_TEST_REDIS_URL is not set (tools/services/ensure-redis.sh)' });
const open = (config: Record<string, unknown>) => getConnection<RedisConnection>('redis', { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
const unique = (p: string) => `${p}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;

testConnector({
  type: 'redis',
  aliases: [],
  connectionClass: RedisConnection,
  validConfig: { host: 'cache.internal', port: 6380, database: 2, username: 'app', password: 'example-secret-pw', model: 'hash' },
  invalidConfigs: [
    { name: 'a port that is not a number', config: { port: 'six' }, path: 'port' },
    { name: 'an unknown model', config: { model: 'stream' }, path: 'model' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: ['auth'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { host: '127.0.0.1', port: 1 },
});

// Model `json` (the default): every case of the suite, against the real server.
testDocumentStore({ type: 'redis', service, serviceRequired: true, namePrefix: 'sparkle_ct_json', failingDocument: { name: 'no key' } });

const live = Boolean(process.env.SPARKLE_TEST_REDIS_URL);
if (!live) console.warn('[redis] live tests skipped: SPARKLE_TEST_REDIS_URL is not set (tools/services/ensure-redis.sh)');

describe.skipIf(!live)('redis against the real server', () => {

  it('keeps dates, bigints and bytes through the json model', () => {
    const doc = { _id: 1, at: new Date('2024-05-01T00:00:00Z'), big: 2n ** 63n - 1n, bytes: new Uint8Array([0, 255]), nested: { at: new Date(0) } };
    expect(decodeJson(encodeJson(doc))).toEqual(doc);
  });

  it('computes Redis Cluster hash slots (the specification check value) and covers every slot once', () => {
    expect(keySlot('123456789')).toBe(0x31c3 % 16384);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    const ranges = slotRanges(3);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(16384);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
  });

  it('reads by key without scanning when the filter names the key; a scan meets every value', async () => {
    await using redis = await open(server());
    const c = unique('keyed');
    await redis.upsertDocuments(c, [{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }, { _id: 'x1', v: 'c' }]);
    // A value that is not a document, under the collection's prefix: only a scan reads it.
    const raw = createClient({ url: process.env.SPARKLE_TEST_REDIS_URL, database: DB });
    await raw.connect();
    await raw.set(`${c}:junk`, 'not json');
    try {
      const all = async (it: AsyncIterable<Record<string, unknown>>) => { const out = []; for await (const d of it) out.push(d); return out; };
      expect(await all(redis.findDocuments(c, { filter: where.eq('_id', 2) }))).toEqual([{ _id: 2, v: 'b' }]);
      expect((await all(redis.findDocuments(c, { filter: where.and(where.in('_id', [1, 'x1', 99]), where.ne('v', 'a')) }))).map((d) => d._id)).toEqual(['x1']);
      const error = await rejection(all(redis.findDocuments(c, { filter: where.eq('v', 'a') })));
      expect(error?.code).toBe('QUERY_FAILED');
      expect(error?.message).toContain(`${c}:junk`);
      await raw.del(`${c}:junk`);
      // prefix on the key becomes a MATCH pattern; glob characters in the value are literal.
      await redis.upsertDocuments(c, [{ _id: 'x*', v: 'star' }]);
      expect((await all(redis.findDocuments(c, { filter: where.prefix('_id', 'x*') }))).map((d) => d.v)).toEqual(['star']);
      expect((await all(redis.findDocuments(c, { filter: where.prefix('_id', 'x') }))).map((d) => d.v).sort()).toEqual(['c', 'star']);
    } finally {
      await raw.close();
    }
  });

  it('splits a read into hash-slot ranges, every document once', async () => {
    await using redis = await open(server());
    const c = unique('slots');
    const docs = Array.from({ length: 200 }, (_, i) => ({ _id: i, n: i }));
    expect(await redis.upsertDocuments(c, docs, { batchSize: 37 })).toEqual({ written: 200, failed: [] });
    const parts = await redis.documentPartitions(c, { partitions: 4 });
    expect(parts.map((p) => p.description)).toEqual([`${c} slots [0, 4096)`, `${c} slots [4096, 8192)`, `${c} slots [8192, 12288)`, `${c} slots [12288, 16384)`]);
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const p of parts) {
      let n = 0;
      for await (const d of p.find({})) { seen.push(d._id as number); n++; }
      sizes.push(n);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(docs.map((d) => d._id));
    expect(sizes.every((s) => s > 0)).toBe(true);
  });

  it('stores hashes with model hash (what spark-redis reads): values come back as text', async () => {
    await using redis = await open({ ...server(), model: 'hash' });
    const c = unique('hashes');
    await redis.upsertDocuments(c, [{ _id: 1, name: 'a', qty: 3, tags: ['x'], gone: null }, { _id: 2, name: 'b', qty: 4 }]);
    const raw = createClient({ url: process.env.SPARKLE_TEST_REDIS_URL, database: DB });
    await raw.connect();
    try {
      expect(await raw.hGetAll(`${c}:1`)).toEqual({ _id: '1', name: 'a', qty: '3', tags: '["x"]' });
    } finally {
      await raw.close();
    }
    expect(await redis.getDocument(c, 2)).toEqual({ _id: '2', name: 'b', qty: '4' });
    await redis.upsertDocuments(c, [{ _id: 1, name: 'replaced' }]);
    expect(await redis.getDocument(c, 1)).toEqual({ _id: '1', name: 'replaced' });
    expect(await redis.deleteDocuments(c, [1, 2, 3])).toBe(2);
  });

  it('overwrite swaps in the new documents atomically and keeps the old ones when an item fails', async () => {
    await using redis = await open(server());
    const c = unique('over');
    await redis.upsertDocuments(c, [{ _id: 1, v: 'old' }, { _id: 2, v: 'old' }]);
    const failed = await rejection(redis.writeTable([{ _id: 3, v: 'new' }, { v: 'no key' }], c, { mode: 'overwrite' }));
    expect(failed?.code).toBe('WRITE_FAILED');
    expect(failed?.details.committed).toBe(false);
    const ids = async () => { const out: unknown[] = []; for await (const d of redis.findDocuments(c)) out.push(d._id); return out.sort(); };
    expect(await ids()).toEqual([1, 2]);
    expect((await redis.listCollections()).filter((n) => n.startsWith(`${c}.sparkle-tmp`))).toEqual([]);
    expect(await redis.writeTable([{ _id: 3, v: 'new' }], c, { mode: 'overwrite' })).toMatchObject({ rows: 1, written: true });
    expect(await ids()).toEqual([3]);
  });

  it('discovers collections with inferred Arrow columns', async () => {
    await using redis = await open(server());
    const c = unique('disco');
    await redis.upsertDocuments(c, [{ _id: 1, city: { name: 'Bern' }, tags: ['a'], at: new Date(0) }]);
    const [found] = await redis.discover({ collections: [c] });
    expect(found).toEqual({
      name: c,
      sampled: 1,
      columns: [
        { name: '_id', type: 'int64', nullable: true },
        { name: 'city', type: { struct: [{ name: 'name', type: 'utf8', nullable: true }] }, nullable: true },
        { name: 'tags', type: { list: 'utf8' }, nullable: true },
        { name: 'at', type: 'timestamp', nullable: true },
      ],
    });
    expect((await redis.discover()).map((d) => d.name)).toContain(c);
  });

  describe('credentials', () => {
    const user = `sparkle_ct_${process.pid}`;
    const password = `right-${Math.random().toString(36).slice(2)}-pw`;
    const raw = () => createClient({ url: process.env.SPARKLE_TEST_REDIS_URL, database: DB });
    beforeAll(async () => {
      const c = raw();
      await c.connect();
      await c.sendCommand(['ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all']);
      await c.close();
    });
    afterAll(async () => {
      const c = raw();
      await c.connect();
      await c.sendCommand(['ACL', 'DELUSER', user]);
      await c.close();
    });

    it('a wrong password fails with AUTHENTICATION_FAILED, not retryable, the password printed nowhere', async () => {
      const wrong = 'wrong-secret-pw-0451';
      await using redis = await open({ ...server(), username: user, password: wrong });
      const error = await rejection(redis.listCollections());
      expect(error?.code).toBe('AUTHENTICATION_FAILED');
      expect(error?.retryable).toBe(false);
      expect(error?.message).toMatch(/WRONGPASS.*'username' and 'password'/);
      const report = await redis.check({ timeoutMs: 5000 });
      expect(report.ok).toBe(false);
      expect(report.steps.find((s) => s.status === 'failed')?.error?.code).toBe('AUTHENTICATION_FAILED');
      for (const text of [error!.message, JSON.stringify(error!.toJSON()), String(error!.cause), JSON.stringify(report), String(redis)]) expect(text).not.toContain(wrong);
    });

    it('the right password (in a url) passes check() with PING and the server version', async () => {
      const { host, port } = server();
      await using redis = await open({ url: `redis://${user}:${password}@${host}:${port}/${DB}` });
      const report = await redis.check({ timeoutMs: 5000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
      expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/^PONG, Redis \d+\./);
      expect(String(redis)).not.toContain(password);
    });
  });

  it('an unreachable server fails with a typed, retryable CONNECTION_FAILED', async () => {
    await using redis = await open({ host: '127.0.0.1', port: 1, connectTimeoutMs: 2000 });
    const error = await rejection(redis.listCollections());
    expect(error?.code).toBe('CONNECTION_FAILED');
    expect(error?.retryable).toBe(true);
    expect(error?.message).toContain('127.0.0.1:1');
  });

  it('refuses a malformed filter, SQL, a collection name with the key separator, and credentials given twice', async () => {
    await using redis = await open(server());
    const consume = async (frame: unknown) => { for await (const _ of frame as AsyncIterable<unknown>) void _; };
    const bad = await rejection(redis.readTable('orders', { filter: { field: 'x', op: 'like', value: 1 } as never }).then(consume));
    expect(bad?.code).toBe('INVALID_ARGUMENT');
    expect(bad?.message).toContain('filter.op');
    expect((await rejection(redis.readTable('orders', { where: "status = 'open'" }).then(consume)))?.code).toBe('UNSUPPORTED');
    expect((await rejection(redis.getDocument('a:b', 1)))?.message).toContain("':' separates the collection from the key");
    const twice = await rejection(open({ url: 'redis://u:pw-in-url@127.0.0.1:6379', password: 'other-secret-pw' }));
    expect(twice?.code).toBe('CONFIG_INVALID');
    expect(twice?.message).not.toContain('pw-in-url');
    expect(twice?.message).not.toContain('other-secret-pw');
  });
});

describe('redis Spark mapping (golden spark-redis options)', () => {
  it('maps a hash-model connection to org.apache.spark.sql.redis with the password as the secret auth option', async () => {
    await using redis = await open({ host: 'cache.internal', port: 6380, database: 2, username: 'etl', password: 's3cret-pw', model: 'hash', keyField: 'id', scanCount: 500 });
    expect(redis.sparkRead('person', { numPartitions: 6 })).toEqual({
      format: 'org.apache.spark.sql.redis',
      options: { table: 'person', 'key.column': 'id', model: 'hash', host: 'cache.internal', port: '6380', dbNum: '2', user: 'etl', auth: 's3cret-pw', 'infer.schema': 'true', 'partitions.number': '6', 'scan.count': '500' },
      secretOptions: ['auth'],
    });
    expect(redis.sparkWrite('person', { mode: 'append', batchSize: 200 })).toEqual({
      format: 'org.apache.spark.sql.redis',
      options: { table: 'person', 'key.column': 'id', model: 'hash', host: 'cache.internal', port: '6380', dbNum: '2', user: 'etl', auth: 's3cret-pw', 'max.pipeline.size': '200' },
      mode: 'append',
      secretOptions: ['auth'],
    });
  });

  it('takes host, port, database and credentials from a url', async () => {
    await using redis = await open({ url: 'rediss://etl:p%40ss@cache.internal:6390/4', model: 'hash' });
    expect(redis.sparkRead('t').options).toMatchObject({ host: 'cache.internal', port: '6390', dbNum: '4', user: 'etl', auth: 'p@ss' });
  });

  it('refuses Spark for the json model (spark-redis cannot read JSON strings), saying what to set', async () => {
    await using redis = await open({ host: 'h' });
    expect(() => redis.sparkRead('t')).toThrow(/set model 'hash'/);
  });
});
