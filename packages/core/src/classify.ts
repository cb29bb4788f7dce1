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

/**
 * TLS/SSL negotiation failures: Node's TLS error codes and the drivers' words for them. These
 * happen while a session is opened (the auth tier runs that), but they are about the transport —
 * a certificate, a protocol mismatch, a server without SSL — never the credentials.
 */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|EPROTO$|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_VERIFY_LEAF_SIGNATURE$|UNABLE_TO_GET_ISSUER_CERT|CERT_|HANDSHAKE_NO_SSL_SUPPORT$|HOSTNAME_MISMATCH$)/;
const TLS_MESSAGE =
  /(does not support SSL|SSL (?:is )?required|SSL connection (?:is )?required|server requires (?:SSL|TLS|encryption)|wrong version number|self[- ]signed certificate|certificate (?:has expired|verify failed|is not yet valid)|unable to (?:verify|get)[\w ]* certificate|(?:TLS|SSL) handshake|alert handshake failure|unsupported protocol|Hostname\/IP does not match certificate)/i;

/** True when an error (or its cause chain) is a TLS/SSL negotiation failure. */
export function isTlsError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && TLS_CODE.test(code)) return true;
  if (typeof message === 'string' && TLS_MESSAGE.test(message)) return true;
  return isTlsError((error as { cause?: unknown }).cause, depth + 1);
}

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
  // Before credentials: a handshake failure is a transport problem, whatever tier saw it.
  if (isTlsError(error)) {
    return new ConnectionFailedError(`${what} failed: TLS/SSL negotiation failed: ${message}`, { connector, cause: error, retryable: false, details: { ...details, tls: true } });
  }
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
