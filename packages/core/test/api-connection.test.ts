import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APIConnection, apiConfigSchema, capabilitiesOf, getConnection, registerConnection, unregisterConnection } from '../src/index.js';
import { startServer, type TestServer } from './http-server.js';

const TOKEN = 'tok-3f9a1c77e2b4';

const itemsSchema = apiConfigSchema.extend({ collection: z.string().default('items') });

class ItemsConnection extends APIConnection<z.output<typeof itemsSchema>> {
  static override schema = itemsSchema;
  async listItems(): Promise<Array<{ id: number }>> {
    return this.http.getJson(`/${this.config.collection}`);
  }
}

let server: TestServer;

beforeAll(async () => {
  registerConnection(['test_items_api'], ItemsConnection);
  server = await startServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `bad token ${String(req.headers.authorization)}` }));
      return;
    }
    if (req.url === '/v1/health') return res.writeHead(200).end('ok');
    if (req.url === '/v1/items') return res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1},{"id":2}]');
    res.writeHead(404).end('no');
  });
});

afterAll(async () => {
  await server.close();
  unregisterConnection('test_items_api');
});

const config = (token = TOKEN) => ({ baseUrl: `${server.url}/v1`, auth: { type: 'bearer', token }, healthPath: '/health' });

describe('APIConnection', () => {
  it('builds its HTTP client from the config: base URL, auth, and the connector name on errors', async () => {
    await using conn = await getConnection<ItemsConnection>('test_items_api', { config: config() });
    expect(await conn.listItems()).toEqual([{ id: 1 }, { id: 2 }]);
    expect(server.requests.at(-1)!.headers['user-agent']).toBe('sparkle-test_items_api');
  });

  it('health: network reaches the host, auth makes an authenticated request, wrong credentials fail the auth tier', async () => {
    await using good = await getConnection('test_items_api', { config: config() });
    const ok = await good.check();
    expect(ok.ok).toBe(true);
    expect(ok.steps.find((s) => s.tier === 'auth')!.message).toBe('GET /health → 200');

    await using bad = await getConnection('test_items_api', { config: config('wrong-token-123456') });
    const report = await bad.check();
    expect(report.ok).toBe(false);
    expect(report.failedTier).toBe('auth');
    expect(report.steps.find((s) => s.tier === 'auth')!.error!.code).toBe('AUTHENTICATION_FAILED');
    // The server echoed the token back in its body: it must appear nowhere.
    expect(JSON.stringify(report)).not.toContain('wrong-token-123456');
  });

  it('an unreachable base URL fails the network tier', async () => {
    await using conn = await getConnection('test_items_api', { config: { ...config(), baseUrl: 'http://127.0.0.1:1/v1' } });
    const report = await conn.check({ timeoutMs: 3000 });
    expect(report.failedTier).toBe('network');
  });

  it('marks auth secrets: never in toString, inspect, JSON or errors', async () => {
    await using conn = await getConnection<ItemsConnection>('test_items_api', { config: { ...config('wrong-token-123456'), collection: 'items' } });
    const error = await conn.listItems().catch((e: unknown) => e);
    for (const text of [String(conn), inspect(conn), JSON.stringify(conn), inspect(error, { depth: 8 }), String((error as Error).stack)]) {
      expect(text).not.toContain('wrong-token-123456');
    }
  });

  it('rejects a config without a valid base URL or with an unknown auth type, naming the field', async () => {
    await expect(getConnection('test_items_api', { config: { baseUrl: 'ftp://x' } })).rejects.toThrow(/baseUrl/);
    await expect(getConnection('test_items_api', { config: { baseUrl: 'http://x', auth: { type: 'kerberos' } } })).rejects.toThrow(/auth/);
  });

  it('names datasets by the API origin and resource path', async () => {
    await using conn = await getConnection('test_items_api', { config: config() });
    expect(conn.dataset('items')).toEqual({ namespace: `http://127.0.0.1:${new URL(server.url).port}`, name: '/v1/items' });
    expect(capabilitiesOf(ItemsConnection)).toEqual([]);
  });
});
