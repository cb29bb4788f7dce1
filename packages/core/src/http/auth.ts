/**
 * Authentication for the HTTP layer. An `HttpAuth` sets credentials on each outgoing request
 * and names the secret values it holds, so the client can scrub them from every error it raises.
 */

/** The parts of an outgoing request an auth scheme may change. */
export interface HttpAuthTarget {
  url: URL;
  headers: Headers;
}

/** A way to authenticate requests. Implement it for schemes core does not ship (request signing, mTLS headers). */
export interface HttpAuth {
  /** Sets credentials on one attempt of a request (called again for every retry). */
  apply(target: HttpAuthTarget, signal: AbortSignal): void | Promise<void>;
  /**
   * Called once when a request is answered 401 with the credentials `apply` set. Returning true
   * makes the client send the request again (once), after `apply` picks fresh credentials.
   */
  onUnauthorized?(target: HttpAuthTarget): boolean | Promise<boolean>;
  /** Every secret value this scheme holds or has obtained, for redaction. */
  secrets(): string[];
}

/** A value given directly or produced on demand (a token read from a vault, a rotating key). */
export type CredentialSource = string | (() => string | Promise<string>);

async function resolveSecret(source: CredentialSource): Promise<string> {
  return typeof source === 'function' ? source() : source;
}

/** Remembers the last few values a source produced, so rotated secrets are still redacted. */
function seenValues(limit = 8): { add(value: string): void; list(): string[] } {
  const values: string[] = [];
  return {
    add(value) {
      if (!value || values.includes(value)) return;
      values.push(value);
      if (values.length > limit) values.shift();
    },
    list: () => [...values],
  };
}

/**
 * `Authorization: Bearer <token>`.
 * @example
 * createHttpClient({ baseUrl: 'https://api.example.com', auth: bearerAuth(process.env.API_TOKEN!) });
 */
export function bearerAuth(token: CredentialSource): HttpAuth {
  const seen = seenValues();
  return {
    async apply({ headers }) {
      const value = await resolveSecret(token);
      seen.add(value);
      headers.set('authorization', `Bearer ${value}`);
    },
    secrets: () => (typeof token === 'string' ? [token] : seen.list()),
  };
}

/**
 * HTTP Basic (`Authorization: Basic base64(user:password)`), RFC 7617 with UTF-8.
 * @example
 * basicAuth('etl', process.env.DB_PASSWORD!)
 */
export function basicAuth(user: string, password: CredentialSource): HttpAuth {
  const seen = seenValues();
  return {
    async apply({ headers }) {
      const value = await resolveSecret(password);
      const encoded = Buffer.from(`${user}:${value}`, 'utf8').toString('base64');
      seen.add(value);
      seen.add(encoded);
      headers.set('authorization', `Basic ${encoded}`);
    },
    secrets: () => {
      const fixed = typeof password === 'string' ? [password, Buffer.from(`${user}:${password}`, 'utf8').toString('base64')] : [];
      return [...fixed, ...seen.list()];
    },
  };
}

export interface ApiKeyAuthOptions {
  /** Header or query parameter name, e.g. `x-api-key` or `api_key`. */
  name: string;
  value: CredentialSource;
  /** Where the key goes. Default `header`. */
  in?: 'header' | 'query';
  /** Text before the key in a header, e.g. `Token ` or `ApiKey `. */
  prefix?: string;
}

/**
 * An API key in a header or a query parameter. Keys in the query are still redacted from error
 * URLs, but they reach server access logs: prefer a header where the API allows it.
 * @example
 * apiKeyAuth({ name: 'x-api-key', value: process.env.KEY! });
 * apiKeyAuth({ name: 'key', value: process.env.KEY!, in: 'query' });
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): HttpAuth {
  const seen = seenValues();
  return {
    async apply({ url, headers }) {
      const value = await resolveSecret(options.value);
      seen.add(value);
      if (options.in === 'query') url.searchParams.set(options.name, value);
      else headers.set(options.name, `${options.prefix ?? ''}${value}`);
    },
    secrets: () => (typeof options.value === 'string' ? [options.value] : seen.list()),
  };
}
