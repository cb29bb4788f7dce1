/**
 * The `cosmosdb` connector: its REAL `@azure/cosmos` client against an in-process fake of the
 * gateway REST API (test/fake-cosmos.ts) — no Cosmos DB emulator runs outside Docker/Windows.
 * The fake checks every request's master-key HMAC signature, routes items by the client's own
 * partition key hash to 4 partition key ranges, evaluates the parameterized SQL subset the
 * connector sends, pages with continuation tokens, answers bulk requests per item and throttles
 * with 429 + x-ms-retry-after-ms on demand. The shared suites run in test/conformance.test.ts,
 * the opt-in live suite (test/live.test.ts) against a real account.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection, where, type SparkleError } from '@sparkle/core';
import { propertyPath, toCosmosQuery, type CosmosdbConnection } from '../src/index.js';
import { FakeCosmos, FAKE_KEY } from './fake-cosmos.js';

const fake = new FakeCosmos();
let fakeUrl: Promise<string> | undefined;
const started = () => (fakeUrl ??= fake.start());
afterAll(() => fake.stop());

const open = (config: Record<string, unknown>, type = 'cosmosdb') => getConnection<CosmosdbConnection>(type, { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const d of it) out.push(d); return out; };
const unique = (p: string) => `${p}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const account = async (extra: Record<string, unknown> = {}) => ({ endpoint: await started(), key: FAKE_KEY, database: 'sparkle', keyFields: ['_id'], ...extra });
const rowsOf = async (frame: unknown) => {
  const rows: Array<Record<string, unknown>> = [];
  for await (const batch of frame as AsyncIterable<{ toArray(): Array<{ toJSON(): Record<string, unknown> }> }>) rows.push(...batch.toArray().map((r) => r.toJSON()));
  return rows;
};

describe('cosmosdb SQL translation', () => {
  it('puts every value in a parameter, never in the text, and escapes field names', () => {
    const evil = `o'pen" OR 1=1 --`;
    const spec = toCosmosQuery(where.and(where.eq('status', evil), where.gt('total', 100), where.in('tier', ['a', null])), ['id', 'total']);
    expect(spec.query).toBe(
      'SELECT c.id, c.total FROM c WHERE ((c.status = @p0) AND (c.total > @p1) AND (ARRAY_CONTAINS(@p2, c.tier) OR (NOT IS_DEFINED(c.tier) OR IS_NULL(c.tier))))',
    );
    expect(spec.parameters).toEqual([{ name: '@p0', value: evil }, { name: '@p1', value: 100 }, { name: '@p2', value: ['a'] }]);
    expect(spec.query).not.toContain('pen');
    expect(propertyPath(['weird name', 'value', 'ok_1'])).toBe('c["weird name"]["value"].ok_1');
    expect(toCosmosQuery(where.not(where.eq('a-b', 1))).query).toBe('SELECT * FROM c WHERE (NOT IIF((c["a-b"] = @p0), true, false))');
    expect(toCosmosQuery(undefined, ['_id', 'address.city', 'address.zip', 'weird name']).query).toBe(
      'SELECT VALUE {"_id": c._id, "address": {"city": c.address.city, "zip": c.address.zip}, "weird name": c["weird name"]} FROM c',
    );
    expect(toCosmosQuery(where.gte('at', new Date('2024-01-01T00:00:00Z'))).parameters).toEqual([{ name: '@p0', value: '2024-01-01T00:00:00.000Z' }]);
    expect(toCosmosQuery(where.lt('n', null)).query).toBe('SELECT * FROM c WHERE false');
  });

  it('refuses a filter value JSON cannot carry exactly (an int64 beyond 2^53)', () => {
    expect(() => toCosmosQuery(where.eq('big', 2n ** 60n))).toThrow(/beyond ±2\^53/);
    expect(toCosmosQuery(where.eq('n', 7n)).parameters[0]!.value).toBe(7);
  });
});

describe('cosmosdb against the in-process gateway fake (real client)', () => {
  it('check() reads the database account and the database; the probe lists containers', async () => {
    await using cosmos = await open(await account());
    await cosmos.upsertDocuments(unique('probe'), [{ _id: 1 }]);
    const report = await cosmos.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toBe('database account (Session consistency; readable in Fake Region)');
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toMatch(/^database 'sparkle': \d+ collection\(s\) visible$/);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === '/')).toBe(true);
  });

  it('reads one partition per partition key range, each query scoped by its range id, every document once', async () => {
    await using cosmos = await open(await account({ pageSize: 7 }));
    const c = unique('ranges');
    const docs = Array.from({ length: 60 }, (_, i) => ({ _id: i, n: i % 5, nested: { deep: [i, i + 1] } }));
    expect(await cosmos.upsertDocuments(c, docs)).toEqual({ written: 60, failed: [] });
    expect(fake.items('sparkle', c)).toHaveLength(60);
    const parts = await cosmos.documentPartitions(c, { partitions: 8 });
    expect(parts.map((p) => p.description.split(' [')[0])).toEqual([0, 1, 2, 3].map((r) => `${c} partition key range ${r}`));
    const before = fake.requests.length;
    const perRange = await Promise.all(parts.map((p) => all(p.find({ filter: where.gte('n', 2), projection: ['_id'] }))));
    expect(perRange.filter((r) => r.length > 0).length).toBeGreaterThan(1);
    expect(perRange.flat().map((d) => d._id as number).sort((a, b) => a - b)).toEqual(docs.filter((d) => d.n >= 2).map((d) => d._id));
    const queries = fake.requests.slice(before).filter((r) => r.headers['x-ms-documentdb-isquery'] !== undefined);
    expect(new Set(queries.map((q) => q.headers['x-ms-documentdb-partitionkeyrangeid']))).toEqual(new Set(['0', '1', '2', '3']));
    expect(queries.some((q) => q.headers['x-ms-continuation'])).toBe(true);
    for (const q of queries) expect(JSON.parse(q.body)).toEqual({ query: 'SELECT c._id FROM c WHERE (c.n >= @p0)', parameters: [{ name: '@p0', value: 2 }] });
    // Alongside each query the client asks the gateway for a query plan (answered; unused for streaming queries).
    const plans = fake.requests.slice(before).filter((r) => r.headers['x-ms-cosmos-is-query-plan-request'] !== undefined);
    expect(plans.length).toBeGreaterThan(0);
    expect(plans[0]!.headers['x-ms-cosmos-supported-query-features']).toBeTruthy();
    const frame = await cosmos.readTable(c, { numPartitions: 4 });
    expect(Object.fromEntries((await (frame as unknown as { schema(): Promise<{ fields: Array<{ name: string; type: unknown }> }> }).schema()).fields.map((f) => [f.name, String(f.type)]))).toEqual({
      _id: 'Int64',
      n: 'Int64',
      nested: 'Struct<{deep:List<Int64>}>',
    });
    expect((await rowsOf(frame)).length).toBe(60);
  });

  it('escapes awkward and reserved field names in filters and projections (the fake refuses c.value)', async () => {
    await using cosmos = await open(await account());
    const c = unique('names');
    await cosmos.upsertDocuments(c, [{ _id: 1, value: 'v1', 'weird name': 'w1', 'a-b': 1 }, { _id: 2, value: 'v2', 'weird name': 'w2', 'a-b': 2 }]);
    expect(await all(cosmos.findDocuments(c, { filter: where.eq('value', 'v2'), projection: ['weird name', 'value'] }))).toEqual([{ 'weird name': 'w2', value: 'v2' }]);
    expect(await all(cosmos.findDocuments(c, { filter: where.eq('a-b', 1), projection: ['_id'] }))).toEqual([{ _id: 1 }]);
    // What unescaped text would have done: the service (and the fake) answers a syntax error.
    const client = await (cosmos as unknown as { client(): Promise<import('@azure/cosmos').CosmosClient> }).client();
    const raw = await rejection(client.database('sparkle').container(c).items.query('SELECT * FROM c WHERE c.value = "v1"').fetchAll());
    expect((raw as unknown as { code: number }).code).toBe(400);
  });

  it('a wrong key fails AUTHENTICATION_FAILED (the fake checks the HMAC), the key printed nowhere; a connection string works', async () => {
    const wrong = Buffer.from('definitely-the-wrong-account-key-7731').toString('base64');
    await using cosmos = await open(await account({ key: wrong }));
    const error = await rejection(cosmos.listCollections());
    expect(error?.code).toBe('AUTHENTICATION_FAILED');
    expect(error?.retryable).toBe(false);
    const report = await cosmos.check({ timeoutMs: 10_000 });
    expect(report.steps.find((s) => s.status === 'failed')).toMatchObject({ tier: 'auth', error: { code: 'AUTHENTICATION_FAILED' } });
    for (const text of [error!.message, JSON.stringify(error!.toJSON()), String(error!.cause), JSON.stringify(report), String(cosmos)]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(FAKE_KEY);
    }
    await using byString = await open({ connectionString: `AccountEndpoint=${await started()};AccountKey=${FAKE_KEY};`, database: 'sparkle' });
    expect(Array.isArray(await byString.listCollections())).toBe(true);
    expect(String(byString)).not.toContain(FAKE_KEY);
  });

  it('an unknown database or container fails with a typed not-found error naming it', async () => {
    await using cosmos = await open(await account({ database: 'no_such_db' }));
    const db = await rejection(cosmos.listCollections());
    expect(db?.code).toBe('QUERY_FAILED');
    expect(db?.details).toMatchObject({ status: 404, notFound: true });
    expect(db?.message).toContain("database 'no_such_db'");
    await using ok = await open(await account());
    const container = await rejection(all(ok.findDocuments('no_such_container')));
    expect(container?.code).toBe('QUERY_FAILED');
    expect(container?.details).toMatchObject({ status: 404 });
    expect(container?.message).toContain("container 'no_such_container'");
    expect((await rejection(all(ok.findDocuments('bad/name'))))?.code).toBe('INVALID_ARGUMENT');
  });

  it('a filter of the wrong shape or type is refused before any request', async () => {
    await using cosmos = await open(await account());
    const consume = (frame: unknown) => rowsOf(frame);
    expect((await rejection(cosmos.readTable('x', { filter: { field: 'a', op: 'regex', value: '.*' } as never }).then(consume)))?.code).toBe('INVALID_ARGUMENT');
    expect((await rejection(cosmos.readTable('x', { filter: { field: 'a', op: 'in', values: 'abc' } as never }).then(consume)))?.code).toBe('INVALID_ARGUMENT');
    expect((await rejection(cosmos.readTable('x', { filter: { field: 'a b', op: 'eq', value: 1 } as never }).then(consume)))?.code).toBe('INVALID_ARGUMENT');
    expect((await rejection(all(cosmos.findDocuments('x', { filter: where.eq('big', 2n ** 60n) }))))?.message).toMatch(/'big'.*beyond ±2\^53/);
    expect((await rejection(all(cosmos.findDocuments('x', { native: 'SELECT * FROM c' }))))?.code).toBe('INVALID_ARGUMENT');
  });

  it('conflicting shapes across the sample are widened to JSON text; outside the sample the read fails naming the field', async () => {
    await using cosmos = await open(await account());
    const c = unique('shapes');
    await cosmos.upsertDocuments(c, [{ _id: 1, v: 1 }, { _id: 2, v: 'two' }, { _id: 3, v: { three: 3 } }, { _id: 4, v: 2.5 }]);
    const rows = await rowsOf(await cosmos.readTable(c));
    expect(new Map(rows.map((r) => [Number(r._id), r.v]))).toEqual(new Map([[1, '1'], [2, 'two'], [3, '{"three":3}'], [4, '2.5']]));
    const drift = await rejection(cosmos.readTable(c, { sampleSize: 1 }).then(rowsOf));
    expect(drift?.code).toBe('INVALID_ARGUMENT');
    expect(drift?.message).toMatch(/field 'v'.*sampleSize/);
  });

  it('int64 beyond ±2^53 is refused per item naming the field (Cosmos numbers are doubles); safe int64s are written exactly', async () => {
    await using cosmos = await open(await account());
    const c = unique('int64');
    const result = await cosmos.upsertDocuments(c, [{ _id: 1, big: 2n ** 53n - 1n }, { _id: 2, big: 2n ** 60n + 1n }, { _id: 3, big: -(2n ** 60n) }]);
    expect(result.written).toBe(1);
    expect(result.failed.map((f) => [f.index, f.retryable])).toEqual([[1, false], [2, false]]);
    expect(result.failed[0]!.message).toMatch(/field 'big' holds 1152921504606846977, beyond ±2\^53/);
    expect(await cosmos.getDocument(c, 1)).toEqual({ _id: 1, big: Number.MAX_SAFE_INTEGER });
    const error = await rejection(cosmos.writeTable([{ _id: 4, big: 2n ** 62n }], c, { mode: 'append' }));
    expect(error?.code).toBe('WRITE_FAILED');
    expect(error?.message).toMatch(/#0.*field 'big'/);
    expect(error?.details.committed).toBe(false);
  });

  it('429s: the SDK retries honouring x-ms-retry-after-ms; a storm ends after the bounded retries with a typed retryable error', async () => {
    await using cosmos = await open(await account({ throttleRetries: 3 }));
    const c = unique('throttle');
    await cosmos.upsertDocuments(c, [{ _id: 0 }]);
    fake.throttled = 0;
    fake.throttle = 2;
    expect(await cosmos.upsertDocuments(c, [{ _id: 1 }, { _id: 2 }])).toEqual({ written: 2, failed: [] });
    expect(fake.throttled).toBe(2);
    expect(fake.items('sparkle', c)).toHaveLength(3);

    fake.throttled = 0;
    fake.throttle = 10_000;
    try {
      const read = await rejection(all(cosmos.findDocuments(c)));
      expect(read?.code).toBe('QUERY_FAILED');
      expect(read?.retryable).toBe(true);
      expect(read?.message).toMatch(/throttled after 3 retries/);
      // The client read the server's x-ms-retry-after-ms (the fake sends 5 ms) and carries it on the error.
      expect(read?.details).toMatchObject({ status: 429, retryAfterMs: fake.retryAfterMs });
      const readRequests = fake.throttled;
      // Bounded: the query and the query plan request, each sent at most 1 + 3 times.
      expect(readRequests).toBeGreaterThanOrEqual(4);
      expect(readRequests).toBeLessThanOrEqual(8);
      // Writes: the client's own retries off, so each bulk request is refused once per round of core's itemRetries.
      await using noRetry = await open(await account({ throttleRetries: 0 }));
      const write = await noRetry.upsertDocuments(c, [{ _id: 5 }, { _id: 6 }], { itemRetries: 1 });
      expect(write.written).toBe(0);
      expect(write.failed.map((f) => [f.index, f.key, f.retryable])).toEqual([[0, 5, true], [1, 6, true]]);
      expect(write.failed[0]!.message).toMatch(/HTTP 429/);
      expect(fake.throttled - readRequests).toBeLessThanOrEqual(2 * 2);
    } finally {
      fake.throttle = 0;
    }
  });

  it('a partial bulk failure reports which rows failed (HTTP 413 from the server) and writes the rest', async () => {
    const small = new FakeCosmos({ maxItemBytes: 400 });
    const url = await small.start();
    try {
      await using cosmos = await open({ endpoint: url, key: FAKE_KEY, database: 'bulk', keyFields: ['_id'] });
      const c = 'items';
      const result = await cosmos.upsertDocuments(c, [{ _id: 1, v: 'a' }, { _id: 2, v: 'x'.repeat(1000) }, { _id: 3, v: 'c' }, { v: 'no key' }]);
      expect(result.written).toBe(2);
      expect(result.failed).toEqual([
        { index: 3, message: "document has no key field '_id'", retryable: false },
        { index: 1, key: 2, retryable: false, message: expect.stringMatching(/Request size is too large.*HTTP 413/) },
      ]);
      expect(small.items('bulk', c).map((i) => i._id).sort()).toEqual([1, 3]);
      const error = await rejection(cosmos.writeTable([{ _id: 4, v: 'd' }, { _id: 5, v: 'y'.repeat(1000) }], c, { mode: 'append' }));
      expect(error?.code).toBe('WRITE_FAILED');
      expect(error?.message).toMatch(/1 of 2 documents could not be written.*\(1 written\): #1 \(key 5\): Request size is too large/);
      expect(error?.details).toMatchObject({ committed: true, written: 1, failed: 1 });
    } finally {
      await small.stop();
    }
  });

  it('containers partitioned by another path: point reads and deletes find the item by query; a document without the path fails alone', async () => {
    await using cosmos = await open(await account({ partitionKeyPath: '/tenant' }));
    const c = unique('tenants');
    const result = await cosmos.upsertDocuments(c, [{ _id: 1, tenant: 'a' }, { _id: 2, tenant: 'b' }, { _id: 3 }]);
    expect(result.written).toBe(2);
    expect(result.failed).toEqual([{ index: 2, retryable: false, message: expect.stringContaining("partition key path '/tenant'") }]);
    expect(await cosmos.getDocument(c, 2)).toEqual({ _id: 2, tenant: 'b' });
    expect(await cosmos.deleteDocuments(c, [2, 99])).toBe(1);
    expect((await all(cosmos.findDocuments(c))).map((d) => d._id)).toEqual([1]);
    const [found] = await cosmos.discover({ collections: [c] });
    expect(found).toMatchObject({ database: 'sparkle', name: c, partitionKeyPaths: ['/tenant'], sampled: 1 });
    expect(found!.columns.map((col) => [col.name, col.type])).toEqual([['_id', 'int64'], ['tenant', 'utf8']]);
  });

  it('keys by id by default: the id is kept, other keys get a derived id that reads hide', async () => {
    await using byId = await open(await account({ keyFields: undefined }));
    const c = unique('ids');
    await byId.upsertDocuments(c, [{ id: 'a', v: 1 }]);
    expect(await byId.getDocument(c, 'a')).toEqual({ id: 'a', v: 1 });
    expect(fake.items('sparkle', c)[0]).toMatchObject({ id: 'a', _rid: expect.any(String), _ts: expect.any(Number) });
    const clash = await byId.upsertDocuments(c, [{ id: 'b', sku: 'x' }], { keyFields: ['sku'] });
    expect(clash.failed[0]!.message).toMatch(/own 'id'/);
    await using composite = await open(await account({ keyFields: ['region', 'sku'] }));
    await composite.upsertDocuments(c, [{ region: 'eu', sku: 'A1', n: 1 }]);
    expect(fake.items('sparkle', c).find((i) => i.sku === 'A1')).toMatchObject({ id: 'eu|A1' });
    expect(await composite.getDocument(c, { region: 'eu', sku: 'A1' })).toEqual({ region: 'eu', sku: 'A1', n: 1 });
  });

  it('dateStrings text keeps ISO strings as text; systemProperties keeps _ts and _etag; listDatabases and discover across databases', async () => {
    const c = unique('opts');
    await using plain = await open(await account({ dateStrings: 'text', systemProperties: true }));
    await plain.upsertDocuments(c, [{ _id: 1, at: new Date('2024-05-01T10:00:00Z') }]);
    const doc = await plain.getDocument(c, 1);
    expect(doc).toMatchObject({ _id: 1, at: '2024-05-01T10:00:00.000Z', _ts: expect.any(Number), _etag: expect.any(String), _rid: expect.any(String) });
    await using other = await open(await account({ database: 'sparkle_other' }));
    await other.upsertDocuments('elsewhere', [{ _id: 1, n: 1 }]);
    expect(await plain.listDatabases()).toEqual(expect.arrayContaining(['sparkle', 'sparkle_other']));
    const found = await plain.discover({ databases: ['sparkle_other'] });
    expect(found.map((f) => [f.database, f.name, f.partitionKeyPaths, f.sampled])).toEqual([['sparkle_other', 'elsewhere', ['/id'], 1]]);
  });

  it('overwrite is refused (no atomic container swap in Cosmos DB), nothing written', async () => {
    await using cosmos = await open(await account());
    const c = unique('over');
    await cosmos.upsertDocuments(c, [{ _id: 1, v: 'old' }]);
    const error = await rejection(cosmos.writeTable([{ _id: 2, v: 'new' }], c, { mode: 'overwrite' }));
    expect(error?.code).toBe('UNSUPPORTED');
    expect(error?.message).toMatch(/append/);
    expect((await all(cosmos.findDocuments(c))).map((d) => d.v)).toEqual(['old']);
  });
});

describe('cosmosdb Spark mapping (golden options of cosmos.oltp)', () => {
  it('reads and writes with spark.cosmos.* options, the account key secret', async () => {
    await using cosmos = await open({ endpoint: 'https://shop.documents.azure.com:443/', key: 'c2VjcmV0LWtleQ==', database: 'shop', preferredRegions: ['West Europe', 'North Europe'] });
    const conn = {
      'spark.cosmos.accountEndpoint': 'https://shop.documents.azure.com:443/',
      'spark.cosmos.database': 'shop',
      'spark.cosmos.container': 'orders',
      'spark.cosmos.accountKey': 'c2VjcmV0LWtleQ==',
      'spark.cosmos.preferredRegionsList': 'West Europe,North Europe',
    };
    expect(cosmos.sparkRead('orders', { numPartitions: 8 })).toEqual({
      format: 'cosmos.oltp',
      options: { ...conn, 'spark.cosmos.read.inferSchema.enabled': 'true', 'spark.cosmos.read.partitioning.strategy': 'Aggressive' },
      secretOptions: ['spark.cosmos.accountKey'],
    });
    expect(cosmos.sparkWrite('orders', { mode: 'append' })).toEqual({
      format: 'cosmos.oltp',
      options: { ...conn, 'spark.cosmos.write.strategy': 'ItemOverwrite', 'spark.cosmos.write.bulk.enabled': 'true' },
      mode: 'append',
      secretOptions: ['spark.cosmos.accountKey'],
    });
    expect(cosmos.sparkWrite('orders', {}).options['spark.cosmos.write.strategy']).toBe('ItemAppend');
    expect((await rejection(Promise.resolve().then(() => cosmos.sparkWrite('orders', { mode: 'overwrite' }))))?.code).toBe('UNSUPPORTED');
    expect((await rejection(Promise.resolve().then(() => cosmos.sparkRead('orders', { filter: where.eq('a', 1) }))))?.code).toBe('UNSUPPORTED');
  });

  it('a connection string maps to endpoint + secret key; AAD sets spark.cosmos.useAad and carries no key', async () => {
    await using byString = await open({ connectionString: 'AccountEndpoint=https://a.documents.azure.com:443/;AccountKey=a2V5;', database: 'd' }, 'azure_cosmosdb');
    expect(byString.sparkRead('c')).toMatchObject({ options: { 'spark.cosmos.accountEndpoint': 'https://a.documents.azure.com:443/', 'spark.cosmos.accountKey': 'a2V5' }, secretOptions: ['spark.cosmos.accountKey'] });
    await using aad = await open({ endpoint: 'https://a.documents.azure.com:443/', authMethod: 'aad', database: 'd' });
    const spec = aad.sparkRead('c');
    expect(spec.options['spark.cosmos.useAad']).toBe('true');
    expect(spec.options['spark.cosmos.accountKey']).toBeUndefined();
    expect(spec.secretOptions).toEqual([]);
  });
});
