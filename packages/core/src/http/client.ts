/**
 * The HTTP client every API, cloud and catalog connector uses: global `fetch` with per-attempt
 * timeouts and an overall deadline (AbortSignal), retries with jittered exponential backoff that
 * honour `Retry-After`, authentication that can refresh itself on a 401, and typed errors that
 * carry status and request id but never a credential.
 */
import { clearTimeout, setTimeout } from 'node:timers';
import { abortError, ConnectionFailedError, InvalidArgumentError, SparkleError, TimeoutError } from '../errors.js';
import { redactText } from '../secrets.js';
import { jitteredBackoff, sleep as defaultSleep } from '../util/async.js';
import type { HttpAuthTarget, HttpAuth } from './auth.js';
import { HttpError, requestIdOf } from './errors.js';
import { defaultRetryOn, isIdempotent, isRetryableNetworkCode, networkErrorCode, parseRetryAfter, type HttpRetryContext } from './policy.js';
import { isSecretHeader, isSecretQueryParam, redactSnippet, redactUrl, sanitizeCause } from './redact.js';
import { HttpResponse } from './response.js';

/** How failed attempts are retried. */
export interface HttpRetryOptions {
  /** Attempts in all, the first included. Default 3; `1` disables retries. */
  attempts?: number;
  /** First backoff step; doubles each retry (full jitter). Default 200 ms. */
  baseDelayMs?: number;
  /** Ceiling of a backoff step. Default 10 s. */
  maxDelayMs?: number;
  /**
   * Which failures to retry: a list of statuses (network errors and timeouts of idempotent
   * requests still retry), or a function deciding from the context. Default: 408, 425, 429, 500,
   * 502, 503, 504 for idempotent requests, plus 429 and refused connections for any request.
   */
  retryOn?: readonly number[] | ((context: HttpRetryContext) => boolean);
  /**
   * Longest `Retry-After` the client waits. A server asking for more ends the retries at once
   * (the error carries `retryAfterMs`): waiting less than asked would only earn another 429.
   * Default 60 s.
   */
  maxRetryAfterMs?: number;
}

/** Time as the client sees it; injected by tests so retries need no real waiting. */
export interface HttpClock {
  /** Milliseconds since the epoch (for `Retry-After` dates and token expiry). */
  now(): number;
  /** Waits `ms`, rejecting when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What `onRetry` is told before each wait. */
export interface HttpRetryEvent {
  method: string;
  /** Redacted. */
  url: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  status?: number;
  /** Network code or `TIMEOUT`. */
  networkCode?: string;
  /** Set when the delay came from `Retry-After`. */
  retryAfterMs?: number;
}

export interface HttpClientOptions {
  /** Prefix of relative request paths, e.g. `https://api.example.com/v2`. */
  baseUrl?: string;
  /** Headers sent with every request. Values under secret-looking names are redacted from errors. */
  headers?: Record<string, string>;
  auth?: HttpAuth;
  /** Deadline of one attempt: until the headers arrive and while `json()`/`text()`/`bytes()` read. Default 30 s. */
  timeoutMs?: number;
  /** Deadline of a whole request, retries and waits included. Default none. */
  deadlineMs?: number;
  /** Retry policy, or `false` for a single attempt. */
  retry?: HttpRetryOptions | false;
  /** Connector name stamped on errors. */
  connector?: string;
  /** `User-Agent` header. Default `sparkle`. */
  userAgent?: string;
  /** Injected for tests or custom agents. Default global `fetch`. */
  fetch?: typeof fetch;
  clock?: Partial<HttpClock>;
  /** Uniform random in [0, 1) for jitter; injected by tests. */
  random?: () => number;
  /** More values to scrub from errors (secrets the client cannot see, e.g. inside a body). */
  secrets?: readonly string[];
  /** Longest response-body excerpt an `HttpError` keeps. Default 500 characters. */
  maxErrorBodyChars?: number;
  /** Called before each retry wait (logging, metrics). */
  onRetry?: (event: HttpRetryEvent) => void;
}

/** A query value; arrays repeat the parameter, `undefined` and `null` omit it. */
export type HttpQueryValue = string | number | boolean | bigint | null | undefined | ReadonlyArray<string | number | boolean | bigint>;

export interface HttpRequestOptions {
  /** Default `GET`. */
  method?: string;
  /** Path joined to `baseUrl`, or an absolute `http(s)://` URL. */
  path?: string;
  query?: Record<string, HttpQueryValue>;
  headers?: Record<string, string>;
  /** A value sent as JSON (sets `content-type: application/json`). */
  json?: unknown;
  /** A raw body. A `ReadableStream` body is sent once and never retried (it cannot be replayed). */
  body?: RequestInit['body'];
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
  /** Overrides the client's overall deadline. */
  deadlineMs?: number;
  /** Declares a non-idempotent method safe to repeat (or an idempotent one unsafe). */
  idempotent?: boolean;
  /** Overrides the client's retry policy for this request. */
  retry?: HttpRetryOptions | false;
  /** Default true: statuses outside 2xx raise `HttpError`. With false, the final response is returned as is. */
  throwHttpErrors?: boolean;
}

/** Options of `getJson` and `postJson`. */
export type JsonRequestOptions = Omit<HttpRequestOptions, 'method' | 'path' | 'json' | 'body'>;

/** An HTTP client made by `createHttpClient`. */
export interface HttpClient {
  readonly baseUrl: string | undefined;
  readonly connector: string | undefined;
  /** Sends a request with retries; resolves to the response or rejects with a Sparkle error. */
  request(options: HttpRequestOptions): Promise<HttpResponse>;
  /** GET `path` and parse the JSON answer (`accept: application/json`). */
  getJson<T = unknown>(path: string, options?: JsonRequestOptions): Promise<T>;
  /** POST `json` to `path` and parse the JSON answer. Not retried unless `idempotent: true` or an idempotency key is set. */
  postJson<T = unknown>(path: string, json: unknown, options?: JsonRequestOptions): Promise<T>;
  /** The absolute URL a path and query resolve to. */
  resolveUrl(path?: string, query?: Record<string, HttpQueryValue>): URL;
  /** `text` with every secret this client knows (auth, secret headers, extra secrets) removed. */
  redact(text: string): string;
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `https://h/v1` + `items` → `https://h/v1/items` (one slash; absolute paths win). */
function joinPath(baseUrl: string | undefined, path: string | undefined): string {
  if (path && ABSOLUTE_URL.test(path)) return path;
  if (!baseUrl) {
    return path ?? '';
  }
  if (!path) return baseUrl;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function appendQuery(url: URL, query: Record<string, HttpQueryValue> | undefined): void {
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, String(v));
    else url.searchParams.set(name, String(value));
  }
}

/** Reads at most `limit` bytes of a body for an error message, then lets the rest go. */
async function readBounded(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still gives what arrived.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}

/** A timer-backed AbortController whose timer can be stopped, unlike `AbortSignal.timeout`. */
function timer(ms: number | undefined): { signal: AbortSignal | undefined; stop: () => void; fired: () => boolean } {
  if (ms === undefined || !Number.isFinite(ms)) return { signal: undefined, stop: () => undefined, fired: () => false };
  const controller = new AbortController();
  const handle = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), Math.max(0, ms));
  handle.unref();
  return { signal: controller.signal, stop: () => clearTimeout(handle), fired: () => controller.signal.aborted };
}

/**
 * Creates an HTTP client.
 *
 * @example
 * ```ts
 * import { bearerAuth, createHttpClient } from '@sparkle/core';
 *
 * const api = createHttpClient({
 *   baseUrl: 'https://api.example.com/v1',
 *   auth: bearerAuth(process.env.API_TOKEN!),
 *   timeoutMs: 10_000,
 *   retry: { attempts: 4, baseDelayMs: 250 },
 *   connector: 'example',
 * });
 * const me = await api.getJson<{ id: string }>('/me');
 * const res = await api.request({ method: 'PUT', path: `/items/${me.id}`, json: { name: 'x' } });
 * console.log(res.status, res.requestId);
 * ```
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.clock?.now ?? Date.now;
  const wait = options.clock?.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const connector = options.connector;
  const maxBodyChars = options.maxErrorBodyChars ?? 500;
  const baseUrl = options.baseUrl;

  const staticSecrets = (): string[] => [
    ...(options.secrets ?? []),
    ...Object.entries(options.headers ?? {})
      .filter(([name]) => isSecretHeader(name))
      .flatMap(([, value]) => secretPartsOfHeader(value)),
  ];

  const resolveUrl = (path?: string, query?: Record<string, HttpQueryValue>): URL => {
    let url: URL;
    try {
      url = new URL(joinPath(baseUrl, path));
    } catch {
      // Node's own error keeps the raw input (maybe with a key in it) on `input`: say it redacted.
      throw new InvalidArgumentError(
        `createHttpClient: "${redactUrl(joinPath(baseUrl, path ?? ''), staticSecrets())}" is not an absolute http(s) URL; set baseUrl or pass an absolute path`,
        { connector },
      );
    }
    appendQuery(url, query);
    return url;
  };

  const redact = (text: string): string => redactText(text, [...staticSecrets(), ...(options.auth?.secrets() ?? [])]);

  async function request(req: HttpRequestOptions): Promise<HttpResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const policy = req.retry === false || (req.retry === undefined && options.retry === false) ? false : { ...(options.retry || {}), ...(req.retry || {}) };
    const streamedBody = typeof ReadableStream !== 'undefined' && req.body instanceof ReadableStream;
    const attempts = policy === false || streamedBody ? 1 : Math.max(1, Math.floor(policy.attempts ?? 3));
    const maxRetryAfterMs = policy === false ? 60_000 : (policy.maxRetryAfterMs ?? 60_000);
    const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? 30_000;
    const deadlineMs = req.deadlineMs ?? options.deadlineMs;

    const baseTarget = resolveUrl(req.path, req.query);
    const requestSecrets = [...staticSecrets(), ...Object.entries(req.headers ?? {}).filter(([n]) => isSecretHeader(n)).flatMap(([, v]) => secretPartsOfHeader(v))];
    for (const [name, value] of baseTarget.searchParams) if (isSecretQueryParam(name) && value) requestSecrets.push(value);
    const secrets = (): string[] => [...requestSecrets, ...(options.auth?.secrets() ?? [])];
    const shownUrl = (): string => redactUrl(baseTarget, secrets());

    let body: RequestInit['body'] = req.body;
    const baseHeaders = new Headers(options.headers);
    baseHeaders.set('user-agent', options.userAgent ?? baseHeaders.get('user-agent') ?? 'sparkle');
    for (const [name, value] of Object.entries(req.headers ?? {})) baseHeaders.set(name, value);
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      if (!baseHeaders.has('content-type')) baseHeaders.set('content-type', 'application/json');
    }
    if ((method === 'GET' || method === 'HEAD') && body !== undefined && body !== null) {
      throw new InvalidArgumentError(`${method} ${shownUrl()} cannot carry a body (fetch refuses it); send it with POST or PUT, or move the fields into query`, { connector });
    }
    const idempotent = isIdempotent(method, baseHeaders, req.idempotent);
    const shouldRetry = (context: HttpRetryContext): boolean => {
      if (policy === false) return false;
      const rule = policy.retryOn;
      if (typeof rule === 'function') return rule(context);
      return defaultRetryOn(context, rule);
    };

    // Started last, after every check that can throw, so the try/finally below always stops it.
    const deadline = timer(deadlineMs);
    const outer = [req.signal, deadline.signal].filter((s): s is AbortSignal => s !== undefined);

    /** The error for an aborted caller or an exhausted deadline, if either fired. */
    const outerStop = (attempt: number, last?: unknown): SparkleError | undefined => {
      if (req.signal?.aborted) return abortError(req.signal, `${method} ${shownUrl()}`, connector);
      if (deadline.fired()) {
        return new TimeoutError(`${method} ${shownUrl()} did not complete within its ${deadlineMs} ms deadline (${attempt} attempt${attempt === 1 ? '' : 's'})`, {
          connector,
          cause: last,
          details: { method, url: shownUrl(), attempts: attempt, deadlineMs },
        });
      }
      return undefined;
    };

    const pause = async (ms: number, attempt: number, last: unknown): Promise<void> => {
      try {
        await wait(ms, outer.length ? AbortSignal.any(outer) : undefined);
      } catch (error) {
        throw outerStop(attempt, last) ?? error;
      }
    };

    let authRetried = false;
    try {
      for (let attempt = 1; ; attempt++) {
        const stopped = outerStop(attempt - 1);
        if (stopped) throw stopped;
        const target: HttpAuthTarget = { url: new URL(baseTarget), headers: new Headers(baseHeaders) };
        const attemptTimer = timer(timeoutMs);
        const signal = AbortSignal.any([...outer, ...(attemptTimer.signal ? [attemptTimer.signal] : [])]);
        let raw: Response;
        try {
          if (options.auth) await options.auth.apply(target, signal);
          raw = await doFetch(target.url, {
            method,
            headers: target.headers,
            body,
            signal,
            ...(streamedBody ? { duplex: 'half' } : {}),
          } as RequestInit);
        } catch (error) {
          attemptTimer.stop();
          const outerError = outerStop(attempt, undefined);
          if (outerError) throw outerError;
          if (SparkleError.isInstance(error)) throw error; // from auth (token endpoint refused, …)
          const timedOut = attemptTimer.fired();
          const code = timedOut ? 'TIMEOUT' : networkErrorCode(error);
          const failure = timedOut
            ? new TimeoutError(`${method} ${shownUrl()} did not answer within ${timeoutMs} ms${attempt > 1 ? ` (attempt ${attempt})` : ''}`, {
                connector,
                details: { method, url: shownUrl(), attempts: attempt, timeoutMs },
              })
            : networkFailure(error, code, method, shownUrl(), attempt, connector, secrets());
          const context: HttpRetryContext = { method, idempotent, attempt, networkCode: code };
          if (attempt >= attempts || !shouldRetry(context)) throw failure;
          const delayMs = jitteredBackoff(attempt - 1, { ...policy, random });
          options.onRetry?.({ method, url: shownUrl(), attempt, delayMs, networkCode: code });
          await pause(delayMs, attempt, failure);
          continue;
        }

        if (raw.status === 401 && options.auth?.onUnauthorized && !authRetried && !streamedBody) {
          authRetried = true;
          if (await options.auth.onUnauthorized(target)) {
            await raw.body?.cancel().catch(() => undefined);
            attemptTimer.stop();
            attempt--; // a credentials refresh is not a retry
            continue;
          }
        }

        const readError = (error: unknown): Error => {
          const outerError = outerStop(attempt);
          if (outerError) return outerError;
          if (attemptTimer.fired()) {
            return new TimeoutError(`${method} ${shownUrl()} did not finish sending its body within ${timeoutMs} ms`, { connector, details: { method, url: shownUrl(), timeoutMs } });
          }
          return networkFailure(error, networkErrorCode(error), method, shownUrl(), attempt, connector, secrets());
        };

        if (raw.ok || (req.throwHttpErrors === false && !(attempt < attempts && shouldRetry({ method, idempotent, attempt, status: raw.status })))) {
          return new HttpResponse(raw, {
            method,
            url: shownUrl(),
            requestId: requestIdOf(raw.headers),
            attempts: attempt,
            connector,
            secrets: secrets(),
            release: attemptTimer.stop,
            readError,
          });
        }

        const retryAfterMs = raw.status === 429 || raw.status === 503 ? parseRetryAfter(raw.headers.get('retry-after'), now()) : undefined;
        const text = await readBounded(raw, 8 * 1024);
        attemptTimer.stop();
        const context: HttpRetryContext = { method, idempotent, attempt, status: raw.status };
        const willRetry = attempt < attempts && shouldRetry(context) && (retryAfterMs === undefined || retryAfterMs <= maxRetryAfterMs);
        const error = new HttpError({
          status: raw.status,
          statusText: raw.statusText,
          method,
          url: shownUrl(),
          requestId: requestIdOf(raw.headers),
          bodySnippet: text ? redactSnippet(text, secrets(), maxBodyChars) || undefined : undefined,
          retryAfterMs,
          attempts: attempt,
          connector,
          ...(policy && Array.isArray(policy.retryOn) ? { retryable: policy.retryOn.includes(raw.status) } : {}),
        });
        if (!willRetry) throw error;
        const delayMs = retryAfterMs ?? jitteredBackoff(attempt - 1, { ...policy, random });
        options.onRetry?.({ method, url: shownUrl(), attempt, delayMs, status: raw.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
        await pause(delayMs, attempt, error);
      }
    } finally {
      deadline.stop();
    }
  }

  const jsonHeaders = (headers: Record<string, string> | undefined) => ({ accept: 'application/json', ...headers });

  return {
    baseUrl,
    connector,
    request,
    resolveUrl,
    redact,
    async getJson<T>(path: string, opts: JsonRequestOptions = {}): Promise<T> {
      const res = await request({ ...opts, method: 'GET', path, headers: jsonHeaders(opts.headers) });
      return res.json<T>();
    },
    async postJson<T>(path: string, json: unknown, opts: JsonRequestOptions = {}): Promise<T> {
      const res = await request({ ...opts, method: 'POST', path, json, headers: jsonHeaders(opts.headers) });
      return res.json<T>();
    },
  };
}

/** The secret parts of a credential header: the whole value and the part after a scheme word (`Bearer x` → `x`). */
function secretPartsOfHeader(value: string): string[] {
  const parts = [value];
  const match = /^[A-Za-z][A-Za-z0-9-]*\s+(.+)$/.exec(value);
  if (match?.[1]) parts.push(match[1]);
  return parts.filter((p) => p.length > 0);
}

function networkFailure(error: unknown, code: string | undefined, method: string, url: string, attempt: number, connector: string | undefined, secrets: readonly string[]): SparkleError {
  const cause = sanitizeCause(error, secrets);
  let inner: Error | undefined = cause;
  while (inner && (inner as { cause?: unknown }).cause instanceof Error) inner = (inner as { cause: Error }).cause;
  const why = inner && inner.message !== cause?.message ? inner.message : cause?.message ?? 'unknown error';
  // Without a socket-level code, fetch refused the request itself (a bad header value, say).
  const what = code ? `is unreachable (${code})` : 'failed before reaching the server';
  return new ConnectionFailedError(`${method} ${url} ${what}: ${redactText(why, secrets)}`, {
    connector,
    cause,
    retryable: isRetryableNetworkCode(code),
    details: { method, url, attempts: attempt, ...(code ? { networkCode: code } : {}) },
  });
}
