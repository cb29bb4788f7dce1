// {{banner}}
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { testConnector } from '@sparkle/testkit';
import { {{className}} } from '../src/index.js';

// The shared conformance suite: registration and aliases, schema, redaction, health tiers,
// lineage, lifecycle. An API has no tables: the read/write capabilities are declared false.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: { baseUrl: 'https://api.example.test/v1', auth: { type: 'bearer', token: 'example-secret' } },
  invalidConfigs: [{ name: 'a baseUrl that is not a URL', config: { baseUrl: 'not a url' }, path: 'baseUrl' }],
  secretFields: ['auth.token'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { baseUrl: 'http://127.0.0.1:1/v1' },
});

describe('{{type}} against a local HTTP server', () => {
  let server: Server;
  let baseUrl = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer example-secret') return void res.writeHead(401).end();
      if (req.url === '/v1/health') return void res.writeHead(200).end();
      if (req.url === '/v1/me') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'u1' }));
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => new Promise((done) => server.close(done)));

  it('passes every tier with the right token and reads a resource', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: { baseUrl, auth: { type: 'bearer', token: 'example-secret' }, healthPath: '/health' }, dotenv: false, variables: {} });
    const report = await conn.check({ timeoutMs: 5000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(await conn.getJson('/me')).toEqual({ id: 'u1' });
  });

  it('fails the auth tier with a wrong token, typed, without printing it', async () => {
    await using conn = await getConnection('{{type}}', { config: { baseUrl, auth: { type: 'bearer', token: 'wrong-token-123' }, healthPath: '/health', retry: { attempts: 1 } }, dotenv: false, variables: {} });
    const report = await conn.check({ timeoutMs: 5000 });
    expect(report.failedTier).toBe('auth');
    expect(report.steps.find((s) => s.tier === 'auth')?.error?.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify(report)).not.toContain('wrong-token-123');
  });
});
