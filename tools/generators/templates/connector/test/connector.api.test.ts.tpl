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
  validConfig: { url: 'https://api.example.test/v1', token: 'example-secret' },
  invalidConfigs: [{ name: 'a url that is not a URL', config: { url: 'not a url' }, path: 'url' }],
  secretFields: ['token'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { url: 'http://127.0.0.1:1/v1' },
});

describe('{{type}} health probe against a local HTTP server', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const authorized = req.headers.authorization === 'Bearer example-secret';
      res.writeHead(req.url === '/v1/health' ? (authorized ? 200 : 401) : 404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => new Promise((done) => server.close(done)));

  it('passes every tier with the right token', async () => {
    await using conn = await getConnection('{{type}}', { config: { url, token: 'example-secret', healthPath: 'health' }, dotenv: false, variables: {} });
    const report = await conn.check({ timeoutMs: 5000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toBe('GET /v1/health answered 200');
  });

  it('fails the probe as authentication with a wrong token, without printing it', async () => {
    await using conn = await getConnection('{{type}}', { config: { url, token: 'wrong-token-123', healthPath: 'health' }, dotenv: false, variables: {} });
    const report = await conn.check({ timeoutMs: 5000 });
    expect(report.failedTier).toBe('probe');
    expect(report.steps.find((s) => s.tier === 'probe')?.error?.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify(report)).not.toContain('wrong-token-123');
  });
});
