/** The `http` connection against real node:http servers on 127.0.0.1. */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, HttpError, SparkleError } from '@sparkle/core';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import type { RecordBatch } from 'apache-arrow';
import '../src/index.js';
import { formatOf } from '../src/index.js';
import { sendJson, startHttpServer as startServer, type TestHttpServer as TestServer } from '@sparkle/testkit';

const TOKEN = 'http-Bearer-Token-Never-Shown-9c1';

let server: TestServer;

beforeAll(async () => {
  await ensureLocalEngine();
  server = await startServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      // Echoes the credentials it got, as careless servers do: the client must redact them.
      return sendJson(res, 401, { error: 'bad token', got: req.headers.authorization ?? null });
    }
    switch (url.pathname) {
      case '/people.json':
        return sendJson(res, 200, [
          { id: 1, name: 'Ada', score: 1.5, active: true, tags: ['a', 'b'], address: { city: 'London' } },
          { id: 2, name: 'Grace', score: 2, active: false, tags: [], address: { city: 'Arlington' } },
          { id: 3, name: null, score: null, active: null, tags: null, address: null },
        ]);
      case '/wrapped':
        return sendJson(res, 200, { meta: { count: 2 }, data: { items: [{ id: 1 }, { id: 2 }] } });
      case '/events':
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"id":1,"kind":"click","at":"2026-01-02T03:04:05Z"}\n{"id":2,');
        res.end('"kind":"view","at":"2026-01-02T03:04:06Z"}\n\n{"id":3,"kind":"click","at":"2026-01-02T03:04:07Z"}');
        return;
      case '/bad.ndjson':
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"id":1}\n{"id":\n');
        return;
      case '/export':
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end('id,name,amount,flag\n1,Zürich,10.5,true\n2,"4711",,false\n3,"a, b",-3,\n');
        return;
      case '/echo':
        return sendJson(res, 201, { method: req.method, body: JSON.parse(req.body || 'null') }, { 'x-request-id': 'req-77' });
      default:
        return sendJson(res, 404, { error: 'not found' });
    }
  });
});
afterAll(() => server.close());

const open = (extra: Record<string, unknown> = {}) =>
  getConnection('http', { config: { baseUrl: server.url, auth: { type: 'bearer', token: TOKEN }, ...extra }, dotenv: false, variables: {} });

async function batchesOf(frame: unknown): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of frame as AsyncIterable<RecordBatch>) out.push(b);
  return out;
}

describe('http readTable', () => {
  it('reads a JSON array into Arrow with an inferred schema', async () => {
    await using conn = await open();
    const batches = await batchesOf(await conn.readTable('/people.json'));
    const schema = batches[0]!.schema;
    expect(schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:Int64',
      'name:Utf8',
      'score:Float64',
      'active:Bool',
      'tags:List<Utf8>',
      'address:Struct<{city:Utf8}>',
    ]);
    const rows = await collectRows(await conn.readTable('/people.json'));
    expect(rows.map((r) => [r.id, r.name, r.score, r.active])).toEqual([
      [1n, 'Ada', 1.5, true],
      [2n, 'Grace', 2, false],
      [3n, null, null, null],
    ]);
  });

  it('selects records with a JSON pointer, and says so when the pointer matches nothing', async () => {
    await using conn = await open({ recordSelector: '/data/items' });
    expect((await collectRows(await conn.readTable('/wrapped'))).map((r) => r.id)).toEqual([1n, 2n]);
    await using wrong = await open({ recordSelector: '/data/rows' });
    const error = await wrong.readTable('/wrapped').then(collectRows).catch((e: unknown) => e);
    expect(SparkleError.isInstance(error)).toBe(true);
    expect((error as SparkleError).code).toBe('QUERY_FAILED');
    expect((error as Error).message).toContain('"/data/rows" matches nothing');
    expect((error as Error).message).toContain('top-level keys: meta, data');
  });

  it('streams NDJSON (records split across chunks, blank lines skipped) with a declared timestamp column', async () => {
    await using conn = await open({ schema: { id: 'long', kind: 'string', at: 'timestamp' } });
    const batches = await batchesOf(await conn.readTable('/events'));
    expect(batches[0]!.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Utf8', 'Timestamp<MICROSECOND, UTC>']);
    const rows = await collectRows(await conn.readTable('/events'));
    expect(rows.map((r) => r.kind)).toEqual(['click', 'view', 'click']);
    expect(rows.map((r) => Number(r.at))).toEqual([Date.UTC(2026, 0, 2, 3, 4, 5), Date.UTC(2026, 0, 2, 3, 4, 6), Date.UTC(2026, 0, 2, 3, 4, 7)]);
  });

  it('names the NDJSON line that is not JSON', async () => {
    await using conn = await open();
    const error = await conn.readTable('/bad.ndjson').then(collectRows).catch((e: unknown) => e);
    expect((error as Error).message).toContain('NDJSON line 2 is not JSON');
  });

  it('reads CSV: numbers typed, quoted text kept as text, empty fields null', async () => {
    await using conn = await open();
    const batches = await batchesOf(await conn.readTable('/export'));
    expect(batches[0]!.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['id:Int64', 'name:Utf8', 'amount:Float64', 'flag:Bool']);
    const rows = await collectRows(await conn.readTable('/export'));
    expect(rows).toEqual([
      { id: 1n, name: 'Zürich', amount: 10.5, flag: true },
      { id: 2n, name: '4711', amount: null, flag: false },
      { id: 3n, name: 'a, b', amount: -3, flag: null },
    ]);
  });

  it('projects columns and refuses SQL predicates', async () => {
    await using conn = await open();
    expect(await collectRows(await conn.readTable('/people.json', { columns: ['name'] }))).toEqual([{ name: 'Ada' }, { name: 'Grace' }, { name: null }]);
    const error = await conn.readTable('/people.json', { where: 'id > 1' }).then(collectRows).catch((e: unknown) => e);
    expect((error as SparkleError).code).toBe('UNSUPPORTED');
  });

  it('picks the format from the content type, then the extension', () => {
    expect(formatOf('auto', 'application/x-ndjson', '/x')).toBe('ndjson');
    expect(formatOf('auto', 'text/csv', '/x')).toBe('csv');
    expect(formatOf('auto', 'application/json; charset=utf-8', '/x.csv')).toBe('json');
    expect(formatOf('auto', null, '/x.jsonl?y=1')).toBe('ndjson');
    expect(formatOf('csv', 'application/json', '/x')).toBe('csv');
  });
});

describe('http request()', () => {
  it('passes a request through with the connection auth and returns the response', async () => {
    await using conn = await open();
    const res = await (conn as unknown as { request(o: object): Promise<{ status: number; requestId?: string; json(): Promise<unknown> }> }).request({ method: 'POST', path: '/echo', json: { a: 1 } });
    expect(res.status).toBe(201);
    expect(res.requestId).toBe('req-77');
    expect(await res.json()).toEqual({ method: 'POST', body: { a: 1 } });
  });

  it('never prints the token: toString, inspect, and a 401 whose body echoes it', async () => {
    await using conn = await open({ auth: { type: 'bearer', token: `${TOKEN}-wrong` } });
    expect(String(conn)).not.toContain(TOKEN);
    expect(inspect(conn, { depth: 10 })).not.toContain(TOKEN);
    const error = await conn.readTable('/people.json').then(collectRows).catch((e: unknown) => e);
    expect(HttpError.isInstance(error)).toBe(true);
    expect((error as HttpError).status).toBe(401);
    expect((error as SparkleError).code).toBe('AUTHENTICATION_FAILED');
    for (const text of [(error as Error).message, JSON.stringify((error as SparkleError).toJSON()), inspect(error, { depth: 10 })]) expect(text).not.toContain(TOKEN);
  });
});
