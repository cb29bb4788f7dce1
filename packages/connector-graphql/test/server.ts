/**
 * A real GraphQL server for the tests: graphql-js's own executor (`graphql()`) over a schema
 * built from SDL, behind node:http (testkit's `startHttpServer`). It speaks GraphQL over HTTP
 * as servers do: POST JSON `{ query, variables, operationName }`, `errors` with
 * `extensions.code`, 401 without the bearer token, 429 with `Retry-After` when told to throttle.
 */
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { sendJson, startHttpServer, type TestHttpServer } from '@sparkle/testkit';

export const TOKEN = 'gql-Bearer-Token-Never-Shown-93';

const sdl = /* GraphQL */ `
  type PageInfo { endCursor: String, hasNextPage: Boolean! }
  type User { id: Int!, name: String!, email: String, score: Float, active: Boolean!, tags: [String!]! }
  type UserEdge { cursor: String!, node: User! }
  type UserConnection { edges: [UserEdge!]!, nodes: [User!]!, pageInfo: PageInfo!, totalCount: Int! }
  type Row { id: Int!, name: String, score: Float, active: Boolean }
  type RowConnection { nodes: [Row]!, pageInfo: PageInfo! }
  input UserInput { name: String!, score: Float }
  type AddResult { count: Int! }
  type Query {
    users(first: Int = 10, after: String, minScore: Float): UserConnection!
    looping(first: Int, after: String): UserConnection!
    table(name: String!, first: Int = 2, after: String): RowConnection!
    throttled: [User!]!
  }
  type Mutation { addUsers(input: [UserInput!]!): AddResult!, addUser(input: UserInput!): User! }
`;

export const USERS = 25;

/** A user; `email` is a method so one user's field can fail (partial data). */
function user(id: number) {
  return {
    id,
    name: `user-${id}`,
    score: id / 4,
    active: id % 2 === 0,
    tags: id % 3 === 0 ? ['a', 'b'] : [],
    email: () => {
      if (id === 13) throw new GraphQLError('email of user 13 is hidden', { extensions: { code: 'FORBIDDEN_FIELD' } });
      return `u${id}@example.test`;
    },
  };
}

function page<T>(all: T[], first: number, after: string | null | undefined, key: (t: T) => string) {
  const start = after ? all.findIndex((t) => key(t) === after) + 1 : 0;
  const slice = all.slice(start, start + first);
  return {
    edges: slice.map((node) => ({ cursor: key(node), node })),
    nodes: slice,
    totalCount: all.length,
    pageInfo: { endCursor: slice.length ? key(slice[slice.length - 1]!) : null, hasNextPage: start + first < all.length },
  };
}

export interface GraphqlTestServer extends TestHttpServer {
  tables: Map<string, Array<Record<string, unknown>>>;
  /** Batches received by addUsers / addUser, in order. */
  received: Array<Array<{ name: string; score?: number | null }>>;
  /** Requests to answer with 429 + Retry-After before serving. */
  throttle: { remaining: number };
}

export async function startGraphqlServer(): Promise<GraphqlTestServer> {
  const schema = buildSchema(sdl);
  const tables = new Map<string, Array<Record<string, unknown>>>();
  const received: GraphqlTestServer['received'] = [];
  const throttle = { remaining: 0 };
  const all = Array.from({ length: USERS }, (_, i) => user(i + 1));
  const checkInput = (input: { name: string; score?: number | null }) => {
    if (input.score !== undefined && input.score !== null && input.score < 0) {
      throw new GraphQLError(`score of '${input.name}' must not be negative`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
  };
  const rootValue = {
    users: ({ first, after, minScore }: { first: number; after?: string; minScore?: number }) =>
      page(all.filter((u) => minScore === undefined || minScore === null || u.score >= minScore), first, after, (u) => `c${u.id}`),
    looping: () => ({ ...page(all, 2, null, (u) => `c${u.id}`), pageInfo: { endCursor: 'same', hasNextPage: true } }),
    table: ({ name, first, after }: { name: string; first: number; after?: string }) => {
      const rows = tables.get(name);
      if (!rows) throw new GraphQLError(`no table '${name}'`, { extensions: { code: 'NOT_FOUND' } });
      return page(rows, first, after, (r) => `r${String(r.id)}`);
    },
    throttled: () => all.slice(0, 3),
    addUsers: ({ input }: { input: Array<{ name: string; score?: number | null }> }) => {
      input.forEach(checkInput);
      received.push(input);
      return { count: input.length };
    },
    addUser: ({ input }: { input: { name: string; score?: number | null } }) => {
      checkInput(input);
      received.push([input]);
      return { ...user(1000 + received.length), name: input.name };
    },
  };
  const server = await startHttpServer(async (req, res) => {
    if (req.method !== 'POST') return sendJson(res, 405, { errors: [{ message: 'POST only' }] });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return sendJson(res, 401, { errors: [{ message: 'missing or invalid token', extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'body is not JSON' }] });
    }
    // A broken upstream: a 200 whose body is not JSON at all.
    if (body.query?.includes('brokenBody')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {"users": [1, 2');
      return;
    }
    if (body.query?.includes('throttled') && throttle.remaining > 0) {
      throttle.remaining--;
      return sendJson(res, 429, { errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }] }, { 'retry-after': '1' });
    }
    const result = await graphql({ schema, source: body.query ?? '', rootValue, variableValues: body.variables ?? {}, operationName: body.operationName ?? null });
    // GraphQL over HTTP: a request error (no data at all) is a 400 with the errors.
    return sendJson(res, result.data === undefined ? 400 : 200, result, { 'content-type': 'application/graphql-response+json' });
  });
  return Object.assign(server, { tables, received, throttle });
}
