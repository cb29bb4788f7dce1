/**
 * The `mongodb` connector against a REAL MongoDB wire-protocol server: FerretDB 1.x over SQLite
 * (tools/services/ensure-ferretdb.sh → SPARKLE_TEST_MONGODB_URL), a wire-compatible stand-in for
 * MongoDB — the official driver talks to it exactly as to MongoDB. Also: the filter translation,
 * credentials, unreachable servers and the golden Spark options.
 */
import { describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { getConnection, type SparkleError, where } from '@sparkle/core';
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { MongodbConnection, toMongoFilter } from '../src/index.js';
import { TEST_DATABASE } from './global-setup.js';

const url = process.env.SPARKLE_TEST_MONGODB_URL;
const server = () => ({ uri: url!, database: TEST_DATABASE });
const service = async () => (url ? { config: server() } : { skip: 'SPARKLE_TEST_MONGODB_URL is not set (tools/services/ensure-ferretdb.sh)' });
const open = (config: Record<string, unknown>) => getConnection<MongodbConnection>('mongodb', { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
const unique = (p: string) => `${p}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const d of it) out.push(d); return out; };
if (!url) console.warn('[mongodb] live tests skipped: SPARKLE_TEST_MONGODB_URL is not set (tools/services/ensure-ferretdb.sh)');

testConnector({
  type: 'mongodb',
  aliases: ['mongo'],
  connectionClass: MongodbConnection,
  validConfig: { hosts: ['db1.internal:27017', 'db2.internal:27018'], database: 'shop', username: 'app', password: 'example-secret-pw', replicaSet: 'rs0', authSource: 'admin' },
  invalidConfigs: [
    { name: 'a database name with a slash', config: { database: 'a/b' }, path: 'database' },
    { name: 'a host with a path', config: { database: 'x', hosts: ['h/x'] }, path: 'hosts' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: ['connection.uri'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { host: '127.0.0.1', port: 1, database: 'x', connectTimeoutMs: 1500 },
});

testDocumentStore({ type: 'mongodb', service, serviceRequired: true, failingDocument: { name: 'no key' } });

describe('mongodb filter translation', () => {
  it('builds filter documents with values as values, never text', () => {
    expect(toMongoFilter(where.and(where.eq('status', "o'pen\"; db.dropDatabase()"), where.gt('total', 100)))).toEqual({
      $and: [{ status: { $eq: "o'pen\"; db.dropDatabase()" } }, { total: { $gt: 100 } }],
    });
    expect(toMongoFilter(where.not(where.in('_id', [1, 2])))).toEqual({ $nor: [{ _id: { $in: [1, 2] } }] });
    expect(toMongoFilter(where.lte('total', null))).toEqual({ _id: { $in: [] } });
    const prefix = toMongoFilter(where.prefix('name', 'a.b*')) as { name: { $regex: RegExp } };
    expect(prefix.name.$regex.source).toBe('^a\\.b\\*');
  });
});

describe.skipIf(!url)('mongodb against FerretDB (wire-compatible)', () => {
  it('check() authenticates, pings and names the server', async () => {
    await using mongo = await open(server());
    const report = await mongo.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/^ping ok, MongoDB \d+\.\d+/);
  });

  it('pushes filter and projection to the server and splits reads into _id ranges', async () => {
    await using mongo = await open(server());
    const c = unique('ranges');
    const docs = Array.from({ length: 100 }, (_, i) => ({ _id: i, n: i % 7, nested: { deep: [i, i + 1] } }));
    expect(await mongo.upsertDocuments(c, docs, { batchSize: 33 })).toEqual({ written: 100, failed: [] });
    const parts = await mongo.documentPartitions(c, { partitions: 4 });
    expect(parts.map((p) => p.description)).toEqual([`${c} _id in [min, 25)`, `${c} _id in [25, 50)`, `${c} _id in [50, 75)`, `${c} _id in [75, max)`]);
    const seen = (await Promise.all(parts.map((p) => all(p.find({ projection: ['_id'] }))))).flat().map((d) => d._id as number);
    expect(seen.sort((a, b) => a - b)).toEqual(docs.map((d) => d._id));
    const filtered = await mongo.documentPartitions(c, { partitions: 3, filter: where.eq('n', 3) });
    const ids = (await Promise.all(filtered.map((p) => all(p.find({ filter: where.eq('n', 3), projection: ['nested.deep'] }))))).flat();
    expect(ids).toHaveLength(docs.filter((d) => d.n === 3).length);
    expect(ids[0]).toEqual({ nested: { deep: [3, 4] } });
    // Nested documents become Arrow structs and lists.
    const frame = (await mongo.readTable(c, { numPartitions: 3 })) as { schema(): Promise<{ fields: Array<{ name: string; type: unknown }> }> };
    expect(Object.fromEntries((await frame.schema()).fields.map((f) => [f.name, String(f.type)]))).toEqual({ _id: 'Int64', n: 'Int64', nested: 'Struct<{deep:List<Int64>}>' });
  });

  it('takes a native Mongo filter document as a value, ANDed with the typed filter; a non-object is refused', async () => {
    await using mongo = await open(server());
    const c = unique('native');
    await mongo.upsertDocuments(c, Array.from({ length: 10 }, (_, i) => ({ _id: i, n: i, even: i % 2 === 0 })));
    const found = await all(mongo.findDocuments(c, { native: { n: { $gte: 4 } }, filter: where.eq('even', true), projection: ['_id'] }));
    expect(found.map((d) => d._id as number).sort((a, b) => a - b)).toEqual([4, 6, 8]);
    expect((await rejection(all(mongo.findDocuments(c, { native: '{ "$where": "1" }' }))))?.code).toBe('INVALID_ARGUMENT');
  });

  it('mixed _id types read as one partition rather than losing documents', async () => {
    await using mongo = await open(server());
    const c = unique('mixed');
    await mongo.upsertDocuments(c, [{ _id: 1 }, { _id: 'two' }, { _id: 3 }]);
    const parts = await mongo.documentPartitions(c, { partitions: 3 });
    expect(parts).toHaveLength(1);
    expect(await all(parts[0]!.find({}))).toHaveLength(3);
  });

  it('overwrite swaps in a new collection; a failed overwrite leaves the old data and no temporary collection', async () => {
    await using mongo = await open(server());
    const c = unique('over');
    await mongo.upsertDocuments(c, [{ _id: 1, v: 'old' }, { _id: 2, v: 'old' }]);
    const failed = await rejection(mongo.writeTable([{ _id: 3, v: 'new' }, { v: 'no key' }], c, { mode: 'overwrite' }));
    expect(failed?.code).toBe('WRITE_FAILED');
    expect((await all(mongo.findDocuments(c))).map((d) => d.v)).toEqual(['old', 'old']);
    expect((await mongo.listCollections()).filter((n) => n.startsWith(`${c}__`))).toEqual([]);
    expect(await mongo.writeTable([{ _id: 3, v: 'new' }], c, { mode: 'overwrite' })).toMatchObject({ rows: 1, written: true });
    expect(await all(mongo.findDocuments(c))).toEqual([{ _id: 3, v: 'new' }]);
    expect((await mongo.listCollections()).filter((n) => n.startsWith(`${c}__`))).toEqual([]);
  });

  it('upserts by idFieldList (a compound business key) and reports server-side write errors per item', async () => {
    await using mongo = await open(server());
    const c = unique('keys');
    await mongo.upsertDocuments(c, [{ _id: 1, sku: 'a', region: 'eu', qty: 1 }], { keyFields: ['sku', 'region'] });
    await mongo.upsertDocuments(c, [{ _id: 1, sku: 'a', region: 'eu', qty: 2 }], { keyFields: ['sku', 'region'] });
    expect(await all(mongo.findDocuments(c))).toEqual([{ _id: 1, sku: 'a', region: 'eu', qty: 2 }]);
    // Same business key, another _id: the server refuses to change _id — an item error, not a thrown batch.
    const result = await mongo.upsertDocuments(c, [{ _id: 9, sku: 'a', region: 'eu', qty: 3 }, { _id: 2, sku: 'b', region: 'eu', qty: 1 }], { keyFields: ['sku', 'region'] });
    expect(result.written).toBe(1);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ index: 0, key: { sku: 'a', region: 'eu' }, retryable: false });
    expect(result.failed[0]!.message).toMatch(/code \d+/);
  });

  it('discovers collections with inferred columns', async () => {
    await using mongo = await open(server());
    const c = unique('disco');
    await mongo.upsertDocuments(c, [{ _id: 1, at: new Date(0), big: 2n ** 40n, bytes: new Uint8Array([1, 2]) }]);
    const [found] = await mongo.discover({ collections: [c] });
    expect(found!.columns.map((col) => [col.name, col.type])).toEqual([['_id', 'int64'], ['at', 'timestamp'], ['big', 'int64'], ['bytes', 'binary']]);
    expect((await mongo.discover()).map((d) => d.name)).toContain(c);
  });

  it('a wrong password fails with AUTHENTICATION_FAILED, the password printed nowhere', async () => {
    const wrong = 'wrong-secret-pw-7731';
    const u = new URL(url!);
    await using mongo = await open({ host: u.hostname, port: Number(u.port), database: TEST_DATABASE, username: decodeURIComponent(u.username), password: wrong, authSource: 'admin' });
    const error = await rejection(mongo.listCollections());
    expect(error?.code).toBe('AUTHENTICATION_FAILED');
    expect(error?.retryable).toBe(false);
    const report = await mongo.check({ timeoutMs: 10_000 });
    expect(report.steps.find((s) => s.status === 'failed')?.error?.code).toBe('AUTHENTICATION_FAILED');
    for (const text of [error!.message, JSON.stringify(error!.toJSON()), String(error!.cause), JSON.stringify(report), String(mongo)]) expect(text).not.toContain(wrong);
  });

  it('an unreachable server fails with a typed, retryable CONNECTION_FAILED', async () => {
    await using mongo = await open({ host: '127.0.0.1', port: 1, database: 'x', connectTimeoutMs: 1500 });
    const error = await rejection(mongo.listCollections());
    expect(error?.code).toBe('CONNECTION_FAILED');
    expect(error?.retryable).toBe(true);
  });

  it('refuses a malformed filter and credentials given twice', async () => {
    await using mongo = await open(server());
    const consume = async (frame: unknown) => { for await (const _ of frame as AsyncIterable<unknown>) void _; };
    expect((await rejection(mongo.readTable('x', { filter: { field: 'a', op: 'regex', value: '.*' } as never }).then(consume)))?.code).toBe('INVALID_ARGUMENT');
    const twice = await rejection(open({ uri: 'mongodb://u:pw-in-uri@h/', database: 'x', password: 'other-secret-pw' }));
    expect(twice?.code).toBe('CONFIG_INVALID');
    expect(twice?.message).not.toContain('pw-in-uri');
  });

  it('the raw driver sees what the connector wrote (types kept)', async () => {
    await using mongo = await open(server());
    const c = unique('raw');
    await mongo.upsertDocuments(c, [{ _id: 1, at: new Date('2024-01-01T00:00:00Z'), tags: ['x'], address: { city: 'Bern' } }]);
    const raw = new MongoClient(url!);
    try {
      expect(await raw.db(TEST_DATABASE).collection(c).findOne({ _id: 1 as never })).toEqual({ _id: 1, at: new Date('2024-01-01T00:00:00Z'), tags: ['x'], address: { city: 'Bern' } });
    } finally {
      await raw.close();
    }
  });
});

describe('mongodb Spark mapping (golden options of the MongoDB Spark connector)', () => {
  it('builds connection.uri from the fields, secret, with the partitioner for parallel reads', async () => {
    await using mongo = await open({ hosts: ['db1.internal:27017', 'db2.internal'], database: 'shop', username: 'etl', password: 'p@ss:w/rd', replicaSet: 'rs0', authSource: 'admin', tls: true });
    expect(mongo.sparkRead('orders', { numPartitions: 8, sampleSize: 500 })).toEqual({
      format: 'mongodb',
      options: {
        'connection.uri': 'mongodb://etl:p%40ss%3Aw%2Frd@db1.internal:27017,db2.internal/?replicaSet=rs0&authSource=admin&tls=true',
        database: 'shop',
        collection: 'orders',
        partitioner: 'com.mongodb.spark.sql.connector.read.partitioner.PaginateIntoPartitionsPartitioner',
        'partitioner.options.max.number.of.partitions': '8',
        sampleSize: '500',
      },
      secretOptions: ['connection.uri'],
    });
    expect(mongo.sparkWrite('orders_copy', { mode: 'append', batchSize: 512, options: { idFieldList: 'sku,region' } })).toEqual({
      format: 'mongodb',
      options: {
        'connection.uri': 'mongodb://etl:p%40ss%3Aw%2Frd@db1.internal:27017,db2.internal/?replicaSet=rs0&authSource=admin&tls=true',
        database: 'shop',
        collection: 'orders_copy',
        operationType: 'replace',
        upsertDocument: 'true',
        ordered: 'false',
        maxBatchSize: '512',
        idFieldList: 'sku,region',
      },
      mode: 'append',
      secretOptions: ['connection.uri'],
    });
  });

  it('passes a configured uri through as it is', async () => {
    await using mongo = await open({ uri: 'mongodb+srv://u:pw@cluster0.example.net/?retryWrites=true', database: 'shop' });
    expect(mongo.sparkRead('orders').options).toEqual({
      'connection.uri': 'mongodb+srv://u:pw@cluster0.example.net/?retryWrites=true',
      database: 'shop',
      collection: 'orders',
      partitioner: 'com.mongodb.spark.sql.connector.read.partitioner.SinglePartitionPartitioner',
    });
  });

  it('hands Spark a given schema and passes extra read options through', async () => {
    await using mongo = await open({ uri: 'mongodb://h/', database: 'shop' });
    const spec = mongo.sparkRead('orders', { schema: '_id INT, total DOUBLE', options: { 'aggregation.allowDiskUse': 'false' } });
    expect(spec.schema).toBe('_id INT, total DOUBLE');
    expect(spec.options['aggregation.allowDiskUse']).toBe('false');
    expect(mongo.sparkRead('orders').schema).toBeUndefined();
  });
});
