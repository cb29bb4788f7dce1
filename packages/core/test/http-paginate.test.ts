/**
 * Every paginator against a real `node:http` server serving the same 8 records in pages of 3,
 * in that style's own protocol, plus the bounds: maxPages, repeated cursors, cross-origin links.
 * And the two hand-written parsers they rest on: RFC 6901 pointers and RFC 8288 Link headers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createHttpClient,
  linkHeaderTarget,
  paginateCursor,
  paginateGraphQL,
  paginateLinkHeader,
  paginateNextUrl,
  paginateOffset,
  paginatePageNumber,
  parseJsonPointer,
  recordPages,
  resolveJsonPointer,
  type HttpPageInfo,
} from '../src/index.js';
import { sendJson, startServer, type TestServer } from './http-server.js';

const RECORDS = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, name: `r${i + 1}` }));
const SIZE = 3;

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (url: URL, body: string) => { status?: number; body: unknown; headers?: Record<string, string> }): Promise<TestServer> {
  const s = await startServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const out = handler(url, req.body);
    sendJson(res, out.status ?? 200, out.body, out.headers);
  });
  servers.push(s);
  return s;
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const ids = (records: Array<{ id: number }>) => records.map((r) => r.id);

describe('paginators', () => {
  it('cursor: the body names the next cursor, sent back as a query parameter', async () => {
    const s = await serve((url) => {
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const next = start + SIZE < RECORDS.length ? String(start + SIZE) : null;
      return { body: { data: RECORDS.slice(start, start + SIZE), meta: { next_cursor: next } } };
    });
    const api = createHttpClient({ baseUrl: s.url });
    const pages: HttpPageInfo[] = [];
    const got = await all(paginateCursor<{ id: number }>(api, { request: { path: '/items', query: { limit: SIZE } }, itemsPointer: '/data', cursorPointer: '/meta/next_cursor', cursorParam: 'cursor', onPage: (p) => pages.push(p) }));
    expect(ids(got)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.requests.map((r) => r.url)).toEqual(['/items?limit=3', '/items?limit=3&cursor=3', '/items?limit=3&cursor=6']);
    expect(pages.map((p) => [p.page, p.records])).toEqual([
      [1, 3],
      [2, 3],
      [3, 2],
    ]);
  });

  it('offset/limit: ends on a short page, or exactly at the total', async () => {
    const s = await serve((url) => {
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      return { body: { items: RECORDS.slice(offset, offset + limit), total: RECORDS.length } };
    });
    const api = createHttpClient({ baseUrl: s.url });
    expect(ids(await all(paginateOffset<{ id: number }>(api, { request: { path: '/rows' }, itemsPointer: '/items', limit: SIZE })))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.requests.map((r) => r.url)).toEqual(['/rows?offset=0&limit=3', '/rows?offset=3&limit=3', '/rows?offset=6&limit=3']);
    // With limit 4 the last page is full; the total ends the loop without an empty extra request.
    s.requests.length = 0;
    expect(ids(await all(paginateOffset<{ id: number }>(api, { request: { path: '/rows' }, itemsPointer: '/items', limit: 4, totalPointer: '/total', offsetParam: 'offset', limitParam: 'limit' })))).toHaveLength(8);
    expect(s.requests).toHaveLength(2);
  });

  it('page number: follows ?page=N from the first page, with a page size or a page count', async () => {
    const s = await serve((url) => {
      const page = Number(url.searchParams.get('p'));
      const per = Number(url.searchParams.get('per_page') ?? SIZE);
      return { body: { results: RECORDS.slice((page - 1) * per, page * per), pages: Math.ceil(RECORDS.length / per) } };
    });
    const api = createHttpClient({ baseUrl: s.url });
    expect(ids(await all(paginatePageNumber<{ id: number }>(api, { request: { path: '/list' }, itemsPointer: '/results', pageParam: 'p', pageSize: SIZE, sizeParam: 'per_page' })))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.requests.map((r) => r.url)).toEqual(['/list?p=1&per_page=3', '/list?p=2&per_page=3', '/list?p=3&per_page=3']);
    s.requests.length = 0;
    expect(await all(paginatePageNumber(api, { request: { path: '/list' }, itemsPointer: '/results', pageParam: 'p', totalPagesPointer: '/pages' }))).toHaveLength(8);
    expect(s.requests).toHaveLength(3);
  });

  it('Link header rel="next", relative and absolute targets, among other relations', async () => {
    let origin = '';
    const s = await serve((url) => {
      const page = Number(url.searchParams.get('page') ?? '1');
      const links = [`<${origin}/issues?page=1&per_page=3>; rel="first"`];
      if (page * SIZE < RECORDS.length) links.push(page === 1 ? `</issues?page=2&per_page=3>; rel="next"` : `<${origin}/issues?page=${page + 1}&per_page=3>; rel="last next"`);
      return { body: RECORDS.slice((page - 1) * SIZE, page * SIZE), headers: { link: links.join(', ') } };
    });
    origin = s.url;
    const api = createHttpClient({ baseUrl: s.url });
    expect(ids(await all(paginateLinkHeader<{ id: number }>(api, { request: { path: '/issues', query: { per_page: 3 } } })))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.requests.map((r) => r.url)).toEqual(['/issues?per_page=3', '/issues?page=2&per_page=3', '/issues?page=3&per_page=3']);
  });

  it('next URL in the body (JSON pointer), resolved against the page URL', async () => {
    const s = await serve((url) => {
      const page = Number(url.searchParams.get('page') ?? '1');
      const next = page * SIZE < RECORDS.length ? `/api/things?page=${page + 1}` : null;
      return { body: { results: RECORDS.slice((page - 1) * SIZE, page * SIZE), links: { next } } };
    });
    const api = createHttpClient({ baseUrl: `${s.url}/api` });
    expect(ids(await all(paginateNextUrl<{ id: number }>(api, { request: { path: 'things' }, itemsPointer: '/results', nextUrlPointer: '/links/next' })))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.requests.map((r) => r.url)).toEqual(['/api/things', '/api/things?page=2', '/api/things?page=3']);
  });

  it('GraphQL connections: nodes or edges, endCursor while hasNextPage; errors fail the read', async () => {
    const s = await serve((_url, raw) => {
      const { query, variables } = JSON.parse(raw) as { query: string; variables: { after: string | null; owner: string } };
      if (query.includes('broken')) return { body: { data: null, errors: [{ message: 'Field "broken" does not exist' }] } };
      const start = variables.after === null ? 0 : Number(Buffer.from(variables.after, 'base64').toString());
      const slice = RECORDS.slice(start, start + SIZE);
      const end = start + slice.length;
      const pageInfo = { hasNextPage: end < RECORDS.length, endCursor: Buffer.from(String(end)).toString('base64') };
      const connection = query.includes('edges') ? { edges: slice.map((node) => ({ node })), pageInfo } : { nodes: slice, pageInfo };
      return { body: { data: { repository: { owner: variables.owner, issues: connection } } } };
    });
    const api = createHttpClient({ baseUrl: s.url });
    const query = 'query($after: String, $owner: String) { repository { issues(first: 3, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } } }';
    expect(ids(await all(paginateGraphQL<{ id: number }>(api, { query, variables: { owner: 'o' }, connectionPointer: '/data/repository/issues' })))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.requests.map((r) => [r.method, r.url, JSON.parse(r.body).variables.after])).toEqual([
      ['POST', '/graphql', null],
      ['POST', '/graphql', 'Mw=='],
      ['POST', '/graphql', 'Ng=='],
    ]);
    const edges = query.replace('nodes { id name }', 'edges { node { id name } }');
    expect(ids(await all(paginateGraphQL<{ id: number }>(api, { query: edges, connectionPointer: '/data/repository/issues' })))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await expect(all(paginateGraphQL(api, { query: '{ broken }', connectionPointer: '/data/x' }))).rejects.toMatchObject({ code: 'QUERY_FAILED', message: 'GraphQL query failed: Field "broken" does not exist' });
  });
});

describe('bounds', () => {
  /** A server that always has a next page. */
  async function endless() {
    return serve((url) => {
      const n = Number(url.searchParams.get('cursor') ?? '0');
      return { body: { data: [{ id: n }], next: String(n + 1) } };
    });
  }

  it('maxPages throws by default (a truncated read is never silent) and stops on request', async () => {
    const s = await endless();
    const api = createHttpClient({ baseUrl: s.url });
    const read: number[] = [];
    const failure = await (async () => {
      for await (const r of paginateCursor<{ id: number }>(api, { request: { path: '/e' }, itemsPointer: '/data', cursorPointer: '/next', cursorParam: 'cursor', maxPages: 4 })) read.push(r.id);
    })().catch((e: unknown) => e);
    expect(read).toEqual([0, 1, 2, 3]);
    expect(failure).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/stopped after maxPages=4 while the server still had more/) });
    expect(s.requests).toHaveLength(4);
    const prefix = await all(paginateCursor<{ id: number }>(api, { request: { path: '/e' }, itemsPointer: '/data', cursorPointer: '/next', cursorParam: 'cursor', maxPages: 2, onMaxPages: 'stop' }));
    expect(ids(prefix)).toEqual([0, 1]);
  });

  it('a cursor that repeats is refused instead of looping forever', async () => {
    const s = await serve(() => ({ body: { data: [{ id: 1 }], next: 'same' } }));
    const api = createHttpClient({ baseUrl: s.url });
    await expect(all(paginateCursor(api, { request: { path: '/r' }, itemsPointer: '/data', cursorPointer: '/next', cursorParam: 'c' }))).rejects.toMatchObject({ code: 'QUERY_FAILED', message: expect.stringMatching(/same cursor twice/) });
    expect(s.requests).toHaveLength(2);
  });

  it('a next link to another origin is refused (credentials would follow it); the other server sees nothing', async () => {
    const other = await serve(() => ({ body: [{ id: 99 }] }));
    const s = await serve(() => ({ body: { results: [{ id: 1 }], next: `${other.url}/steal?page=2` } }));
    const api = createHttpClient({ baseUrl: s.url, headers: { authorization: 'Bearer t' } });
    await expect(all(paginateNextUrl(api, { request: { path: '/p' }, itemsPointer: '/results', nextUrlPointer: '/next' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/refused a next page on http:\/\/127\.0\.0\.1:\d+/) });
    expect(other.requests).toHaveLength(0);
    const allowed = await all(paginateNextUrl<{ id: number }>(api, { request: { path: '/p' }, itemsPointer: '/results', nextUrlPointer: '/next', allowCrossOrigin: true, maxPages: 2, onMaxPages: 'stop' }));
    expect(allowed).toHaveLength(1); // the other server's page is a bare array, not at /results
    expect(other.requests).toHaveLength(1);
  });

  it('an itemsPointer that selects a non-array names the pointer', async () => {
    const s = await serve(() => ({ body: { data: { not: 'a list' } } }));
    await expect(all(paginateCursor(createHttpClient({ baseUrl: s.url }), { request: { path: '/x' }, itemsPointer: '/data', cursorPointer: '/n', cursorParam: 'c' }))).rejects.toMatchObject({
      message: expect.stringMatching(/itemsPointer "\/data" selects a object, not an array/),
    });
  });
});

describe('parsers', () => {
  it('RFC 6901: the examples of section 5', () => {
    const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };
    const cases: Array<[string, unknown]> = [
      ['', doc],
      ['/foo', ['bar', 'baz']],
      ['/foo/0', 'bar'],
      ['/', 0],
      ['/a~1b', 1],
      ['/c%d', 2],
      ['/e^f', 3],
      ['/g|h', 4],
      ['/i\\j', 5],
      ['/k"l', 6],
      ['/ ', 7],
      ['/m~0n', 8],
    ];
    for (const [pointer, value] of cases) expect(resolveJsonPointer(doc, pointer), pointer).toEqual(value);
    expect(resolveJsonPointer(doc, '/foo/01')).toBeUndefined();
    expect(resolveJsonPointer(doc, '/foo/-')).toBeUndefined();
    expect(resolveJsonPointer(doc, '/missing/x')).toBeUndefined();
    expect(resolveJsonPointer({ a: null }, '/a/b')).toBeUndefined();
    expect(resolveJsonPointer({}, '/toString')).toBeUndefined(); // own properties only
    expect(parseJsonPointer('/~01')).toEqual(['~1']); // ~1 is unescaped first, then ~0
    expect(() => parseJsonPointer('data')).toThrow(/must be empty or start with "\/"/);
    expect(() => parseJsonPointer('/a~2')).toThrow(/invalid escape/);
  });

  it('RFC 8288 Link headers: quoted and bare rel, several relations, commas inside URLs', () => {
    const header = '<https://api.example.com/x?page=1>; rel="first", <https://api.example.com/x?page=3&a=1,2>; rel="next last"; title="p3", </x?page=9>; rel=prev';
    expect(linkHeaderTarget(header)).toBe('https://api.example.com/x?page=3&a=1,2');
    expect(linkHeaderTarget(header, 'last')).toBe('https://api.example.com/x?page=3&a=1,2');
    expect(linkHeaderTarget(header, 'PREV')).toBe('/x?page=9');
    expect(linkHeaderTarget(header, 'alternate')).toBeUndefined();
    expect(linkHeaderTarget(null)).toBeUndefined();
  });
});

describe('recordPages', () => {
  const cursorServer = (repeatAt?: number) =>
    serve((url) => {
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const next = start + SIZE < RECORDS.length ? String(repeatAt !== undefined && start >= repeatAt ? start : start + SIZE) : null;
      return { body: { data: RECORDS.slice(start, start + SIZE), next } };
    });

  it('gives a paginator its pages, requesting the next one before the current one is handed over', async () => {
    const s = await cursorServer();
    const api = createHttpClient({ baseUrl: s.url });
    const pages = recordPages(paginateCursor<{ id: number }>(api, { request: { path: '/items' }, itemsPointer: '/data', cursorPointer: '/next', cursorParam: 'cursor' }));
    const first = await pages.next();
    expect(ids(first.value as Array<{ id: number }>)).toEqual([1, 2, 3]);
    // Page 2 was asked for while page 1 was still with the consumer (one page ahead, no more).
    await vi.waitFor(() => expect(s.requests).toHaveLength(2), { timeout: 10_000 });
    expect(s.requests.map((r) => r.url)).toEqual(['/items', '/items?cursor=3']);
    const rest = await all(pages);
    expect(rest.map((p) => ids(p))).toEqual([[4, 5, 6], [7, 8]]);
    expect(s.requests).toHaveLength(3);
  });

  it('raises maxPages and a repeated cursor after the page they follow, as the record iterator does', async () => {
    const s = await cursorServer(3);
    const api = createHttpClient({ baseUrl: s.url });
    const seen: number[][] = [];
    const repeat = recordPages(paginateCursor<{ id: number }>(api, { request: { path: '/items' }, itemsPointer: '/data', cursorPointer: '/next', cursorParam: 'cursor' }));
    const error = await (async () => {
      for await (const page of repeat) seen.push(ids(page));
    })().catch((e: Error) => e);
    expect(seen).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(String(error)).toMatch(/same cursor twice/);

    const capped: number[][] = [];
    const limited = recordPages(paginateCursor<{ id: number }>(api, { request: { path: '/items' }, itemsPointer: '/data', cursorPointer: '/next', cursorParam: 'cursor', maxPages: 1 }));
    const tooMany = await (async () => {
      for await (const page of limited) capped.push(ids(page));
    })().catch((e: Error) => e);
    expect(capped).toEqual([[1, 2, 3]]);
    expect(String(tooMany)).toMatch(/maxPages=1/);
  });

  it('takes any other async iterable one record per page', async () => {
    const source = (async function* () {
      yield 1;
      yield 2;
    })();
    expect(await all(recordPages(source))).toEqual([[1], [2]]);
  });
});
