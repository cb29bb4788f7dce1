/**
 * S3 failures as core's typed errors. The SDK's exceptions carry the S3 error code (`name`), the
 * HTTP status and whether the SDK thought a retry could help; every message here names the bucket
 * and key involved and what to do, and never a credential (the caller redacts the config's
 * secrets from whatever text the service sent back).
 */
import {
  AuthenticationError,
  ConnectionFailedError,
  QueryError,
  SparkleError,
  WriteError,
  type SparkleErrorOptions,
} from '@sparkle/core';

/** The fields of an SDK exception this module looks at. */
interface AwsErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; attempts?: number };
  Code?: string;
}

/** What an S3 call was doing, for messages: `HeadObject s3://bucket/key`. */
export interface S3CallContext {
  /** Connection type (`s3`, `s3_compatible`). */
  connector: string;
  /** The S3 operation (`GetObject`). */
  operation: string;
  /** `s3://bucket/key` (or `s3://bucket/` for bucket calls). */
  target: string;
  bucket: string;
  key?: string;
  /** Scrubs secrets from text taken from the service. */
  redact: (text: string) => string;
}

const AUTH_CODES: Readonly<Record<string, string>> = {
  InvalidAccessKeyId: 'the access key id is not known to the server; check accessKeyId (or the profile / environment the default chain reads)',
  SignatureDoesNotMatch: 'the request signature does not match; check secretAccessKey (and the region)',
  ExpiredToken: 'the session token has expired; refresh the temporary credentials (sessionToken) and retry',
  InvalidToken: 'the session token is malformed or invalid; check sessionToken',
  TokenRefreshRequired: 'the session token must be refreshed; get new temporary credentials',
  AccessDenied: 'access denied; the credentials lack permission for this call (s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject as the call needs)',
  AllAccessDisabled: 'all access to this object has been disabled',
  AuthorizationHeaderMalformed: 'the authorization header is malformed, often a wrong region; check region',
  CredentialsProviderError: 'no credentials found; set accessKeyId/secretAccessKey, a profile, or configure the default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, web identity, instance role)',
};

const RETRYABLE_CODES = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeTooSkewed', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);

/** The S3 error code of an SDK exception (`NoSuchKey`, `SlowDown` …), or its HTTP status for bodiless responses (HEAD). */
export function awsErrorCode(error: unknown): string {
  const e = (error ?? {}) as AwsErrorLike;
  return e.Code ?? e.name ?? e.code ?? 'Error';
}

/** The HTTP status an SDK exception came with, if any. */
export function httpStatusOf(error: unknown): number | undefined {
  return ((error ?? {}) as AwsErrorLike).$metadata?.httpStatusCode;
}

/** True when an exception means "no such key" (404 on an object call, including HEAD's bodiless `NotFound`). */
export function isNotFound(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'NoSuchKey' || code === 'NotFound' || (httpStatusOf(error) === 404 && code !== 'NoSuchBucket');
}

/** True when a conditional request was refused (`If-Match`/`If-None-Match` failed, or a concurrent conditional write won). */
export function isPreconditionFailed(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'PreconditionFailed' || code === 'ConditionalRequestConflict' || httpStatusOf(error) === 412;
}

function causeCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A typed Sparkle error for an S3 failure: authentication (`InvalidAccessKeyId`,
 * `SignatureDoesNotMatch`, `ExpiredToken`, `AccessDenied`), a missing bucket, throttling and 5xx
 * left after the SDK's retries (retryable), network failures (retryable), not-found keys; other
 * codes become `QueryError` (reads) or `WriteError` (writes) carrying the S3 code.
 *
 * @example
 * ```ts
 * try { await client.send(cmd); } catch (e) { throw s3Error(e, { connector: 's3', operation: 'GetObject', target: 's3://lake/a.csv', bucket: 'lake', redact: (t) => t }); }
 * ```
 */
export function s3Error(error: unknown, context: S3CallContext, kind: 'read' | 'write' = 'read'): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const code = awsErrorCode(error);
  const status = httpStatusOf(error);
  const detail = context.redact(String((error as AwsErrorLike)?.message ?? error));
  const details: Record<string, unknown> = { bucket: context.bucket, s3Code: code, ...(status ? { httpStatus: status } : {}), ...(context.key !== undefined ? { key: context.key } : {}) };
  const base: SparkleErrorOptions = { connector: context.connector, cause: error, details };
  const where = `${context.operation} ${context.target}`;

  if (code === 'AbortError' || (error as Error)?.name === 'AbortError') {
    return new SparkleError('ABORTED', `${where} was aborted`, base);
  }
  if (AUTH_CODES[code] || status === 401 || (status === 403 && code !== 'RequestTimeTooSkewed')) {
    const why = AUTH_CODES[code] ?? `the server refused the credentials (HTTP ${status} ${code})`;
    return new AuthenticationError(`${where}: ${why} (${code})`, base);
  }
  if (code === 'NoSuchBucket') {
    return new QueryError(`${where}: bucket '${context.bucket}' does not exist (NoSuchBucket); check 'bucket', 'region' and 'endpoint'`, { ...base, details: { ...details, notFound: true } });
  }
  const network = causeCode(error) ?? (NETWORK_CODES.has(code) ? code : undefined);
  if (network) {
    return new ConnectionFailedError(`${where}: cannot reach the S3 endpoint (${network}); check 'endpoint'/'region' and the network`, { ...base, retryable: true });
  }
  const throttled = RETRYABLE_CODES.has(code) || (error as AwsErrorLike)?.$retryable?.throttling === true || status === 503 || status === 429 || (status !== undefined && status >= 500);
  if (throttled) {
    const attempts = (error as AwsErrorLike)?.$metadata?.attempts;
    return new QueryError(`${where}: the server is throttling or failing (${code}${status ? `, HTTP ${status}` : ''})${attempts ? ` after ${attempts} attempts` : ''}; retry later or lower the request rate`, { ...base, retryable: true });
  }
  if (isNotFound(error)) {
    return new QueryError(`${where}: no such object`, { ...base, details: { ...details, notFound: true } });
  }
  const message = `${where} failed (${code}${status ? `, HTTP ${status}` : ''}): ${detail}`;
  return kind === 'write' ? new WriteError(message, base) : new QueryError(message, base);
}
