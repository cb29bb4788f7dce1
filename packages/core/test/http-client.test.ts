/**
 * The HTTP layer against real `node:http` servers on 127.0.0.1: requests and responses, retries
 * with backoff and `Retry-After` (on an injected clock, so nothing waits for real seconds),
 * idempotency rules, timeouts, deadlines, aborts and network failures.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConnectionFailedError,
  createHttpClient,
  HttpError,
  jitteredBackoff,
  parseRetryAfter,
  retry,
  SparkleError,
  TimeoutError,
  type HttpRetryEvent,
} from '../src/index.js';
import { fakeClock, sendJson, startServer, type TestServer } from './http-server.js';

const servers: TestServer[] = [];
async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('requests and responses', () => {
  it('joins baseUrl and path, encodes the query, sends headers and JSON, and reads the typed response', async () => {
    const s = await server((req, res) =>
      sendJson(res, 201, { echo: JSON.parse(req.body || 'null'), url: req.url }, { 'x-amz-request-id': 'REQ-42' }),
    );
    const client = createHttpClient({ baseUrl: `${s.url}/v1/`, headers: { 'x-team': 'data' }, userAgent: 'sparkle-test/1' });
    const res = await client.request({ method: 'put', path: '/items/7', query: { tag: ['a', 'b'], skip: undefined, n: 3, on: true }, json: { name: 'x' } });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.requestId).toBe('REQ-42');
    expect(res.attempts).toBe(1);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ echo: { name: 'x' }, url: '/v1/items/7?tag=a&tag=b&n=3&on=true' });
    const seen = s.requests[0]!;
    expect(seen.method).toBe('PUT');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-team']).toBe('data');
    expect(seen.headers['user-agent']).toBe('sparkle-test/1');
  });

  it('getJson and postJson send accept: application/json; text, bytes and the stream body read the same bytes', async () => {
    const s = await server((req, res) => {
      if (req.url === '/blob') return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([1, 2, 3, 250]));
      sendJson(res, 200, { method: req.method, accept: req.headers.accept, body: req.body });
    });
    const client = createHttpClient({ baseUrl: s.url });
    expect(await client.getJson('/x')).toEqual({ method: 'GET', accept: 'application/json', body: '' });
    expect(await client.postJson<{ body: string }>('/x', { a: 1 })).toEqual({ method: 'POST', accept: 'application/json', body: '{"a":1}' });
    expect([...(await (await client.request({ path: '/blob' })).bytes())]).toEqual([1, 2, 3, 250]);
    const streamed = await client.request({ path: '/blob' });
    const chunks: number[] = [];
    for await (const chunk of streamed.body!) chunks.push(...chunk);
    expect(chunks).toEqual([1, 2, 3, 250]);
    expect(await (await client.request({ path: '/x' })).text()).toContain('"method":"GET"');
  });

  it('json(schema) validates the shape; a non-JSON body is a QueryError naming the URL', async () => {
    const s = await server((req, res) => (req.url === '/html' ? res.writeHead(200).end('<html>oops</html>') : sendJson(res, 200, { id: 5 })));
    const client = createHttpClient({ baseUrl: s.url });
    await expect((await client.request({ path: '/ok' })).json(z.object({ id: z.number() }))).resolves.toEqual({ id: 5 });
    await expect((await client.request({ path: '/ok' })).json(z.object({ id: z.string() }))).rejects.toMatchObject({ code: 'QUERY_FAILED', message: expect.stringMatching(/unexpected shape: id:/) });
    await expect(client.getJson('/html')).rejects.toMatchObject({ code: 'QUERY_FAILED', message: expect.stringMatching(/GET http:\/\/127\.0\.0\.1:\d+\/html answered HTTP 200 with a body that is not JSON/) });
  });

  it('a 404 is an HttpError: status, method, request id, body snippet, not retryable, one attempt', async () => {
    const s = await server((_req, res) => sendJson(res, 404, { message: 'no such table' }, { 'x-ms-request-id': 'ms-1' }));
    const client = createHttpClient({ baseUrl: s.url, connector: 'rest' });
    const error = await client.getJson('/tables/t').catch((e: unknown) => e);
    expect(HttpError.isInstance(error)).toBe(true);
    expect(SparkleError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, method: 'GET', requestId: 'ms-1', retryable: false, code: 'QUERY_FAILED', connector: 'rest', attempts: 1 });
    expect((error as HttpError).bodySnippet).toBe('{"message":"no such table"}');
    expect((error as HttpError).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/tables\/t answered HTTP 404 Not Found \(request id ms-1\)/);
    expect(s.requests).toHaveLength(1);
  });

  it('status codes map to codes and retryability', async () => {
    const s = await server((req, res) => res.writeHead(Number(req.url!.slice(1)), { 'cf-ray': 'ray-9' }).end());
    const client = createHttpClient({ baseUrl: s.url, retry: false });
    const outcomes: Array<[number, string, boolean]> = [];
    for (const status of [400, 401, 403, 404, 408, 409, 425, 429, 500, 501, 502, 503, 504]) {
      const e = (await client.request({ path: `/${status}` }).catch((x: unknown) => x)) as HttpError;
      expect(e.requestId).toBe('ray-9');
      outcomes.push([status, e.code, e.retryable]);
    }
    expect(outcomes).toEqual([
      [400, 'QUERY_FAILED', false],
      [401, 'AUTHENTICATION_FAILED', false],
      [403, 'AUTHENTICATION_FAILED', false],
      [404, 'QUERY_FAILED', false],
      [408, 'TIMEOUT', true],
      [409, 'QUERY_FAILED', false],
      [425, 'QUERY_FAILED', true],
      [429, 'CONNECTION_FAILED', true],
      [500, 'CONNECTION_FAILED', true],
      [501, 'CONNECTION_FAILED', false],
      [502, 'CONNECTION_FAILED', true],
      [503, 'CONNECTION_FAILED', true],
      [504, 'TIMEOUT', true],
    ]);
  });

  it('throwHttpErrors: false returns the final response of any status', async () => {
    const s = await server((_req, res) => sendJson(res, 409, { conflict: true }));
    const res = await createHttpClient({ baseUrl: s.url }).request({ path: '/x', throwHttpErrors: false });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ conflict: true });
  });
});

describe('retries', () => {
  it('retries a GET on 503 with full-jitter backoff from the injected clock and succeeds', async () => {
    const s = await server((_req, res, n) => (n < 3 ? res.writeHead(503).end('busy') : sendJson(res, 200, { ok: true })));
    const clock = fakeClock();
    const events: HttpRetryEvent[] = [];
    const client = createHttpClient({ baseUrl: s.url, clock, random: () => 0.5, retry: { attempts: 4, baseDelayMs: 100 }, onRetry: (e) => events.push(e) });
    const res = await client.request({ path: '/x' });
    expect(await res.json()).toEqual({ ok: true });
    expect(res.attempts).toBe(3);
    expect(s.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([50, 100]); // 0.5 × 100, 0.5 × 200
    expect(events.map((e) => [e.attempt, e.status, e.delayMs])).toEqual([
      [1, 503, 50],
      [2, 503, 100],
    ]);
  });

  it('gives up after `attempts` with a retryable HttpError that counts them', async () => {
    const s = await server((_req, res) => res.writeHead(502).end());
    const clock = fakeClock();
    const error = (await createHttpClient({ baseUrl: s.url, clock, retry: { attempts: 3 } }).request({ path: '/x' }).catch((e: unknown) => e)) as HttpError;
    expect(error).toMatchObject({ status: 502, attempts: 3, retryable: true });
    expect(error.message).toMatch(/answered HTTP 502 Bad Gateway after 3 attempts/);
    expect(s.requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('honours Retry-After in seconds and as an HTTP-date on 429 and 503', async () => {
    const clock = fakeClock();
    const s = await server((_req, res, n) => {
      if (n === 1) return void res.writeHead(429, { 'retry-after': '2' }).end();
      if (n === 2) return void res.writeHead(503, { 'retry-after': new Date(clock.now() + 7_000).toUTCString() }).end();
      sendJson(res, 200, { n });
    });
    const client = createHttpClient({ baseUrl: s.url, clock, random: () => 0, retry: { attempts: 5 } });
    expect(await client.getJson('/x')).toEqual({ n: 3 });
    expect(clock.sleeps).toEqual([2_000, 7_000]);
  });

  it('a Retry-After beyond maxRetryAfterMs ends the retries; the error carries retryAfterMs', async () => {
    const s = await server((_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end('slow down'));
    const clock = fakeClock();
    const error = (await createHttpClient({ baseUrl: s.url, clock, retry: { attempts: 5, maxRetryAfterMs: 60_000 } }).getJson('/x').catch((e: unknown) => e)) as HttpError;
    expect(error).toMatchObject({ status: 429, retryAfterMs: 3_600_000, retryable: true, attempts: 1 });
    expect(error.details.retryAfterMs).toBe(3_600_000);
    expect(s.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('parseRetryAfter reads seconds and dates, ignores junk and clamps past dates to 0', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('a POST is not retried on 503 unless idempotent or carrying an idempotency key; a 429 is retried for any method', async () => {
    const failed = new Set<string>(); // the first request to each path fails
    const s = await server((req, res, n) => {
      if (failed.has(req.url)) return sendJson(res, 200, { n });
      failed.add(req.url);
      res.writeHead(req.headers['x-want'] === '429' ? 429 : 503).end();
    });
    const clock = fakeClock();
    const client = createHttpClient({ baseUrl: s.url, clock, retry: { attempts: 3 } });
    await expect(client.postJson('/a', { x: 1 })).rejects.toMatchObject({ status: 503 });
    expect(s.requests).toHaveLength(1);
    await expect(client.postJson('/b', { x: 1 }, { idempotent: true })).resolves.toEqual({ n: 3 }); // requests 2 (503) and 3
    await expect(client.postJson('/c', { x: 1 }, { headers: { 'idempotency-key': 'k-1' } })).resolves.toEqual({ n: 5 });
    await expect(client.postJson('/d', { x: 1 }, { headers: { 'x-want': '429' } })).resolves.toEqual({ n: 7 });
    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /a', 'POST /b', 'POST /b', 'POST /c', 'POST /c', 'POST /d', 'POST /d']);
    expect(s.requests[4]!.body).toBe('{"x":1}'); // the body is sent again on the retry
  });

  it('retryOn as a status list or a function replaces the default policy', async () => {
    const s = await server((_req, res) => res.writeHead(409).end());
    const clock = fakeClock();
    const listed = createHttpClient({ baseUrl: s.url, clock, retry: { attempts: 2, retryOn: [409] } });
    await expect(listed.request({ path: '/x' })).rejects.toMatchObject({ status: 409, attempts: 2, retryable: true });
    const seen: unknown[] = [];
    const fn = createHttpClient({ baseUrl: s.url, clock, retry: { attempts: 3, retryOn: (c) => (seen.push(c), c.attempt < 2) } });
    await expect(fn.request({ method: 'POST', path: '/y' })).rejects.toMatchObject({ status: 409, attempts: 2 });
    expect(seen).toEqual([
      { method: 'POST', idempotent: false, attempt: 1, status: 409 },
      { method: 'POST', idempotent: false, attempt: 2, status: 409 },
    ]);
  });

  it('a reset connection is retried for a GET (ECONNRESET is transient)', async () => {
    const s = await server((req, res, n) => {
      if (n === 1) return void res.socket?.destroy();
      sendJson(res, 200, { n });
    });
    const clock = fakeClock();
    const events: HttpRetryEvent[] = [];
    const res = await createHttpClient({ baseUrl: s.url, clock, onRetry: (e) => events.push(e) }).getJson('/x');
    expect(res).toEqual({ n: 2 });
    expect(events).toHaveLength(1);
    expect(events[0]!.networkCode).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
  });

  it('a refused connection is a retryable ConnectionFailedError naming the code, retried even for a POST', async () => {
    const port = await closedPort();
    const clock = fakeClock();
    const events: HttpRetryEvent[] = [];
    const error = await createHttpClient({ baseUrl: `http://127.0.0.1:${port}`, clock, connector: 'rest', onRetry: (e) => events.push(e) })
      .postJson('/x', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionFailedError);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true, connector: 'rest', details: { networkCode: 'ECONNREFUSED', attempts: 3 } });
    expect((error as Error).message).toMatch(new RegExp(`^POST http://127\\.0\\.0\\.1:${port}/x is unreachable \\(ECONNREFUSED\\)`));
    expect(events).toHaveLength(2);
  });
});

describe('timeouts, deadlines and aborts', () => {
  it('an attempt that gets no answer times out and the GET is retried', async () => {
    const s = await server((_req, res, n) => {
      if (n === 1) return; // never answer
      sendJson(res, 200, { n });
    });
    const clock = fakeClock();
    const events: HttpRetryEvent[] = [];
    const result = await createHttpClient({ baseUrl: s.url, clock, timeoutMs: 100, onRetry: (e) => events.push(e) }).getJson('/x');
    expect(result).toEqual({ n: 2 });
    expect(events.map((e) => e.networkCode)).toEqual(['TIMEOUT']);
  });

  it('a POST that times out is not retried: TimeoutError, one request', async () => {
    const s = await server(() => undefined);
    const error = await createHttpClient({ baseUrl: s.url, clock: fakeClock(), timeoutMs: 100 }).postJson('/x', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/x did not answer within 100 ms$/);
    expect(s.requests).toHaveLength(1);
  });

  it('the overall deadline ends a request across attempts', async () => {
    const s = await server(() => undefined);
    const error = await createHttpClient({ baseUrl: s.url, timeoutMs: 10_000, deadlineMs: 150, retry: { attempts: 5 } }).getJson('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/did not complete within its 150 ms deadline \(1 attempt\)/);
    expect(s.requests).toHaveLength(1);
  });

  it('a body that stalls after the headers fails json() with a TimeoutError', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    const res = await createHttpClient({ baseUrl: s.url, timeoutMs: 150 }).request({ path: '/x' });
    await expect(res.json()).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/did not finish sending its body within 150 ms/) });
  });

  it('the caller aborting ends the request with ABORTED and no retry', async () => {
    const s = await server(() => undefined);
    const controller = new AbortController();
    const pending = createHttpClient({ baseUrl: s.url, retry: { attempts: 5 } }).getJson('/x', { signal: controller.signal }).catch((e: unknown) => e);
    while (s.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(s.requests).toHaveLength(1);
  });

  it('an abort during a retry wait stops the wait', async () => {
    const s = await server((_req, res) => res.writeHead(503).end());
    const controller = new AbortController();
    const clock = {
      now: Date.now,
      sleep: (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => {
          // The caller gives up while the client waits to retry; the wait must end with the abort.
          controller.abort();
          if (signal?.aborted) reject(signal.reason);
        }),
    };
    const error = await createHttpClient({ baseUrl: s.url, clock }).getJson('/x', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(s.requests).toHaveLength(1);
  });

  it('a streamed request body is sent once and never retried', async () => {
    const s = await server((_req, res) => res.writeHead(503).end());
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('chunk'));
        c.close();
      },
    });
    await expect(createHttpClient({ baseUrl: s.url, clock: fakeClock() }).request({ method: 'PUT', path: '/x', body })).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(s.requests.map((r) => r.body)).toEqual(['chunk']);
  });
});

describe('shared backoff', () => {
  it('jitteredBackoff is full jitter over a capped doubling step', () => {
    expect([0, 1, 2, 3, 10].map((n) => jitteredBackoff(n, { baseDelayMs: 100, maxDelayMs: 500, random: () => 1 }))).toEqual([100, 200, 400, 500, 500]);
    expect(jitteredBackoff(3, { baseDelayMs: 100, random: () => 0 })).toBe(0);
    expect(jitteredBackoff(2, { baseDelayMs: 100, random: () => 0.25 })).toBe(100);
  });

  it('retry() waits the same jittered steps', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 3) throw new ConnectionFailedError('blip');
        return 'done';
      },
      { baseDelayMs: 40, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('done');
    expect(waits).toEqual([20, 40]);
  });
});
