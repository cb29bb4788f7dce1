/**
 * The shared conformance suite against a real GraphQL server (graphql-js behind node:http). The
 * suite's tables are read through `queryTemplate` (one `table(name:)` connection query, two rows a
 * page), seeded straight into the server.
 *
 * `write` is declared false, with reason: the suite's write checks are save-mode round trips of a
 * table (overwrite, ignore, errorIfExists on an existing table), which a mutation has no meaning
 * for. Mutations are tested in graphql.test.ts.
 */
import type { Table } from 'apache-arrow';
import { testConnector } from '@sparkle/testkit';
import { GraphqlConnection } from '../src/index.js';
import { startGraphqlServer, TOKEN, type GraphqlTestServer } from './server.js';

let server: GraphqlTestServer | undefined;

function rowsOf(sample: Table): Array<Record<string, unknown>> {
  return sample.toArray().map((r) => ({ ...(r as { toJSON(): Record<string, unknown> }).toJSON() }));
}

testConnector({
  type: 'graphql',
  aliases: [],
  connectionClass: GraphqlConnection,
  validConfig: {
    baseUrl: 'https://api.example.test/graphql',
    auth: { type: 'bearer', token: 'gql-Conformance-Token-Never-Shown' },
    queries: { users: { query: 'query($after: String) { users(after: $after) { nodes { id } pageInfo { endCursor hasNextPage } } }', recordPath: '/users/nodes', pagination: { type: 'connection', pageInfoPath: '/users/pageInfo' } } },
  },
  invalidConfigs: [
    { name: 'a recordPath that is not a JSON pointer', config: { baseUrl: 'https://x.example.test', queries: { a: { query: '{ a }', recordPath: 'a.nodes' } } }, path: 'queries.a.recordPath' },
    { name: 'an unknown pagination type', config: { baseUrl: 'https://x.example.test', queries: { a: { query: '{ a }', recordPath: '/a', pagination: { type: 'offset' } } } }, path: 'queries.a.pagination' },
    { name: 'a cursor variable with a $', config: { baseUrl: 'https://x.example.test', queries: { a: { query: '{ a }', recordPath: '/a', pagination: { type: 'connection', pageInfoPath: '/a/pageInfo', cursorVariable: '$after' } } } }, path: 'queries.a.pagination.cursorVariable' },
  ],
  secretFields: ['auth.token'],
  capabilities: { read: true, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    server = await startGraphqlServer();
    return {
      config: {
        baseUrl: server.url,
        auth: { type: 'bearer', token: TOKEN },
        queryTemplate: {
          query: 'query Table($name: String!, $after: String) { table(name: $name, after: $after) { nodes { id name score active } pageInfo { endCursor hasNextPage } } }',
          recordPath: '/table/nodes',
          pagination: { type: 'connection', pageInfoPath: '/table/pageInfo' },
          schema: { id: 'int', name: 'string', score: 'double', active: 'boolean' },
        },
      },
      stop: () => server!.close(),
    };
  },
  async seedTable(_config, table, sample) {
    server!.tables.set(table, rowsOf(sample));
  },
  unreachableConfig: { baseUrl: 'http://127.0.0.1:1/graphql' },
});
