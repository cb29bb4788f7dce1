/**
 * The `elasticsearch` connector: its REAL `@elastic/elasticsearch` client against an in-process
 * fake of the REST endpoints it calls (test/fake-elasticsearch.ts) — no Elasticsearch or
 * OpenSearch server runs here. The document-store conformance suite and the connector's own
 * checks (filters as DSL, sliced point-in-time reads, bulk per-item errors and 429 retries,
 * alias-swap overwrite, credentials) run against the fake; the same conformance suite runs
 * against a live cluster when SPARKLE_TEST_ELASTICSEARCH_URL is set (opt-in, skipped with a
 * printed reason otherwise).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection, type SparkleError, where } from '@sparkle/core';
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { ElasticsearchConnection, toEsQuery } from '../src/index.js';
import { FakeElasticsearch } from './fake-elasticsearch.js';

const fake = new FakeElasticsearch();
let fakeUrl: Promise<string> | undefined;
const started = () => (fakeUrl ??= fake.start());
afterAll(() => fake.stop());

const open = (config: Record<string, unknown>, type = 'elasticsearch') => getConnection<ElasticsearchConnection>(type, { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const d of it) out.push(d); return out; };
const unique = (p: string) => `${p}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const server = async () => ({ nodes: [await started()] });

testConnector({
  type: 'elasticsearch',
  aliases: ['elastic', 'opensearch'],
  connectionClass: ElasticsearchConnection,
  validConfig: { nodes: ['https://es1.internal:9200', 'https://es2.internal:9200'], username: 'etl', password: 'example-secret-pw' },
  invalidConfigs: [
    { name: 'a node that is not an http(s) URL', config: { nodes: ['es1.internal:9200'] }, path: 'nodes' },
    { name: 'an unknown refresh policy', config: { refresh: 'sometimes' }, path: 'refresh' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: ['es.net.http.auth.pass'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { nodes: ['http://127.0.0.1:1'], requestTimeoutMs: 1500 },
});

// The capability suite against the REAL client talking to the in-process fake.
testDocumentStore({ type: 'elasticsearch', service: async () => ({ config: await server() }), failingDocument: { name: 'no key' } });

// Opt-in: the same suite against a live Elasticsearch (e.g. http://elastic:pw@127.0.0.1:9200).
const live = process.env.SPARKLE_TEST_ELASTICSEARCH_URL;
if (!live) console.warn('[elasticsearch] live suite skipped: SPARKLE_TEST_ELASTICSEARCH_URL is not set (no server runs here; the fake suite above ran instead)');
testDocumentStore({
  type: 'elastic',
  namePrefix: 'sparkle_live',
  service: async () => {
    if (!live) return { skip: 'SPARKLE_TEST_ELASTICSEARCH_URL is not set' };
    const u = new URL(live);
    const auth = u.username ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : {};
    return { config: { nodes: [`${u.protocol}//${u.host}`], ...auth } };
  },
  failingDocument: { name: 'no key' },
});

describe('elasticsearch filter translation', () => {
  it('builds DSL objects with values as values, never text', () => {
    const evil = "o'pen\" OR *:*";
    expect(toEsQuery(where.and(where.eq('status', evil), where.gt('total', 100)), (f) => `${f}.keyword`)).toEqual({
      bool: { filter: [{ term: { 'status.keyword': evil } }, { range: { total: { gt: 100 } } }] },
    });
    expect(toEsQuery(where.eq('name', null))).toEqual({ bool: { must_not: [{ exists: { field: 'name' } }] } });
    expect(toEsQuery(where.lte('total', null))).toEqual({ match_none: {} });
    expect(toEsQuery(where.in('s', ['a', null]))).toEqual({ bool: { should: [{ terms: { s: ['a'] } }, { bool: { must_not: [{ exists: { field: 's' } }] } }], minimum_should_match: 1 } });
    expect(toEsQuery(where.gte('at', new Date('2024-01-01T00:00:00Z')))).toEqual({ range: { at: { gte: '2024-01-01T00:00:00.000Z' } } });
    expect(toEsQuery(where.prefix('name', 'a*b'))).toEqual({ prefix: { name: 'a*b' } });
  });
});

describe('elasticsearch against the in-process fake (real client)', () => {
  it('check() authenticates with GET / and names the cluster', async () => {
    await using es = await open(await server());
    const report = await es.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toBe('elasticsearch 9.0.0 (cluster sparkle-fake)');
  });

  it('reads in point-in-time slices with search_after pages, each document once, and closes every point in time', async () => {
    await using es = await open({ ...(await server()), pageSize: 7 });
    const c = unique('slices');
    const docs = Array.from({ length: 100 }, (_, i) => ({ _id: i, n: i % 7, nested: { deep: [i, i + 1] } }));
    expect(await es.upsertDocuments(c, docs, { batchSize: 33 })).toEqual({ written: 100, failed: [] });
    expect(fake.requests.filter((r) => r.path === '/_bulk').length).toBeGreaterThanOrEqual(4);
    const parts = await es.documentPartitions(c, { partitions: 4 });
    expect(parts.map((p) => p.description)).toEqual([0, 1, 2, 3].map((i) => `${c} slice ${i}/4`));
    const before = fake.requests.length;
    const perSlice = await Promise.all(parts.map((p) => all(p.find({ projection: ['_id'] }))));
    expect(perSlice.filter((s) => s.length > 0).length).toBeGreaterThan(1);
    expect(perSlice.flat().map((d) => d._id as number).sort((a, b) => a - b)).toEqual(docs.map((d) => d._id));
    const searches = fake.requests.slice(before).filter((r) => r.path === '/_search').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(searches.every((s) => (s.slice as { max: number }).max === 4 && s.size === 7)).toBe(true);
    expect(searches.some((s) => Array.isArray(s.search_after))).toBe(true);
    expect(fake.pits.size).toBe(0);
    const filtered = await all(es.findDocuments(c, { filter: where.eq('n', 3), projection: ['nested.deep'] }));
    expect(filtered).toHaveLength(docs.filter((d) => d.n === 3).length);
    expect(filtered[0]).toEqual({ nested: { deep: [3, 4] } });
    const frame = (await es.readTable(c, { numPartitions: 3 })) as { schema(): Promise<{ fields: Array<{ name: string; type: unknown }> }> };
    expect(Object.fromEntries((await frame.schema()).fields.map((f) => [f.name, String(f.type)]))).toEqual({ _id: 'Int64', n: 'Int64', nested: 'Struct<{deep:List<Int64>}>' });
  });

  it('keeps int64 values beyond 2^53 exact on the wire and back (as bigints and Arrow Int64)', async () => {
    await using es = await open(await server());
    const c = unique('int64');
    const big = 2n ** 60n + 1n;
    expect(await es.upsertDocuments(c, [{ _id: 1, big }, { _id: 2, big: -big }, { _id: 3, big: 7 }])).toEqual({ written: 3, failed: [] });
    expect(fake.requests.filter((r) => r.path === '/_bulk').at(-1)!.body).toContain('"big":1152921504606846977');
    const found = new Map((await all(es.findDocuments(c))).map((d) => [d._id, d.big]));
    expect(found).toEqual(new Map<unknown, unknown>([[1, big], [2, -big], [3, 7]]));
    const frame = await es.readTable(c);
    const rows: Array<Record<string, unknown>> = [];
    for await (const batch of frame as AsyncIterable<{ toArray(): Array<{ toJSON(): Record<string, unknown> }> }>) rows.push(...batch.toArray().map((r) => r.toJSON()));
    expect(rows.map((r) => r.big).sort()).toEqual([big, -big, 7n].sort());
  });

  it('discovers indices and aliases with inferred columns (dates from the mapping as timestamps), hiding overwrite backing indices', async () => {
    await using es = await open(await server());
    const c = unique('disco');
    await es.upsertDocuments(c, [{ _id: 1, at: new Date(0), tags: ['x'], address: { city: 'Bern' } }]);
    const [found] = await es.discover({ collections: [c] });
    expect(found!.columns.map((col) => [col.name, col.type])).toEqual([
      ['_id', 'int64'],
      ['at', 'timestamp'],
      ['tags', { list: 'utf8' }],
      ['address', { struct: [{ name: 'city', nullable: true, type: 'utf8' }] }],
    ]);
    await es.writeTable([{ _id: 2 }], `${c}_alias`, { mode: 'overwrite' });
    const names = (await es.discover()).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining([c, `${c}_alias`]));
    expect(names.filter((n) => n.includes('__sparkle_'))).toEqual([]);
  });

  it('takes a native DSL object as a value, ANDed with the typed filter; a string is refused', async () => {
    await using es = await open(await server());
    const c = unique('native');
    await es.upsertDocuments(c, Array.from({ length: 10 }, (_, i) => ({ _id: i, n: i, even: i % 2 === 0 })));
    const found = await all(es.findDocuments(c, { native: { range: { n: { gte: 4 } } }, filter: where.eq('even', true), projection: ['_id'] }));
    expect(found.map((d) => d._id as number).sort((a, b) => a - b)).toEqual([4, 6, 8]);
    expect((await rejection(all(es.findDocuments(c, { native: '{"query_string":{"query":"*"}}' }))))?.code).toBe('INVALID_ARGUMENT');
  });

  it('retries items refused with 429 and reports server-side item errors with their position', async () => {
    await using es = await open(await server());
    const c = unique('items');
    fake.throttle = 2;
    expect(await es.upsertDocuments(c, [{ _id: 1, v: 1 }, { _id: 2, v: 2 }, { _id: 3, v: 3 }])).toEqual({ written: 3, failed: [] });
    expect(fake.throttle).toBe(0);
    fake.throttle = 50;
    const throttled = await es.upsertDocuments(c, [{ _id: 4, v: 4 }], { itemRetries: 1 });
    fake.throttle = 0;
    expect(throttled.written).toBe(0);
    expect(throttled.failed).toEqual([{ index: 0, key: 4, retryable: true, message: expect.stringContaining('es_rejected_execution_exception') }]);
    const error = await rejection(es.writeTable([{ _id: 5, v: 5 }], c, { mode: 'append', options: {} }).then(async () => {
      fake.throttle = 50;
      try {
        return await es.writeTable([{ _id: 6, v: 6 }], c, { mode: 'append' });
      } finally {
        fake.throttle = 0;
      }
    }));
    expect(error?.code).toBe('WRITE_FAILED');
    expect(error?.retryable).toBe(true);
  });

  it('a strict mapping refuses a conflicting value per item, the rest written', async () => {
    const strict = new FakeElasticsearch({ strict: true });
    const url = await strict.start();
    try {
      await using es = await open({ nodes: [url] });
      const result = await es.upsertDocuments('typed', [{ _id: 1, n: 1 }, { _id: 2, n: 'two' }, { _id: 3, n: 3 }]);
      expect(result.written).toBe(2);
      expect(result.failed).toEqual([{ index: 1, key: 2, retryable: false, message: expect.stringMatching(/document_parsing_exception: failed to parse field \[n\].*HTTP 400/) }]);
    } finally {
      await strict.stop();
    }
  });

  it('overwrite writes a new index and swaps the alias; a failed overwrite leaves the old data and no new index', async () => {
    await using es = await open(await server());
    const c = unique('over');
    await es.upsertDocuments(c, [{ _id: 1, v: 'old' }, { _id: 2, v: 'old' }]);
    const failed = await rejection(es.writeTable([{ _id: 3, v: 'new' }, { v: 'no key' }], c, { mode: 'overwrite' }));
    expect(failed?.code).toBe('WRITE_FAILED');
    expect((await all(es.findDocuments(c))).map((d) => d.v)).toEqual(['old', 'old']);
    expect([...fake.indices.keys()].filter((n) => n.startsWith(`${c}__`))).toEqual([]);
    expect(await es.writeTable([{ _id: 3, v: 'new' }], c, { mode: 'overwrite' })).toMatchObject({ rows: 1, written: true });
    expect(await all(es.findDocuments(c))).toEqual([{ _id: 3, v: 'new' }]);
    const backing = [...fake.indices.keys()].filter((n) => n.startsWith(`${c}__sparkle_`));
    expect(backing).toHaveLength(1);
    expect(fake.indices.has(c)).toBe(false);
    expect(await es.listCollections()).toContain(c);
    // A second overwrite swaps the alias again and deletes the previous backing index.
    await es.writeTable([{ _id: 4, v: 'newer' }], c, { mode: 'overwrite' });
    expect(await all(es.findDocuments(c))).toEqual([{ _id: 4, v: 'newer' }]);
    expect([...fake.indices.keys()].filter((n) => n.startsWith(`${c}__sparkle_`))).toHaveLength(1);
    expect(await es.getDocument(c, 4)).toEqual({ _id: 4, v: 'newer' });
  });

  it('an unknown index fails with a typed error naming it; an invalid index name is refused before any request', async () => {
    await using es = await open(await server());
    const missing = await rejection(all(es.findDocuments('no_such_index_x')));
    expect(missing?.code).toBe('QUERY_FAILED');
    expect(missing?.message).toContain('index_not_found_exception');
    expect(missing?.details).toMatchObject({ status: 404 });
    expect((await rejection(all(es.findDocuments('Bad/Name'))))?.code).toBe('INVALID_ARGUMENT');
    const consume = async (frame: unknown) => { for await (const _ of frame as AsyncIterable<unknown>) void _; };
    expect((await rejection(es.readTable('x', { filter: { field: 'a', op: 'regex', value: '.*' } as never }).then(consume)))?.code).toBe('INVALID_ARGUMENT');
  });

  it('a wrong password fails with AUTHENTICATION_FAILED, the password printed nowhere; an API key is accepted', async () => {
    const guarded = new FakeElasticsearch({ users: { elastic: 'right-pw' }, apiKeys: ['a2V5LWlkOmtleS1zZWNyZXQ='] });
    const url = await guarded.start();
    try {
      const wrong = 'wrong-secret-pw-7731';
      await using es = await open({ nodes: [url], username: 'elastic', password: wrong });
      const error = await rejection(es.listCollections());
      expect(error?.code).toBe('AUTHENTICATION_FAILED');
      expect(error?.retryable).toBe(false);
      const report = await es.check({ timeoutMs: 10_000 });
      expect(report.steps.find((s) => s.status === 'failed')?.error?.code).toBe('AUTHENTICATION_FAILED');
      for (const text of [error!.message, JSON.stringify(error!.toJSON()), String(error!.cause), JSON.stringify(report), String(es)]) expect(text).not.toContain(wrong);
      await using keyed = await open({ nodes: [url], apiKey: 'a2V5LWlkOmtleS1zZWNyZXQ=' });
      expect(await keyed.listCollections()).toEqual([]);
      expect(String(keyed)).not.toContain('a2V5LWlkOmtleS1zZWNyZXQ=');
      const both = await rejection(open({ nodes: [url], apiKey: 'k-secret-1', password: 'p-secret-2' }));
      expect(both?.code).toBe('CONFIG_INVALID');
      expect(both?.message).not.toMatch(/k-secret-1|p-secret-2/);
    } finally {
      await guarded.stop();
    }
  });

  it('a server that is not Elasticsearch (no product header, as OpenSearch answers) fails with a typed, non-retryable error saying so', async () => {
    const other = new FakeElasticsearch({ product: null });
    const url = await other.start();
    try {
      await using es = await open({ nodes: [url] });
      const error = await rejection(es.listCollections());
      expect(error?.code).toBe('CONNECTION_FAILED');
      expect(error?.retryable).toBe(false);
      expect(error?.message).toMatch(/not Elasticsearch; for OpenSearch set 'distribution': 'opensearch'/);
    } finally {
      await other.stop();
    }
  });

  it('an unreachable node fails with a typed, retryable CONNECTION_FAILED', async () => {
    await using es = await open({ nodes: ['http://127.0.0.1:1'], requestTimeoutMs: 1500 });
    const error = await rejection(es.listCollections());
    expect(error?.code).toBe('CONNECTION_FAILED');
    expect(error?.retryable).toBe(true);
  });
});

describe('elasticsearch Spark mapping (golden options of elasticsearch-hadoop / opensearch-hadoop)', () => {
  it('reads with es.* options, the filter as es.query DSL JSON, the password secret', async () => {
    await using es = await open({ nodes: ['https://es1.internal:9243', 'https://es2.internal:9243'], username: 'etl', password: 'p@ss' });
    expect(es.sparkRead('orders', { filter: where.eq('status', 'open'), columns: ['_id', 'total'], fetchSize: 500 })).toEqual({
      format: 'org.elasticsearch.spark.sql',
      options: {
        'es.nodes': 'es1.internal,es2.internal',
        'es.port': '9243',
        'es.nodes.wan.only': 'true',
        'es.net.ssl': 'true',
        'es.net.http.auth.user': 'etl',
        'es.net.http.auth.pass': 'p@ss',
        'es.resource': 'orders',
        'es.query': '{"query":{"term":{"status":"open"}}}',
        'es.read.field.include': 'total',
        'es.scroll.size': '500',
      },
      secretOptions: ['es.net.http.auth.pass'],
    });
    expect(es.sparkWrite('orders_copy', { mode: 'append', batchSize: 200, options: { idFieldList: 'sku' } })).toEqual({
      format: 'org.elasticsearch.spark.sql',
      options: {
        'es.nodes': 'es1.internal,es2.internal',
        'es.port': '9243',
        'es.nodes.wan.only': 'true',
        'es.net.ssl': 'true',
        'es.net.http.auth.user': 'etl',
        'es.net.http.auth.pass': 'p@ss',
        'es.resource': 'orders_copy',
        'es.mapping.id': 'sku',
        'es.write.operation': 'upsert',
        'es.batch.size.entries': '200',
      },
      mode: 'append',
      secretOptions: ['es.net.http.auth.pass'],
    });
  });

  it('distribution opensearch (under the opensearch alias) maps to opensearch-hadoop; an API key travels as a secret Authorization header', async () => {
    await using os = await open({ distribution: 'opensearch', nodes: ['http://search.internal:9200'], apiKey: 'k3y' }, 'opensearch');
    expect(os.sparkRead('logs')).toEqual({
      format: 'opensearch',
      options: {
        'opensearch.nodes': 'search.internal',
        'opensearch.port': '9200',
        'opensearch.nodes.wan.only': 'true',
        'opensearch.net.http.header.Authorization': 'ApiKey k3y',
        'opensearch.resource': 'logs',
      },
      secretOptions: ['opensearch.net.http.header.Authorization'],
    });
    expect((await rejection(Promise.resolve().then(() => os.sparkWrite('logs', { options: { idFieldList: 'a,b' } }))))?.code).toBe('INVALID_ARGUMENT');
  });
});
