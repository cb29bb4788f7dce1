/**
 * Auth helpers against a real `node:http` server acting as API and OAuth 2.0 token endpoint:
 * what reaches the wire, the token cache (reuse, refresh before expiry, single flight), the
 * 401 invalidate-and-retry-once rule, refresh-token rotation and refused grants.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import {
  AuthenticationError,
  apiKeyAuth,
  basicAuth,
  bearerAuth,
  createHttpClient,
  oauth2ClientCredentials,
  oauth2RefreshToken,
} from '../src/index.js';
import { fakeClock, sendJson, startServer, type SeenRequest, type TestServer } from './http-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('static credentials', () => {
  it('bearer, basic and API keys (header and query) reach the server as the schemes define', async () => {
    const s = await startServer((req, res) => sendJson(res, 200, { url: req.url, auth: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null }));
    servers.push(s);
    expect(await createHttpClient({ baseUrl: s.url, auth: bearerAuth('tok-1') }).getJson('/a')).toMatchObject({ auth: 'Bearer tok-1' });
    expect(await createHttpClient({ baseUrl: s.url, auth: bearerAuth(async () => 'tok-2') }).getJson('/a')).toMatchObject({ auth: 'Bearer tok-2' });
    // RFC 7617: base64 of user ":" password in UTF-8.
    expect(await createHttpClient({ baseUrl: s.url, auth: basicAuth('ünï', 'p:ss') }).getJson('/a')).toMatchObject({ auth: `Basic ${Buffer.from('ünï:p:ss', 'utf8').toString('base64')}` });
    expect(await createHttpClient({ baseUrl: s.url, auth: apiKeyAuth({ name: 'x-api-key', value: 'k-9' }) }).getJson('/a')).toMatchObject({ key: 'k-9' });
    expect(await createHttpClient({ baseUrl: s.url, auth: apiKeyAuth({ name: 'key', value: 'k/9', in: 'query' }) }).getJson('/a', { query: { q: 1 } })).toMatchObject({ url: '/a?q=1&key=k%2F9' });
    expect(await createHttpClient({ baseUrl: s.url, auth: apiKeyAuth({ name: 'authorization', value: 'k-7', prefix: 'Token ' }) }).getJson('/a')).toMatchObject({ auth: 'Token k-7' });
  });
});

/** A token endpoint at /token and an API at /api that accepts only tokens the endpoint issued and not revoked. */
async function oauthServer(options: { expiresIn?: number; rotate?: boolean; tokenStatus?: number; rejectAll?: boolean } = {}) {
  const issued: string[] = [];
  const revoked = new Set<string>();
  const tokenRequests: SeenRequest[] = [];
  let refreshCount = 0;
  const s = await startServer(async (req, res) => {
    if (req.url === '/token') {
      tokenRequests.push(req);
      if (options.tokenStatus) return sendJson(res, options.tokenStatus, { error: 'invalid_client', error_description: 'Client authentication failed' });
      await new Promise((r) => setTimeout(r, 20)); // let concurrent callers pile up on one request
      const token = `at-${issued.length + 1}`;
      issued.push(token);
      const body: Record<string, unknown> = { access_token: token, token_type: 'bearer', expires_in: options.expiresIn ?? 3600 };
      if (options.rotate) body.refresh_token = `rt-${++refreshCount + 1}`;
      return sendJson(res, 200, body);
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (options.rejectAll || !issued.includes(token) || revoked.has(token)) return sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    sendJson(res, 200, { token });
  });
  servers.push(s);
  return { s, issued, revoked, tokenRequests };
}

describe('OAuth 2.0 client credentials', () => {
  it('fetches one token, reuses it, and sends the client credentials by HTTP Basic (form-encoded first)', async () => {
    const o = await oauthServer();
    const auth = oauth2ClientCredentials({ tokenUrl: `${o.s.url}/token`, clientId: 'etl client', clientSecret: 's3cr+t', scope: ['read', 'write'], params: { audience: 'api' } });
    const api = createHttpClient({ baseUrl: `${o.s.url}/api`, auth });
    for (let i = 0; i < 3; i++) expect(await api.getJson('/x')).toEqual({ token: 'at-1' });
    expect(o.tokenRequests).toHaveLength(1);
    const t = o.tokenRequests[0]!;
    expect(t.method).toBe('POST');
    expect(t.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(t.headers.authorization).toBe(`Basic ${Buffer.from('etl+client:s3cr%2Bt').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(t.body))).toEqual({ grant_type: 'client_credentials', scope: 'read write', audience: 'api' });
  });

  it('clientAuth: body sends client_id and client_secret as form fields', async () => {
    const o = await oauthServer();
    const auth = oauth2ClientCredentials({ tokenUrl: `${o.s.url}/token`, clientId: 'c', clientSecret: 'sec', clientAuth: 'body' });
    await createHttpClient({ baseUrl: `${o.s.url}/api`, auth }).getJson('/x');
    expect(o.tokenRequests[0]!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(o.tokenRequests[0]!.body))).toEqual({ grant_type: 'client_credentials', client_id: 'c', client_secret: 'sec' });
  });

  it('concurrent requests without a token share one token request (single flight)', async () => {
    const o = await oauthServer();
    const api = createHttpClient({ baseUrl: `${o.s.url}/api`, auth: oauth2ClientCredentials({ tokenUrl: `${o.s.url}/token`, clientId: 'c', clientSecret: 's' }) });
    const results = await Promise.all(Array.from({ length: 8 }, () => api.getJson('/x')));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ token: 'at-1' })));
    expect(o.tokenRequests).toHaveLength(1);
  });

  it('refreshes before expiry, by the skew, on the injected clock', async () => {
    const o = await oauthServer({ expiresIn: 300 });
    const clock = fakeClock();
    const auth = oauth2ClientCredentials({ tokenUrl: `${o.s.url}/token`, clientId: 'c', clientSecret: 's', refreshSkewMs: 60_000, clock });
    const api = createHttpClient({ baseUrl: `${o.s.url}/api`, auth, clock });
    expect(await api.getJson('/x')).toEqual({ token: 'at-1' });
    clock.advance(239_000); // 1 s before expiry minus skew
    expect(await api.getJson('/x')).toEqual({ token: 'at-1' });
    clock.advance(2_000); // inside the skew window: renew although the token still has 59 s
    expect(await api.getJson('/x')).toEqual({ token: 'at-2' });
    expect(o.tokenRequests).toHaveLength(2);
  });

  it('a 401 drops the cached token and retries once with a new one, also for a POST', async () => {
    const o = await oauthServer();
    const api = createHttpClient({ baseUrl: `${o.s.url}/api`, auth: oauth2ClientCredentials({ tokenUrl: `${o.s.url}/token`, clientId: 'c', clientSecret: 's' }) });
    expect(await api.getJson('/x')).toEqual({ token: 'at-1' });
    o.revoked.add('at-1'); // the server revoked it before its expiry
    expect(await api.postJson('/x', { a: 1 })).toEqual({ token: 'at-2' });
    const apiCalls = o.s.requests.filter((r) => r.url.startsWith('/api'));
    expect(apiCalls.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual(['GET Bearer at-1', 'POST Bearer at-1', 'POST Bearer at-2']);
    expect(apiCalls[2]!.body).toBe('{"a":1}');
  });

  it('a second 401 is final: AUTHENTICATION_FAILED after exactly one credential retry', async () => {
    const o = await oauthServer({ rejectAll: true });
    const api = createHttpClient({ baseUrl: `${o.s.url}/api`, auth: oauth2ClientCredentials({ tokenUrl: `${o.s.url}/token`, clientId: 'c', clientSecret: 's' }) });
    const error = await api.getJson('/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'AUTHENTICATION_FAILED', retryable: false });
    const apiCalls = o.s.requests.filter((r) => r.url.startsWith('/api'));
    expect(apiCalls.map((r) => r.headers.authorization)).toEqual(['Bearer at-1', 'Bearer at-2']);
    expect(o.tokenRequests).toHaveLength(2);
  });

  it('a refused grant is an AuthenticationError that names the OAuth error and keeps the secret out', async () => {
    const o = await oauthServer({ tokenStatus: 401 });
    const api = createHttpClient({ baseUrl: `${o.s.url}/api`, auth: oauth2ClientCredentials({ tokenUrl: `${o.s.url}/token`, clientId: 'c', clientSecret: 'Very-Secret-77' }) });
    const error = await api.getJson('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/^The token endpoint http:\/\/127\.0\.0\.1:\d+\/token refused the client_credentials grant with HTTP 401: invalid_client \(Client authentication failed\)/);
    const shown = inspect(error, { depth: 10 }) + JSON.stringify(error);
    expect(shown).not.toContain('Very-Secret-77');
    expect(shown).not.toContain(Buffer.from('c:Very-Secret-77').toString('base64'));
    expect(o.s.requests.filter((r) => r.url.startsWith('/api'))).toHaveLength(0);
  });
});

describe('OAuth 2.0 refresh token', () => {
  it('trades the refresh token, keeps a rotated one, and reports it through onRefreshToken', async () => {
    const o = await oauthServer({ rotate: true, expiresIn: 120 });
    const clock = fakeClock();
    const stored: string[] = [];
    const auth = oauth2RefreshToken({ tokenUrl: `${o.s.url}/token`, clientId: 'cli', refreshToken: 'rt-1', onRefreshToken: (t) => stored.push(t), clock, clientAuth: 'body' });
    const api = createHttpClient({ baseUrl: `${o.s.url}/api`, auth, clock });
    expect(await api.getJson('/x')).toEqual({ token: 'at-1' });
    clock.advance(120_000);
    expect(await api.getJson('/x')).toEqual({ token: 'at-2' });
    expect(o.tokenRequests.map((r) => Object.fromEntries(new URLSearchParams(r.body)))).toEqual([
      { grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'cli' },
      { grant_type: 'refresh_token', refresh_token: 'rt-2', client_id: 'cli' },
    ]);
    expect(stored).toEqual(['rt-2', 'rt-3']);
    expect(auth.secrets()).toEqual(expect.arrayContaining(['rt-1', 'rt-2', 'rt-3', 'at-1', 'at-2']));
  });
});
