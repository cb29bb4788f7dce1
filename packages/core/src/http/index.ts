/**
 * One HTTP layer for every API, cloud and catalog connector: `createHttpClient` (timeouts,
 * deadlines, retries with backoff and `Retry-After`), auth helpers (bearer, basic, API key,
 * OAuth 2.0 with a token cache), typed `HttpError`s that never carry secrets, and paginators.
 */
export * from './client.js';
export * from './response.js';
export * from './errors.js';
export * from './auth.js';
export * from './oauth2.js';
export * from './paginate.js';
export { parseRetryAfter, isIdempotent, defaultRetryOn, isRetryableNetworkCode, type HttpRetryContext } from './policy.js';
export { redactUrl, isSecretHeader, isSecretQueryParam } from './redact.js';
export { resolveJsonPointer, parseJsonPointer } from './json-pointer.js';
