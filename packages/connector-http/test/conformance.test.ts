/**
 * The shared conformance suite against a real node:http server serving JSON arrays. `http` only
 * reads (writes go through `request()`), has no SQL, no discovery and no Spark data source.
 */
import type { Table } from 'apache-arrow';
import { testConnector } from '@sparkle/testkit';
import { HttpConnection } from '../src/index.js';
import { sendJson, startHttpServer as startServer } from '@sparkle/testkit';

/** The tables the suite seeds, served as JSON arrays at `/<table>`. */
const tables = new Map<string, unknown[]>();

function rowsOf(sample: Table): unknown[] {
  return sample.toArray().map((r) => ({ ...(r as { toJSON(): Record<string, unknown> }).toJSON() }));
}

testConnector({
  type: 'http',
  connectionClass: HttpConnection,
  validConfig: { baseUrl: 'https://api.example.test/v1', auth: { type: 'bearer', token: 'http-Conformance-Token-Never-Shown' } },
  invalidConfigs: [
    { name: 'a baseUrl that is not http(s)', config: { baseUrl: 'ftp://files.example.test/' }, path: 'baseUrl' },
    { name: 'an unknown format', config: { baseUrl: 'https://x.example.test', format: 'xml-ish' }, path: 'format' },
  ],
  secretFields: ['auth.token'],
  capabilities: { read: true, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    const server = await startServer((req, res) => {
      const rows = tables.get(decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1)));
      if (rows) return sendJson(res, 200, rows);
      return sendJson(res, 404, { error: 'no such table' });
    });
    return { config: { baseUrl: server.url }, stop: server.close };
  },
  async seedTable(_config, table, sample) {
    tables.set(table, rowsOf(sample));
  },
  unreachableConfig: { baseUrl: 'http://127.0.0.1:1' },
});
