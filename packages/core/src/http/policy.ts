/**
 * When the HTTP layer retries: which methods are safe to send twice, which failures are
 * transient, and how long a server asked us to wait.
 */
import { isRetryableStatus } from './errors.js';

/** Methods RFC 9110 defines as idempotent: sending one twice has the effect of sending it once. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** Headers by which a caller makes a POST or PATCH safe to repeat (the server de-duplicates). */
const IDEMPOTENCY_KEY_HEADERS = ['idempotency-key', 'x-idempotency-key'];

/**
 * True when the request may be sent again after a failure that might have reached the server:
 * an idempotent method, an explicit `idempotent: true`, or an idempotency key header.
 */
export function isIdempotent(method: string, headers: Headers, explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit;
  return IDEMPOTENT_METHODS.has(method.toUpperCase()) || IDEMPOTENCY_KEY_HEADERS.some((h) => headers.has(h));
}

/** Node and undici error codes that mean the connection failed and a new one may work. */
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** undici codes that are the caller's mistake or a deliberate stop, not the network's. */
const PERMANENT_UNDICI_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_ABORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_PRX_TLS',
]);

/** The first Node/undici error code in an error's cause chain (fetch wraps it as `TypeError: fetch failed`). */
export function networkErrorCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== 'object' || depth > 6) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) {
    for (const e of inner) {
      const found = networkErrorCode(e, depth + 1);
      if (found) return found;
    }
  }
  return networkErrorCode((error as { cause?: unknown }).cause, depth + 1);
}

/** True when a network error code is transient (resets, refusals, undici socket and timeout errors). */
export function isRetryableNetworkCode(code: string | undefined): boolean {
  if (!code) return false;
  if (code.startsWith('UND_ERR_')) return !PERMANENT_UNDICI_CODES.has(code);
  return RETRYABLE_NETWORK_CODES.has(code);
}

/** What a retry decision can look at. */
export interface HttpRetryContext {
  method: string;
  /** Whether the request is safe to repeat (see `isIdempotent`). */
  idempotent: boolean;
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** Set when the server answered. */
  status?: number;
  /** Set when no answer came: the Node/undici code (`ECONNRESET`, `UND_ERR_SOCKET`, …) or `TIMEOUT`. */
  networkCode?: string;
}

/**
 * The default decision. Idempotent requests retry retryable statuses, transient network errors
 * and per-attempt timeouts. Any request, idempotent or not, retries a 429 and a refused
 * connection: in both the server certainly did not act on it.
 */
export function defaultRetryOn(context: HttpRetryContext, statuses: readonly number[] | undefined = undefined): boolean {
  const retryableStatus = (s: number) => (statuses ? statuses.includes(s) : isRetryableStatus(s));
  if (context.status !== undefined) {
    if (!retryableStatus(context.status)) return false;
    return context.idempotent || context.status === 429;
  }
  if (context.networkCode === 'ECONNREFUSED') return true;
  if (!context.idempotent) return false;
  return context.networkCode === 'TIMEOUT' || isRetryableNetworkCode(context.networkCode);
}

/**
 * Milliseconds a `Retry-After` value asks for: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, measured against `now`). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
