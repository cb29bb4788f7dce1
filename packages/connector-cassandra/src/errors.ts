/**
 * Driver errors as Sparkle's typed errors. The native protocol's error codes decide: Unavailable,
 * WriteTimeout, ReadTimeout, Overloaded and Bootstrapping are retryable; bad credentials,
 * Unauthorized, Invalid, Syntax and Config errors are not. Messages pass through the
 * connection's redaction before they are built, so no secret reaches them.
 */
import {
  AuthenticationError,
  ConnectionFailedError,
  InvalidArgumentError,
  QueryError,
  SparkleError,
  TimeoutError,
  UnsupportedOperationError,
  WriteError,
} from '@sparkle/core';

/** Native-protocol error codes (`types.responseErrorCodes`). */
const CODE = {
  badCredentials: 0x0100,
  unavailable: 0x1000,
  overloaded: 0x1001,
  bootstrapping: 0x1002,
  writeTimeout: 0x1100,
  readTimeout: 0x1200,
  readFailure: 0x1300,
  writeFailure: 0x1500,
  syntax: 0x2000,
  unauthorized: 0x2100,
  invalid: 0x2200,
  config: 0x2300,
  alreadyExists: 0x2400,
} as const;

const RETRYABLE = new Set<number>([CODE.unavailable, CODE.overloaded, CODE.bootstrapping, CODE.writeTimeout, CODE.readTimeout]);

interface DriverError {
  name?: string;
  message?: string;
  code?: number;
  innerErrors?: Record<string, unknown>;
}

/** True when a driver error may succeed on retry (used by the write retries). */
export function isRetryableCassandraError(error: unknown): boolean {
  const e = error as DriverError;
  if (e?.name === 'OperationTimedOutError') return true;
  if (e?.name === 'NoHostAvailableError') return !Object.values(e.innerErrors ?? {}).some((i) => (i as DriverError)?.name === 'AuthenticationError');
  return typeof e?.code === 'number' && RETRYABLE.has(e.code);
}

/**
 * A typed error for a driver error.
 * @param what what was being done (`read of shop.orders`), for the message
 * @param redact the connection's redaction (removes secret values from text)
 */
export function cassandraError(error: unknown, connector: string, what: string, redact: (text: string) => string, write = false): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const e = error as DriverError;
  const message = redact(String(e?.message ?? error));
  const options = { connector, cause: error, retryable: isRetryableCassandraError(error) };
  if (e?.name === 'NoHostAvailableError') {
    const inner = Object.values(e.innerErrors ?? {}) as DriverError[];
    const auth = inner.find((i) => i?.name === 'AuthenticationError' || i?.code === CODE.badCredentials);
    if (auth) {
      return new AuthenticationError(`${what}: Cassandra refused the credentials (${redact(String(auth.message))}); check username and password in the connection config`, { ...options, retryable: false });
    }
    if (inner.some((i) => i?.name === 'OperationTimedOutError')) return new TimeoutError(`${what}: no Cassandra node answered in time (${message})`, options);
    return new ConnectionFailedError(`${what}: no Cassandra node could be reached (${message}); check contactPoints, port and localDataCenter`, options);
  }
  if (e?.name === 'AuthenticationError' || e?.code === CODE.badCredentials) {
    return new AuthenticationError(`${what}: Cassandra refused the credentials (${message}); check username and password`, { ...options, retryable: false });
  }
  if (e?.name === 'OperationTimedOutError') return new TimeoutError(`${what}: the request timed out (${message})`, options);
  if (e?.name === 'ArgumentError' || e?.name === 'TypeError') return new InvalidArgumentError(`${what}: ${message}`, options);
  switch (e?.code) {
    case CODE.unauthorized:
      return new AuthenticationError(`${what}: not permitted (${message}); grant the role the permission it needs`, { ...options, retryable: false });
    case CODE.invalid:
    case CODE.syntax:
      return new UnsupportedOperationError(`${what}: Cassandra refused the request: ${message}`, options);
    case CODE.config:
    case CODE.alreadyExists:
      return new QueryError(`${what}: ${message}`, options);
    case CODE.unavailable:
    case CODE.writeTimeout:
    case CODE.readTimeout:
    case CODE.overloaded:
    case CODE.bootstrapping:
    case CODE.readFailure:
    case CODE.writeFailure:
      return write ? new WriteError(`${what}: ${message} (retryable: ${options.retryable})`, options) : new QueryError(`${what}: ${message}`, options);
    default:
      return write ? new WriteError(`${what}: ${message}`, options) : new QueryError(`${what}: ${message}`, options);
  }
}
