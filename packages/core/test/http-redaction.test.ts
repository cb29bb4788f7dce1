/**
 * No credential leaves in an error. Real secrets are planted in every place a request carries
 * them (bearer, basic, API keys in header and query, a signed-URL signature, OAuth client secret,
 * refresh and access tokens); the server echoes everything it received back in its error bodies,
 * and every error's inspect, JSON, toString and stack, down its cause chain, is searched for
 * each secret in its raw, URL-encoded, form-encoded and base64 forms.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  apiKeyAuth,
  basicAuth,
  bearerAuth,
  createHttpClient,
  HttpError,
  oauth2ClientCredentials,
  oauth2RefreshToken,
  redactUrl,
} from '../src/index.js';
import { fakeClock, sendJson, startServer, type TestServer } from './http-server.js';

const SECRETS = {
  bearer: 'BEARER-tok-8fQ2x',
  basicPassword: 'Basic-Pw-5%&x',
  queryKey: 'QueryKey-91zz',
  headerKey: 'HeaderKey-44aa',
  customToken: 'XAuth-Token-3k',
  signature: 'SIG0abc123def456',
  clientSecret: 'ClientSecret-77q',
  refreshToken: 'Refresh-66rT',
  accessToken: 'Access-55aT',
};

function forms(value: string): string[] {
  return [value, encodeURIComponent(value), new URLSearchParams([['', value]]).toString().slice(1), Buffer.from(value).toString('base64')];
}

/** Everything a log line, a JSON report or a debugger could show of an error and its causes. */
function exposure(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 20 }), inspect(error, { depth: 20, showHidden: true }), JSON.stringify(error), String(error)];
  let current: unknown = error;
  for (let i = 0; current && i < 10; i++) {
    const e = current as Error & { details?: unknown };
    parts.push(String(e.stack), String(e.message), JSON.stringify(e.details ?? null), JSON.stringify(e));
    current = e.cause;
  }
  return parts.join('\n');
}

function expectNoSecret(error: unknown): void {
  expect(error, 'an error was raised').toBeInstanceOf(Error);
  const text = exposure(error);
  for (const [name, value] of Object.entries(SECRETS)) {
    for (const form of forms(value)) expect(text, `${name} (${form})`).not.toContain(form);
  }
  // Basic credentials travel as base64(user:password).
  expect(text).not.toContain(Buffer.from(`loader:${SECRETS.basicPassword}`).toString('base64'));
  expect(text).not.toContain(Buffer.from(`cli:${SECRETS.clientSecret}`).toString('base64'));
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Answers every request with `status` and a body echoing its URL, headers and body. */
async function echoServer(status: number, as: 'json' | 'text' = 'json'): Promise<TestServer> {
  const s = await startServer((req, res) => {
    if (req.url === '/token') return sendJson(res, 200, { access_token: SECRETS.accessToken, expires_in: 3600 });
    if (as === 'json') return sendJson(res, status, { error: 'nope', url: req.url, headers: req.headers, body: req.body }, { 'x-request-id': 'rid-1' });
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`rejected ${req.url}\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n${req.body}`);
  });
  servers.push(s);
  return s;
}

describe('errors never carry secrets', () => {
  it('an HttpError whose body echoes bearer, API keys (header and query) and a URL signature', async () => {
    const s = await echoServer(400);
    const client = createHttpClient({
      baseUrl: s.url,
      auth: apiKeyAuth({ name: 'api_key', value: SECRETS.queryKey, in: 'query' }),
      headers: { 'x-api-key': SECRETS.headerKey, authorization: `Bearer ${SECRETS.bearer}` },
    });
    const error = await client
      .request({ method: 'PUT', path: `/objects/a.csv?X-Amz-Signature=${SECRETS.signature}&X-Amz-Expires=60`, headers: { 'x-auth-token': SECRETS.customToken }, json: { note: 'hello' } })
      .catch((e: unknown) => e);
    expect(HttpError.isInstance(error)).toBe(true);
    const e = error as HttpError;
    // The useful parts stay: status, request id, the path, non-secret query and body fields.
    expect(e.status).toBe(400);
    expect(e.requestId).toBe('rid-1');
    expect(e.url).toMatch(/\/objects\/a\.csv\?X-Amz-Signature=\*\*\*&X-Amz-Expires=60$/);
    expect(e.bodySnippet).toContain('"error":"nope"');
    expect(e.bodySnippet).toContain('hello');
    expectNoSecret(error);
  });

  it('a plain-text 500 echo, retried to exhaustion, with basic auth', async () => {
    const s = await echoServer(500, 'text');
    const client = createHttpClient({ baseUrl: s.url, auth: basicAuth('loader', SECRETS.basicPassword), clock: fakeClock(), retry: { attempts: 2 } });
    const error = await client.getJson(`/q?token=${SECRETS.customToken}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, attempts: 2 });
    expect((error as HttpError).bodySnippet).toContain('rejected /q?token=***');
    expectNoSecret(error);
  });

  it('a body that is not JSON, echoing the bearer token', async () => {
    const s = await echoServer(200, 'text');
    const client = createHttpClient({ baseUrl: s.url, auth: bearerAuth(SECRETS.bearer) });
    const error = await client.getJson('/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'QUERY_FAILED' });
    expectNoSecret(error);
  });

  it('an unreachable server and a timeout, with secrets in the URL, and the sanitized cause chain', async () => {
    const s = await startServer(() => undefined); // never answers
    servers.push(s);
    const hanging = createHttpClient({ baseUrl: s.url, auth: bearerAuth(SECRETS.bearer), timeoutMs: 100, retry: false });
    const timeout = await hanging.getJson(`/x?api_key=${SECRETS.queryKey}&sig=${SECRETS.signature}`).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ code: 'TIMEOUT' });
    expect((timeout as Error).message).toContain('api_key=***&sig=***');
    expectNoSecret(timeout);

    const refused = createHttpClient({ baseUrl: 'http://127.0.0.1:1', auth: basicAuth('loader', SECRETS.basicPassword), retry: false });
    const unreachable = await refused.getJson(`/x?access_token=${SECRETS.accessToken}`).catch((e: unknown) => e);
    expect(unreachable).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect((unreachable as Error).cause).toBeInstanceOf(Error); // the chain is kept, as copies
    expectNoSecret(unreachable);
  });

  it('an OAuth token endpoint refusing the grant and echoing the form', async () => {
    const s = await startServer((req, res) => sendJson(res, 400, { error: 'invalid_grant', error_description: `bad form ${req.body}`, echoed: req.headers.authorization }));
    servers.push(s);
    const cc = createHttpClient({ baseUrl: s.url, auth: oauth2ClientCredentials({ tokenUrl: `${s.url}/token`, clientId: 'cli', clientSecret: SECRETS.clientSecret }) });
    const e1 = await cc.getJson('/api').catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expectNoSecret(e1);
    const rt = createHttpClient({ baseUrl: s.url, auth: oauth2RefreshToken({ tokenUrl: `${s.url}/token`, clientId: 'cli', clientSecret: SECRETS.clientSecret, clientAuth: 'body', refreshToken: SECRETS.refreshToken }) });
    const e2 = await rt.getJson('/api').catch((e: unknown) => e);
    expect((e2 as Error).message).toContain('invalid_grant');
    expectNoSecret(e2);
  });

  it('an API answering 403 with the OAuth access token echoed', async () => {
    const s = await echoServer(403);
    const client = createHttpClient({ baseUrl: s.url, auth: oauth2ClientCredentials({ tokenUrl: `${s.url}/token`, clientId: 'cli', clientSecret: SECRETS.clientSecret }) });
    const error = await client.getJson('/api').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, code: 'AUTHENTICATION_FAILED' });
    expect(s.requests.find((r) => r.url === '/api')!.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`); // it was really sent
    expectNoSecret(error);
  });
});

describe('argument errors', () => {
  it('a path that is not a URL is an INVALID_ARGUMENT error that keeps its query secret out', async () => {
    const error = await createHttpClient().getJson(`items?api_key=${SECRETS.queryKey}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/"items\?api_key=\*\*\*" is not an absolute http\(s\) URL/) });
    expectNoSecret(error);
  });
});

describe('redactUrl', () => {
  it('blanks user-info passwords and secret query values, keeps the rest', () => {
    expect(redactUrl('https://me:pw@api.example.com/v1/x?page=2&key=abc&X-Amz-Credential=AKIA%2F1&client_secret=z&q=ok')).toBe(
      'https://me:***@api.example.com/v1/x?page=2&key=***&X-Amz-Credential=***&client_secret=***&q=ok',
    );
    expect(redactUrl('not a url token=abc', ['abc'])).toBe('not a url token=***');
  });
});
