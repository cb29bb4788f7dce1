/**
 * gRPC status codes → Sparkle's typed errors. Transient statuses (UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED) are retryable; UNAUTHENTICATED and PERMISSION_DENIED are authentication
 * errors; the rest are query errors, each naming the method and the status.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { AuthenticationError, ConnectionFailedError, QueryError, SparkleError, TimeoutError } from '@sparkle/core';

/**
 * gRPC's status codes, fixed by the protocol (the same numbers grpc-js's `status` enum holds);
 * spelt here so importing this package does not load grpc-js before a connection opens.
 */
const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;
const Status = Object.fromEntries(STATUS_NAMES.map((name, code) => [name, code])) as Record<(typeof STATUS_NAMES)[number], number>;
const NAMES: Record<number, string> = { ...STATUS_NAMES };

/** Name of a gRPC status code (`UNAVAILABLE`). */
export function statusName(code: number): string {
  return NAMES[code] ?? `status ${code}`;
}

/** True for a grpc-js call error. */
export function isServiceError(value: unknown): value is ServiceError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === 'number' && 'metadata' in value;
}

/**
 * The typed error of a failed call.
 *
 * @example
 * ```ts
 * // UNAVAILABLE → ConnectionFailedError (retryable), UNAUTHENTICATED → AuthenticationError
 * throw grpcError(err, { connector: 'grpc', what: "method 'ListItems'", redact: (t) => t });
 * ```
 */
export function grpcError(error: unknown, options: { connector: string; what: string; redact: (text: string) => string; address: string }): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  if (!isServiceError(error)) {
    return new QueryError(`grpc: ${options.what} failed: ${options.redact(String((error as Error)?.message ?? error))}`, { connector: options.connector, cause: error });
  }
  const name = statusName(error.code);
  const detail = options.redact(error.details || error.message);
  const details = { status: name, code: error.code, address: options.address };
  const text = `grpc: ${options.what} failed with ${name}: ${detail}`;
  switch (error.code) {
    case Status.UNAVAILABLE:
      return new ConnectionFailedError(`${text} (is the server at ${options.address} running and reachable?)`, { connector: options.connector, details });
    case Status.DEADLINE_EXCEEDED:
      return new TimeoutError(`${text} (raise 'deadlineMs' if the method is slow)`, { connector: options.connector, details });
    case Status.RESOURCE_EXHAUSTED:
      return new ConnectionFailedError(`${text} (throttled or over quota; retry later)`, { connector: options.connector, details, retryable: true });
    case Status.UNAUTHENTICATED:
    case Status.PERMISSION_DENIED:
      return new AuthenticationError(`${text} (check the credentials in 'metadata' or the TLS client certificate)`, { connector: options.connector, details });
    default:
      return new QueryError(text, { connector: options.connector, details });
  }
}
