/**
 * Against a REAL search engine: OpenSearch 2.19 (tools/services/ensure-opensearch.sh →
 * SPARKLE_TEST_OPENSEARCH_URL), whose query DSL for the clauses the connector emits (term, terms,
 * range, prefix, exists, bool, match_none), `_bulk` item errors and `_aliases` actions are the
 * same as Elasticsearch's. Checked here with plain HTTP: every typed filter case, translated by
 * `toEsQuery`, selects what core's reference semantics select; a conflicting value comes back
 * as the per-item error shape the connector reads; the overwrite's alias swap is accepted
 * atomically. And the connector's native path (the @elastic/elasticsearch client) is refused by
 * the client's product check with a typed error — the native path is Elasticsearch only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection, type SparkleError } from '@sparkle/core';
import { DOCUMENT_SAMPLE, expectedIds, FILTER_CASES } from '@sparkle/testkit';
import { type ElasticsearchConnection, toEsQuery } from '../src/index.js';

const url = process.env.SPARKLE_TEST_OPENSEARCH_URL;
if (!url) console.warn('[elasticsearch] OpenSearch checks skipped: SPARKLE_TEST_OPENSEARCH_URL is not set (tools/services/ensure-opensearch.sh)');
const index = `sparkle_dsl_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;

async function http(method: string, path: string, body?: unknown, ndjson = false): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    ...(body === undefined ? {} : { body: ndjson ? (body as string) : JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** `field → field.keyword` for text fields with a keyword sub-field, from the real dynamic mapping. */
async function keywordFields(name: string): Promise<Map<string, string>> {
  const { json } = await http('GET', `/${name}/_mapping`);
  const out = new Map<string, string>();
  type Props = Record<string, { type?: string; properties?: Props; fields?: Record<string, { type?: string }> }>;
  const walk = (props: Props | undefined, prefix: string) => {
    for (const [k, p] of Object.entries(props ?? {})) {
      const kw = Object.entries(p.fields ?? {}).find(([, f]) => f.type === 'keyword')?.[0];
      if (kw) out.set(prefix + k, `${prefix}${k}.${kw}`);
      walk(p.properties, `${prefix}${k}.`);
    }
  };
  walk((json[name] as { mappings: { properties: Props } }).mappings.properties, '');
  return out;
}

describe.skipIf(!url)('query DSL, bulk item errors and alias actions against real OpenSearch', () => {
  afterAll(() => http('DELETE', `/${index}*`).then(() => undefined));

  it('every typed filter case selects what matchesFilter selects', async () => {
    // The sample without `mixed` (numbers, strings and objects in one field: a real engine refuses that, see below).
    const lines = DOCUMENT_SAMPLE.flatMap(({ _id, mixed: _m, ...doc }) => [JSON.stringify({ index: { _index: index, _id: String(_id) } }), JSON.stringify(doc)]);
    const bulk = await http('POST', '/_bulk?refresh=true', `${lines.join('\n')}\n`, true);
    expect(bulk.json.errors).toBe(false);
    const keyword = await keywordFields(index);
    for (const { name, filter } of FILTER_CASES) {
      const query = toEsQuery(filter, (f) => keyword.get(f) ?? f);
      const { status, json } = await http('POST', `/${index}/_search`, { query, size: 100, _source: false });
      expect(status, `${name}: ${JSON.stringify(json).slice(0, 300)}`).toBe(200);
      const ids = (json.hits as { hits: Array<{ _id: string }> }).hits.map((h) => Number(h._id)).sort((a, b) => a - b);
      expect(ids, `filter case '${name}': ${JSON.stringify(query)}`).toEqual(expectedIds(filter));
    }
  });

  it('a value conflicting with the mapping is a per-item error with type, reason and status (the shape the connector reports)', async () => {
    const name = `${index}_items`;
    const body = [{ n: 1 }, { n: 'two' }, { n: 3 }].flatMap((d, i) => [JSON.stringify({ index: { _index: name, _id: String(i) } }), JSON.stringify(d)]).join('\n');
    const { json } = await http('POST', '/_bulk?refresh=true', `${body}\n`, true);
    const items = (json.items as Array<{ index: { status: number; error?: { type: string; reason: string } } }>).map((i) => i.index);
    expect(json.errors).toBe(true);
    expect(items.map((i) => i.status)).toEqual([201, 400, 201]);
    expect(items[1]!.error).toMatchObject({ type: expect.stringMatching(/parsing_exception/), reason: expect.stringContaining('[n]') });
  });

  it('the overwrite swap (add alias + remove_index in one _aliases request) replaces a concrete index atomically', async () => {
    const name = `${index}_over`;
    const fresh = `${name}__sparkle_x1`;
    await http('POST', `/_bulk?refresh=true`, `${JSON.stringify({ index: { _index: name, _id: '1' } })}\n{"v":"old"}\n${JSON.stringify({ index: { _index: fresh, _id: '2' } })}\n{"v":"new"}\n`, true);
    const swap = await http('POST', '/_aliases', { actions: [{ add: { index: fresh, alias: name } }, { remove_index: { index: name } }] });
    expect(swap.json).toMatchObject({ acknowledged: true });
    const { json } = await http('POST', `/${name}/_search`, { query: { match_all: {} } });
    expect((json.hits as { hits: Array<{ _id: string; _source: unknown }> }).hits.map((h) => [h._id, h._source])).toEqual([['2', { v: 'new' }]]);
  });

  it('without distribution opensearch the client refuses the server with a typed, non-retryable CONNECTION_FAILED (product check)', async () => {
    await using es = await getConnection<ElasticsearchConnection>('opensearch', { config: { nodes: [url!] }, dotenv: false, variables: {} });
    const error = await es.listCollections().then(() => undefined, (e: unknown) => e as SparkleError);
    expect(error?.code).toBe('CONNECTION_FAILED');
    expect(error?.retryable).toBe(false);
    expect(error?.message).toMatch(/not Elasticsearch; for OpenSearch set 'distribution': 'opensearch'/);
  });
});

describe.skipIf(!url)('the connector (distribution opensearch) against real OpenSearch', () => {
  const open = () => getConnection<ElasticsearchConnection>('opensearch', { config: { distribution: 'opensearch', nodes: [url!], pageSize: 3 }, dotenv: false, variables: {} });
  const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const d of it) out.push(d); return out; };
  const sample = DOCUMENT_SAMPLE.map(({ mixed: _m, ...d }) => d);
  const name = `${index}_native`;
  afterAll(() => http('DELETE', `/${index}*`).then(() => undefined));

  it('check() names the server; upserts, then every filter case through findDocuments matches the reference', async () => {
    await using os = await open();
    const report = await os.check({ timeoutMs: 20_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/^opensearch 2\.19\.\d+ \(cluster sparkle-test\)$/);
    expect(await os.upsertDocuments(name, sample)).toEqual({ written: sample.length, failed: [] });
    expect(await os.listCollections()).toContain(name);
    for (const { name: caseName, filter } of FILTER_CASES) {
      const ids = (await all(os.findDocuments(name, { filter, projection: ['_id'] }))).map((d) => d._id as number).sort((a, b) => a - b);
      expect(ids, caseName).toEqual(expectedIds(filter));
    }
  });

  it('reads in point-in-time slices (every document once), projections, get, dates as timestamps, nested objects as structs', async () => {
    await using os = await open();
    const parts = await os.documentPartitions(name, { partitions: 3 });
    const seen = (await Promise.all(parts.map((p) => all(p.find({ projection: ['_id'] }))))).flat().map((d) => d._id as number);
    expect(seen.sort((a, b) => a - b)).toEqual(sample.map((d) => d._id));
    expect(await os.getDocument(name, 1, { projection: ['_id', 'address.city', 'total'] })).toEqual({ _id: 1, address: { city: 'Bern' }, total: 120.5 });
    expect((await os.getDocument(name, 3))?.created).toEqual(sample[2]!.created);
    await expect(os.getDocument(name, 999)).resolves.toBeUndefined();
    const frame = (await os.readTable(name, { numPartitions: 2 })) as { schema(): Promise<{ fields: Array<{ name: string; type: unknown }> }> };
    const types = Object.fromEntries((await frame.schema()).fields.map((f) => [f.name, String(f.type)]));
    expect(types.address).toBe('Struct<{city:Utf8, zip:Utf8}>');
    expect(types.created).toMatch(/^Timestamp/);
    expect(types.tags).toBe('List<Utf8>');
  });

  it('reports a conflicting value per item, deletes by key, and overwrites by alias swap', async () => {
    await using os = await open();
    const items = `${name}_items`;
    const result = await os.upsertDocuments(items, [{ _id: 1, n: 1 }, { _id: 2, n: 'two' }, { _id: 3, n: 3 }]);
    expect(result.written).toBe(2);
    expect(result.failed).toEqual([{ index: 1, key: 2, retryable: false, message: expect.stringMatching(/parsing_exception.*\(HTTP 400\)/) }]);
    expect(await os.deleteDocuments(items, [1, 99])).toBe(1);
    expect(await os.writeTable([{ _id: 7, v: 'new' }], items, { mode: 'overwrite' })).toMatchObject({ rows: 1, written: true });
    expect(await all(os.findDocuments(items))).toEqual([{ _id: 7, v: 'new' }]);
    expect((await os.listCollections()).filter((n) => n.startsWith(items))).toEqual([items]);
  });
});
