/**
 * The `rest` config: the API family's fields (base URL, headers, auth, retries) plus a map of
 * named endpoints — a small, declarative description of each stream: where it lives, how its
 * pages follow each other, where the records sit in a page, their key and schema, and how
 * records are written back.
 */
import { z } from 'zod';
import { apiConfigSchema } from '@sparkle/core';
import { columnsConfigSchema } from '@sparkle/connector-http';

const pointer = z.string().refine((p) => p === '' || p.startsWith('/'), { message: "a JSON pointer starts with '/' (or is '' for the whole body)" });
const int = (min = 1) => z.number().int().min(min);

/** How an endpoint's pages follow each other. */
export const paginationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.literal('cursor'),
    /** JSON pointer of the next cursor in a page, e.g. `/meta/next_cursor`. */
    cursorPointer: pointer,
    /** Query parameter the cursor goes back in, e.g. `cursor`. */
    cursorParam: z.string().min(1),
  }),
  z.object({
    type: z.literal('offset'),
    limit: int(),
    offsetParam: z.string().min(1).default('offset'),
    limitParam: z.string().min(1).default('limit'),
    start: int(0).default(0),
    /** JSON pointer of the total record count, when the API gives one. */
    totalPointer: pointer.optional(),
  }),
  z.object({
    type: z.literal('page_number'),
    pageParam: z.string().min(1).default('page'),
    firstPage: int(0).default(1),
    pageSize: int().optional(),
    sizeParam: z.string().min(1).optional(),
    totalPagesPointer: pointer.optional(),
  }),
  z.object({ type: z.literal('link_header'), rel: z.string().default('next') }),
  z.object({
    type: z.literal('next_url'),
    /** JSON pointer of the next page's URL in a page, e.g. `/next`. */
    nextUrlPointer: pointer,
  }),
]);

/** How `writeTable` sends records to an endpoint. */
export const endpointWriteSchema = z.object({
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  /** Default: the endpoint's path. `{field}` placeholders take the record's values (with `body: record`). */
  path: z.string().optional(),
  /** Records per request. Default 100. */
  batchSize: int().default(100),
  /** `array`: a JSON array of the batch's records per request; `record`: one record per request. */
  body: z.enum(['array', 'record']).default('array'),
  /** Wraps an array body in an object: `records` sends `{ "records": [...] }`. */
  wrapKey: z.string().min(1).optional(),
  /** Send an idempotency key per batch: `true` for the `Idempotency-Key` header, or another header name. */
  idempotencyKey: z.union([z.boolean(), z.string().min(1)]).default(false),
  /** Requests in flight at once. Default 1 (batches land in order). */
  concurrency: int().max(64).default(1),
  /** Leave null fields out of the records sent. */
  dropNulls: z.boolean().default(false),
});

/** One endpoint (stream). */
export const endpointSchema = z.object({
  /** Path under `baseUrl` (or an absolute URL on the same origin). */
  path: z.string().min(1),
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON pointer of the record array in each page, e.g. `/data`. Default: the page is the array. */
  recordSelector: pointer.default(''),
  pagination: paginationSchema.default({ type: 'none' }),
  /** Field(s) that identify a record (shown by `describeEndpoint`, used by `{field}` write paths). */
  primaryKey: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** Declared columns (`{ "id": "long", "name": "string" }`); otherwise inferred from `sampleSize` records. */
  schema: columnsConfigSchema.optional(),
  sampleSize: int().optional(),
  /** Pages read at most before the read fails (a loop that never ends is stopped). Default: the connection's `maxPages`. */
  maxPages: int().optional(),
  write: endpointWriteSchema.optional(),
});

/** The `rest` / `rest_api` config. */
export const restConfigSchema = apiConfigSchema.extend({
  endpoints: z.record(z.string().min(1), endpointSchema).default({}),
  /**
   * Reads and writes a name that `endpoints` does not declare with this endpoint, every `{name}`
   * in its path replaced by the name (URL-encoded): `{ "path": "/tables/{name}/rows" }`. Without
   * it, an undeclared name is an error.
   */
  endpointTemplate: endpointSchema.optional(),
  /** Default page limit of every endpoint. */
  maxPages: int().default(10_000),
});

export type RestConfig = z.output<typeof restConfigSchema>;
export type RestEndpoint = z.output<typeof endpointSchema>;
export type RestPagination = z.output<typeof paginationSchema>;
export type RestEndpointWrite = z.output<typeof endpointWriteSchema>;
