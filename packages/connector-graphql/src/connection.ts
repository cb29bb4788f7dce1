/**
 * `GraphqlConnection` (type `graphql`): named queries read into Arrow page after page through
 * Relay-style connections, named mutations written in bounded batches, and the `errors` array of
 * every response turned into typed errors. The HTTP side (auth, retries with `Retry-After`,
 * redaction) is core's `APIConnection` client.
 */
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import {
  APIConnection,
  getArrowToolkit,
  HttpError,
  InvalidArgumentError,
  QueryError,
  resolveJsonPointer,
  SparkleError,
  UnsupportedOperationError,
  type ConnectionInit,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { columnsFromConfig, jsonRecord, recordsReadPlan, sendBatches, type OutgoingBatch } from '@sparkle/connector-http';
import { graphqlConfigSchema, type GraphqlConfig, type GraphqlMutation, type GraphqlQuery } from './config.js';
import { GraphQLResponseError, graphQLErrorsOf, type GraphQLErrorEntry } from './errors.js';

/** Options of {@link GraphqlConnection.execute}. */
export interface GraphqlExecuteOptions {
  operationName?: string;
  signal?: AbortSignal;
  /** Return `data` together with `errors` instead of failing when a response has both. Default false. */
  allowPartial?: boolean;
  /** A mutation: not retried after a network failure (it may have been applied). Default false. */
  mutation?: boolean;
  /** Names the call in errors (`query 'users'`). */
  what?: string;
}

/** What {@link GraphqlConnection.execute} returns. */
export interface GraphqlResult<T> {
  data: T;
  /** Errors that came with partial data (only with `allowPartial`). */
  errors: GraphQLErrorEntry[];
}

const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

/**
 * A GraphQL API connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-graphql';
 *
 * await using gql = await getConnection('graphql', { env: 'prod' }); // config/connections/graphql/{common,prod}.json
 * const users = await gql.readTable('users');                         // every page, as Arrow batches
 * await gql.writeTable([{ name: 'Ada' }], 'addUsers', { mode: 'append' });
 * ```
 */
export class GraphqlConnection extends APIConnection<GraphqlConfig> {
  static override schema: z.ZodType = graphqlConfigSchema;
  static override description = 'GraphQL APIs: queries with variables and connection-style pagination into Arrow; mutations for writes';
  /** `sparkRead` exists only to refuse with a pointer to the local engine (there is no Spark data source for GraphQL). */
  static withoutCapabilities = ['spark'];
  readonly #partial = new Map<string, GraphQLErrorEntry[]>();

  constructor(init: ConnectionInit) {
    super(init);
  }

  /**
   * Runs one GraphQL document (query or mutation) with variables and returns its `data`.
   * A response with `errors` raises a {@link GraphQLResponseError} (unless `allowPartial` and
   * data came too); an HTTP failure without GraphQL errors raises core's `HttpError`.
   * @example
   * ```ts
   * const { data } = await gql.execute<{ user: { name: string } }>('query($id: ID!) { user(id: $id) { name } }', { id: '42' });
   * ```
   */
  async execute<T = Record<string, unknown>>(document: string, variables: Record<string, unknown> = {}, options: GraphqlExecuteOptions = {}): Promise<GraphqlResult<T>> {
    const what = options.what ?? (options.mutation ? 'GraphQL mutation' : 'GraphQL query');
    const res = await this.http.request({
      method: 'POST',
      path: this.config.path,
      json: { query: document, variables, ...(options.operationName ? { operationName: options.operationName } : {}) },
      headers: { accept: ACCEPT },
      // A query changes nothing, so it is retried like a GET; a mutation only on 429/refused connections.
      idempotent: !options.mutation,
      throwHttpErrors: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch (error) {
      if (!res.ok) throw this.httpError(res, text);
      throw new QueryError(`${what}: ${res.method} ${res.url} answered HTTP ${res.status} with a body that is not JSON (${(error as Error).message}): ${this.http.redact(text.slice(0, 200))}`, {
        connector: this.type,
        details: { status: res.status, url: res.url },
      });
    }
    const errors = graphQLErrorsOf(body, (t) => this.http.redact(t));
    const data = (body as { data?: unknown } | undefined)?.data;
    const hasData = data !== undefined && data !== null;
    if (errors.length && (!hasData || !options.allowPartial || !res.ok)) {
      throw new GraphQLResponseError(what, errors, { connector: this.type, partialData: hasData, ...(res.ok ? {} : { status: res.status }) });
    }
    if (!res.ok) throw this.httpError(res, text);
    if (!hasData) {
      throw new QueryError(`${what}: ${res.method} ${res.url} answered without 'data' or 'errors'; is ${res.url} a GraphQL endpoint? (set 'path')`, { connector: this.type });
    }
    return { data: data as T, errors };
  }

  /** core's `HttpError` for a failed status without GraphQL errors (body redacted and bounded). */
  private httpError(res: { status: number; statusText: string; method: string; url: string; requestId: string | undefined; attempts: number }, text: string): HttpError {
    const snippet = this.http.redact(text).slice(0, 500);
    return new HttpError({
      status: res.status,
      statusText: res.statusText,
      method: res.method,
      url: res.url,
      ...(res.requestId ? { requestId: res.requestId } : {}),
      ...(snippet ? { bodySnippet: snippet } : {}),
      attempts: res.attempts,
      connector: this.type,
    });
  }

  /** The configured query `name` (or the template bound to it), or an error listing the ones there are. */
  queryFor(name: string): GraphqlQuery {
    const found = Object.hasOwn(this.config.queries, name) ? this.config.queries[name] : undefined;
    if (found) return found;
    const template = this.config.queryTemplate;
    if (template) {
      const { nameVariable, ...query } = template;
      return { ...query, variables: { ...query.variables, [nameVariable]: name } };
    }
    const known = Object.keys(this.config.queries);
    throw new InvalidArgumentError(
      `graphql: no query named '${name}' in this connection's config; ${known.length ? `declared: ${known.join(', ')}` : "declare it under 'queries' (query, recordPath, pagination)"}, or set 'queryTemplate'`,
      { connector: this.type, details: { query: name } },
    );
  }

  /** The configured mutation `name`, or an error listing the ones there are. */
  mutationFor(name: string): GraphqlMutation {
    const found = Object.hasOwn(this.config.mutations, name) ? this.config.mutations[name] : undefined;
    if (found) return found;
    const known = Object.keys(this.config.mutations);
    throw new UnsupportedOperationError(
      `graphql: no mutation named '${name}' in this connection's config; ${known.length ? `declared: ${known.join(', ')}` : "declare it under 'mutations' (mutation, variable, batchSize)"}`,
      { connector: this.type, details: { mutation: name } },
    );
  }

  /**
   * The GraphQL errors that came with partial data during the last read of query `name`
   * (queries with `partialData: "keep"`); empty when there were none.
   */
  partialErrors(name: string): readonly GraphQLErrorEntry[] {
    return this.#partial.get(name) ?? [];
  }

  /**
   * The records of a query, page after page, as plain JSON values (what `readTable` turns into Arrow).
   * @example
   * ```ts
   * for await (const user of gql.records('users')) console.log(user);
   * ```
   */
  async *records(name: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<unknown> {
    const q = this.queryFor(name);
    const p = q.pagination;
    const what = `query '${name}'`;
    const maxPages = q.maxPages ?? this.config.maxPages;
    const partial: GraphQLErrorEntry[] = [];
    this.#partial.set(name, partial);
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let page = 1; ; page++) {
      if (page > maxPages) {
        throw new QueryError(`graphql: ${what} stopped after maxPages=${maxPages} while pageInfo.hasNextPage was still true; raise maxPages on the query if the data really is that large`, {
          connector: this.type,
          details: { query: name, maxPages },
        });
      }
      const variables: Record<string, unknown> = { ...q.variables };
      if (p.type === 'connection') {
        variables[p.cursorVariable] = cursor;
        if (p.pageSize !== undefined) variables[p.pageSizeVariable] = p.pageSize;
      }
      const { data, errors } = await this.execute(q.query, variables, {
        ...(q.operationName ? { operationName: q.operationName } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        allowPartial: q.partialData === 'keep',
        what: `graphql: ${what}${page > 1 ? ` (page ${page})` : ''}`,
      });
      partial.push(...errors);
      const list = resolveJsonPointer(data, q.recordPath);
      if (list === undefined) {
        const keys = Object.keys(data).slice(0, 10).join(', ');
        throw new QueryError(`graphql: ${what}: recordPath "${q.recordPath}" matches nothing in the response's data (top level: ${keys || 'empty'}); point it at the list of records inside data, e.g. /users/nodes`, {
          connector: this.type,
          details: { query: name, recordPath: q.recordPath },
        });
      }
      if (list !== null && !Array.isArray(list)) {
        throw new QueryError(`graphql: ${what}: recordPath "${q.recordPath}" selects a ${typeof list}, not a list; point it at the list of records (nodes or edges)`, { connector: this.type });
      }
      for (const item of list ?? []) yield q.unwrapEdges ? unwrapEdge(item) : item;
      if (p.type === 'none') return;
      const pageInfo = resolveJsonPointer(data, p.pageInfoPath) as { hasNextPage?: unknown; endCursor?: unknown } | null | undefined;
      if (pageInfo === undefined || pageInfo === null || typeof pageInfo !== 'object') {
        throw new QueryError(`graphql: ${what}: pageInfoPath "${p.pageInfoPath}" matches nothing in the response's data; select pageInfo { endCursor hasNextPage } in the query and point pageInfoPath at it`, {
          connector: this.type,
        });
      }
      if (pageInfo.hasNextPage !== true) return;
      if (typeof pageInfo.endCursor !== 'string' || pageInfo.endCursor === '') {
        throw new QueryError(`graphql: ${what}: page ${page} says hasNextPage but gives no endCursor; select endCursor in pageInfo`, { connector: this.type });
      }
      if (seen.has(pageInfo.endCursor)) {
        throw new QueryError(`graphql: ${what}: the server sent endCursor "${pageInfo.endCursor.slice(0, 80)}" twice (page ${page}); the pages would loop forever, so the read stopped`, {
          connector: this.type,
          details: { query: name, page },
        });
      }
      seen.add(pageInfo.endCursor);
      cursor = pageInfo.endCursor;
    }
  }

  /** Reads a query: pages pulled lazily into Arrow batches of the declared or inferred schema. */
  async nativeRead(name: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const q = this.queryFor(name);
    return recordsReadPlan({
      connector: this.type,
      name: `query '${name}'`,
      read: options,
      ...(q.sampleSize ? { sampleSize: q.sampleSize } : {}),
      ...(q.schema ? { columns: columnsFromConfig(q.schema, this.type) } : {}),
      records: (signal) => this.records(name, { signal }),
    });
  }

  /**
   * Sends the rows through the mutation `name`: a list of `batchSize` records per call in the
   * mutation's `variable` (or one record per call with `body: record`). Modes `append` and
   * `errorIfExists` send; `overwrite` and `ignore` have no meaning for an API and are refused.
   * A call that fails (HTTP, or `errors` in the answer) fails the write with a `WriteError` that
   * names the batch and how many records landed before it.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const m = this.mutationFor(name);
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`graphql: mode '${mode}' has no meaning for a mutation (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const batchSize = m.body === 'record' ? 1 : Math.min(options.batchSize ?? m.batchSize, 10_000);
    const arrow = await getArrowToolkit(this.type);
    const records = (async function* () {
      for await (const batch of batches) for (const row of arrow.rows(batch)) yield jsonRecord(row, m.dropNulls);
    })();
    const send = async (batch: OutgoingBatch<Record<string, unknown>>) => {
      const value = m.body === 'record' ? batch.records[0] : batch.records;
      await this.execute(m.mutation, { ...m.variables, [m.variable]: value }, {
        mutation: true,
        ...(m.operationName ? { operationName: m.operationName } : {}),
        signal: context.signal,
        what: `graphql: mutation '${name}' (batch ${batch.number})`,
      });
    };
    const result = await sendBatches({
      connector: this.type,
      target: `mutation '${name}'`,
      records,
      batchSize,
      concurrency: m.concurrency,
      idempotencyKeys: false,
      send,
      onBatch: (b) => context.onRows(b.records.length, 0),
      signal: context.signal,
    });
    return { table: name, mode, rows: result.records, written: true };
  }

  /** The auth tier: the read-only `healthQuery` (default `{ __typename }`), authenticated. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    try {
      await this.execute(this.config.healthQuery, {}, { signal, what: 'graphql: health query' });
      return `POST ${this.http.resolveUrl(this.config.path).pathname} { __typename } answered`;
    } catch (error) {
      throw SparkleError.isInstance(error) ? error : this.wrapError(error, 'health query');
    }
  }

  /** Refuses: no Spark data source reads GraphQL. Read without `spark` (the local engine) instead. */
  sparkRead(name: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(
      `graphql: Spark has no data source for GraphQL APIs, so query '${name}' cannot be read as a Spark DataFrame. Open the connection without 'spark' to read it with the local engine (Arrow), then hand the rows to Spark if needed`,
      { connector: this.type },
    );
  }

  /** Refuses, as {@link sparkRead} does. */
  sparkWrite(name: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(
      `graphql: Spark has no data source for GraphQL APIs, so mutation '${name}' cannot be called from Spark. Open the connection without 'spark' and write with the local engine`,
      { connector: this.type },
    );
  }
}

/** `{ cursor, node: {...} }` → the node; anything else unchanged. */
function unwrapEdge(item: unknown): unknown {
  if (item !== null && typeof item === 'object' && !Array.isArray(item) && 'node' in item) {
    const node = (item as { node: unknown }).node;
    if (node !== null && typeof node === 'object') return node;
  }
  return item;
}
