/**
 * The shared conformance suite against a real node:http receiver. A webhook only sends: it has no
 * read, so the suite's read checks are skipped by declaration, and `write` is declared false
 * because the suite's write checks are table save-mode round trips (read back, errorIfExists on
 * an existing table) that events have no meaning for; webhook.test.ts tests the sending.
 */
import { testConnector } from '@sparkle/testkit';
import { WebhookConnection } from '../src/index.js';
import { sendJson, startHttpServer as startServer } from '@sparkle/testkit';

testConnector({
  type: 'webhook',
  connectionClass: WebhookConnection,
  validConfig: { baseUrl: 'https://hooks.example.test/in/42', signing: { secret: 'webhook-Conformance-Secret-Never-Shown' } },
  invalidConfigs: [
    { name: 'an empty signing secret', config: { baseUrl: 'https://hooks.example.test/in/42', signing: { secret: '' } }, path: 'signing.secret' },
    { name: 'a batchSize of zero', config: { baseUrl: 'https://hooks.example.test/in/42', batchSize: 0 }, path: 'batchSize' },
  ],
  secretFields: ['signing.secret'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    const server = await startServer((_req, res) => sendJson(res, 200, { ok: true }));
    return { config: { baseUrl: server.url }, stop: server.close };
  },
  unreachableConfig: { baseUrl: 'http://127.0.0.1:1' },
});
