/**
 * Driver errors as Sparkle's typed errors, by Neo4j's status codes: `Neo.ClientError.Security.*`
 * are authentication failures, `ServiceUnavailable`/`SessionExpired` and `Neo.TransientError.*`
 * are retryable, an unknown database is an invalid argument. Messages are redacted by the caller's
 * function before they are built.
 */
import { AuthenticationError, ConnectionFailedError, InvalidArgumentError, QueryError, SparkleError, TimeoutError, WriteError } from '@sparkle/core';

interface DriverError {
  code?: string;
  message?: string;
  retriable?: boolean;
}

/** True when Neo4j says retrying may help. */
export function isRetryableNeo4jError(error: unknown): boolean {
  const code = (error as DriverError)?.code ?? '';
  return code === 'ServiceUnavailable' || code === 'SessionExpired' || code.startsWith('Neo.TransientError.') || (error as DriverError)?.retriable === true;
}

/** A typed error for a driver error; `what` says what was being done. */
export function neo4jError(error: unknown, connector: string, what: string, redact: (text: string) => string, write = false): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const e = error as DriverError;
  const code = e?.code ?? '';
  const message = redact(String(e?.message ?? error));
  const options = { connector, cause: error, retryable: isRetryableNeo4jError(error), details: { neo4jCode: code } };
  if (code.startsWith('Neo.ClientError.Security.')) {
    return new AuthenticationError(`${what}: Neo4j refused the credentials or access (${code}: ${message}); check username and password in the connection config`, { ...options, retryable: false });
  }
  if (code === 'ServiceUnavailable' || code === 'SessionExpired') {
    return new ConnectionFailedError(`${what}: Neo4j is not reachable (${message}); check the uri`, options);
  }
  if (/timed? ?out/i.test(message) && !code.startsWith('Neo.ClientError')) return new TimeoutError(`${what}: ${message}`, options);
  if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
    return new InvalidArgumentError(`${what}: ${message}; fix "database" in the connection config`, { ...options, retryable: false });
  }
  if (code.startsWith('Neo.ClientError.Statement.') || code === 'Neo.ClientError.Request.Invalid') {
    return new QueryError(`${what}: Neo4j refused the Cypher (${code}): ${message}`, { ...options, retryable: false });
  }
  return write ? new WriteError(`${what}: ${message}${code ? ` (${code})` : ''}`, options) : new QueryError(`${what}: ${message}${code ? ` (${code})` : ''}`, options);
}
