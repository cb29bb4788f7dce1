/**
 * The `graphql` config: the API family's fields (base URL, headers, auth, retries) plus the
 * GraphQL endpoint's path, named queries (read as tables) and named mutations (written to).
 */
import { z } from 'zod';
import { apiConfigSchema } from '@sparkle/core';
import { columnsConfigSchema } from '@sparkle/connector-http';

const pointer = z.string().refine((p) => p === '' || p.startsWith('/'), { message: "a JSON pointer starts with '/' (or is '' for the whole of data)" });
const int = (min = 1) => z.number().int().min(min);
const variableName = z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, { message: 'a GraphQL variable name (letters, digits, _; no $)' });

/** How the pages of a query follow each other. */
export const graphqlPaginationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    /** Relay-style connections: `pageInfo { endCursor hasNextPage }`. */
    type: z.literal('connection'),
    /** JSON pointer of the `pageInfo` object inside `data`, e.g. `/users/pageInfo`. */
    pageInfoPath: pointer,
    /** Variable the end cursor goes back in. Default `after`. */
    cursorVariable: variableName.default('after'),
    /** Page size sent in `pageSizeVariable` (otherwise the query's own default). */
    pageSize: int().optional(),
    pageSizeVariable: variableName.default('first'),
  }),
]);

/** One named query, read with `readTable('<name>')`. */
export const graphqlQuerySchema = z.object({
  query: z.string().min(1),
  operationName: z.string().min(1).optional(),
  variables: z.record(z.string(), z.unknown()).default({}),
  /** JSON pointer of the record list inside `data`, e.g. `/users/edges` or `/users/nodes`. */
  recordPath: pointer,
  /** Items of the form `{ cursor, node: {...} }` are replaced by their `node`. Default true. */
  unwrapEdges: z.boolean().default(true),
  pagination: graphqlPaginationSchema.default({ type: 'none' }),
  /** Declared columns (`{ "id": "long" }`); otherwise inferred from `sampleSize` records. */
  schema: columnsConfigSchema.optional(),
  sampleSize: int().optional(),
  /** Pages read at most before the read fails. Default: the connection's `maxPages`. */
  maxPages: int().optional(),
  /**
   * A response with both `data` and `errors` (partial data): `fail` (default) raises a typed
   * `GraphQLResponseError`; `keep` reads the data that came and records the errors, which
   * `partialErrors('<name>')` returns after the read.
   */
  partialData: z.enum(['fail', 'keep']).default('fail'),
});

/** One named mutation, written with `writeTable(rows, '<name>')`. */
export const graphqlMutationSchema = z.object({
  mutation: z.string().min(1),
  operationName: z.string().min(1).optional(),
  /** Variable that receives the records: a list (`body: batch`) or one record (`body: record`). Default `input`. */
  variable: variableName.default('input'),
  body: z.enum(['batch', 'record']).default('batch'),
  /** Other variables sent with every call. */
  variables: z.record(z.string(), z.unknown()).default({}),
  /** Records per call with `body: batch`. Default 100. */
  batchSize: int().max(10_000).default(100),
  /** Calls in flight at once. Default 1 (batches land in order). */
  concurrency: int().max(16).default(1),
  /** Leave null fields out of the records sent. */
  dropNulls: z.boolean().default(false),
});

/** The `graphql` config. */
export const graphqlConfigSchema = apiConfigSchema.extend({
  /** The GraphQL endpoint under `baseUrl`. Default: `baseUrl` itself. */
  path: z.string().default(''),
  queries: z.record(z.string().min(1), graphqlQuerySchema).default({}),
  /**
   * Reads a name that `queries` does not declare with this query, the name passed in the
   * variable `nameVariable` (default `name`): one generic query for many tables.
   */
  queryTemplate: graphqlQuerySchema.extend({ nameVariable: variableName.default('name') }).optional(),
  mutations: z.record(z.string().min(1), graphqlMutationSchema).default({}),
  /** Default page limit of every query. */
  maxPages: int().default(10_000),
  /** The auth tier's read-only query. */
  healthQuery: z.string().min(1).default('query SparkleHealth { __typename }'),
});

export type GraphqlConfig = z.output<typeof graphqlConfigSchema>;
export type GraphqlQuery = z.output<typeof graphqlQuerySchema>;
export type GraphqlMutation = z.output<typeof graphqlMutationSchema>;
export type GraphqlPagination = z.output<typeof graphqlPaginationSchema>;
