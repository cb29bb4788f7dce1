/**
 * GraphQL reports failures in the `errors` array of a response (often with HTTP 200). They become
 * one typed `GraphQLResponseError` whose code follows the errors' `extensions.code`: credentials
 * refused → AUTHENTICATION_FAILED, throttling → retryable, everything else → QUERY_FAILED.
 */
import { SparkleError, type SparkleErrorCode } from '@sparkle/core';

/** One entry of a response's `errors` array, as far as Sparkle reads it (messages already redacted). */
export interface GraphQLErrorEntry {
  message: string;
  /** Response path of the field that failed, e.g. `['users', 'edges', 3, 'node', 'email']`. */
  path?: Array<string | number>;
  /** `extensions.code` when the server gives one (`UNAUTHENTICATED`, `BAD_USER_INPUT`, …). */
  code?: string;
}

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'FORBIDDEN', 'AUTHENTICATION_ERROR', 'AUTHORIZATION_ERROR']);
const THROTTLE_CODES = new Set(['RATE_LIMITED', 'THROTTLED', 'TOO_MANY_REQUESTS', 'SERVICE_UNAVAILABLE', 'MAX_COST_EXCEEDED_RETRY']);

/** Reads the `errors` array of a response body; `[]` when there is none. */
export function graphQLErrorsOf(body: unknown, redact: (text: string) => string): GraphQLErrorEntry[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((raw) => {
    const e = (raw ?? {}) as { message?: unknown; path?: unknown; extensions?: { code?: unknown } };
    const entry: GraphQLErrorEntry = { message: redact(typeof e.message === 'string' ? e.message : JSON.stringify(raw)) };
    if (Array.isArray(e.path)) entry.path = e.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
    if (typeof e.extensions?.code === 'string') entry.code = e.extensions.code;
    return entry;
  });
}

function codeFor(errors: readonly GraphQLErrorEntry[], status: number | undefined): { code: SparkleErrorCode; retryable: boolean } {
  if (status === 401 || status === 403 || errors.some((e) => e.code && AUTH_CODES.has(e.code))) return { code: 'AUTHENTICATION_FAILED', retryable: false };
  if (status === 429 || errors.some((e) => e.code && THROTTLE_CODES.has(e.code))) return { code: 'CONNECTION_FAILED', retryable: true };
  return { code: 'QUERY_FAILED', retryable: false };
}

/**
 * A GraphQL response carried errors.
 *
 * @example
 * ```ts
 * try {
 *   await gql.execute('query { me { id } }');
 * } catch (e) {
 *   if (GraphQLResponseError.isGraphQLError(e)) for (const err of e.errors) console.log(err.code, err.path, err.message);
 * }
 * ```
 */
export class GraphQLResponseError extends SparkleError {
  /** The response's errors (messages redacted). */
  readonly errors: GraphQLErrorEntry[];
  /** True when the response also carried `data` (partial data). */
  readonly partialData: boolean;
  /** HTTP status of the response. */
  readonly status: number | undefined;

  constructor(what: string, errors: GraphQLErrorEntry[], options: { connector: string; partialData: boolean; status?: number; hint?: string }) {
    const { code, retryable } = codeFor(errors, options.status);
    const shown = errors
      .slice(0, 3)
      .map((e) => `${e.message}${e.path?.length ? ` (at ${e.path.join('.')})` : ''}${e.code ? ` [${e.code}]` : ''}`)
      .join('; ');
    const more = errors.length > 3 ? ` and ${errors.length - 3} more` : '';
    const partial = options.partialData ? ' The response also carried partial data; set partialData: "keep" on the query to read it and collect the errors instead.' : '';
    super(code, `${what} failed with ${errors.length} GraphQL error${errors.length === 1 ? '' : 's'}: ${shown}${more}.${partial}${options.hint ? ` ${options.hint}` : ''}`, {
      connector: options.connector,
      retryable,
      details: { errors: errors.length, codes: [...new Set(errors.map((e) => e.code).filter(Boolean))], partialData: options.partialData, ...(options.status ? { status: options.status } : {}) },
    });
    this.errors = errors;
    this.partialData = options.partialData;
    this.status = options.status;
  }

  /** True for a `GraphQLResponseError` (by name, so two installed copies agree). */
  static isGraphQLError(value: unknown): value is GraphQLResponseError {
    return SparkleError.isInstance(value) && value.name === 'GraphQLResponseError';
  }
}
