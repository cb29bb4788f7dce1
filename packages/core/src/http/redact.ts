/**
 * Keeping secrets out of what the HTTP layer reports: URLs, response snippets and error causes.
 * Errors outlive requests (they are logged, serialised to JSON, shown by the CLI), so everything
 * an error carries is built from redacted text and never from the request's headers.
 */
import { looksSecret, REDACTED, redactText } from '../secrets.js';

/**
 * Query parameters that carry credentials although their names do not end like a secret:
 * Google's `key`, Azure SAS `sig`, OAuth's `code`, presigned-URL fields.
 */
const SECRET_QUERY_PARAMS = new Set([
  'key',
  'apikey',
  'api-key',
  'sig',
  'code',
  'access_token',
  'id_token',
  'refresh_token',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'session_token',
  'sessiontoken',
]);

/** Header names whose values are credentials (besides any name that looks secret). */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-amz-security-token']);

/** True for a query parameter whose value must never be printed. */
export function isSecretQueryParam(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_QUERY_PARAMS.has(lower) || looksSecret(lower);
}

/** True for a header whose value must never be printed. */
export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADERS.has(lower) || looksSecret(lower);
}

/**
 * `url` with credentials removed: user-info password, secret query values (`api_key=***`,
 * `X-Amz-Signature=***`) and any known secret value elsewhere in the text.
 * @example
 * redactUrl('https://u:pw@api.example.com/v1?key=abc&page=2'); // 'https://u:***@api.example.com/v1?key=***&page=2'
 */
export function redactUrl(url: string | URL, secrets: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redactText(String(url), secrets);
  }
  if (parsed.password) parsed.password = REDACTED;
  for (const name of new Set(parsed.searchParams.keys())) {
    if (isSecretQueryParam(name)) parsed.searchParams.set(name, REDACTED);
  }
  // URLSearchParams re-encodes `***`; show it plainly.
  return redactText(parsed.toString().replace(/%2A%2A%2A/g, REDACTED), secrets);
}

/**
 * A response body made safe to show: secret-looking JSON fields (`"access_token": "…"`) and form
 * fields blanked, known secret values removed, and the text cut to `maxChars`.
 */
export function redactSnippet(text: string, secrets: readonly string[], maxChars: number): string {
  let out = text.replace(/"([^"\\]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (whole, key: string, colon: string) =>
    isSecretQueryParam(key) || isSecretHeader(key) ? `"${key}"${colon}"${REDACTED}"` : whole,
  );
  out = out.replace(/(^|[?&\s])([A-Za-z0-9_.-]{1,64})=([^&\s"']+)/g, (whole, lead: string, key: string) =>
    isSecretQueryParam(key) ? `${lead}${key}=${REDACTED}` : whole,
  );
  out = redactText(out, secrets).replace(/\s+/g, ' ').trim();
  return out.length > maxChars ? `${out.slice(0, maxChars)}…` : out;
}

/**
 * A copy of an error chain safe to attach as `cause`: the same names, messages (redacted), codes
 * and nesting, but none of the original objects, which may hold request options, sockets or
 * headers. Depth is bounded so a cyclic chain cannot loop.
 */
export function sanitizeCause(error: unknown, secrets: readonly string[], depth = 0): Error | undefined {
  if (error === undefined || error === null || depth > 6) return undefined;
  const source = error as { name?: unknown; message?: unknown; code?: unknown; errno?: unknown; syscall?: unknown; cause?: unknown; errors?: unknown };
  const copy = new Error(redactText(typeof source.message === 'string' ? source.message : String(error), secrets));
  copy.name = typeof source.name === 'string' ? source.name : 'Error';
  copy.stack = `${copy.name}: ${copy.message}`;
  for (const key of ['code', 'errno', 'syscall'] as const) {
    const value = source[key];
    if (typeof value === 'string' || typeof value === 'number') Object.assign(copy, { [key]: value });
  }
  const inner = Array.isArray(source.errors) ? source.errors[0] : source.cause;
  const cause = sanitizeCause(inner, secrets, depth + 1);
  if (cause) Object.defineProperty(copy, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return copy;
}
