/**
 * Typed errors from the GCS client's failures. The client throws `ApiError`s carrying the HTTP
 * status in `code` (and gaxios errors with `response.status`); network failures carry a Node
 * error code. Messages are ours — naming the object, the status and the fix — and every string
 * of the original error chain kept as `cause` is scrubbed of the connection's secrets.
 */
import {
  AuthenticationError,
  ConnectionFailedError,
  QueryError,
  SparkleError,
  WriteError,
  isRetryableNetworkCode,
  redactText,
  scrubErrorChain,
} from '@sparkle/core';

/** What a failed call was doing, for the message and the error class. */
export interface GcsFailure {
  /** `read`, `write`, `list`, … (reads fail as QueryError, writes as WriteError). */
  op: 'read' | 'write' | 'list' | 'stat' | 'delete' | 'copy';
  /** The object's URI (`gs://bucket/key`) or the bucket's. */
  target: string;
  key?: string;
  connector: string;
  /** Values to scrub from the cause chain (the key JSON and its private key). */
  secrets: readonly string[];
}

/** The HTTP status of a client error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; status?: unknown; response?: { status?: unknown } } | undefined;
  for (const v of [e?.code, e?.status, e?.response?.status]) if (typeof v === 'number' && v >= 100 && v < 600) return v;
  return undefined;
}

/** The reason GCS gives (`notFound`, `rateLimitExceeded`, …), when the error body had one. */
function reasonOf(error: unknown): string | undefined {
  const errors = (error as { errors?: Array<{ reason?: unknown }> } | undefined)?.errors;
  const reason = Array.isArray(errors) ? errors[0]?.reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * The client's error reduced to what is safe to keep: its class name, scrubbed message, status and
 * code. The raw error holds the response (headers, body, the request's config) in nested objects
 * that a scrub of string properties cannot reach, so it is not kept.
 */
function causeOf(error: unknown, status: number | undefined, secrets: readonly string[]): Error {
  const message = redactText(error instanceof Error ? error.message : String(error), secrets);
  const cause = new Error(message);
  cause.name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown } | undefined)?.code;
  Object.assign(cause, { ...(status ? { status } : {}), ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) });
  return scrubErrorChain(cause, secrets);
}

/**
 * Maps a client failure to a Sparkle error.
 * @example
 * throw gcsError(error, { op: 'read', target: 'gs://lake/a.csv', key: 'a.csv', connector: 'gcs', secrets: [] });
 */
export function gcsError(error: unknown, failure: GcsFailure): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const status = statusOf(error);
  const cause = causeOf(error, status, failure.secrets);
  const { op, target, connector } = failure;
  const details: Record<string, unknown> = { ...(failure.key !== undefined ? { key: failure.key } : {}), ...(status ? { status } : {}) };
  const reason = reasonOf(error);
  if (reason) details.reason = reason;
  const Failure = op === 'write' || op === 'delete' || op === 'copy' ? WriteError : QueryError;
  if (status === 401) {
    return new AuthenticationError(`GCS refused the credentials (401) to ${op} ${target}; check credentials.serviceAccountJson / credentials.keyFile, or the Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login)`, {
      connector,
      cause,
      details,
    });
  }
  if (status === 403) {
    return new AuthenticationError(`GCS denied access (403) to ${op} ${target}; the account lacks the permission (storage.objects.* / storage.buckets.get) on the bucket, or the project has no billing`, {
      connector,
      cause,
      details,
    });
  }
  if (status === 404) {
    return new Failure(`${target} was not found (404); check the bucket and key`, { connector, cause, details: { ...details, notFound: true } });
  }
  if (status === 412) {
    return new SparkleError('TABLE_EXISTS', `${target} already exists (precondition ifGenerationMatch=0 failed); use another key or overwrite`, { connector, cause, details });
  }
  if (status === 429 || status === 408 || (status !== undefined && status >= 500)) {
    return new Failure(`GCS is ${status === 429 ? 'throttling requests (429)' : `unavailable (${status})`} for ${op} ${target}, still after the client's retries; retry later or raise maxRetries`, {
      connector,
      cause,
      retryable: true,
      details: { ...details, throttled: status === 429 },
    });
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && isRetryableNetworkCode(code)) {
    return new ConnectionFailedError(`Cannot reach GCS to ${op} ${target} (${code}); check apiEndpoint and the network`, { connector, cause, details: { ...details, code } });
  }
  return new Failure(`GCS failed to ${op} ${target}${status ? ` (${status})` : ''}: ${cause.message}`, { connector, cause, details });
}
