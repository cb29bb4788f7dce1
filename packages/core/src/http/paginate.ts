/**
 * Pagination as async iterators of records. Every style (cursor, offset/limit, page number,
 * `Link: rel="next"`, a next URL in the body, GraphQL connections) runs on one loop that fetches
 * a page, selects its records with a JSON pointer, and asks the style for the next request. Every
 * loop stops at `maxPages`, refuses a next link to another origin (it would receive the
 * credentials), and refuses a cursor that repeats (a server bug that would loop forever).
 */
import { InvalidArgumentError, QueryError, SparkleError } from '../errors.js';
import type { HttpClient, HttpRequestOptions } from './client.js';
import { resolveJsonPointer } from './json-pointer.js';
import type { HttpResponse } from './response.js';

/** Options every paginator takes. */
export interface HttpPaginateOptions {
  /** The first request (method, path, query, headers, json, signal…). */
  request: HttpRequestOptions;
  /** JSON pointer of the record array in each page, e.g. `/data`. Default `''` (the page is the array). */
  itemsPointer?: string;
  /** Pages fetched at most. Default 1000. */
  maxPages?: number;
  /**
   * What happens when `maxPages` is reached while the server still has more: `throw` (default,
   * so a truncated read is never mistaken for a whole one) or `stop`.
   */
  onMaxPages?: 'throw' | 'stop';
  /** Follow next links to another origin (they would receive the client's credentials). Default false. */
  allowCrossOrigin?: boolean;
  /** Called after each page (progress, rate-limit headers). */
  onPage?: (page: HttpPageInfo) => void;
}

/** What `onPage` is told. */
export interface HttpPageInfo {
  /** 1-based page number. */
  page: number;
  records: number;
  response: HttpResponse;
  body: unknown;
}

/** What a style sees to decide the next request. */
interface PageState {
  page: number;
  request: HttpRequestOptions;
  response: HttpResponse;
  body: unknown;
  records: unknown[];
}

type NextRequest = (state: PageState) => HttpRequestOptions | undefined;

function recordsAt(body: unknown, pointer: string, where: string): unknown[] {
  const value = resolveJsonPointer(body, pointer);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new QueryError(`${where}: itemsPointer "${pointer}" selects a ${typeof value}, not an array; point it at the list of records`);
  return value;
}

function withQuery(request: HttpRequestOptions, params: Record<string, string | number>): HttpRequestOptions {
  return { ...request, query: { ...request.query, ...params } };
}

/** Where a paginator's result keeps its page-at-a-time view (see {@link recordPages}). */
const PAGES: unique symbol = Symbol('sparkle.http.pages');

/** What every paginator returns: its records one by one, plus the pages {@link recordPages} takes. */
type PaginatedRecords<T> = AsyncGenerator<T> & { readonly [PAGES]: () => AsyncGenerator<T[]> };

/**
 * The records of `source` a page at a time. For a paginator's result these are its pages, and
 * the next page is requested while the current one is being consumed (one page ahead, so memory
 * stays at two pages); any other iterable is taken one record per array. Take either the pages
 * or the records of one paginator result, not both (they share its state).
 * @example
 * ```ts
 * for await (const page of recordPages(paginateCursor(api, { request: { path: '/users' }, itemsPointer: '/data', cursorPointer: '/next', cursorParam: 'cursor' }))) {
 *   console.log(page.length);
 * }
 * ```
 */
export async function* recordPages<T>(source: AsyncIterable<T>): AsyncGenerator<T[]> {
  const pages = (source as Partial<PaginatedRecords<T>>)[PAGES];
  if (pages) {
    yield* pages();
    return;
  }
  for await (const record of source) yield [record];
}

/** The refusal of a page past `maxPages` (undefined for `onMaxPages: 'stop'`). */
function maxPagesError(client: HttpClient, options: HttpPaginateOptions, maxPages: number): Error | undefined {
  if ((options.onMaxPages ?? 'throw') === 'stop') return undefined;
  return new SparkleError('INVALID_ARGUMENT', `Pagination of ${client.resolveUrl(options.request.path).pathname} stopped after maxPages=${maxPages} while the server still had more; raise maxPages or pass onMaxPages: 'stop' to read a prefix on purpose`, {
    connector: client.connector,
    details: { maxPages },
  });
}

/** The shared loop. `next` returns the following request, or undefined at the end. */
function paginateWith<T>(client: HttpClient, options: HttpPaginateOptions, next: NextRequest, select?: (body: unknown) => unknown[]): PaginatedRecords<T> {
  const maxPages = options.maxPages ?? 1000;
  const pointer = options.itemsPointer ?? '';
  const origin = client.resolveUrl(options.request.path, options.request.query).origin;
  /** The cross-origin refusal for `request`, if it leaves the first page's origin. */
  const refuseOrigin = (request: HttpRequestOptions): Error | undefined => {
    const target = client.resolveUrl(request.path, request.query);
    if (target.origin === origin || options.allowCrossOrigin) return undefined;
    return new InvalidArgumentError(`Pagination refused a next page on ${target.origin} (the first page came from ${origin}): following it would send credentials to another origin; pass allowCrossOrigin: true if that server is trusted`, {
      connector: client.connector,
    });
  };
  const fetchPage = async (request: HttpRequestOptions, signal?: AbortSignal) => {
    const response = await client.request({ ...request, headers: { accept: 'application/json', ...request.headers }, ...(signal ? { signal } : {}) });
    return { response, body: await response.json() };
  };
  const recordsOf = (page: number, request: HttpRequestOptions, fetched: { response: HttpResponse; body: unknown }): PageState => {
    const { response, body } = fetched;
    const records = select ? select(body) : recordsAt(body, pointer, `${response.method} ${response.url}`);
    options.onPage?.({ page, records: records.length, response, body });
    return { page, request, response, body, records };
  };

  /** One record at a time; the next page is requested once this one is consumed. */
  async function* byRecord(): AsyncGenerator<T> {
    let request: HttpRequestOptions | undefined = options.request;
    for (let page = 1; request; page++) {
      if (page > maxPages) {
        const error = maxPagesError(client, options, maxPages);
        if (error) throw error;
        return;
      }
      const refused = refuseOrigin(request);
      if (refused) throw refused;
      const state = recordsOf(page, request, await fetchPage(request));
      for (const record of state.records) yield record as T;
      request = next(state);
    }
  }

  /**
   * A page at a time, the next one requested before this one is handed over. Everything that
   * would have stopped the loop between two pages (maxPages, a repeated cursor, another origin)
   * is raised after the page it follows, as `byRecord` does.
   */
  async function* byPage(): AsyncGenerator<T[]> {
    const ahead = new AbortController();
    const userSignal = options.request.signal;
    const signal = userSignal ? AbortSignal.any([userSignal, ahead.signal]) : ahead.signal;
    if (maxPages < 1) {
      const error = maxPagesError(client, options, maxPages);
      if (error) throw error;
      return;
    }
    let refused = refuseOrigin(options.request);
    if (refused) throw refused;
    let request: HttpRequestOptions | undefined = options.request;
    let pending: Promise<{ response: HttpResponse; body: unknown }> | undefined = fetchPage(request, signal);
    try {
      for (let page = 1; pending && request; page++) {
        const state = recordsOf(page, request, await pending);
        pending = undefined;
        let stop: Error | undefined;
        let following: HttpRequestOptions | undefined;
        try {
          following = next(state);
        } catch (error) {
          stop = error as Error;
        }
        if (following && !stop) {
          if (page + 1 > maxPages) {
            stop = maxPagesError(client, options, maxPages);
            following = undefined;
          } else if ((refused = refuseOrigin(following))) {
            stop = refused;
          } else {
            pending = fetchPage(following, signal);
            // Consumed on the next turn; a consumer that stops first must not leave it unhandled.
            pending.catch(() => undefined);
          }
        }
        request = following;
        yield state.records as T[];
        if (stop) throw stop;
      }
    } finally {
      // A page requested ahead that nobody will read.
      if (pending) ahead.abort(new Error('pagination stopped by its consumer'));
    }
  }

  return Object.assign(byRecord(), { [PAGES]: byPage });
}

/** Stops a loop whose next cursor or URL equals the one just used. */
function guardRepeat(client: HttpClient, seen: Set<string>, value: string, what: string): void {
  if (seen.has(value)) {
    throw new QueryError(`Pagination stopped: the server returned the same ${what} twice, which would loop forever`, { connector: client.connector });
  }
  seen.add(value);
}

export interface CursorPaginateOptions extends HttpPaginateOptions {
  /** JSON pointer of the next cursor in the body, e.g. `/meta/next_cursor`. Empty, null or absent ends the listing. */
  cursorPointer: string;
  /** Query parameter the cursor is sent back in, e.g. `cursor` or `starting_after`. */
  cursorParam: string;
}

/**
 * Cursor pagination: the body names the next cursor, sent back as a query parameter.
 * @example
 * for await (const user of paginateCursor(api, { request: { path: '/users', query: { limit: 100 } }, itemsPointer: '/data', cursorPointer: '/next_cursor', cursorParam: 'cursor' })) console.log(user);
 */
export function paginateCursor<T = unknown>(client: HttpClient, options: CursorPaginateOptions): AsyncGenerator<T> {
  const seen = new Set<string>();
  return paginateWith<T>(client, options, ({ request, body }) => {
    const cursor = resolveJsonPointer(body, options.cursorPointer);
    if (cursor === undefined || cursor === null || cursor === '' || cursor === false) return undefined;
    guardRepeat(client, seen, String(cursor), 'cursor');
    return withQuery(request, { [options.cursorParam]: String(cursor) });
  });
}

export interface OffsetPaginateOptions extends HttpPaginateOptions {
  /** Records per page. */
  limit: number;
  /** Default `offset`. */
  offsetParam?: string;
  /** Default `limit`. */
  limitParam?: string;
  /** First offset. Default 0. */
  start?: number;
  /** JSON pointer of the total count, when the API gives one (ends the loop exactly). */
  totalPointer?: string;
}

/**
 * Offset/limit pagination. Ends on a short page, or when the offset reaches the total.
 * @example
 * for await (const row of paginateOffset(api, { request: { path: '/rows' }, itemsPointer: '/items', limit: 500 })) handle(row);
 */
export function paginateOffset<T = unknown>(client: HttpClient, options: OffsetPaginateOptions): AsyncGenerator<T> {
  const offsetParam = options.offsetParam ?? 'offset';
  const limitParam = options.limitParam ?? 'limit';
  let offset = options.start ?? 0;
  const first = withQuery(options.request, { [offsetParam]: offset, [limitParam]: options.limit });
  return paginateWith<T>(client, { ...options, request: first }, ({ request, body, records }) => {
    offset += records.length;
    const total = options.totalPointer ? Number(resolveJsonPointer(body, options.totalPointer)) : undefined;
    if (records.length === 0 || (total !== undefined && Number.isFinite(total) ? offset >= total : records.length < options.limit)) return undefined;
    return withQuery(request, { [offsetParam]: offset, [limitParam]: options.limit });
  });
}

export interface PageNumberPaginateOptions extends HttpPaginateOptions {
  /** Default `page`. */
  pageParam?: string;
  /** Number of the first page. Default 1. */
  firstPage?: number;
  /** Records per page, sent as `sizeParam` when both are given; a shorter page ends the loop. */
  pageSize?: number;
  sizeParam?: string;
  /** JSON pointer of the page count, when the API gives one. */
  totalPagesPointer?: string;
}

/**
 * Page-number pagination (`?page=1`, `?page=2`, …). Ends on an empty or short page, or at the page count.
 * @example
 * for await (const repo of paginatePageNumber(api, { request: { path: '/repos' }, pageSize: 100, sizeParam: 'per_page' })) console.log(repo);
 */
export function paginatePageNumber<T = unknown>(client: HttpClient, options: PageNumberPaginateOptions): AsyncGenerator<T> {
  const pageParam = options.pageParam ?? 'page';
  const firstPage = options.firstPage ?? 1;
  const size = options.pageSize !== undefined && options.sizeParam ? { [options.sizeParam]: options.pageSize } : {};
  const first = withQuery(options.request, { [pageParam]: firstPage, ...size });
  return paginateWith<T>(client, { ...options, request: first }, ({ page, request, body, records }) => {
    const current = firstPage + page - 1;
    const totalPages = options.totalPagesPointer ? Number(resolveJsonPointer(body, options.totalPagesPointer)) : undefined;
    if (records.length === 0) return undefined;
    if (totalPages !== undefined && Number.isFinite(totalPages)) {
      if (current - firstPage + 1 >= totalPages) return undefined;
    } else if (options.pageSize !== undefined && records.length < options.pageSize) {
      return undefined;
    }
    return withQuery(request, { [pageParam]: current + 1 });
  });
}

/**
 * The target of `rel` in an RFC 8288 `Link` header, or undefined.
 *
 * Hand-written because core depends on zod alone: the header is a comma-separated list of
 * `<uri-reference>; param=value` entries and all we need is the URI whose `rel` (a
 * space-separated list, quoted or not) contains the relation.
 */
export function linkHeaderTarget(header: string | null | undefined, rel = 'next'): string | undefined {
  if (!header) return undefined;
  const entry = /<([^>]*)>((?:\s*;\s*[^;,]*(?:"[^"]*")?[^;,]*)*)/g;
  for (const match of header.matchAll(entry)) {
    const params = match[2] ?? '';
    const relMatch = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (relMatch?.[1] ?? relMatch?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes(rel.toLowerCase())) return match[1];
  }
  return undefined;
}

/** Resolves a next link against the URL of the page that named it. */
function followUrl(client: HttpClient, request: HttpRequestOptions, link: string): HttpRequestOptions {
  const next = new URL(link, client.resolveUrl(request.path, request.query));
  // The link carries the whole query; drop the first request's so it is not appended twice.
  return { ...request, path: next.toString(), query: undefined };
}

export interface LinkHeaderPaginateOptions extends HttpPaginateOptions {
  /** Relation to follow. Default `next`. */
  rel?: string;
}

/**
 * `Link: <…>; rel="next"` pagination (RFC 8288; GitHub, GitLab and many others).
 * @example
 * for await (const issue of paginateLinkHeader(api, { request: { path: '/repos/o/r/issues', query: { per_page: 100 } } })) console.log(issue);
 */
export function paginateLinkHeader<T = unknown>(client: HttpClient, options: LinkHeaderPaginateOptions): AsyncGenerator<T> {
  const seen = new Set<string>();
  return paginateWith<T>(client, options, ({ request, response }) => {
    const link = linkHeaderTarget(response.headers.get('link'), options.rel ?? 'next');
    if (!link) return undefined;
    const next = followUrl(client, request, link);
    guardRepeat(client, seen, next.path!, 'next link');
    return next;
  });
}

export interface NextUrlPaginateOptions extends HttpPaginateOptions {
  /** JSON pointer of the next page's URL in the body, e.g. `/next` or `/links/next`. */
  nextUrlPointer: string;
}

/**
 * Pagination by a next-page URL inside the body (`{ "results": [...], "next": "https://…?page=3" }`).
 * @example
 * for await (const item of paginateNextUrl(api, { request: { path: '/items' }, itemsPointer: '/results', nextUrlPointer: '/next' })) console.log(item);
 */
export function paginateNextUrl<T = unknown>(client: HttpClient, options: NextUrlPaginateOptions): AsyncGenerator<T> {
  const seen = new Set<string>();
  return paginateWith<T>(client, options, ({ request, body }) => {
    const link = resolveJsonPointer(body, options.nextUrlPointer);
    if (typeof link !== 'string' || link === '') return undefined;
    const next = followUrl(client, request, link);
    guardRepeat(client, seen, next.path!, 'next URL');
    return next;
  });
}

export interface GraphQLPaginateOptions {
  /** Endpoint path. Default `graphql`. */
  path?: string;
  /** The query; it must take the cursor variable (`$after: String`) and select `pageInfo { hasNextPage endCursor }`. */
  query: string;
  variables?: Record<string, unknown>;
  /** JSON pointer of the connection in the response, e.g. `/data/repository/issues`. */
  connectionPointer: string;
  /** Name of the cursor variable. Default `after`. */
  cursorVariable?: string;
  maxPages?: number;
  onMaxPages?: 'throw' | 'stop';
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onPage?: (page: HttpPageInfo) => void;
}

/**
 * GraphQL connection pagination (Relay cursor connections): yields `nodes` (or `edges[].node`)
 * and follows `pageInfo.endCursor` while `pageInfo.hasNextPage`. A response with `errors` fails.
 * GraphQL queries do not change data, so these POSTs are retried like GETs.
 * @example
 * ```ts
 * const issues = paginateGraphQL(api, {
 *   query: 'query($after: String) { repository(owner: "o", name: "r") { issues(first: 100, after: $after) { nodes { number } pageInfo { hasNextPage endCursor } } } }',
 *   connectionPointer: '/data/repository/issues',
 * });
 * for await (const issue of issues) console.log(issue);
 * ```
 */
export function paginateGraphQL<T = unknown>(client: HttpClient, options: GraphQLPaginateOptions): AsyncGenerator<T> {
  const cursorVariable = options.cursorVariable ?? 'after';
  const seen = new Set<string>();
  const requestFor = (cursor: string | null): HttpRequestOptions => ({
    method: 'POST',
    path: options.path ?? 'graphql',
    json: { query: options.query, variables: { ...options.variables, [cursorVariable]: cursor } },
    idempotent: true,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return paginateWith<T>(
    client,
    { request: requestFor(null), maxPages: options.maxPages, onMaxPages: options.onMaxPages, onPage: options.onPage },
    ({ body }) => {
      const pageInfo = resolveJsonPointer(body, `${options.connectionPointer}/pageInfo`) as { hasNextPage?: unknown; endCursor?: unknown } | undefined;
      if (!pageInfo?.hasNextPage || typeof pageInfo.endCursor !== 'string') return undefined;
      guardRepeat(client, seen, pageInfo.endCursor, 'endCursor');
      return requestFor(pageInfo.endCursor);
    },
    (body) => graphQLNodes(client, body, options.connectionPointer),
  );
}

/** The nodes of one GraphQL page, after checking it for errors. */
function graphQLNodes<T>(client: HttpClient, body: unknown, pointer: string): T[] {
  const errors = (body as { errors?: Array<{ message?: unknown }> } | null)?.errors;
  if (Array.isArray(errors) && errors.length) {
    const messages = errors.slice(0, 3).map((e) => client.redact(String(e?.message ?? 'error'))).join('; ');
    throw new QueryError(`GraphQL query failed: ${messages}`, { connector: client.connector, details: { errors: errors.length } });
  }
  const connection = resolveJsonPointer(body, pointer) as { nodes?: unknown; edges?: unknown } | undefined | null;
  if (connection === undefined || connection === null) {
    throw new QueryError(`GraphQL response has no connection at "${pointer}"; check connectionPointer against the query`, { connector: client.connector });
  }
  if (Array.isArray(connection.nodes)) return connection.nodes as T[];
  if (Array.isArray(connection.edges)) return connection.edges.map((e) => (e as { node?: unknown }).node as T);
  throw new QueryError(`GraphQL connection at "${pointer}" has neither nodes nor edges; select one of them in the query`, { connector: client.connector });
}
