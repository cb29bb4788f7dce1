/** Maps low-level failures (Node socket errors, driver errors) onto Sparkle's typed errors. */
import {
  AuthenticationError,
  ConnectionFailedError,
  QueryError,
  SparkleError,
  TimeoutError,
} from './errors.js';
import { redactText, scrubErrorChain } from './secrets.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEOUT']);

/** Hints a connector gives the classifier for driver-specific errors. */
export interface ErrorHints {
  /** Driver error codes (SQLSTATE, vendor numbers) meaning bad credentials. */
  authCodes?: ReadonlyArray<string | number>;
  /** Driver error codes that are safe to retry (serialization failures, throttling, failover). */
  retryableCodes?: ReadonlyArray<string | number>;
}

function codeOf(error: unknown): string | number | undefined {
  const e = error as { code?: unknown; errno?: unknown; number?: unknown } | undefined;
  if (typeof e?.code === 'string' || typeof e?.code === 'number') return e.code;
  if (typeof e?.errno === 'number') return e.errno;
  if (typeof e?.number === 'number') return e.number;
  return undefined;
}

/** The innermost Node network code in an error or its AggregateError/cause chain. */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== 'object' || depth > 5) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || TIMEOUT_CODES.has(code))) return code;
  const inner = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(inner)) for (const e of inner) { const c = networkCode(e, depth + 1); if (c) return c; }
  return networkCode((error as { cause?: unknown }).cause, depth + 1);
}

/**
 * Wraps any thrown value into a SparkleError for `connector`, with the message scrubbed of
 * `secrets`. Sparkle errors pass through unchanged.
 */
export function classifyError(error: unknown, connector: string, what: string, secrets: readonly string[] = [], hints: ErrorHints = {}): SparkleError {
  // The original error stays as `cause`: scrub the whole chain, not only our message.
  scrubErrorChain(error, secrets);
  if (SparkleError.isInstance(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = redactText(raw || (error as { code?: string })?.code || 'unknown error', secrets);
  const code = codeOf(error);
  const net = networkCode(error);
  const details = code === undefined ? {} : { driverCode: code };
  if (net && TIMEOUT_CODES.has(net)) return new TimeoutError(`${what} timed out: ${message}`, { connector, cause: error, details });
  if (net) {
    return new ConnectionFailedError(`${what} failed: cannot reach the server (${net}): ${message}`, {
      connector,
      cause: error,
      retryable: net !== 'ENOTFOUND',
      details,
    });
  }
  if (code !== undefined && hints.authCodes?.includes(code)) {
    return new AuthenticationError(`${what} failed: the server rejected the credentials: ${message}`, { connector, cause: error, details });
  }
  const retryable = code !== undefined && (hints.retryableCodes?.includes(code) ?? false);
  return new QueryError(`${what} failed: ${message}`, { connector, cause: error, retryable, details });
}
