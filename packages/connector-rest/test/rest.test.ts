/** The `rest` connection against real node:http servers on 127.0.0.1: every pagination style, schemas, writes, OAuth2, redaction. */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf, getConnection, SparkleError, type SparkleConnection } from '@sparkle/core';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import type { RecordBatch } from 'apache-arrow';
import '../src/index.js';
import { RestConnection } from '../src/index.js';
import { sendJson, startHttpServer as startServer, type SeenHttpRequest as SeenRequest, type TestHttpServer as TestServer } from '@sparkle/testkit';

const TOTAL = 25;
const PAGE = 10;
const CLIENT_SECRET = 'rest-Client-Secret-Never-Shown-41';
const API_KEY = 'rest-Api-Key-Never-Shown-77';
const REFRESH_TOKEN = 'rest-Refresh-Token-Never-Shown-08';

const record = (id: number) => ({ id, name: `n${id}`, score: id / 2, active: id % 2 === 0, created: new Date(Date.UTC(2026, 0, id)).toISOString(), nested: { k: id } });
const slice = (from: number, count: number) => Array.from({ length: Math.max(0, Math.min(count, TOTAL - from)) }, (_, i) => record(from + i + 1));

let api: TestServer;
let tokensIssued = 0;
const sink: { batches: unknown[]; keys: string[] } = { batches: [], keys: [] };
const sinkAttempts = new Map<string, number>();
let inFlight = 0;
let maxInFlight = 0;

function query(req: SeenRequest): URLSearchParams {
  return new URL(req.url, 'http://x').searchParams;
}

beforeAll(async () => {
  await ensureLocalEngine();
  api = await startServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const q = query(req);
    switch (url.pathname) {
      case '/cursor': {
        const from = Number(q.get('cursor') ?? 0);
        const next = from + PAGE < TOTAL ? String(from + PAGE) : null;
        return sendJson(res, 200, { data: slice(from, PAGE), meta: { next } });
      }
      case '/offset':
        return sendJson(res, 200, { items: slice(Number(q.get('skip')), Number(q.get('take'))), total: TOTAL });
      case '/pages': {
        const page = Number(q.get('page'));
        return sendJson(res, 200, { results: slice((page - 1) * Number(q.get('per_page')), Number(q.get('per_page'))) });
      }
      case '/link': {
        const page = Number(q.get('page') ?? 1);
        const headers: Record<string, string> = (page * PAGE < TOTAL ? { link: `</link?page=${page + 1}>; rel="next", </link?page=1>; rel="first"` } : {});
        return sendJson(res, 200, slice((page - 1) * PAGE, PAGE), headers);
      }
      case '/next': {
        const page = Number(q.get('page') ?? 1);
        return sendJson(res, 200, { results: slice((page - 1) * PAGE, PAGE), next: page * PAGE < TOTAL ? `${api.url}/next?page=${page + 1}` : null });
      }
      case '/single':
        return sendJson(res, 200, { data: slice(0, TOTAL) });
      case '/loop':
        return sendJson(res, 200, { data: slice(0, 2), next: 'again' });
      case '/endless':
        return sendJson(res, 200, { data: slice(0, PAGE) });
      case '/mixed':
        // The sample (first page) sees integers only; the second page has text in the same field.
        return sendJson(res, 200, q.get('cursor') ? { data: [{ id: 'x-3' }], next: null } : { data: [{ id: 1 }, { id: 2 }], next: 'p2' });
      case '/sink': {
        const key = String(req.headers['idempotency-key'] ?? '');
        const body = JSON.parse(req.body) as { records: Array<{ id: number }> };
        const attempt = (sinkAttempts.get(key) ?? 0) + 1;
        sinkAttempts.set(key, attempt);
        // Batch 3 (records 21–30) is refused once with 503 + Retry-After, then accepted.
        if (body.records[0]!.id === 21 && attempt === 1) return sendJson(res, 503, { error: 'busy' }, { 'retry-after': '1' });
        sink.batches.push(body.records);
        sink.keys.push(key);
        return sendJson(res, 201, { accepted: body.records.length });
      }
      case '/broken': {
        const body = JSON.parse(req.body) as Array<{ id: number }>;
        if (body[0]!.id === 5) return sendJson(res, 422, { error: 'record 5 is invalid' });
        return sendJson(res, 201, { ok: true });
      }
      case '/slow': {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight--;
        return sendJson(res, 201, { ok: true });
      }
      case '/token': {
        const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
        const form = new URLSearchParams(req.body);
        const grant = form.get('grant_type');
        const grantOk = grant === 'client_credentials' || (grant === 'refresh_token' && form.get('refresh_token') === REFRESH_TOKEN);
        if (basic !== `etl-client:${CLIENT_SECRET}` || !grantOk) return sendJson(res, 401, { error: 'invalid_client' });
        tokensIssued++;
        return sendJson(res, 200, { access_token: `tok-${tokensIssued}`, token_type: 'bearer', expires_in: 3600 });
      }
      case '/secure':
        if (req.headers.authorization !== 'Bearer tok-1') return sendJson(res, 401, { error: 'invalid_token' });
        return sendJson(res, 200, { data: slice(0, 3) });
      case '/keyed':
        if (req.headers['x-api-key'] !== API_KEY) return sendJson(res, 403, { error: 'forbidden', got: req.headers['x-api-key'] ?? null });
        return sendJson(res, 200, []);
    }
    if (url.pathname.startsWith('/items/') && req.method === 'PUT') return sendJson(res, 200, { id: url.pathname.slice(7) });
    return sendJson(res, 404, { error: 'not found' });
  });
});
afterAll(() => api.close());

const endpoints = {
  cursor: { path: '/cursor', recordSelector: '/data', pagination: { type: 'cursor', cursorPointer: '/meta/next', cursorParam: 'cursor' }, primaryKey: 'id' },
  offset: { path: '/offset', recordSelector: '/items', pagination: { type: 'offset', limit: PAGE, offsetParam: 'skip', limitParam: 'take', totalPointer: '/total' } },
  pages: { path: '/pages', recordSelector: '/results', pagination: { type: 'page_number', pageSize: PAGE, sizeParam: 'per_page' } },
  link: { path: '/link', pagination: { type: 'link_header' } },
  next: { path: '/next', recordSelector: '/results', pagination: { type: 'next_url', nextUrlPointer: '/next' } },
  single: { path: '/single', recordSelector: '/data' },
  loop: { path: '/loop', recordSelector: '/data', pagination: { type: 'cursor', cursorPointer: '/next', cursorParam: 'c' } },
  endless: { path: '/endless', recordSelector: '/data', pagination: { type: 'page_number' }, maxPages: 3 },
  mixed: { path: '/mixed', recordSelector: '/data', pagination: { type: 'cursor', cursorPointer: '/next', cursorParam: 'cursor' } },
  nowhere: { path: '/single', recordSelector: '/records' },
  typed: { path: '/single', recordSelector: '/data', schema: { id: 'int', name: 'string', created: 'timestamp', score: 'double' } },
  sink: { path: '/sink', write: { batchSize: 10, wrapKey: 'records', idempotencyKey: true } },
  broken: { path: '/broken', write: { batchSize: 2 } },
  slow: { path: '/slow', write: { batchSize: 1, concurrency: 3 } },
  items: { path: '/items', write: { method: 'PUT', path: '/items/{id}', body: 'record' } },
  secure: { path: '/secure', recordSelector: '/data' },
  keyed: { path: '/keyed' },
};

const open = (extra: Record<string, unknown> = {}) =>
  getConnection('rest', { config: { baseUrl: api.url, endpoints, retry: { attempts: 3, baseDelayMs: 1 }, ...extra }, dotenv: false, variables: {} }) as Promise<SparkleConnection<object> & RestConnection>;

const failure = (p: Promise<unknown>) => p.then(collectRows).then(() => undefined, (e: unknown) => e);

describe('rest reads: every pagination style into Arrow', () => {
  it.each(['cursor', 'offset', 'pages', 'link', 'next', 'single'])('%s reads all 25 records in order, typed', async (name) => {
    await using conn = await open();
    const frame = await conn.readTable(name);
    const batches: RecordBatch[] = [];
    for await (const b of frame as AsyncIterable<RecordBatch>) batches.push(b);
    expect(batches[0]!.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:Int64',
      'name:Utf8',
      'score:Float64',
      'active:Bool',
      'created:Utf8',
      'nested:Struct<{k:Int64}>',
    ]);
    const rows = await collectRows(await conn.readTable(name));
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(rows[3]).toMatchObject({ id: 4n, name: 'n4', score: 2, active: true, nested: { k: 4n } });
  });

  it('fetches pages lazily: the first batch arrives before the last page is requested', async () => {
    await using conn = await open();
    const before = api.requests.length;
    const frame = (await conn.readTable('cursor', { fetchSize: 5, sampleSize: 5 })) as AsyncIterable<RecordBatch>;
    const iterator = frame[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value.numRows).toBe(5);
    const cursorRequests = api.requests.slice(before).filter((r) => r.url.startsWith('/cursor'));
    expect(cursorRequests.length).toBe(1);
    await iterator.return?.();
  });

  it('uses a declared schema (timestamps from ISO text, int32) instead of inferring', async () => {
    await using conn = await open();
    const frame = (await conn.readTable('typed')) as AsyncIterable<RecordBatch>;
    const batches: RecordBatch[] = [];
    for await (const b of frame) batches.push(b);
    expect(batches[0]!.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['id:Int32', 'name:Utf8', 'created:Timestamp<MICROSECOND, UTC>', 'score:Float64']);
    const rows = await collectRows(await conn.readTable('typed', { columns: ['id', 'created'] }));
    expect(rows[1]).toEqual({ id: 2, created: Date.UTC(2026, 0, 2) });
  });

  it('a record that does not fit the sampled schema fails naming the record and field', async () => {
    await using conn = await open();
    const error = await failure(conn.readTable('mixed', { sampleSize: 2 }));
    expect((error as SparkleError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain("endpoint 'mixed' record 2: field 'id'");
    // A sample that reaches the second page infers text for the mixed field.
    const rows = await collectRows(await conn.readTable('mixed'));
    expect(rows.map((r) => r.id)).toEqual(['1', '2', 'x-3']);
  });

  it('refuses a page loop that never ends and stops at maxPages', async () => {
    await using conn = await open();
    const loop = await failure(conn.readTable('loop'));
    expect((loop as SparkleError).code).toBe('QUERY_FAILED');
    expect((loop as Error).message).toContain('same cursor twice');
    const endless = await failure(conn.readTable('endless'));
    expect((endless as Error).message).toContain('maxPages=3');
  });

  it('says when the record selector matches nothing, and names unknown endpoints', async () => {
    await using conn = await open();
    const error = await failure(conn.readTable('nowhere'));
    expect((error as Error).message).toContain('recordSelector "/records" matches nothing');
    expect((error as Error).message).toContain('top level: data');
    const unknown = await failure(conn.readTable('orders'));
    expect((unknown as Error).message).toMatch(/no endpoint named 'orders'.*declared: cursor, offset/);
  });

  it('honours an aborted signal', async () => {
    await using conn = await open();
    const controller = new AbortController();
    controller.abort();
    const error = await failure(conn.readTable('cursor', { signal: controller.signal }));
    expect((error as SparkleError).code).toBe('ABORTED');
  });

  it('an abort in the middle of a read stops it, typed', async () => {
    await using conn = await open();
    const controller = new AbortController();
    const before = api.requests.length;
    const frame = (await conn.readTable('cursor', { fetchSize: 5, sampleSize: 5, signal: controller.signal })) as AsyncIterable<RecordBatch>;
    const iterator = frame[Symbol.asyncIterator]();
    expect((await iterator.next()).value.numRows).toBe(5);
    controller.abort();
    const error = await (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return undefined;
      }
    })().catch((e: unknown) => e);
    expect((error as SparkleError).code).toBe('ABORTED');
    // The read stopped before the last page.
    expect(api.requests.slice(before).filter((r) => r.url.startsWith('/cursor')).length).toBeLessThan(3);
  });

  it('refuses Spark with a pointer to the local engine, and does not claim the spark capability', async () => {
    expect(capabilitiesOf(RestConnection)).toEqual(['read', 'write']);
    await using conn = await open();
    expect(() => conn.sparkRead('cursor', {})).toThrow(/Open the connection without 'spark' to read it with the local engine/);
  });
});

describe('rest writes', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `w${i + 1}` }));

  it('sends batches with one idempotency key each; batch 3 refused with 503 + Retry-After is resent with the same key', async () => {
    sink.batches.length = 0;
    sink.keys.length = 0;
    await using conn = await open();
    const result = await conn.writeTable(rows(45), 'sink', { mode: 'append' });
    expect(result.rows).toBe(45);
    expect(sink.batches.map((b) => (b as unknown[]).length)).toEqual([10, 10, 10, 10, 5]);
    expect(sink.batches.flat().map((r) => (r as { id: number }).id)).toEqual(rows(45).map((r) => r.id));
    expect(new Set(sink.keys).size).toBe(5);
    const third = sink.keys[2]!;
    expect(sinkAttempts.get(third)).toBe(2);
    const attemptsOfThird = api.requests.filter((r) => r.headers['idempotency-key'] === third);
    expect(attemptsOfThird).toHaveLength(2);
    expect(attemptsOfThird[0]!.body).toBe(attemptsOfThird[1]!.body);
  });

  it('a batch that fails for good fails the write naming the batch and what was written before it', async () => {
    await using conn = await open();
    const error = (await conn.writeTable(rows(9), 'broken', { mode: 'append' }).then(
      () => undefined,
      (e: unknown) => e,
    )) as SparkleError;
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toContain('batch 3 (records 5–6) was not delivered');
    expect(error.message).toContain('4 record(s) in the batches before it were written');
    expect(error.message).toContain('HTTP 422');
    expect(error.details).toMatchObject({ failedBatch: 3, writtenBefore: 4, firstFailedRecord: 4 });
  });

  it('with several batches in flight, a failure still names the batch and what landed before it', async () => {
    await using conn = await open({ endpoints: { ...endpoints, broken: { path: '/broken', write: { batchSize: 2, concurrency: 3 } } } });
    const error = (await conn.writeTable(rows(12), 'broken', { mode: 'append' }).catch((e: unknown) => e)) as SparkleError;
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.details).toMatchObject({ failedBatch: 3, writtenBefore: 4 });
    expect(error.message).toContain('resend from record 5');
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    maxInFlight = 0;
    await using conn = await open();
    const result = await conn.writeTable(rows(12), 'slow', { mode: 'append' });
    expect(result.rows).toBe(12);
    expect(maxInFlight).toBeGreaterThanOrEqual(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });

  it('PUTs one record per request to a {field} path', async () => {
    await using conn = await open();
    const before = api.requests.length;
    await conn.writeTable([{ id: 'a/b', v: 1 }, { id: 'c', v: 2 }], 'items', { mode: 'append' });
    const sent = api.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['PUT /items/a%2Fb {"id":"a/b","v":1}', 'PUT /items/c {"id":"c","v":2}']);
  });

  it('refuses overwrite and endpoints without a write block', async () => {
    await using conn = await open();
    const overwrite = (await conn.writeTable(rows(1), 'sink', { mode: 'overwrite' }).catch((e: unknown) => e)) as SparkleError;
    expect(overwrite.code).toBe('UNSUPPORTED');
    const readOnly = (await conn.writeTable(rows(1), 'cursor', { mode: 'append' }).catch((e: unknown) => e)) as SparkleError;
    expect(readOnly.message).toContain("endpoint 'cursor' has no 'write' block");
  });
});

describe('rest auth', () => {
  it('OAuth2 client credentials: one token fetched and reused across reads', async () => {
    tokensIssued = 0;
    await using conn = await open({ auth: { type: 'oauth2', tokenUrl: `${api.url}/token`, clientId: 'etl-client', clientSecret: CLIENT_SECRET } });
    expect((await collectRows(await conn.readTable('secure'))).map((r) => r.id)).toEqual([1n, 2n, 3n]);
    expect((await collectRows(await conn.readTable('secure'))).length).toBe(3);
    expect(tokensIssued).toBe(1);
  });

  it('OAuth2 refresh token: the refresh grant is used and the token reused', async () => {
    tokensIssued = 0;
    await using conn = await open({ auth: { type: 'oauth2', tokenUrl: `${api.url}/token`, clientId: 'etl-client', clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN } });
    expect((await collectRows(await conn.readTable('secure'))).length).toBe(3);
    expect((await collectRows(await conn.readTable('secure'))).length).toBe(3);
    expect(tokensIssued).toBe(1);
    const tokenRequests = api.requests.filter((r) => r.url === '/token');
    expect(new URLSearchParams(tokenRequests.at(-1)!.body).get('grant_type')).toBe('refresh_token');
    expect(inspect(conn, { depth: 10 })).not.toContain(REFRESH_TOKEN);
  });

  it('a refused client secret fails typed without printing it', async () => {
    await using conn = await open({ auth: { type: 'oauth2', tokenUrl: `${api.url}/token`, clientId: 'etl-client', clientSecret: `${CLIENT_SECRET}-old` } });
    const error = (await failure(conn.readTable('secure'))) as SparkleError;
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    for (const text of [error.message, JSON.stringify(error.toJSON()), inspect(error, { depth: 10 })]) expect(text).not.toContain(CLIENT_SECRET);
  });

  it('an API key never appears in toString, inspect or a 403 that echoes it', async () => {
    await using conn = await open({ auth: { type: 'api_key', name: 'x-api-key', value: `${API_KEY}-revoked` } });
    expect(String(conn)).not.toContain(API_KEY);
    expect(inspect(conn, { depth: 10 })).not.toContain(API_KEY);
    const error = (await failure(conn.readTable('keyed'))) as SparkleError;
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).toContain('HTTP 403');
    for (const text of [error.message, JSON.stringify(error.toJSON()), inspect(error, { depth: 10 })]) expect(text).not.toContain(API_KEY);
  });
});
