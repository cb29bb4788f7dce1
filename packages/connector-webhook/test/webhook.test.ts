/** The `webhook` sender against a real node:http receiver on 127.0.0.1 that verifies signatures itself. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf, getConnection, SparkleError, type SparkleConnection } from '@sparkle/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureLocalEngine, tempDir } from '@sparkle/testkit';
import '../src/index.js';
import { WebhookConnection } from '../src/index.js';
import { sendJson, startHttpServer as startServer, type SeenHttpRequest as SeenRequest, type TestHttpServer as TestServer } from '@sparkle/testkit';

const SECRET = 'whsec-Signing-Secret-Never-Shown-5e';

/** What the receiver concluded about each delivery. */
interface Delivery {
  path: string;
  verified: boolean;
  key: string | undefined;
  event: string | undefined;
  body: unknown;
}

let receiver: TestServer;
const delivered: Delivery[] = [];
const attemptsByKey = new Map<string, number>();

/** The receiver's own check: HMAC-SHA256 over the raw body (or `timestamp.body`), constant-time compare. */
function verify(req: SeenRequest, header: string, timestampHeader?: string): boolean {
  const got = String(req.headers[header.toLowerCase()] ?? '');
  const signed = timestampHeader ? `${String(req.headers[timestampHeader.toLowerCase()])}.${req.body}` : req.body;
  const want = `sha256=${createHmac('sha256', SECRET).update(signed).digest('hex')}`;
  return got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

beforeAll(async () => {
  await ensureLocalEngine();
  receiver = await startServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const key = req.headers['idempotency-key'] as string | undefined;
    const attempt = (attemptsByKey.get(key ?? '') ?? 0) + 1;
    if (key) attemptsByKey.set(key, attempt);
    const verified = path === '/stamped' ? verify(req, 'X-Hub-Signature', 'X-Timestamp') : verify(req, 'X-Signature-256');
    if (!verified) return sendJson(res, 401, { error: 'bad signature' });
    if (path === '/flaky' && attempt === 1) return sendJson(res, 503, { error: 'try later' }, { 'retry-after': '0' });
    const body = JSON.parse(req.body) as unknown;
    if (path === '/picky' && (body as { id?: number }).id === 3) return sendJson(res, 400, { error: 'id 3 refused' });
    delivered.push({ path, verified, key, event: req.headers['x-event-type'] as string | undefined, body });
    return sendJson(res, 200, { ok: true }, { 'x-request-id': `dlv-${delivered.length}` });
  });
});
afterAll(() => receiver.close());

const open = (path = '/hook', extra: Record<string, unknown> = {}) =>
  getConnection('webhook', { config: { baseUrl: receiver.url, path, signing: { secret: SECRET }, retry: { attempts: 3, baseDelayMs: 1 }, ...extra }, dotenv: false, variables: {} }) as Promise<
    SparkleConnection<object> & WebhookConnection
  >;

describe('webhook send()', () => {
  it('posts the payload signed; the receiver verifies the HMAC over the raw body', async () => {
    delivered.length = 0;
    await using hook = await open();
    const result = await hook.send({ payload: { event: 'load.done', rows: 1204, note: 'Zürich ✓' }, idempotencyKey: 'run-2026-12-07' });
    expect(result).toEqual({ id: 'dlv-1', accepted: 1 });
    expect(delivered).toEqual([{ path: '/hook', verified: true, key: 'run-2026-12-07', event: undefined, body: { event: 'load.done', rows: 1204, note: 'Zürich ✓' } }]);
  });

  it('signs timestamp.body with a custom header when a timestamp header is configured', async () => {
    delivered.length = 0;
    await using hook = await open('/stamped', { signing: { secret: SECRET, header: 'X-Hub-Signature', timestampHeader: 'X-Timestamp' } });
    await hook.send({ subject: 'done', text: 'all good' });
    expect(delivered.map((d) => [d.verified, d.body])).toEqual([[true, { subject: 'done', text: 'all good' }]]);
  });

  it('a wrong secret is refused by the receiver and reported without printing either secret', async () => {
    await using hook = await open('/hook', { signing: { secret: `${SECRET}-old` } });
    const error = (await hook.send({ payload: { a: 1 } }).catch((e: unknown) => e)) as SparkleError;
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    for (const text of [error.message, JSON.stringify(error.toJSON()), inspect(error, { depth: 10 }), String(hook), inspect(hook, { depth: 10 })]) expect(text).not.toContain(SECRET);
  });

  it('retries a 503 with the same idempotency key', async () => {
    delivered.length = 0;
    await using hook = await open('/flaky');
    await hook.send({ payload: { n: 1 }, idempotencyKey: 'flaky-1' });
    expect(attemptsByKey.get('flaky-1')).toBe(2);
    expect(delivered.map((d) => d.key)).toEqual(['flaky-1']);
  });

  it('refuses attachments (a webhook has nowhere to put them)', async () => {
    await using hook = await open();
    const error = (await hook.send({ payload: {}, attachments: [{ filename: 'a.csv', content: 'x' }] }).catch((e: unknown) => e)) as SparkleError;
    expect(error.code).toBe('UNSUPPORTED');
  });

  it('implements the notify capability', () => {
    expect(capabilitiesOf(WebhookConnection)).toEqual(['write', 'notify']);
  });
});

describe('webhook writeTable()', () => {
  const rows = [
    { id: 1, name: 'a' },
    { id: 2, name: 'b' },
    { id: 3, name: 'c' },
    { id: 4, name: 'd' },
    { id: 5, name: 'e' },
  ];

  it('sends each row as a signed event named by the table, each with its own key', async () => {
    delivered.length = 0;
    await using hook = await open();
    const result = await hook.writeTable(rows, 'order.created', { mode: 'append' });
    expect(result.rows).toBe(5);
    expect(delivered.map((d) => d.body)).toEqual(rows);
    expect(delivered.every((d) => d.verified && d.event === 'order.created')).toBe(true);
    expect(new Set(delivered.map((d) => d.key)).size).toBe(5);
  });

  it('sends arrays of batchSize rows', async () => {
    delivered.length = 0;
    await using hook = await open('/hook', { batchSize: 2 });
    await hook.writeTable(rows, 'order.created', { mode: 'append' });
    expect(delivered.map((d) => (d.body as unknown[]).length)).toEqual([2, 2, 1]);
  });

  it('a refused event fails the write naming it and counting what was delivered', async () => {
    await using hook = await open('/picky');
    const error = (await hook.writeTable(rows, 'order.created', { mode: 'append' }).catch((e: unknown) => e)) as SparkleError;
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toContain('batch 3 (records 3–3) was not delivered');
    expect(error.message).toContain('2 record(s) in the batches before it were written');
    expect(error.message).not.toContain(SECRET);
  });

  it('with deadLetterPath, an undelivered event goes to the file and the others are still sent', async () => {
    delivered.length = 0;
    const dir = await tempDir('sparkle-webhook-');
    try {
      const file = join(dir.path, 'dead', 'letters.ndjson');
      await using hook = await open('/picky', { deadLetterPath: file });
      const result = await hook.writeTable(rows, 'order.created', { mode: 'append' });
      expect(result.rows).toBe(4);
      expect(delivered.map((d) => (d.body as { id: number }).id)).toEqual([1, 2, 4, 5]);
      const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ event: 'order.created', batch: 3, records: [{ id: 3, name: 'c' }] });
      expect(String(lines[0]!.error)).toContain('HTTP 400');
      expect(JSON.stringify(lines)).not.toContain(SECRET);
    } finally {
      await dir.cleanup();
    }
  });
});
