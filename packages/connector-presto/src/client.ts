/**
 * A small client for the Presto/Trino HTTP client protocol: `POST /v1/statement` with the SQL
 * text, then follow each response's `nextUri` until there is none. Every response may carry
 * `columns` (once known) and a page of `data` rows; `error` ends the query. Both engines speak
 * the same protocol and differ only in the header prefix (`X-Trino-*` or `X-Presto-*`).
 *
 * One client serves both, streams pages as they arrive (no whole-result buffering), keeps the
 * session state the server hands back (SET SESSION, USE), retries 502/503/504 with backoff as
 * the protocol asks, and cancels the query with `DELETE nextUri` when the reader stops early.
 * The HTTP exchanges (timeouts, retries with jittered backoff, Basic auth, redacted errors) run
 * on `@sparkle/core`'s HTTP layer.
 */
import {
  AuthenticationError,
  HttpError,
  QueryError,
  basicAuth,
  createHttpClient,
  isRetryableNetworkCode,
  type HttpClient,
  type HttpResponse,
  type HttpRetryContext,
} from '@sparkle/core';

/** A column as the server describes it. */
export interface StatementColumn {
  name: string;
  /** Type text, e.g. `varchar(10)`, `decimal(10,2)`, `timestamp(3) with time zone`. */
  type: string;
}

/** The `error` object of a failed query. */
export interface StatementError {
  message: string;
  errorCode?: number;
  errorName?: string;
  errorType?: string;
  sqlState?: string;
}

/** One response of the protocol (the fields this client reads). */
export interface StatementResponse {
  id: string;
  infoUri?: string;
  nextUri?: string;
  columns?: StatementColumn[];
  data?: unknown[][];
  stats?: { state?: string; [key: string]: unknown };
  error?: StatementError;
  updateType?: string;
  updateCount?: number;
}

export interface StatementClientOptions {
  /** `http://host:8080` (no trailing slash needed). */
  server: string;
  user: string;
  /** Sent as HTTP Basic authentication (servers accept it over HTTPS only, unless configured otherwise). */
  password?: string;
  /** `X-Trino` or `X-Presto`. */
  headerPrefix: string;
  catalog?: string;
  schema?: string;
  /** Reported as the query source (`X-Trino-Source`). */
  source?: string;
  timeZone?: string;
  sessionProperties?: Record<string, string>;
  clientTags?: string[];
  /** Extra HTTP headers (e.g. a bearer token under `authorization`). */
  headers?: Record<string, string>;
  /** Deadline of one HTTP request (not of the query). */
  requestTimeoutMs?: number;
  /** Retries of 502/503/504 and network errors per request. */
  maxRetries?: number;
  /** The connector name for typed errors. */
  connector?: string;
}

/** Error codes and names the servers mark as worth retrying. */
const RETRYABLE_ERROR_TYPES = new Set(['INSUFFICIENT_RESOURCES', 'EXTERNAL']);

/** The error a failed query raises; `code`/`name` come from the server's error object. */
export class StatementFailure extends Error {
  readonly code: string | undefined;
  readonly errorType: string | undefined;
  constructor(readonly error: StatementError) {
    super(`${error.errorName ?? 'QUERY_FAILED'}: ${error.message}`);
    this.name = 'StatementFailure';
    this.code = error.errorName;
    this.errorType = error.errorType;
  }
}

/**
 * Runs statements over the HTTP protocol.
 *
 * @example
 * ```ts
 * const client = new StatementClient({ server: 'http://127.0.0.1:8080', user: 'me', headerPrefix: 'X-Trino', catalog: 'memory', schema: 'default' });
 * for await (const page of client.run('SELECT 1 AS one')) console.log(page.columns, page.data);
 * ```
 */
export class StatementClient {
  readonly options: StatementClientOptions;
  /** Session properties the server set with `SET SESSION` (sent back on every request). */
  readonly session = new Map<string, string>();
  catalog: string | undefined;
  schema: string | undefined;
  readonly #http: HttpClient;

  constructor(options: StatementClientOptions) {
    this.options = { ...options, server: options.server.replace(/\/+$/, '') };
    this.catalog = options.catalog;
    this.schema = options.schema;
    for (const [k, v] of Object.entries(options.sessionProperties ?? {})) this.session.set(k, v);
    this.#http = createHttpClient({
      baseUrl: this.options.server,
      connector: options.connector,
      userAgent: 'sparkle',
      timeoutMs: options.requestTimeoutMs ?? 60_000,
      ...(options.password !== undefined ? { auth: basicAuth(options.user, options.password) } : {}),
      retry: { attempts: (options.maxRetries ?? 5) + 1, baseDelayMs: 100, maxDelayMs: 2_000, retryOn: protocolRetry },
    });
  }

  private headers(): Record<string, string> {
    const p = this.options.headerPrefix;
    const h: Record<string, string> = { [`${p}-User`]: this.options.user, 'user-agent': 'sparkle' };
    if (this.catalog) h[`${p}-Catalog`] = this.catalog;
    if (this.schema) h[`${p}-Schema`] = this.schema;
    h[`${p}-Source`] = this.options.source ?? 'sparkle';
    if (this.options.timeZone) h[`${p}-Time-Zone`] = this.options.timeZone;
    if (this.session.size) h[`${p}-Session`] = [...this.session].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',');
    if (this.options.clientTags?.length) h[`${p}-Client-Tags`] = this.options.clientTags.join(',');
    return { ...h, ...(this.options.headers ?? {}) };
  }

  /** Applies the session changes a response announces in its headers. */
  private absorbHeaders(res: HttpResponse): void {
    const p = this.options.headerPrefix.toLowerCase();
    const setCatalog = res.headers.get(`${p}-set-catalog`);
    if (setCatalog) this.catalog = setCatalog;
    const setSchema = res.headers.get(`${p}-set-schema`);
    if (setSchema) this.schema = setSchema;
    const set = res.headers.get(`${p}-set-session`);
    if (set) {
      for (const pair of set.split(',')) {
        const i = pair.indexOf('=');
        if (i > 0) this.session.set(pair.slice(0, i).trim(), decodeURIComponent(pair.slice(i + 1).trim()));
      }
    }
    const clear = res.headers.get(`${p}-clear-session`);
    if (clear) for (const k of clear.split(',')) this.session.delete(k.trim());
  }

  /** One HTTP exchange; the HTTP layer retries what the protocol allows (see `protocolRetry`). */
  private async request(method: 'POST' | 'GET' | 'DELETE', url: string, body: string | undefined, signal: AbortSignal): Promise<StatementResponse | undefined> {
    const connector = this.options.connector;
    const headers = { ...this.headers(), ...(body !== undefined ? { 'content-type': 'text/plain; charset=utf-8' } : {}) };
    let res: HttpResponse;
    try {
      res = await this.#http.request({ method, path: url, body, headers, signal, throwHttpErrors: method !== 'DELETE' });
    } catch (error) {
      if (!HttpError.isInstance(error) || error.status === 502 || error.status === 503 || error.status === 504) throw error;
      if (error.status === 401 || error.status === 403) {
        throw new AuthenticationError(
          `${this.options.server} rejected the credentials of user '${this.options.user}' (HTTP ${error.status}${error.bodySnippet ? `: ${error.bodySnippet.slice(0, 200)}` : ''})`,
          { connector, cause: error },
        );
      }
      throw new QueryError(`${this.options.server} answered HTTP ${error.status}${error.bodySnippet ? `: ${error.bodySnippet.slice(0, 300)}` : ''}`, {
        connector,
        cause: error,
        details: { status: error.status, ...(error.requestId ? { requestId: error.requestId } : {}) },
      });
    }
    if (method === 'DELETE') {
      await res.discard();
      return undefined;
    }
    if (res.status !== 200) {
      await res.discard();
      throw new QueryError(`${this.options.server} answered HTTP ${res.status} to ${method}; the protocol expects 200`, { connector, details: { status: res.status } });
    }
    this.absorbHeaders(res);
    return res.json<StatementResponse>();
  }

  /**
   * Runs one statement and yields each response that carries columns or rows. Stopping the
   * iteration early (or aborting `signal`) cancels the query on the server.
   */
  async *run(sql: string, signal: AbortSignal = new AbortController().signal): AsyncGenerator<StatementResponse> {
    let response = await this.request('POST', `${this.options.server}/v1/statement`, sql, signal);
    let finished = false;
    try {
      while (response) {
        if (response.error) {
          finished = true;
          const failure = new StatementFailure(response.error);
          throw new QueryError(failure.message, {
            connector: this.options.connector,
            cause: failure,
            retryable: RETRYABLE_ERROR_TYPES.has(response.error.errorType ?? ''),
            details: { errorName: response.error.errorName, errorCode: response.error.errorCode, errorType: response.error.errorType, queryId: response.id },
          });
        }
        if (response.columns || response.data || response.updateCount !== undefined) yield response;
        if (!response.nextUri) {
          finished = true;
          return;
        }
        response = await this.request('GET', response.nextUri, undefined, signal);
      }
      finished = true;
    } finally {
      if (!finished && response?.nextUri) {
        // The consumer stopped early: free the query's resources on the server.
        await this.request('DELETE', response.nextUri, undefined, AbortSignal.timeout(5_000)).catch(() => undefined);
      }
    }
  }

  /** Runs a statement to its end and returns all rows (for small metadata queries). */
  async all(sql: string, signal?: AbortSignal): Promise<{ columns: StatementColumn[]; rows: unknown[][]; updateCount?: number }> {
    let columns: StatementColumn[] = [];
    const rows: unknown[][] = [];
    let updateCount: number | undefined;
    for await (const page of this.run(sql, signal)) {
      if (page.columns) columns = page.columns;
      if (page.data) rows.push(...page.data);
      if (page.updateCount !== undefined) updateCount = page.updateCount;
    }
    return { columns, rows, updateCount };
  }
}

/**
 * The protocol's retry rule: 502, 503 and 504 mean the coordinator did not take the request, so
 * any request (the statement POST included) is sent again; a network failure or timeout is
 * retried for GET and DELETE only, since a lost POST may have started the query.
 */
function protocolRetry(context: HttpRetryContext): boolean {
  if (context.status !== undefined) return context.status === 502 || context.status === 503 || context.status === 504;
  return context.method !== 'POST' && (context.networkCode === 'TIMEOUT' || isRetryableNetworkCode(context.networkCode));
}
