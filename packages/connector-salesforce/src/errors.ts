/**
 * Salesforce failures as Sparkle errors. The REST and Bulk APIs answer errors as
 * `[{ "errorCode": "MALFORMED_QUERY", "message": "…" }]`; the OAuth token endpoint as
 * `{ "error": "invalid_grant", "error_description": "…" }`; jsforce raises both as an Error whose
 * `errorCode` (or `name`) carries the code. The server's message is kept (it names the bad field
 * or the syntax error); secrets are redacted by the caller's `redact`.
 */
import { AuthenticationError, ConnectionFailedError, QueryError, SparkleError, WriteError } from '@sparkle/core';

/** Codes that mean the credentials or session are not accepted. */
const AUTH_CODES = new Set(['INVALID_SESSION_ID', 'INVALID_AUTH_HEADER', 'INVALID_LOGIN', 'invalid_grant', 'invalid_client', 'invalid_client_id', 'unsupported_grant_type', 'inactive_user', 'inactive_org', 'LOGIN_MUST_USE_SECURITY_TOKEN', 'API_DISABLED_FOR_ORG', 'INSUFFICIENT_ACCESS']);
/** Codes worth retrying later. */
const TRANSIENT_CODES = new Set(['REQUEST_LIMIT_EXCEEDED', 'SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW', 'QUERY_TIMEOUT', 'TOO_MANY_REQUESTS', 'TXN_SECURITY_METERING_ERROR', 'ERROR_HTTP_503', 'ERROR_HTTP_502', 'ERROR_HTTP_504', 'ERROR_HTTP_500']);
/** Codes that name a query mistake: bad syntax, unknown object or field. */
const QUERY_CODES = new Set(['MALFORMED_QUERY', 'INVALID_FIELD', 'INVALID_TYPE', 'INVALID_QUERY_FILTER_OPERATOR', 'INVALID_QUERY_LOCATOR', 'NOT_FOUND', 'INVALIDENTITY', 'API_ERROR', 'InvalidBatch', 'InvalidJob']);

/** One error entry as Salesforce writes it. */
export interface SalesforceApiError {
  errorCode: string;
  message: string;
}

/** Reads an error body (REST list, single object, or OAuth error) into entries; `[]` when it is none of those. */
export function apiErrorsOf(body: unknown): SalesforceApiError[] {
  const list = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  const out: SalesforceApiError[] = [];
  for (const raw of list) {
    const e = (raw ?? {}) as Record<string, unknown>;
    if (typeof e.errorCode === 'string') out.push({ errorCode: e.errorCode, message: typeof e.message === 'string' ? e.message : '' });
    else if (typeof e.error === 'string') out.push({ errorCode: e.error, message: typeof e.error_description === 'string' ? e.error_description : '' });
  }
  return out;
}

/** The error code of a jsforce error (`errorCode`, else a code-like `name`). */
export function codeOf(error: unknown): string | undefined {
  const e = (error ?? {}) as { errorCode?: unknown; name?: unknown };
  if (typeof e.errorCode === 'string') return e.errorCode;
  if (typeof e.name === 'string' && e.name !== 'Error' && /^[A-Za-z_0-9]+$/.test(e.name)) return e.name;
  return undefined;
}

/**
 * A typed error for a failed call: `what` says which call (`query`, `describe Account`, `bulk
 * query job 750…`), `kind` whether it was a read or a write.
 */
export function salesforceError(error: unknown, what: string, options: { connector: string; redact: (text: string) => string; kind?: 'read' | 'write'; status?: number }): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const code = codeOf(error) ?? (options.status ? `ERROR_HTTP_${options.status}` : undefined);
  const raw = error instanceof Error ? error.message : String(error);
  const message = options.redact(raw).slice(0, 800);
  const details = { ...(code ? { errorCode: code } : {}), ...(options.status ? { status: options.status } : {}) };
  const common = { connector: options.connector, cause: error, details };
  if (code && AUTH_CODES.has(code)) {
    const hint = code === 'INVALID_SESSION_ID' ? 'the session or access token is invalid or expired; log in again or configure a refresh token' : 'check the username, password + security token, connected app (client id/secret) or private key';
    return new AuthenticationError(`${options.connector}: Salesforce refused the credentials for ${what} (${code}${message ? `: ${message}` : ''}); ${hint}`, common);
  }
  if (code && TRANSIENT_CODES.has(code)) {
    return new ConnectionFailedError(`${options.connector}: ${what} failed for now (${code}: ${message}); try again later`, { ...common, retryable: true });
  }
  if (options.kind === 'write') return new WriteError(`${options.connector}: ${what} failed (${code ?? 'error'}: ${message})`, { ...common, details: { ...details, committed: false } });
  if ((code && QUERY_CODES.has(code)) || options.kind === 'read') return new QueryError(`${options.connector}: ${what} failed (${code ?? 'error'}: ${message})`, common);
  const network = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|fetch failed|socket/i.test(raw);
  return new ConnectionFailedError(`${options.connector}: ${what} failed (${code ?? 'error'}: ${message})`, { ...common, retryable: network });
}
