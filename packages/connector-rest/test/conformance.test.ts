/**
 * The shared conformance suite against a real node:http server. The suite's tables are read
 * through `endpointTemplate` (`/tables/{name}`), seeded straight into the server.
 *
 * `write` is declared false here, with reason: the suite's write checks are save-mode round trips
 * of a table (errorIfExists on an existing table, ignore, overwrite), which an API endpoint has no
 * meaning for — `rest` sends records with `append`/`errorIfExists` and refuses the others. Its
 * writes are tested in rest.test.ts (batching, idempotency keys, Retry-After, failures).
 */
import type { Table } from 'apache-arrow';
import { testConnector } from '@sparkle/testkit';
import { RestConnection } from '../src/index.js';
import { sendJson, startHttpServer as startServer } from '@sparkle/testkit';

const tables = new Map<string, unknown[]>();

function rowsOf(sample: Table): unknown[] {
  return sample.toArray().map((r) => ({ ...(r as { toJSON(): Record<string, unknown> }).toJSON() }));
}

testConnector({
  type: 'rest',
  aliases: ['rest_api'],
  connectionClass: RestConnection,
  validConfig: {
    baseUrl: 'https://api.example.test/v2',
    auth: { type: 'oauth2', tokenUrl: 'https://auth.example.test/token', clientId: 'etl', clientSecret: 'rest-Conformance-Secret-Never-Shown' },
    endpoints: { users: { path: '/users', recordSelector: '/data', pagination: { type: 'cursor', cursorPointer: '/next', cursorParam: 'cursor' } } },
  },
  invalidConfigs: [
    { name: 'an unknown pagination type', config: { baseUrl: 'https://x.example.test', endpoints: { a: { path: '/a', pagination: { type: 'scroll-forever' } } } }, path: 'endpoints.a.pagination' },
    { name: 'a record selector that is not a JSON pointer', config: { baseUrl: 'https://x.example.test', endpoints: { a: { path: '/a', recordSelector: 'data.items' } } }, path: 'endpoints.a.recordSelector' },
    { name: 'an unknown column type', config: { baseUrl: 'https://x.example.test', endpoints: { a: { path: '/a', schema: { id: 'hugeint-ish' } } } }, path: 'endpoints.a.schema.id' },
  ],
  secretFields: ['auth.clientSecret'],
  capabilities: { read: true, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    const server = await startServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const rows = path.startsWith('/tables/') ? tables.get(path.slice('/tables/'.length)) : undefined;
      if (rows) return sendJson(res, 200, { data: rows, next: null });
      return sendJson(res, 404, { error: 'no such table' });
    });
    return {
      config: { baseUrl: server.url, endpointTemplate: { path: '/tables/{name}', recordSelector: '/data', pagination: { type: 'cursor', cursorPointer: '/next', cursorParam: 'cursor' } } },
      stop: server.close,
    };
  },
  async seedTable(_config, table, sample) {
    tables.set(table, rowsOf(sample));
  },
  unreachableConfig: { baseUrl: 'http://127.0.0.1:1' },
});
