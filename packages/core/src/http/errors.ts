/**
 * `HttpError`: a server answered with a status the caller did not accept. It carries what helps
 * someone debug the call (status, method, redacted URL, the server's request id, a short redacted
 * piece of the body) and nothing that could leak a credential: no request headers, no raw URL.
 */
import { SparkleError, type SparkleErrorCode, type SparkleErrorOptions } from '../errors.js';

const HTTP_MARKER = Symbol.for('sparkle.http-error');

/** Statuses worth retrying: timeouts, throttling, and the server-side failures that are usually transient. */
export const RETRYABLE_STATUSES: readonly number[] = [408, 425, 429, 500, 502, 503, 504];

/** True when a status means the same request may succeed later. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.includes(status);
}

/** Response headers servers and CDNs use for a request id, most specific first. */
export const REQUEST_ID_HEADERS: readonly string[] = [
  'x-request-id',
  'x-amz-request-id',
  'x-amzn-requestid',
  'x-ms-request-id',
  'x-goog-request-id',
  'x-github-request-id',
  'request-id',
  'x-correlation-id',
  'cf-ray',
];

/** The server's id for this exchange, to quote to its operators. */
export function requestIdOf(headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value.slice(0, 200);
  }
  return undefined;
}

/** The Sparkle error code a status maps to (scripts branch on codes, never on messages). */
export function codeForStatus(status: number): SparkleErrorCode {
  if (status === 401 || status === 403 || status === 407) return 'AUTHENTICATION_FAILED';
  if (status === 408 || status === 504) return 'TIMEOUT';
  if (status === 429 || status >= 500) return 'CONNECTION_FAILED';
  return 'QUERY_FAILED';
}

export interface HttpErrorInit {
  status: number;
  statusText?: string;
  method: string;
  /** Already redacted. */
  url: string;
  requestId?: string;
  /** Already redacted and bounded. */
  bodySnippet?: string;
  /** How long the server asked to wait (`Retry-After`), when it said. */
  retryAfterMs?: number;
  /** Attempts made, including this one. */
  attempts?: number;
  connector?: string;
  /** Overrides the status-derived value (a caller's `retryOn` policy). */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * A non-accepted HTTP status. `retryable` follows the status (408, 425, 429, 500, 502, 503, 504).
 *
 * @example
 * ```ts
 * try {
 *   await client.getJson('/items');
 * } catch (e) {
 *   if (HttpError.isInstance(e) && e.status === 404) return undefined;
 *   throw e;
 * }
 * ```
 */
export class HttpError extends SparkleError {
  readonly status: number;
  readonly statusText: string;
  readonly method: string;
  readonly url: string;
  readonly requestId: string | undefined;
  readonly bodySnippet: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;

  constructor(init: HttpErrorInit) {
    const status = `HTTP ${init.status}${init.statusText ? ` ${init.statusText}` : ''}`;
    const id = init.requestId ? ` (request id ${init.requestId})` : '';
    const tries = (init.attempts ?? 1) > 1 ? ` after ${init.attempts} attempts` : '';
    const body = init.bodySnippet ? `: ${init.bodySnippet}` : '';
    const options: SparkleErrorOptions = {
      connector: init.connector,
      retryable: init.retryable ?? isRetryableStatus(init.status),
      cause: init.cause,
      details: {
        status: init.status,
        method: init.method,
        url: init.url,
        ...(init.requestId ? { requestId: init.requestId } : {}),
        ...(init.retryAfterMs !== undefined ? { retryAfterMs: init.retryAfterMs } : {}),
        attempts: init.attempts ?? 1,
      },
    };
    super(codeForStatus(init.status), `${init.method} ${init.url} answered ${status}${tries}${id}${body}`, options);
    this.status = init.status;
    this.statusText = init.statusText ?? '';
    this.method = init.method;
    this.url = init.url;
    this.requestId = init.requestId;
    this.bodySnippet = init.bodySnippet;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
    Object.defineProperty(this, HTTP_MARKER, { value: true, enumerable: false });
  }

  /** True for an `HttpError` from any installed copy of core. */
  static override isInstance(value: unknown): value is HttpError {
    return SparkleError.isInstance(value) && (value as unknown as Record<symbol, unknown>)[HTTP_MARKER] === true;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, method: this.method, url: this.url, requestId: this.requestId, bodySnippet: this.bodySnippet };
  }
}
