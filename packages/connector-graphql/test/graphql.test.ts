/**
 * The `graphql` connection against a real GraphQL server (graphql-js's executor behind
 * node:http on 127.0.0.1): variables, connection pagination, schemas, typed errors from the
 * `errors` array, partial data, mutations in batches, 429 + Retry-After, redaction.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import '../src/index.js';
import { GraphQLResponseError, GraphqlConnection } from '../src/index.js';
import { startGraphqlServer, TOKEN, USERS, type GraphqlTestServer } from './server.js';

let server: GraphqlTestServer;

const usersQuery = `query Users($first: Int, $after: String, $minScore: Float) {
  users(first: $first, after: $after, minScore: $minScore) {
    edges { cursor node { id name score active tags } }
    pageInfo { endCursor hasNextPage }
  }
}`;

function queries() {
  return {
    users: { query: usersQuery, recordPath: '/users/edges', pagination: { type: 'connection', pageInfoPath: '/users/pageInfo', pageSize: 10 } },
    rich: { query: usersQuery, variables: { minScore: 5 }, recordPath: '/users/edges', pagination: { type: 'connection', pageInfoPath: '/users/pageInfo', pageSize: 4 } },
    typed: {
      query: 'query($after: String) { users(first: 7, after: $after) { nodes { id name score } pageInfo { endCursor hasNextPage } } }',
      recordPath: '/users/nodes',
      pagination: { type: 'connection', pageInfoPath: '/users/pageInfo' },
      schema: { id: 'long', name: 'string' },
    },
    firstPage: { query: 'query { users(first: 5) { nodes { id name } } }', recordPath: '/users/nodes' },
    looping: { query: 'query($after: String) { looping(after: $after) { nodes { id } pageInfo { endCursor hasNextPage } } }', recordPath: '/looping/nodes', pagination: { type: 'connection', pageInfoPath: '/looping/pageInfo' } },
    wrongPath: { query: 'query { users(first: 2) { nodes { id } } }', recordPath: '/people/nodes' },
    badField: { query: 'query { users(first: 2) { nodes { id nope } } }', recordPath: '/users/nodes' },
    partialFail: { query: 'query { users(first: 15) { nodes { id email } } }', recordPath: '/users/nodes' },
    partialKeep: { query: 'query { users(first: 15) { nodes { id email } } }', recordPath: '/users/nodes', partialData: 'keep' },
    throttled: { query: 'query { throttled { id name } }', recordPath: '/throttled' },
  };
}

const mutations = {
  addUsers: { mutation: 'mutation Add($input: [UserInput!]!) { addUsers(input: $input) { count } }', batchSize: 4 },
  addUser: { mutation: 'mutation($input: UserInput!) { addUser(input: $input) { id } }', body: 'record' },
};

function open(extra: Record<string, unknown> = {}) {
  return getConnection<GraphqlConnection>('graphql', {
    config: { baseUrl: server.url, auth: { type: 'bearer', token: TOKEN }, queries: queries(), mutations, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...extra },
    dotenv: false,
    variables: {},
  });
}

async function caught(p: Promise<unknown>): Promise<SparkleError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(SparkleError.isInstance(e), `expected a SparkleError, got ${String(e)}`).toBe(true);
  return e as SparkleError;
}

beforeAll(async () => {
  await ensureLocalEngine();
  server = await startGraphqlServer();
});
afterAll(() => server.close());

describe('reads', () => {
  it('follows pageInfo.endCursor through every page, passing variables, into Arrow', async () => {
    await using gql = await open();
    const before = server.requests.length;
    const rows = await collectRows(await gql.readTable('users'));
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: USERS }, (_, i) => i + 1));
    // 25 users, 10 a page: 3 requests, each sending the page size and the previous page's end cursor.
    const sent = server.requests.slice(before).map((r) => (JSON.parse(r.body) as { variables: Record<string, unknown> }).variables);
    expect(sent).toEqual([
      { after: null, first: 10 },
      { after: 'c10', first: 10 },
      { after: 'c20', first: 10 },
    ]);
    // Edges were unwrapped to their nodes; the schema was inferred (lists stay lists).
    expect(rows[2]).toMatchObject({ name: 'user-3', score: 0.75, active: false });
    expect([...(rows[2]!.tags as Iterable<string>)]).toEqual(['a', 'b']);
  });

  it('sends the configured variables with every page', async () => {
    await using gql = await open();
    const rows = await collectRows(await gql.readTable('rich'));
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: USERS - 19 }, (_, i) => i + 20));
  });

  it('applies a declared schema (only its columns, with its types)', async () => {
    await using gql = await open();
    const table = (await gql.readTable('typed')) as AsyncIterable<{ schema: { fields: Array<{ name: string; type: { toString(): string } }> } }>;
    const rows = await collectRows(table);
    expect(rows).toHaveLength(USERS);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'name']);
    expect(typeof rows[0]!.id).toBe('bigint');
  });

  it('reads an unpaginated query and runs ad-hoc documents with execute()', async () => {
    await using gql = await open();
    expect((await collectRows(await gql.readTable('firstPage'))).map((r) => r.name)).toEqual(['user-1', 'user-2', 'user-3', 'user-4', 'user-5']);
    const { data } = await gql.execute<{ users: { totalCount: number } }>('query($m: Float) { users(minScore: $m) { totalCount } }', { m: 6 });
    expect(data.users.totalCount).toBe(2);
  });

  it('stops a page loop that never ends (a repeated endCursor)', async () => {
    await using gql = await open();
    const e = await caught(collectRows(await gql.readTable('looping')));
    expect(e.code).toBe('QUERY_FAILED');
    expect(e.message).toMatch(/endCursor "same" twice/);
  });

  it('stops at maxPages rather than reading forever', async () => {
    await using gql = await open({ queries: { ...queries(), users: { ...queries().users, maxPages: 2 } } });
    const e = await caught(collectRows(await gql.readTable('users')));
    expect(e.message).toMatch(/maxPages=2/);
  });

  it('says so when the recordPath matches nothing', async () => {
    await using gql = await open();
    const e = await caught(gql.readTable('wrongPath').then(collectRows));
    expect(e.code).toBe('QUERY_FAILED');
    expect(e.message).toContain('recordPath "/people/nodes" matches nothing');
    expect(e.message).toContain('top level: users');
  });

  it('turns a validation error (HTTP 400 + errors) into a typed, non-retryable error', async () => {
    await using gql = await open();
    const e = await caught(gql.readTable('badField').then(collectRows));
    expect(GraphQLResponseError.isGraphQLError(e)).toBe(true);
    expect(e.code).toBe('QUERY_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/Cannot query field "nope"/);
    expect((e as GraphQLResponseError).status).toBe(400);
  });

  it('fails on partial data by default, naming the field path', async () => {
    await using gql = await open();
    const e = await caught(gql.readTable('partialFail').then(collectRows));
    expect(GraphQLResponseError.isGraphQLError(e)).toBe(true);
    const g = e as GraphQLResponseError;
    expect(g.partialData).toBe(true);
    expect(g.errors).toEqual([{ message: 'email of user 13 is hidden', path: ['users', 'nodes', 12, 'email'], code: 'FORBIDDEN_FIELD' }]);
    expect(e.message).toContain('partialData: "keep"');
  });

  it('keeps partial data when asked, and reports the errors that came with it', async () => {
    await using gql = await open();
    const rows = await collectRows(await gql.readTable('partialKeep'));
    expect(rows).toHaveLength(15);
    expect(rows[12]).toEqual({ id: 13n, email: null });
    expect(rows[11]!.email).toBe('u12@example.test');
    expect(gql.partialErrors('partialKeep').map((e) => e.code)).toEqual(['FORBIDDEN_FIELD']);
  });

  it('a body that is not JSON is a typed QUERY_FAILED naming the status and the start of the body', async () => {
    await using gql = await open();
    const e = await caught(gql.execute('query brokenBody { __typename }'));
    expect(e.code).toBe('QUERY_FAILED');
    expect(e.message).toMatch(/answered HTTP 200 with a body that is not JSON/);
    expect(e.message).toContain('{"data": {"users": [1, 2');
  });

  it('waits out a 429 with Retry-After, then reads', async () => {
    await using gql = await open();
    server.throttle.remaining = 1;
    const before = server.requests.length;
    const rows = await collectRows(await gql.readTable('throttled'));
    expect(rows.map((r) => r.name)).toEqual(['user-1', 'user-2', 'user-3']);
    expect(server.requests.length - before).toBe(2);
  });

  it('gives up on throttling after the configured attempts with a retryable typed error', async () => {
    await using gql = await open({ retry: { attempts: 1 } });
    server.throttle.remaining = 1;
    const e = await caught(gql.readTable('throttled').then(collectRows));
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('RATE_LIMITED');
    server.throttle.remaining = 0;
  });
});

describe('mutations', () => {
  it('sends the rows in bounded batches through the mutation variable', async () => {
    await using gql = await open();
    server.received.length = 0;
    const rows = Array.from({ length: 10 }, (_, i) => ({ name: `new-${i}`, score: i }));
    const result = await gql.writeTable(rows, 'addUsers', { mode: 'append' });
    expect(result.rows).toBe(10);
    expect(server.received.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(server.received.flat().map((r) => r.name)).toEqual(rows.map((r) => r.name));
  });

  it('sends one record per call with body: record', async () => {
    await using gql = await open();
    server.received.length = 0;
    await gql.writeTable([{ name: 'a' }, { name: 'b' }], 'addUser', { mode: 'append' });
    expect(server.received).toEqual([[{ name: 'a' }], [{ name: 'b' }]]);
  });

  it('fails the write on an errors answer, naming the batch and what landed before it', async () => {
    await using gql = await open();
    server.received.length = 0;
    const rows = Array.from({ length: 10 }, (_, i) => ({ name: `n${i}`, score: i === 5 ? -1 : i }));
    const e = await caught(gql.writeTable(rows, 'addUsers', { mode: 'append' }));
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.message).toMatch(/batch 2/);
    expect(e.message).toMatch(/must not be negative/);
    expect(server.received.map((b) => b.length)).toEqual([4]);
  });

  it('refuses overwrite and undeclared mutations clearly', async () => {
    await using gql = await open();
    expect((await caught(gql.writeTable([{ name: 'x' }], 'addUsers', { mode: 'overwrite' }))).message).toMatch(/mode 'overwrite' has no meaning/);
    expect((await caught(gql.writeTable([{ name: 'x' }], 'nothing', { mode: 'append' }))).message).toMatch(/no mutation named 'nothing'.*declared: addUsers, addUser/);
  });
});

describe('auth, health and secrets', () => {
  it('passes every health tier with the right token (the auth tier runs { __typename })', async () => {
    await using gql = await open();
    const report = await gql.check({ timeoutMs: 5000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toContain('__typename');
  });

  it('fails with a wrong token as AUTHENTICATION_FAILED, printing no token', async () => {
    const wrong = 'gql-Wrong-Token-Never-Shown-55';
    await using gql = await open({ auth: { type: 'bearer', token: wrong } });
    const report = await gql.check({ timeoutMs: 5000 });
    expect(report.failedTier).toBe('auth');
    expect(report.steps.find((s) => s.tier === 'auth')?.error?.code).toBe('AUTHENTICATION_FAILED');
    const e = await caught(gql.readTable('users').then(collectRows));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    for (const text of [JSON.stringify(report), e.message, inspect(e, { depth: 5 }), JSON.stringify(e), inspect(gql), JSON.stringify(gql)]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(TOKEN);
    }
  });

  it('redacts a token that a server echoes in an error message', async () => {
    await using gql = await open();
    const e = await caught(gql.execute(`query { users(after: "${TOKEN}") { nodes { id } } } nope`));
    expect(e.message).not.toContain(TOKEN);
  });

  it('refuses Spark with a pointer to the local engine', async () => {
    await using gql = await open();
    expect(() => gql.sparkRead('users', {})).toThrow(/without 'spark'/);
  });
});
