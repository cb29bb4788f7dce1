/**
 * `RestConnection` (types `rest`, `rest_api`): named endpoints from config read into Arrow
 * through core's paginators, and written back in batches.
 */
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import {
  APIConnection,
  getArrowToolkit,
  InvalidArgumentError,
  paginateCursor,
  paginateLinkHeader,
  paginateNextUrl,
  paginateOffset,
  paginatePageNumber,
  QueryError,
  resolveJsonPointer,
  UnsupportedOperationError,
  type ConnectionInit,
  type HttpPageInfo,
  type HttpPaginateOptions,
  type HttpRequestOptions,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { columnsFromConfig, deliveryRetryOn, jsonRecord, recordsReadPlan, sendBatches, type OutgoingBatch } from '@sparkle/connector-http';
import { restConfigSchema, type RestConfig, type RestEndpoint } from './config.js';

/** `{field}` placeholders of a write path. */
const PLACEHOLDER = /\{([^{}]+)\}/g;

/**
 * A declarative REST API connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-rest';
 *
 * await using api = await getConnection('rest', { env: 'prod' }); // config/connections/rest/{common,prod}.json
 * const users = await api.readTable('users');                     // every page, as Arrow batches
 * await api.writeTable([{ id: 1, name: 'Ada' }], 'users', { mode: 'append' });
 * ```
 */
export class RestConnection extends APIConnection<RestConfig> {
  static override schema: z.ZodType = restConfigSchema;
  static override description = 'REST API: endpoints, pagination and record selectors from config, read into Arrow; batched writes';
  /** `sparkRead` exists only to refuse with a pointer to the local engine (there is no Spark data source for REST). */
  static withoutCapabilities = ['spark'];

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** The configured endpoint `name`, or an error listing the ones there are. */
  endpoint(name: string): RestEndpoint {
    const found = Object.hasOwn(this.config.endpoints, name) ? this.config.endpoints[name] : undefined;
    if (found) return found;
    const template = this.config.endpointTemplate;
    if (template) {
      const fill = (path: string) => path.replaceAll('{name}', encodeURIComponent(name));
      return { ...template, path: fill(template.path), ...(template.write?.path ? { write: { ...template.write, path: fill(template.write.path) } } : {}) };
    }
    const known = Object.keys(this.config.endpoints);
    throw new InvalidArgumentError(
      `rest: no endpoint named '${name}' in this connection's config; ${known.length ? `declared: ${known.join(', ')}` : "declare it under 'endpoints' (path, pagination, recordSelector)"}, or set 'endpointTemplate'`,
      { connector: this.type, details: { endpoint: name } },
    );
  }

  /** Endpoint names with their path, pagination style and primary key. */
  describeEndpoints(): Array<{ name: string; path: string; pagination: string; primaryKey: string[]; writable: boolean }> {
    return Object.entries(this.config.endpoints).map(([name, e]) => ({
      name,
      path: e.path,
      pagination: e.pagination.type,
      primaryKey: e.primaryKey === undefined ? [] : Array.isArray(e.primaryKey) ? e.primaryKey : [e.primaryKey],
      writable: e.write !== undefined,
    }));
  }

  /**
   * The records of an endpoint, page after page, as plain JSON values (what `readTable` turns into Arrow).
   * @example
   * ```ts
   * for await (const user of api.records('users')) console.log(user);
   * ```
   */
  records(name: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<unknown> {
    const e = this.endpoint(name);
    const request: HttpRequestOptions = {
      method: 'GET',
      path: e.path,
      query: e.query,
      headers: e.headers,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const where = `endpoint '${name}'`;
    const common: HttpPaginateOptions = {
      request,
      itemsPointer: e.recordSelector,
      maxPages: e.maxPages ?? this.config.maxPages,
      onPage: (page: HttpPageInfo) => {
        // An empty list is a valid page; a selector that points nowhere is a config mistake.
        if (page.page === 1 && e.recordSelector !== '' && resolveJsonPointer(page.body, e.recordSelector) === undefined) {
          const keys = page.body && typeof page.body === 'object' && !Array.isArray(page.body) ? Object.keys(page.body).slice(0, 10).join(', ') : typeof page.body;
          throw new QueryError(`${where}: recordSelector "${e.recordSelector}" matches nothing in the first page of ${page.response.url} (top level: ${keys || 'empty'}); point it at the list of records`, {
            connector: this.type,
            details: { endpoint: name, recordSelector: e.recordSelector },
          });
        }
      },
    };
    const p = e.pagination;
    switch (p.type) {
      case 'none':
        return paginateOffsetless(this, common);
      case 'cursor':
        return paginateCursor(this.http, { ...common, cursorPointer: p.cursorPointer, cursorParam: p.cursorParam });
      case 'offset':
        return paginateOffset(this.http, { ...common, limit: p.limit, offsetParam: p.offsetParam, limitParam: p.limitParam, start: p.start, ...(p.totalPointer ? { totalPointer: p.totalPointer } : {}) });
      case 'page_number':
        return paginatePageNumber(this.http, {
          ...common,
          pageParam: p.pageParam,
          firstPage: p.firstPage,
          ...(p.pageSize !== undefined ? { pageSize: p.pageSize } : {}),
          ...(p.sizeParam ? { sizeParam: p.sizeParam } : {}),
          ...(p.totalPagesPointer ? { totalPagesPointer: p.totalPagesPointer } : {}),
        });
      case 'link_header':
        return paginateLinkHeader(this.http, { ...common, rel: p.rel });
      case 'next_url':
        return paginateNextUrl(this.http, { ...common, nextUrlPointer: p.nextUrlPointer });
    }
  }

  /** Reads an endpoint: pages pulled lazily into Arrow batches of the declared or inferred schema. */
  async nativeRead(name: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const e = this.endpoint(name);
    return recordsReadPlan({
      connector: this.type,
      name: `endpoint '${name}'`,
      read: options,
      ...(e.sampleSize ? { sampleSize: e.sampleSize } : {}),
      ...(e.schema ? { columns: columnsFromConfig(e.schema, this.type) } : {}),
      records: (signal) => this.records(name, { signal }),
    });
  }

  /**
   * Sends the rows to the endpoint's `write` target in batches (see the README). Modes: `append`
   * and `errorIfExists` (Spark's default; an endpoint has no table that could exist) send the
   * rows; `overwrite` and `ignore` have no meaning for an API and are refused.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const e = this.endpoint(name);
    const mode = options.mode ?? 'errorIfExists';
    if (!e.write) {
      throw new UnsupportedOperationError(`rest: endpoint '${name}' has no 'write' block; add one (method, batchSize, idempotencyKey) to write to it`, { connector: this.type });
    }
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`rest: mode '${mode}' has no meaning for an API endpoint (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const w = e.write;
    const path = w.path ?? e.path;
    const templated = /\{[^{}]+\}/.test(path);
    if (templated && w.body !== 'record') {
      throw new InvalidArgumentError(`rest: endpoint '${name}' write.path "${path}" has {field} placeholders, which need write.body 'record' (one record per request)`, { connector: this.type });
    }
    const batchSize = w.body === 'record' ? 1 : (options.batchSize ?? w.batchSize);
    const header = w.idempotencyKey === true ? 'Idempotency-Key' : w.idempotencyKey || undefined;
    const arrow = await getArrowToolkit(this.type);
    const records = (async function* () {
      for await (const batch of batches) for (const row of arrow.rows(batch)) yield jsonRecord(row, w.dropNulls);
    })();
    const target = `${w.method} ${this.http.resolveUrl(path).pathname} (endpoint '${name}')`;
    const send = async (batch: OutgoingBatch<Record<string, unknown>>) => {
      const record = batch.records[0]!;
      const body = w.body === 'record' ? record : w.wrapKey ? { [w.wrapKey]: batch.records } : batch.records;
      const res = await this.http.request({
        method: w.method,
        path: templated ? fillPath(path, record, name, this.type) : path,
        json: body,
        headers: { ...e.headers, accept: 'application/json, */*', ...(header && batch.idempotencyKey ? { [header]: batch.idempotencyKey } : {}) },
        signal: context.signal,
        retry: { retryOn: deliveryRetryOn },
      });
      await res.discard();
    };
    const result = await sendBatches({
      connector: this.type,
      target,
      records,
      batchSize,
      concurrency: w.concurrency,
      idempotencyKeys: header !== undefined,
      send,
      onBatch: (b) => context.onRows(b.records.length, 0),
      signal: context.signal,
    });
    return { table: name, mode, rows: result.records, written: true };
  }

  /** Refuses: no Spark data source reads REST APIs. Read without `spark` (the local engine) instead. */
  sparkRead(name: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(
      `rest: Spark has no data source for REST APIs, so endpoint '${name}' cannot be read as a Spark DataFrame. Open the connection without 'spark' to read it with the local engine (Arrow), then hand the rows to Spark if needed`,
      { connector: this.type },
    );
  }

  /** Refuses, as {@link sparkRead} does. */
  sparkWrite(name: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(
      `rest: Spark has no data source for REST APIs, so endpoint '${name}' cannot be written from Spark. Open the connection without 'spark' and write with the local engine`,
      { connector: this.type },
    );
  }
}

/** A single request, records at the selector (pagination `none`). */
async function* paginateOffsetless(conn: RestConnection, options: HttpPaginateOptions): AsyncGenerator<unknown> {
  const response = await conn.http.request({ ...options.request, headers: { accept: 'application/json', ...options.request.headers } });
  const body = await response.json();
  const records = resolveJsonPointer(body, options.itemsPointer ?? '');
  options.onPage?.({ page: 1, records: Array.isArray(records) ? records.length : 0, response, body });
  if (records === undefined || records === null) return;
  if (!Array.isArray(records)) throw new QueryError(`${response.method} ${response.url}: recordSelector "${options.itemsPointer}" selects a ${typeof records}, not an array`, { connector: conn.type });
  yield* records;
}

function fillPath(path: string, record: Record<string, unknown>, endpoint: string, connector: string): string {
  return path.replace(PLACEHOLDER, (_, field: string) => {
    const value = record[field];
    if (value === null || value === undefined) {
      throw new InvalidArgumentError(`rest: endpoint '${endpoint}' write path needs field '${field}', which this record lacks`, { connector });
    }
    return encodeURIComponent(String(value));
  });
}
