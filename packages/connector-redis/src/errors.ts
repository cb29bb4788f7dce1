/**
 * Redis replies and socket failures as Sparkle's typed errors. Redis says what went wrong in the
 * first word of an error reply (`WRONGPASS`, `NOAUTH`, `OOM`, `LOADING` …); those words decide
 * the class and whether a retry can help.
 */
import { AuthenticationError, ConnectionFailedError, QueryError, SparkleError } from '@sparkle/core';

/** Error-reply prefixes that mean the credentials were refused or lack a permission. */
const AUTH_PREFIXES = /^(WRONGPASS|NOAUTH|NOPERM)\b/;
/** Error-reply prefixes a later retry can get past (memory pressure, a loading or busy server, cluster moves). */
const RETRYABLE_PREFIXES = /^(OOM|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;

/** True when a Redis error reply (or message) is worth retrying. */
export function isRetryableReply(message: string): boolean {
  return RETRYABLE_PREFIXES.test(message);
}

/**
 * Types a Redis failure; `wrap` is the connection's own classifier (network codes, redaction).
 * @example
 * ```ts
 * import { redisError } from './errors.js';
 * declare const conn: { type: string; wrapError(e: unknown, what: string): import('@sparkle/core').SparkleError };
 * redisError(new Error('WRONGPASS invalid username-password pair'), 'connect', conn); // AuthenticationError
 * ```
 */
export function redisError(error: unknown, what: string, conn: { type: string; wrapError(e: unknown, what: string): SparkleError }): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  // node-redis gives up reconnecting with a ReconnectStrategyError that holds the socket's error.
  const original = (error as { originalError?: unknown } | undefined)?.originalError;
  if (original instanceof Error) error = original;
  // Classify first: it scrubs secrets from the whole cause chain and maps socket codes.
  const classified = conn.wrapError(error, what);
  const message = error instanceof Error ? error.message : '';
  if (AUTH_PREFIXES.test(message)) {
    return new AuthenticationError(
      `${what} failed: Redis refused the credentials (${message.split(' ')[0]}). Check 'username' and 'password' (or the url's user info) and the user's ACL`,
      { connector: conn.type, cause: classified },
    );
  }
  if (classified.code === 'CONNECTION_FAILED' || classified.code === 'TIMEOUT' || classified.code === 'AUTHENTICATION_FAILED') return classified;
  if (/^(Connection timeout|Socket closed unexpectedly|The client is closed)/i.test(message)) {
    return new ConnectionFailedError(`${what} failed: cannot reach the Redis server: ${classified.message}`, { connector: conn.type, cause: classified });
  }
  if (isRetryableReply(message)) return new QueryError(classified.message, { connector: conn.type, cause: classified, retryable: true });
  return classified;
}
