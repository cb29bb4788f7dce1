/**
 * `sap` against a REAL OData service from SAP's own framework: CAP (`@sap/cds`) serving
 * test/cap on in-memory SQLite — V4 natively, V2 through the community V2 adapter behind a
 * gateway-style CSRF check — plus a node:http fake for the faults a healthy CAP never shows
 * (broken XML/JSON, next links that loop or leave the service).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getArrowToolkit, getConnection, where, type SparkleConnection } from '@sparkle/core';
import { sendJson, startHttpServer, type TestHttpServer } from '@sparkle/testkit';
import { odataLiteral, type SapConnection } from '../src/index.js';
import { CAP_READER, CAP_WRITER } from './cap-service.js';

const cap = process.env.SPARKLE_TEST_SAP_CAP_URL;
const v4 = `${cap}/odata/v4/catalog`;
const v2 = `${cap}/odata/v2/catalog`;
const writer = { type: 'basic', user: CAP_WRITER.user, password: CAP_WRITER.password };

const open = (config: Record<string, unknown>) => getConnection<SapConnection>('sap', { config, dotenv: false, variables: {} });
type Frame = { toTable(): Promise<import('apache-arrow').Table>; toArray(): Promise<Record<string, unknown>[]> };
const frame = async (conn: SparkleConnection, name: string, options: Record<string, unknown> = {}) => (await conn.readTable(name, options)) as unknown as Frame;
const rows = async (conn: SparkleConnection, name: string, options: Record<string, unknown> = {}) => (await frame(conn, name, options)).toArray();
type Failure = Error & { code: string; details?: Record<string, unknown> };
const failure = (p: Promise<unknown>): Promise<Failure> => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Failure);
/** Rows as the engine's toolkit gives them: decimals as exact text, int64 as bigint, timestamps as Dates. */
const exact = async (conn: SparkleConnection, name: string, options: Record<string, unknown> = {}) => {
  const table = await (await frame(conn, name, options)).toTable();
  const arrow = await getArrowToolkit('sap');
  return table.batches.flatMap((b) => [...arrow.rows(b)]);
};
const ids = (list: Record<string, unknown>[]) => list.map((r) => Number(r.ID));

describe('OData literals', () => {
  const p = (type: string, extra: Record<string, unknown> = {}) => ({ name: 'f', type, nullable: true, ...extra });
  it('spells each Edm type as V2 and V4 want, quotes doubled', () => {
    expect(odataLiteral(p('Edm.String'), "O'Brien' or 1 eq 1 or 'x", 'v4')).toBe("'O''Brien'' or 1 eq 1 or ''x'");
    expect(odataLiteral(p('Edm.Decimal'), '12.50', 'v2')).toBe('12.50M');
    expect(odataLiteral(p('Edm.Decimal'), '12.50', 'v4')).toBe('12.50');
    expect(odataLiteral(p('Edm.Int64'), 9007199254740993n, 'v2')).toBe('9007199254740993L');
    expect(odataLiteral(p('Edm.Guid'), 'a6a3a450-6513-470e-a69e-0d37f2a74de4', 'v2')).toBe("guid'a6a3a450-6513-470e-a69e-0d37f2a74de4'");
    expect(odataLiteral(p('Edm.DateTime', { displayFormat: 'Date' }), '2020-01-05', 'v2')).toBe("datetime'2020-01-05T00:00:00'");
    expect(odataLiteral(p('Edm.Date'), new Date(Date.UTC(2020, 0, 5)), 'v4')).toBe('2020-01-05');
    expect(odataLiteral(p('Edm.DateTimeOffset'), new Date(Date.UTC(2024, 4, 2, 10, 1)), 'v2')).toBe("datetimeoffset'2024-05-02T10:01:00.000Z'");
    expect(odataLiteral(p('Edm.Double'), 0.5, 'v2')).toBe('0.5d');
  });
  it('refuses a value that does not fit the type instead of sending it', () => {
    expect(() => odataLiteral(p('Edm.Guid'), "x') or true or ('", 'v4')).toThrow(/is not a GUID/);
    expect(() => odataLiteral(p('Edm.Int32'), '1 or 1 eq 1', 'v4')).toThrow(/is not an integer/);
    expect(() => odataLiteral(p('Edm.Decimal'), '1e400', 'v4')).toThrow(/is not a decimal number/);
    expect(() => odataLiteral(p('Edm.Double'), Number.NaN, 'v4')).toThrow(/finite number/);
  });
});

describe.skipIf(!cap)('OData V4 against CAP (@sap/cds, in-memory SQLite)', () => {
  it('passes every health tier: service document, then $metadata', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer });
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toBe('OData V4 service, 3 entity set(s)');
  });

  it('reads an entity set over server-driven pages into Arrow typed from $metadata', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer });
    const table = await (await frame(conn, 'Books')).toTable();
    expect(table.numRows).toBe(120);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toEqual({ ID: 'Int32', title: 'Utf8', price: 'Decimal[9e+2]', stock: 'Int32', sold: 'Int64', rating: 'Float64', available: 'Bool', published: expect.stringMatching(/^Date/), updatedAt: expect.stringMatching(/^Timestamp/), isbn: 'Utf8', author_ID: 'Int32' });
    expect(table.schema.fields.find((f) => f.name === 'title')?.nullable).toBe(false);
    const all = await exact(conn, 'Books');
    expect(ids(all)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1)); // 3 pages of 50 ($skiptoken)
    expect(all[0]).toEqual({ ID: 1, title: 'Book 1', price: '424.46', stock: 1, sold: 9007199254740994n, rating: 0.1, available: true, published: new Date(Date.UTC(2020, 0, 2)), updatedAt: new Date(Date.UTC(2024, 4, 2, 10, 1)), isbn: 'a6a3a450-6513-470e-a69e-0d37f2a74de4', author_ID: 102 });
  });

  it('sends $select from columns and $filter from typed filters with escaped literals', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer });
    expect(await rows(conn, 'Books', { columns: ['ID', 'title'], filter: where.eq('title', "It's a 'quoted' title") })).toEqual([{ ID: 8, title: "It's a 'quoted' title" }]);
    // A value written to break out of the literal matches nothing and changes nothing.
    expect(await rows(conn, 'Books', { columns: ['ID'], filter: where.eq('title', "x' or ID gt 0 or title eq 'y") })).toEqual([]);
    expect(ids(await rows(conn, 'Books', { columns: ['ID'], filter: where.prefix('title', 'Wuth') }))).toEqual([7]);
    const mixed = await rows(conn, 'Books', { columns: ['ID'], filter: where.and(where.in('ID', [1, 2, 3, 50, 99]), where.gte('published', '2020-01-03'), where.ne('sold', 9007199254740994n)) });
    expect(ids(mixed)).toEqual([2, 3, 50, 99]);
    const cheap = await exact(conn, 'Books', { columns: ['ID', 'price'], filter: where.and(where.lte('price', '424.46'), where.eq('isbn', 'a6a3a450-6513-470e-a69e-0d37f2a74de4')) });
    expect(cheap).toEqual([{ ID: 1, price: '424.46' }]);
    expect(await rows(conn, 'Books', { columns: ['ID'], filter: where.lt('price', '424.46') }).then((r) => r.some((x) => x.ID === 1))).toBe(false);
    await expect(rows(conn, 'Books', { filter: where.eq('isbn', "nope' or true") })).rejects.toThrow(/is not a GUID/);
    await expect(rows(conn, 'Books', { filter: where.eq('nonsense', 1) })).rejects.toThrow(/has no property 'nonsense'/);
  });

  it('counts with $count, and pages client-side with $top/$skip and $orderby when configured', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer, entitySets: { Books: { pageSize: 30, orderBy: ['ID desc'], select: ['ID', 'price'] } } });
    expect(await conn.count('Books')).toBe(120);
    expect(await conn.count('Books', where.gt('ID', 10))).toBe(110);
    const desc = await rows(conn, 'Books');
    expect(Object.keys(desc[0]!)).toEqual(['ID', 'price']);
    expect(ids(desc)).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));
  });

  it('lists entity sets with keys and Arrow types in discover()', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer });
    const sets = await conn.discover();
    expect(sets.map((s) => s.name)).toEqual(['Authors', 'Books', 'Orders']);
    const books = sets.find((s) => s.name === 'Books')!;
    expect(books.keys).toEqual(['ID']);
    expect(books.columns.find((c) => c.name === 'price')).toEqual({ name: 'price', type: 'decimal(9,2)', edmType: 'Edm.Decimal', nullable: true });
  });

  it('creates entities in JSON $batches and reports refused rows one by one', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer, batchSize: 40 });
    const before = await conn.count('Orders');
    const dup = randomUUID();
    const input = Array.from({ length: 100 }, (_, i) => ({ ID: i === 61 ? dup : randomUUID(), book_ID: (i % 120) + 1, quantity: i + 1, amount: `${i}.125`, note: i === 3 ? "O'Brien's order" : null }));
    input[17] = { ID: randomUUID(), book_ID: 1, quantity: null as unknown as number, amount: '1.000', note: null }; // quantity is not null
    input[60]!.ID = dup; // the same key twice
    const result = await conn.createEntities('Orders', input);
    expect(result.created).toBe(98);
    expect(result.failed.map((f) => f.row)).toEqual([17, 61]);
    // CAP on SQLite answers constraint violations with 500 and the database's message.
    expect(result.failed.map((f) => f.status >= 400)).toEqual([true, true]);
    expect(result.failed[0]!.message).toMatch(/NOT NULL constraint failed: .*quantity/);
    expect(result.failed[1]!.message).toMatch(/UNIQUE constraint failed/);
    expect(await conn.count('Orders')).toBe(before + 98);
    const quoted = await exact(conn, 'Orders', { filter: where.eq('note', "O'Brien's order"), columns: ['quantity', 'amount'] });
    expect(quoted).toEqual([{ quantity: 4, amount: '3.125' }]);
  });

  it('writeTable creates through the local engine and fails naming the refused rows', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer, writeMode: 'single', concurrency: 3 });
    const ok = await conn.writeTable(Array.from({ length: 7 }, (_, i) => ({ ID: randomUUID(), book_ID: 2, quantity: 10 + i, amount: '2.500' })), 'Orders', { mode: 'append' });
    expect(ok.rows).toBe(7);
    const error = await failure(conn.writeTable([{ ID: randomUUID(), quantity: 1, amount: '123456789.123' }], 'Orders', { mode: 'append' }));
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toMatch(/1 of 1 entity was refused by Orders \(0 created\): row 0: HTTP \d{3} /);
    await expect(conn.writeTable([{ ID: 1 }], 'Orders', { mode: 'overwrite' })).rejects.toThrow(/mode 'overwrite' has no meaning/);
    await expect(conn.writeTable([{ ID: randomUUID(), bogus: 1 }], 'Orders', { mode: 'append' })).rejects.toThrow(/has no property 'bogus'/);
  });

  it('reports rows refused for lack of authorization (a user without the writer role)', async () => {
    await using conn = await open({ baseUrl: v4, auth: { type: 'basic', user: CAP_READER.user, password: CAP_READER.password } });
    const result = await conn.createEntities('Orders', [{ ID: randomUUID(), quantity: 1 }]);
    expect(result).toEqual({ created: 0, failed: [{ row: 0, status: 403, message: expect.stringMatching(/Forbidden/i) }] });
  });

  it('fails a wrong password with AUTHENTICATION_FAILED and never prints it', async () => {
    await using conn = await open({ baseUrl: v4, auth: { type: 'basic', user: 'etl', password: 'wrong-Sap-Password-Do-Not-Print' }, retry: { attempts: 1 } });
    const error = await failure(rows(conn, 'Books'));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    const shown = JSON.stringify({ m: error.message, error });
    expect(shown).not.toContain('wrong-Sap-Password-Do-Not-Print');
    expect(shown).not.toContain(Buffer.from('etl:wrong-Sap-Password-Do-Not-Print').toString('base64'));
    expect((await conn.check({ timeoutMs: 10_000 })).failedTier).toBe('auth');
  });

  it('refuses Spark clearly and unknown entity sets with the list', async () => {
    await using conn = await open({ baseUrl: v4, auth: writer });
    expect(() => conn.sparkRead('Books', {})).toThrow(/Spark has no maintained data source for SAP OData/);
    await expect(rows(conn, 'Bookz')).rejects.toThrow(/no entity set 'Bookz' \(it has Authors, Books, Orders\)/);
  });
});

describe.skipIf(!cap)('OData V2 against CAP through the V2 adapter, behind a CSRF check', () => {
  it('reads d.results over __next pages (the adapter names localhost; kept on the configured origin)', async () => {
    await using conn = await open({ baseUrl: v2, language: 'en', auth: writer });
    expect(await conn.version()).toBe('v2');
    const table = await (await frame(conn, 'Books')).toTable();
    expect(table.numRows).toBe(120);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({ ID: 'Int32', price: 'Decimal[9e+2]', sold: 'Int64', rating: 'Float64', published: expect.stringMatching(/^Date/), updatedAt: expect.stringMatching(/^Timestamp/) });
    const all = await exact(conn, 'Books');
    expect(ids(all)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(all[0]).toMatchObject({ ID: 1, price: '424.46', sold: 9007199254740994n, rating: 0.1, published: new Date(Date.UTC(2020, 0, 2)), updatedAt: new Date(Date.UTC(2024, 4, 2, 10, 1)) });
  });

  it('spells V2 literals (M, L, guid, datetime) and matches what V4 finds', async () => {
    await using c2 = await open({ baseUrl: v2, language: 'en', auth: writer });
    await using c4 = await open({ baseUrl: v4, auth: writer });
    const filter = where.or(
      where.eq('title', "It's a 'quoted' title"),
      where.and(where.gt('price', '900.5'), where.lt('published', '2020-01-10')),
      where.eq('sold', 2000n),
      where.eq('isbn', 'a6a3a450-6513-470e-a69e-0d37f2a74de4'),
    );
    const a = ids(await rows(c2, 'Books', { columns: ['ID'], filter }));
    const b = ids(await rows(c4, 'Books', { columns: ['ID'], filter }));
    expect(a).toEqual(b);
    expect(a).toEqual(expect.arrayContaining([1, 2, 8]));
    expect(await c2.count('Books', where.gt('ID', 100))).toBe(20);
  });

  it('fetches a CSRF token with its session cookie, then creates with bounded concurrent POSTs', async () => {
    await using conn = await open({ baseUrl: v2, language: 'en', auth: writer, concurrency: 4 });
    await using c4 = await open({ baseUrl: v4, auth: writer });
    const before = await c4.count('Orders');
    const input = Array.from({ length: 25 }, (_, i) => ({ ID: randomUUID(), book_ID: 3, quantity: i + 1, amount: '0.500' }));
    input[5] = { ID: randomUUID(), book_ID: 3, quantity: null as unknown as number, amount: '0.500' };
    const result = await conn.createEntities('Orders', input);
    expect(result.created).toBe(24);
    expect(result.failed.map((f) => f.row)).toEqual([5]);
    expect(result.failed[0]!.message).toMatch(/quantity/);
    expect(await c4.count('Orders')).toBe(before + 24);
  });

  it('without the CSRF token every POST is refused, and each row says so', async () => {
    await using conn = await open({ baseUrl: v2, language: 'en', auth: writer, csrf: 'never' });
    const result = await conn.createEntities('Orders', [{ ID: randomUUID(), quantity: 1 }, { ID: randomUUID(), quantity: 2 }]);
    expect(result.created).toBe(0);
    expect(result.failed).toEqual([
      { row: 0, status: 403, message: 'CSRF token validation failed' },
      { row: 1, status: 403, message: 'CSRF token validation failed' },
    ]);
  });
});

describe('bad answers (node:http fake)', () => {
  let server: TestHttpServer;
  const METADATA = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="T"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="Loop" EntityType="S.T"/><EntitySet Name="Broken" EntityType="S.T"/><EntitySet Name="Away" EntityType="S.T"/><EntitySet Name="Shape" EntityType="S.T"/><EntitySet Name="Ok" EntityType="S.T"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/token') {
        // OAuth 2.0 client credentials (RFC 6749 §4.4): client id and secret as HTTP Basic.
        const ok = req.headers.authorization === `Basic ${Buffer.from('etl-client:sap-Client-Secret-Never-Printed').toString('base64')}` && new URLSearchParams(req.body).get('grant_type') === 'client_credentials';
        return ok ? sendJson(res, 200, { access_token: 'sap-Fake-Token-Never-Printed', token_type: 'bearer', expires_in: 3600 }) : sendJson(res, 401, { error: 'invalid_client' });
      }
      if (req.headers.authorization !== 'Bearer sap-Fake-Token-Never-Printed') return sendJson(res, 401, { error: { code: '401', message: 'Unauthorized' } });
      if (url.pathname === '/bad/$metadata') return void res.writeHead(200, { 'content-type': 'application/xml' }).end('<edmx:Edmx Version="4.0"><edmx:DataServices><Schema></edmx:Edmx>');
      if (url.pathname.endsWith('/$metadata')) return void res.writeHead(200, { 'content-type': 'application/xml' }).end(METADATA);
      if (url.pathname === '/svc/Loop') return sendJson(res, 200, { value: [{ id: 1 }], '@odata.nextLink': 'Loop?$skiptoken=again' });
      if (url.pathname === '/svc/Broken') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[{"id":1},');
      if (url.pathname === '/svc/Away') return sendJson(res, 200, { value: [{ id: 1 }], '@odata.nextLink': 'http://127.0.0.2:9/elsewhere/Away?$skiptoken=1' });
      if (url.pathname === '/svc/Ok') return sendJson(res, 200, { value: [{ id: 1 }, { id: 2 }] });
      if (url.pathname === '/svc/Shape') return sendJson(res, 200, { d: { results: [] } });
      return sendJson(res, 404, { error: { code: '404', message: 'Not found' } });
    });
  });
  afterAll(() => server.close());
  const cfg = (path: string, token = 'sap-Fake-Token-Never-Printed') => ({ baseUrl: `${server.url}${path}`, auth: { type: 'bearer', token }, retry: { attempts: 1 } });

  it('fails malformed $metadata XML naming line and column', async () => {
    await using conn = await open(cfg('/bad'));
    const error = await failure(conn.discover());
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.message).toMatch(/\$metadata is not well-formed XML \(line 1, column \d+/);
  });

  it('stops a next link that repeats', async () => {
    await using conn = await open(cfg('/svc'));
    await expect(rows(conn, 'Loop')).rejects.toThrow(/same next link twice, which would loop forever/);
  });

  it('fails a malformed JSON page, and a page of the wrong shape, with typed errors', async () => {
    await using conn = await open(cfg('/svc'));
    const broken = await failure(rows(conn, 'Broken'));
    expect(broken.code).toBe('QUERY_FAILED');
    expect(broken.message).toMatch(/not JSON/);
    await expect(rows(conn, 'Shape')).rejects.toThrow(/without a "value" array/);
  });

  it('refuses a next link outside the service (credentials stay home)', async () => {
    await using conn = await open(cfg('/svc'));
    await expect(rows(conn, 'Away')).rejects.toThrow(/next link points outside the service/);
    expect(server.requests.some((r) => r.url.includes('elsewhere'))).toBe(false);
  });

  it('gets a token with OAuth 2.0 client credentials (client id + secret as Basic), reads with it, and never prints a refused secret', async () => {
    await using conn = await open({ baseUrl: `${server.url}/svc`, auth: { type: 'oauth2', tokenUrl: `${server.url}/token`, clientId: 'etl-client', clientSecret: 'sap-Client-Secret-Never-Printed' } });
    expect(await rows(conn, 'Ok')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(server.requests.filter((r) => r.url === '/token')).toHaveLength(1);
    await using wrong = await open({ baseUrl: `${server.url}/svc`, auth: { type: 'oauth2', tokenUrl: `${server.url}/token`, clientId: 'etl-client', clientSecret: 'wrong-Client-Secret-Do-Not-Print' }, retry: { attempts: 1 } });
    const error = await failure(rows(wrong, 'Ok'));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify({ m: error.message, error })).not.toContain('wrong-Client-Secret-Do-Not-Print');
  });

  it('fails a wrong bearer token without printing it', async () => {
    await using conn = await open(cfg('/svc', 'wrong-Bearer-Token-Do-Not-Print'));
    const error = await failure(rows(conn, 'Loop'));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify({ m: error.message, error })).not.toContain('wrong-Bearer-Token-Do-Not-Print');
  });
});
