/**
 * OAuth 2.0 access tokens for the HTTP layer (RFC 6749): the client-credentials grant (§4.4) and
 * the refresh-token grant (§6), behind one token cache. The cache refreshes a token shortly
 * before it expires, lets concurrent requests share one token request (single flight), and drops
 * a token the API answered 401 to so the request is retried once with a fresh one.
 */
import { AuthenticationError } from '../errors.js';
import { raceSignal } from '../util/async.js';
import type { HttpAuthTarget, HttpAuth } from './auth.js';
import { createHttpClient, type HttpClock, type HttpRetryOptions } from './client.js';
import { HttpError } from './errors.js';
import { redactSnippet, redactUrl } from './redact.js';

/** A token as the cache keeps it. */
export interface OAuth2Token {
  accessToken: string;
  /** `Bearer` unless the server says otherwise. */
  tokenType: string;
  /** Epoch ms after which the cache fetches a new token (expiry minus the skew); undefined when the server gave no lifetime. */
  refreshAt: number | undefined;
  scope?: string;
}

export interface OAuth2Options {
  /** The authorization server's token endpoint. */
  tokenUrl: string;
  clientId?: string;
  clientSecret?: string;
  /** Space-separated string or list. */
  scope?: string | readonly string[];
  /** Extra form fields some servers want (`audience`, `resource`). */
  params?: Record<string, string>;
  /**
   * How the client authenticates to the token endpoint: HTTP Basic (`basic`, RFC 6749 §2.3.1's
   * preferred way) or `client_id`/`client_secret` form fields (`body`). Default `basic`.
   */
  clientAuth?: 'basic' | 'body';
  /** Refresh this long before expiry (at most half the token's lifetime). Default 60 s. */
  refreshSkewMs?: number;
  /** Per-attempt timeout of a token request. Default 10 s. */
  timeoutMs?: number;
  retry?: HttpRetryOptions | false;
  connector?: string;
  fetch?: typeof fetch;
  clock?: Partial<HttpClock>;
}

export interface OAuth2RefreshOptions extends OAuth2Options {
  refreshToken: string;
  /** Called when the server rotates the refresh token, so the caller can store the new one. */
  onRefreshToken?: (refreshToken: string) => void;
}

/** An `HttpAuth` backed by an OAuth 2.0 token cache. */
export interface OAuth2Auth extends HttpAuth {
  /** A valid access token, from the cache or a new token request (shared by concurrent callers). */
  token(signal?: AbortSignal): Promise<string>;
  /** Forgets the cached token; the next request fetches a new one. */
  invalidate(): void;
}

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 §2.3.1 encodes id and secret this way before Basic). */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function tokenCache(options: OAuth2Options, grant: () => Record<string, string>, onResponse: (body: Record<string, unknown>) => void, extraSecrets: () => string[]): OAuth2Auth {
  const now = options.clock?.now ?? Date.now;
  const skew = options.refreshSkewMs ?? 60_000;
  const basic = options.clientId !== undefined && options.clientSecret !== undefined && (options.clientAuth ?? 'basic') === 'basic'
    ? Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`, 'utf8').toString('base64')
    : undefined;
  const seenTokens: string[] = [];
  let current: OAuth2Token | undefined;
  let pending: Promise<OAuth2Token> | undefined;

  const secrets = (): string[] => [...(options.clientSecret ? [options.clientSecret] : []), ...(basic ? [basic] : []), ...extraSecrets(), ...seenTokens];
  const endpoint = createHttpClient({
    connector: options.connector,
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: options.retry ?? { attempts: 3 },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    get secrets() {
      return secrets();
    },
  });

  async function requestToken(): Promise<OAuth2Token> {
    const form = new URLSearchParams(grant());
    const scope = Array.isArray(options.scope) ? options.scope.join(' ') : (options.scope as string | undefined);
    if (scope) form.set('scope', scope);
    for (const [k, v] of Object.entries(options.params ?? {})) form.set(k, v);
    if (options.clientId !== undefined && !basic) {
      form.set('client_id', options.clientId);
      if (options.clientSecret !== undefined) form.set('client_secret', options.clientSecret);
    }
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (basic) headers.authorization = `Basic ${basic}`;
    const grantType = form.get('grant_type') ?? 'token';
    const started = now();
    const res = await endpoint.request({
      method: 'POST',
      path: options.tokenUrl,
      headers,
      body: form.toString(),
      throwHttpErrors: false,
      // A client-credentials grant may be repeated harmlessly; a refresh grant may rotate the
      // refresh token on the first try, so it only retries what the server never saw.
      idempotent: grantType === 'client_credentials',
    });
    const where = redactUrl(options.tokenUrl, secrets());
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      const cause = new HttpError({ status: res.status, statusText: res.statusText, method: 'POST', url: where, requestId: res.requestId, bodySnippet: redactSnippet(text, secrets(), 300) || undefined, connector: options.connector });
      let reason = '';
      try {
        const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
        if (typeof body.error === 'string') reason = `: ${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}`;
      } catch {
        // Not JSON: the HttpError cause keeps the snippet.
      }
      const message = `The token endpoint ${where} refused the ${grantType} grant with HTTP ${res.status}${endpoint.redact(reason)}; check the client id, secret, scope${grantType === 'refresh_token' ? ' and refresh token' : ''}`;
      if (res.status >= 500 || res.status === 429) throw cause;
      throw new AuthenticationError(message, { connector: options.connector, cause, details: { status: res.status, url: where } });
    }
    const body = (await res.json()) as Record<string, unknown> | undefined;
    const accessToken = body?.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new AuthenticationError(`The token endpoint ${where} answered without an access_token`, { connector: options.connector, details: { url: where } });
    }
    seenTokens.push(accessToken);
    if (seenTokens.length > 8) seenTokens.shift();
    onResponse(body!);
    const lifetimeMs = Number(body!.expires_in) * 1000;
    const refreshAt = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? started + Math.max(lifetimeMs - skew, lifetimeMs / 2) : undefined;
    return {
      accessToken,
      tokenType: typeof body!.token_type === 'string' && body!.token_type ? body!.token_type : 'Bearer',
      refreshAt,
      ...(typeof body!.scope === 'string' ? { scope: body!.scope } : {}),
    };
  }

  async function token(signal?: AbortSignal): Promise<string> {
    if (current && (current.refreshAt === undefined || now() < current.refreshAt)) return current.accessToken;
    pending ??= requestToken().then(
      (t) => {
        current = t;
        pending = undefined;
        return t;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    const got = signal ? await raceSignal(pending, signal, 'OAuth2 token request', options.connector) : await pending;
    return got.accessToken;
  }

  return {
    token,
    invalidate() {
      current = undefined;
    },
    async apply(target: HttpAuthTarget, signal: AbortSignal) {
      const accessToken = await token(signal);
      const type = current?.tokenType ?? 'Bearer';
      // RFC 6750 uses "Bearer"; servers echo "bearer" in token_type, which some APIs refuse.
      target.headers.set('authorization', `${type.toLowerCase() === 'bearer' ? 'Bearer' : type} ${accessToken}`);
    },
    onUnauthorized(target: HttpAuthTarget) {
      const sent = target.headers.get('authorization')?.replace(/^\S+\s+/, '');
      // Drop the token only if it is still the cached one: a concurrent request may have renewed it already.
      if (current && sent === current.accessToken) current = undefined;
      return true;
    },
    secrets,
  };
}

/**
 * OAuth 2.0 client-credentials grant: a service authenticates as itself.
 * @example
 * ```ts
 * const api = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: oauth2ClientCredentials({ tokenUrl: 'https://login.example.com/oauth/token', clientId: 'etl', clientSecret: process.env.CLIENT_SECRET!, scope: 'read' }),
 * });
 * ```
 */
export function oauth2ClientCredentials(options: OAuth2Options): OAuth2Auth {
  return tokenCache(options, () => ({ grant_type: 'client_credentials' }), () => undefined, () => []);
}

/**
 * OAuth 2.0 refresh-token grant: trades a long-lived refresh token for access tokens, keeping a
 * rotated refresh token when the server issues one (`onRefreshToken` lets you persist it).
 * @example
 * ```ts
 * const auth = oauth2RefreshToken({ tokenUrl, clientId: 'cli', refreshToken: process.env.REFRESH_TOKEN!, onRefreshToken: save });
 * ```
 */
export function oauth2RefreshToken(options: OAuth2RefreshOptions): OAuth2Auth {
  let refreshToken = options.refreshToken;
  const rotated: string[] = [];
  return tokenCache(
    options,
    () => ({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    (body) => {
      if (typeof body.refresh_token === 'string' && body.refresh_token && body.refresh_token !== refreshToken) {
        rotated.push(refreshToken);
        if (rotated.length > 8) rotated.shift();
        refreshToken = body.refresh_token;
        options.onRefreshToken?.(refreshToken);
      }
    },
    () => [refreshToken, ...rotated],
  );
}
