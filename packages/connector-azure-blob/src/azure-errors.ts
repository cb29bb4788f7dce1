/**
 * Azure Storage failures as Sparkle's typed errors, shared by `azure_blob` and `adls`. The
 * storage clients throw `RestError` (HTTP status, `x-ms-error-code`) and `@azure/identity` its
 * own credential errors; each becomes a core error class naming the object, container and fix.
 * The original error is not kept as `cause`: it carries the request (URL with a SAS signature,
 * `Authorization` header), so only its scrubbed message, status and code travel on.
 */
import { AuthenticationError, classifyError, QueryError, redactText, SparkleError, type SparkleErrorOptions } from '@sparkle/core';

/** What an Azure failure was about, for the message. */
export interface AzureErrorContext {
  connector: string;
  /** The operation, e.g. `read raw/a.csv`. */
  what: string;
  /** The object's key, when the operation has one. */
  key?: string;
  /** `container 'raw' in account 'lake'` or `filesystem …`, for not-found messages. */
  container: string;
  /** Secret values of the connection's config (account key, SAS token, client secret …). */
  secrets: readonly string[];
  /** The call was a create-only put (`ifNoneMatch: '*'`): a conflict means the key exists. */
  createOnly?: boolean;
}

const AUTH_CODES = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'InsufficientAccountPermissions',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
  'AccountIsDisabled',
]);
const CONTAINER_MISSING = new Set(['ContainerNotFound', 'FilesystemNotFound', 'ContainerBeingDeleted', 'FilesystemBeingDeleted']);
const OBJECT_MISSING = new Set(['BlobNotFound', 'PathNotFound', 'ResourceNotFound', 'CannotVerifyCopySource']);
const EXISTS = new Set(['BlobAlreadyExists', 'PathAlreadyExists']);
const IDENTITY_ERRORS = new Set(['AuthenticationError', 'CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

/** The HTTP status and service error code of a storage client error, when it is one. */
export function azureStatus(error: unknown): { status?: number; code?: string } {
  const e = error as { statusCode?: number; code?: string; details?: { errorCode?: string }; response?: { headers?: { get?(name: string): string | undefined } } } | undefined;
  if (!e || typeof e !== 'object') return {};
  const header = typeof e.response?.headers?.get === 'function' ? e.response.headers.get('x-ms-error-code') : undefined;
  const code = e.details?.errorCode ?? header ?? (typeof e.code === 'string' && /^[A-Z][A-Za-z]+$/.test(e.code) ? e.code : undefined);
  return { ...(typeof e.statusCode === 'number' ? { status: e.statusCode } : {}), ...(code ? { code } : {}) };
}

/**
 * Removes secrets from text: the config's secret values and any SAS signature (`sig=…`, also
 * URL-encoded) or `SharedKey account:signature` an SDK message may quote.
 *
 * @example
 * ```ts
 * scrubAzureText('GET https://a.blob.core.windows.net/c/k?sv=2024&sig=abc%2B1 failed', []); // '…?sv=2024&sig=*** failed'
 * ```
 */
export function scrubAzureText(text: string, secrets: readonly string[]): string {
  const encoded = secrets.flatMap((s) => [s, encodeURIComponent(s)]);
  return redactText(text, encoded)
    .replace(/([?&;]sig=)[^&\s"';]+/gi, '$1***')
    .replace(/(SharedKey(?:Lite)? [^:\s]+:)[^\s"']+/g, '$1***')
    .replace(/(AccountKey=)[^;\s"']+/gi, '$1***')
    .replace(/(SharedAccessSignature=)[^;\s"']+/gi, '$1***');
}

/** A plain, scrubbed stand-in for the client's error (status and code kept, request and response dropped). */
function scrubbedCause(error: unknown, secrets: readonly string[]): Error {
  const { status, code } = azureStatus(error);
  const raw = error instanceof Error ? error.message : String(error);
  const cause = new Error(scrubAzureText(raw.split('\n')[0] ?? raw, secrets));
  cause.name = error instanceof Error ? error.name : 'Error';
  Object.assign(cause, { ...(status !== undefined ? { statusCode: status } : {}), ...(code ? { code } : {}) });
  return cause;
}

/**
 * Maps a storage or identity client error to a Sparkle error.
 * - 401/403 and auth codes, identity failures → `AuthenticationError`;
 * - `ContainerNotFound`/`FilesystemNotFound` → `QueryError` (`details.containerNotFound`);
 * - `BlobNotFound`/`PathNotFound` → `QueryError` (`details.notFound`);
 * - 409 exists, or 412 on a create-only put → `TABLE_EXISTS`;
 * - 412 otherwise → retryable `QueryError`: the object changed since its ETag was read;
 * - 429, 500, 503 (`ServerBusy`) → retryable `QueryError` (the client already retried with backoff);
 * - network failures → core's classification (`CONNECTION_FAILED`, `TIMEOUT`).
 *
 * @example
 * ```ts
 * try { await blob.download(0); } catch (error) { throw azureError(error, { connector: 'azure_blob', what: 'read a.csv', key: 'a.csv', container: "container 'raw'", secrets }); }
 * ```
 */
export function azureError(error: unknown, ctx: AzureErrorContext): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const { status, code } = azureStatus(error);
  const name = error instanceof Error ? error.name : '';
  const cause = scrubbedCause(error, ctx.secrets);
  const base = (extra: Record<string, unknown> = {}): SparkleErrorOptions => ({
    connector: ctx.connector,
    cause,
    details: { ...(status !== undefined ? { status } : {}), ...(code ? { azureCode: code } : {}), ...(ctx.key !== undefined ? { key: ctx.key } : {}), ...extra },
  });
  const said = cause.message;
  const object = ctx.key !== undefined ? `'${ctx.key}'` : ctx.container;

  if (IDENTITY_ERRORS.has(name)) {
    return new AuthenticationError(`${ctx.what} failed: Entra ID gave no token (${name}): ${said}. Check auth (tenantId, clientId, clientSecret, or the managed identity)`, base());
  }
  if (status === 401 || status === 403 || (code && AUTH_CODES.has(code))) {
    return new AuthenticationError(
      `${ctx.what} failed: the storage account rejected the credentials (${code ?? status}). Check auth: the account key, the SAS token's expiry and permissions, or the identity's role (Storage Blob Data Contributor)`,
      base(),
    );
  }
  if (code && CONTAINER_MISSING.has(code)) {
    return new QueryError(`${ctx.what} failed: ${ctx.container} does not exist (${code}); create it or fix the config`, base({ containerNotFound: true }));
  }
  if (status === 404 || (code && OBJECT_MISSING.has(code))) {
    return new QueryError(`${ctx.what} failed: no object ${object} in ${ctx.container} (${code ?? 404})`, base({ notFound: true }));
  }
  if ((code && EXISTS.has(code)) || (status === 409 && ctx.createOnly) || (status === 412 && ctx.createOnly)) {
    return new SparkleError('TABLE_EXISTS', `${ctx.what} failed: ${object} already exists in ${ctx.container}; write with mode 'overwrite', or to another key`, base());
  }
  if (status === 412 || code === 'ConditionNotMet' || code === 'SourceConditionNotMet') {
    return new QueryError(`${ctx.what} failed: ${object} changed while it was being read (its ETag no longer matches); read it again`, { ...base(), retryable: true });
  }
  if (status === 429 || status === 500 || status === 503 || code === 'ServerBusy' || code === 'OperationTimedOut' || code === 'InternalError') {
    return new QueryError(`${ctx.what} failed: the storage service is busy or failing (${code ?? status}) after retries with backoff; try again later or raise maxTries`, {
      ...base(),
      retryable: true,
    });
  }
  if (status !== undefined) {
    return new QueryError(`${ctx.what} failed: ${said}`, base());
  }
  // Network and everything else: core's classification (ECONNREFUSED → CONNECTION_FAILED …), on the scrubbed error.
  const innerCode = (error as { cause?: { code?: unknown } })?.cause?.code;
  const ownCode = (error as { code?: unknown })?.code;
  const fromMessage = said.match(/\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE|ECONNABORTED)\b/)?.[1];
  const networkCode = [innerCode, fromMessage, ownCode].find((c): c is string => typeof c === 'string');
  if (networkCode) Object.assign(cause, { code: networkCode });
  return classifyError(cause, ctx.connector, ctx.what, ctx.secrets);
}
