/**
 * The `couchbase` connector with the REAL Couchbase SDK (4.x, native C++ core) against
 * CouchbaseMock (tools/services/ensure-couchbase-mock.sh → SPARKLE_TEST_COUCHBASE_MOCK_*): KV
 * bootstrap over CCCP, ping, upsert/insert/get/remove, subdocument projections, per-document
 * failures, a table write through the local engine. The mock has no SQL++, no collections API,
 * no range scans and accepts any KV credentials, so those paths are checked here only as far as
 * the mock answers (UNSUPPORTED, bucket-not-found) and otherwise by the live suite (live.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { getConnection, type SparkleError } from '@sparkle/core';
import { testConnector } from '@sparkle/testkit';
import { CouchbaseConnection } from '../src/index.js';

const url = process.env.SPARKLE_TEST_COUCHBASE_MOCK_URL;
const mock = () => ({
  connectionString: url!,
  username: process.env.SPARKLE_TEST_COUCHBASE_MOCK_USER!,
  password: process.env.SPARKLE_TEST_COUCHBASE_MOCK_PASSWORD!,
  bucket: process.env.SPARKLE_TEST_COUCHBASE_MOCK_BUCKET!,
  connectTimeoutMs: 5000,
  kvTimeoutMs: 3000,
});
const open = (config: Record<string, unknown>) => getConnection<CouchbaseConnection>('couchbase', { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
const unique = (p: string) => `${p}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const d of it) out.push(d); return out; };
if (!url) console.warn('[couchbase] mock tests skipped: SPARKLE_TEST_COUCHBASE_MOCK_URL is not set (tools/services/ensure-couchbase-mock.sh)');

testConnector({
  type: 'couchbase',
  aliases: [],
  connectionClass: CouchbaseConnection,
  validConfig: { connectionString: 'couchbases://cb1.internal,cb2.internal', username: 'etl', password: 'example-secret-pw', bucket: 'shop', scope: 'sales' },
  invalidConfigs: [
    { name: 'credentials in the connection string', config: { connectionString: 'couchbase://u:pw@h', username: 'u', password: 'p', bucket: 'b' }, path: 'connectionString' },
    { name: 'a hostile bucket name', config: { username: 'u', password: 'p', bucket: 'b`; DROP' }, path: 'bucket' },
    { name: 'a hostile scope name', config: { username: 'u', password: 'p', bucket: 'b', scope: '_system' }, path: 'scope' },
  ],
  secretFields: ['password'],
  // Spark options carry no secret: the Couchbase Spark connector takes credentials as session conf (sparkConf()).
  sparkSecretOptions: [],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { connectionString: 'couchbase://127.0.0.1:1', username: 'u', password: 'unreachable-pw', bucket: 'b', connectTimeoutMs: 1500 },
});

describe.skipIf(!url)('couchbase KV against CouchbaseMock (real SDK)', () => {
  it('check() bootstraps, pings the bucket and lists its collections', async () => {
    await using cb = await open(mock());
    const report = await cb.check({ timeoutMs: 15_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/^ping ok: bucket 'sparkle' answered from 1 KV node/);
    // The mock has no collections API (pre-7.0 behaviour): only the default collection exists.
    expect(await cb.listCollections()).toEqual(['_default']);
  });

  it('upserts, gets by key (with subdocument projections), gets a list of keys and deletes', async () => {
    await using cb = await open(mock());
    const p = unique('kv');
    const docs = [1, 2, 3].map((i) => ({ _id: `${p}-${i}`, n: i, at: new Date(Date.UTC(2024, 0, i)), address: { city: `c${i}`, zip: null }, tags: ['x', i] }));
    expect(await cb.upsertDocuments('_default', docs, { batchSize: 2 })).toEqual({ written: 3, failed: [] });
    expect(await cb.getDocument('_default', `${p}-2`)).toEqual({ _id: `${p}-2`, n: 2, at: new Date(Date.UTC(2024, 0, 2)), address: { city: 'c2', zip: null }, tags: ['x', 2] });
    expect(await cb.getDocument('_default', `${p}-2`, { projection: ['address.city', 'n'] })).toEqual({ address: { city: 'c2' }, n: 2 });
    expect(await cb.getDocument('_default', `${p}-9`)).toBeUndefined();
    // Dates are JSON text in the document; reviveDates: false reads them as that text.
    await using raw = await open({ ...mock(), reviveDates: false });
    expect((await raw.getDocument('_default', `${p}-2`))?.at).toBe('2024-01-02T00:00:00.000Z');
    expect((await all(cb.getDocuments('_default', [`${p}-3`, `${p}-9`, `${p}-1`]))).map((d) => d.n)).toEqual([3, 1]);
    expect(await cb.deleteDocuments('_default', [`${p}-1`, `${p}-9`])).toBe(1);
    expect(await cb.getDocument('_default', `${p}-1`)).toBeUndefined();
  });

  it('a document without its id field gets the key back as _id; composite keys join with ::', async () => {
    await using cb = await open(mock());
    const sku = unique('sku');
    await cb.upsertDocuments('_default', [{ sku, region: 'eu', qty: 1 }], { keyFields: ['sku', 'region'] });
    expect(await cb.getDocument('_default', { sku, region: 'eu' })).toEqual({ _id: `${sku}::eu`, sku, region: 'eu', qty: 1 });
  });

  it('reports per-document failures of a partial write: which ones, why, nothing counted that did not land', async () => {
    await using cb = await open({ ...mock(), writeMode: 'insert' });
    const p = unique('partial');
    await cb.upsertDocuments('_default', [{ _id: `${p}-2`, v: 'existing' }]);
    const result = await cb.upsertDocuments('_default', [{ _id: `${p}-1`, v: 1 }, { _id: `${p}-2`, v: 2 }, { v: 'no key' }, { _id: `${p}-4`, big: 2n ** 60n }, { _id: `${p}-5`, v: 5 }]);
    expect(result.written).toBe(2);
    expect(result.failed.map((f) => f.index).sort()).toEqual([1, 2, 3]);
    expect(result.failed.every((f) => !f.retryable)).toBe(true);
    const byIndex = new Map(result.failed.map((f) => [f.index, f]));
    expect(byIndex.get(1)!.message).toMatch(/DocumentExistsError/);
    expect(byIndex.get(1)!.key).toBe(`${p}-2`);
    expect(byIndex.get(2)!.message).toMatch(/no key field '_id'/);
    expect(byIndex.get(3)!.message).toMatch(/field 'big'.*2\^53/);
    expect(await cb.getDocument('_default', `${p}-2`)).toEqual({ _id: `${p}-2`, v: 'existing' });
    expect(await cb.getDocument('_default', `${p}-5`)).toEqual({ _id: `${p}-5`, v: 5 });
    // Through the table API the same failure fails the write, saying that others landed.
    const error = await rejection(cb.writeTable([{ _id: `${p}-6`, v: 6 }, { _id: `${p}-2`, v: 7 }], '_default', { mode: 'append' }));
    expect(error?.code).toBe('WRITE_FAILED');
    expect(error?.message).toMatch(/1 of 2 documents could not be written/);
    expect(error?.details.committed).toBe(true);
  });

  it('a durability level the cluster cannot honour fails each document, not silently', async () => {
    await using cb = await open({ ...mock(), durability: 'majority', kvTimeoutMs: 2000 });
    const result = await cb.upsertDocuments('_default', [{ _id: unique('durable'), v: 1 }], { itemRetries: 0 });
    expect(result.written).toBe(0);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.message.length).toBeGreaterThan(0);
  });

  it('writes a table from the local engine (append upserts by _id); overwrite is refused', async () => {
    await using cb = await open(mock());
    const p = unique('table');
    const rows = [{ _id: `${p}-1`, n: 1n, label: 'a' }, { _id: `${p}-2`, n: 2n, label: 'b' }];
    expect(await cb.writeTable(rows, '_default', { mode: 'append' })).toMatchObject({ rows: 2, written: true });
    expect(await cb.getDocument('_default', `${p}-1`)).toEqual({ _id: `${p}-1`, n: 1, label: 'a' });
    expect((await rejection(cb.writeTable(rows, '_default', { mode: 'overwrite' })))?.code).toBe('UNSUPPORTED');
    expect((await rejection(cb.writeTable(rows, '_default', { mode: 'errorIfExists' })))?.code).toBe('TABLE_EXISTS');
  });

  it('SQL++ reads reach the query service named by the cluster map with values as parameters (the mock answers every statement with keyspace-not-found)', async () => {
    await using cb = await open(mock());
    const hostile = "x' OR '1'='1";
    const error = await rejection(all(cb.findDocuments('_default', { filter: { field: 'name', op: 'eq', value: hostile }, projection: ['name'] })));
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.message).toMatch(/SQL\+\+ error 12003: keyspace not found/);
    // What the SDK put on the wire (its error context): the statement without the value, the value as a named parameter.
    let link: unknown = error;
    let context: { statement?: string; parameters?: string } | undefined;
    for (let depth = 0; link && !context && depth < 5; depth++) {
      context = (link as { context?: typeof context }).context;
      link = (link as { cause?: unknown }).cause;
    }
    expect(context?.statement).toBe(cb.findStatement('_default', { filter: { field: 'name', op: 'eq', value: hostile }, projection: ['name'] }).statement);
    expect(context!.statement).not.toContain(hostile);
    expect(JSON.parse(context!.parameters!).$p0).toBe(hostile);
  });

  it('an unknown bucket fails check() and reads with a typed error naming the bucket', async () => {
    await using cb = await open({ ...mock(), bucket: 'no_such_bucket', connectTimeoutMs: 2000, kvTimeoutMs: 1500 });
    const report = await cb.check({ timeoutMs: 15_000 });
    const failed = report.steps.find((s) => s.status === 'failed');
    expect(failed?.error?.code).toBe('INVALID_ARGUMENT');
    expect(failed?.message).toContain("'no_such_bucket'");
    expect((await rejection(cb.listCollections()))?.code).toBe('INVALID_ARGUMENT');
  });

  it('a collection the server does not have, and KV range scans it cannot run, fail typed', async () => {
    await using cb = await open({ ...mock(), createCollections: false });
    // The mock predates collections: the SDK reports a named collection as unsupported there (a
    // real 7.x server answers CollectionNotFound → INVALID_ARGUMENT, checked by the live suite).
    const missing = await rejection(cb.getDocument('inventory.items', 'k'));
    expect(missing?.code).toBe('UNSUPPORTED');
    expect(missing?.message).toContain('inventory.items');
    expect((await rejection(all(cb.scanDocuments('_default', { prefix: 'k' }))))?.code).toBe('UNSUPPORTED');
  });
});

describe('couchbase config', () => {
  it('takes given schemas per collection and refuses malformed ones', async () => {
    const columns = [{ name: '_id', type: 'utf8' }, { name: 'address', type: { struct: [{ name: 'city', type: 'utf8' }] } }, { name: 'tags', type: { list: 'utf8' } }];
    class Peek extends CouchbaseConnection {
      columnsOf(c: string) {
        return this.collectionColumns(c, {});
      }
    }
    const { registerConnection } = await import('@sparkle/core');
    registerConnection('couchbase_peek', Peek as never);
    await using cb = await getConnection<Peek>('couchbase_peek', { config: { username: 'u', password: 'p', bucket: 'b', scope: 'sales', schemas: { orders: columns } }, dotenv: false, variables: {} });
    expect(await cb.columnsOf('orders')).toEqual(columns);
    expect(await cb.columnsOf('sales.orders')).toEqual(columns);
    expect(await cb.columnsOf('other.orders')).toBeUndefined();
    const bad = await rejection(open({ username: 'u', password: 'p', bucket: 'b', schemas: { orders: [{ name: 'x', type: 'varchar' }] } }));
    expect(bad?.code).toBe('CONFIG_INVALID');
    expect(bad?.message).toMatch(/schemas/);
  });
});

describe('couchbase errors without a server', () => {
  it('a refused password is AUTHENTICATION_FAILED and printed nowhere (SDK error class, injected)', async () => {
    const wrong = 'wrong-secret-pw-4411';
    class RefusingConnection extends CouchbaseConnection {
      protected override async loadSdk() {
        const sdk = await super.loadSdk();
        return { ...sdk, connect: async () => { throw new sdk.AuthenticationFailureError(new Error(`authentication failure for user with password ${wrong}`)); } } as typeof sdk;
      }
    }
    const { registerConnection } = await import('@sparkle/core');
    registerConnection('couchbase_refusing', RefusingConnection as never);
    await using cb = await getConnection<CouchbaseConnection>('couchbase_refusing', { config: { username: 'etl', password: wrong, bucket: 'shop' }, dotenv: false, variables: {} });
    const error = await rejection(cb.listCollections());
    expect(error?.code).toBe('AUTHENTICATION_FAILED');
    expect(error?.retryable).toBe(false);
    expect(error?.message).toMatch(/username'\/'password'/);
    const report = await cb.check({ timeoutMs: 5000 });
    for (const text of [error!.message, JSON.stringify(error!.toJSON()), String(error!.cause), JSON.stringify(report), String(cb)]) expect(text).not.toContain(wrong);
  });
});

describe('couchbase Spark mapping (golden options of the Couchbase Spark connector)', () => {
  it('reads through couchbase.query and writes through couchbase.kv; credentials are session conf', async () => {
    await using cb = await open({ connectionString: 'couchbases://cb1.internal', username: 'etl', password: 'p@ss', bucket: 'shop', scope: 'sales', durability: 'persistToMajority', writeMode: 'replace' });
    expect(cb.sparkRead('orders')).toEqual({ format: 'couchbase.query', options: { bucket: 'shop', scope: 'sales', collection: 'orders', scanConsistency: 'requestPlus' }, secretOptions: [] });
    expect(cb.sparkWrite('inventory.items', { mode: 'append', options: { idFieldList: 'sku' } })).toEqual({
      format: 'couchbase.kv',
      options: { bucket: 'shop', scope: 'inventory', collection: 'items', idFieldName: 'sku', writeMode: 'replace', durability: 'PersistToMajority' },
      mode: 'append',
      secretOptions: [],
    });
    expect(cb.sparkConf()).toEqual({
      'spark.couchbase.connectionString': 'couchbases://cb1.internal',
      'spark.couchbase.username': 'etl',
      'spark.couchbase.password': 'p@ss',
      'spark.couchbase.implicitBucket': 'shop',
      'spark.couchbase.implicitScope': 'sales',
    });
    expect((await rejection(Promise.resolve().then(() => cb.sparkRead('orders', { filter: { field: 'a', op: 'eq', value: 1 } }))))?.code).toBe('UNSUPPORTED');
  });
});
