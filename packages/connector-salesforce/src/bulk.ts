/**
 * Bulk API 2.0 over core's HTTP client: query jobs (create, poll, CSV result pages chained by the
 * `Sforce-Locator` header) and ingest jobs (create, upload CSV, close, poll, then the successful,
 * failed and unprocessed record lists). These calls go through core's client rather than jsforce
 * because the result pages need the response headers and a streamed body; the session token is
 * jsforce's (see `session.ts`), renewed once on a 401.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { QueryError, sleep, TimeoutError, WriteError, type HttpClient, type HttpResponse } from '@sparkle/core';
import { apiErrorsOf, salesforceError } from './errors.js';

/** What a Bulk call needs from the connection. */
export interface BulkContext {
  http: HttpClient;
  /** `/services/data/v62.0`. */
  dataPath: string;
  connector: string;
  redact: (text: string) => string;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  jobTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** A job's status as `GET /jobs/{query|ingest}/{id}` reports it. */
export interface BulkJobInfo {
  id: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  object?: string;
  operation?: string;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
}

/** Progress of a job while it is polled. */
export interface BulkProgress {
  jobId: string;
  state: string;
  recordsProcessed: number;
  polls: number;
}

/** Sends one Bulk call; a non-2xx answer becomes a typed error carrying Salesforce's errorCode and message. */
async function call(ctx: BulkContext, what: string, kind: 'read' | 'write', init: { method: string; path: string; json?: unknown; body?: string; headers?: Record<string, string>; accept?: string }): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await ctx.http.request({
      method: init.method,
      path: init.path,
      ...(init.json !== undefined ? { json: init.json } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      headers: { accept: init.accept ?? 'application/json', ...init.headers },
      throwHttpErrors: false,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (error) {
    throw salesforceError(error, what, { connector: ctx.connector, redact: ctx.redact, kind });
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const [first] = apiErrorsOf(body);
  const error = Object.assign(new Error(first?.message || text.slice(0, 300) || `HTTP ${res.status}`), { errorCode: first?.errorCode ?? `ERROR_HTTP_${res.status}` });
  throw salesforceError(error, what, { connector: ctx.connector, redact: ctx.redact, kind, status: res.status });
}

async function jsonOf<T>(res: HttpResponse): Promise<T> {
  return (await res.json()) as T;
}

/**
 * Polls a job until it leaves the running states, waiting `pollIntervalMs` and half again after
 * each poll up to `maxPollIntervalMs`. Past `jobTimeoutMs` the job is aborted (best effort) and a
 * retryable `TimeoutError` names it.
 */
export async function waitForJob(ctx: BulkContext, type: 'query' | 'ingest', jobId: string, onProgress?: (p: BulkProgress) => void): Promise<BulkJobInfo> {
  const started = Date.now();
  let wait = ctx.pollIntervalMs;
  for (let polls = 1; ; polls++) {
    const info = await jsonOf<BulkJobInfo>(await call(ctx, `bulk ${type} job ${jobId}`, type === 'query' ? 'read' : 'write', { method: 'GET', path: `${ctx.dataPath}/jobs/${type}/${jobId}` }));
    onProgress?.({ jobId, state: info.state, recordsProcessed: info.numberRecordsProcessed ?? 0, polls });
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return info;
    if (Date.now() - started + wait > ctx.jobTimeoutMs) {
      await abortJob(ctx, type, jobId);
      throw new TimeoutError(`${ctx.connector}: bulk ${type} job ${jobId} was still ${info.state} after ${Math.round((Date.now() - started) / 1000)} s (jobTimeoutMs=${ctx.jobTimeoutMs}); it was aborted. Try again later, or raise jobTimeoutMs`, {
        connector: ctx.connector,
        retryable: true,
        details: { jobId, state: info.state, polls, recordsProcessed: info.numberRecordsProcessed ?? 0 },
      });
    }
    await sleep(wait, ctx.signal);
    wait = Math.min(ctx.maxPollIntervalMs, Math.ceil(wait * 1.5));
  }
}

/** Asks Salesforce to abort a job; failures are ignored (the job may have just finished). */
export async function abortJob(ctx: BulkContext, type: 'query' | 'ingest', jobId: string): Promise<void> {
  await call({ ...ctx, signal: undefined }, `abort bulk ${type} job ${jobId}`, 'read', { method: 'PATCH', path: `${ctx.dataPath}/jobs/${type}/${jobId}`, json: { state: 'Aborted' } })
    .then((res) => res.discard())
    .catch(() => undefined);
}

/** Parses a CSV body into records keyed by header, streaming. */
async function* csvRecords(res: HttpResponse): AsyncGenerator<Record<string, string>> {
  const body = res.body;
  if (!body) return;
  const parser = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(parse({ columns: true, bom: true, relax_quotes: false, skip_empty_lines: false }));
  for await (const record of parser) yield record as Record<string, string>;
}

/**
 * Runs a SOQL query as a Bulk API 2.0 query job and yields its rows (CSV cells as text, keyed by
 * the result header), page after page.
 */
export async function* bulkQuery(ctx: BulkContext, soql: string, options: { includeDeleted: boolean; pageSize: number; onProgress?: (p: BulkProgress) => void; onHeader?: (columns: string[]) => void }): AsyncGenerator<Record<string, string>> {
  const job = await jsonOf<BulkJobInfo>(
    await call(ctx, 'bulk query job', 'read', { method: 'POST', path: `${ctx.dataPath}/jobs/query`, json: { operation: options.includeDeleted ? 'queryAll' : 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' } }),
  );
  let finished = false;
  try {
    const info = await waitForJob(ctx, 'query', job.id, options.onProgress);
    if (info.state !== 'JobComplete') {
      throw new QueryError(`${ctx.connector}: bulk query job ${job.id} ended ${info.state}${info.errorMessage ? `: ${ctx.redact(info.errorMessage)}` : ''}`, { connector: ctx.connector, details: { jobId: job.id, state: info.state } });
    }
    finished = true;
    let locator: string | undefined;
    for (let page = 1; ; page++) {
      const res = await call(ctx, `bulk query job ${job.id} results page ${page}`, 'read', {
        method: 'GET',
        path: `${ctx.dataPath}/jobs/query/${job.id}/results?maxRecords=${options.pageSize}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`,
        accept: 'text/csv',
      });
      const next = res.headers.get('sforce-locator');
      let first = true;
      for await (const record of csvRecords(res)) {
        if (first && page === 1) options.onHeader?.(Object.keys(record));
        first = false;
        yield record;
      }
      // The last page says `null`; a missing header also ends (never loop on the same page).
      if (!next || next === 'null' || next === locator) break;
      locator = next;
    }
  } finally {
    if (!finished) await abortJob(ctx, 'query', job.id);
  }
}

/** One ingest job's outcome. */
export interface IngestOutcome {
  jobId: string;
  state: string;
  /** Rows Salesforce wrote (from `successfulResults`). */
  successful: Array<{ id: string; created: boolean; row: Record<string, string> }>;
  /** Rows Salesforce refused, with its message (from `failedResults`). */
  failed: Array<{ id: string | null; error: string; row: Record<string, string> }>;
  /** Rows never processed, e.g. after the job failed or was aborted (from `unprocessedrecords`). */
  unprocessed: Array<Record<string, string>>;
  errorMessage?: string;
}

/**
 * Runs one Bulk API 2.0 ingest job over an uploaded CSV and collects its per-row results.
 */
export async function ingestJob(ctx: BulkContext, options: { object: string; operation: 'insert' | 'update' | 'upsert' | 'delete'; externalIdField?: string | undefined; csv: string; onProgress?: (p: BulkProgress) => void }): Promise<IngestOutcome> {
  const what = `bulk ${options.operation} job on ${options.object}`;
  const job = await jsonOf<BulkJobInfo>(
    await call(ctx, what, 'write', {
      method: 'POST',
      path: `${ctx.dataPath}/jobs/ingest`,
      json: { object: options.object, operation: options.operation, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF', ...(options.operation === 'upsert' ? { externalIdFieldName: options.externalIdField } : {}) },
    }),
  );
  let closed = false;
  try {
    await (await call(ctx, `${what} ${job.id} upload`, 'write', { method: 'PUT', path: `${ctx.dataPath}/jobs/ingest/${job.id}/batches`, body: options.csv, headers: { 'content-type': 'text/csv' } })).discard();
    await (await call(ctx, `${what} ${job.id} close`, 'write', { method: 'PATCH', path: `${ctx.dataPath}/jobs/ingest/${job.id}`, json: { state: 'UploadComplete' } })).discard();
    closed = true;
  } finally {
    if (!closed) await abortJob(ctx, 'ingest', job.id);
  }
  const info = await waitForJob(ctx, 'ingest', job.id, options.onProgress);
  const list = async (name: string) => {
    const out: Array<Record<string, string>> = [];
    for await (const r of csvRecords(await call(ctx, `${what} ${job.id} ${name}`, 'write', { method: 'GET', path: `${ctx.dataPath}/jobs/ingest/${job.id}/${name}`, accept: 'text/csv' }))) out.push(r);
    return out;
  };
  const strip = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('sf__')));
  const successful = (await list('successfulResults')).map((r) => ({ id: r.sf__Id ?? '', created: r.sf__Created === 'true', row: strip(r) }));
  const failed = (await list('failedResults')).map((r) => ({ id: r.sf__Id || null, error: ctx.redact(r.sf__Error ?? 'no message'), row: strip(r) }));
  const unprocessed = await list('unprocessedrecords');
  return { jobId: job.id, state: info.state, successful, failed, unprocessed, ...(info.errorMessage ? { errorMessage: ctx.redact(info.errorMessage) } : {}) };
}

/** A write error for an ingest outcome with failed or unprocessed rows (listing the first few with their messages). */
export function ingestError(ctx: Pick<BulkContext, 'connector'>, outcome: IngestOutcome, object: string, operation: string, written: number): WriteError {
  const shown = outcome.failed
    .slice(0, 5)
    .map((f) => `${JSON.stringify(f.row)}: ${f.error}`)
    .join('; ');
  const parts = [
    outcome.failed.length ? `${outcome.failed.length} row(s) refused (${shown}${outcome.failed.length > 5 ? '; …' : ''})` : '',
    outcome.unprocessed.length ? `${outcome.unprocessed.length} row(s) not processed` : '',
    outcome.state !== 'JobComplete' ? `job ${outcome.jobId} ended ${outcome.state}${outcome.errorMessage ? `: ${outcome.errorMessage}` : ''}` : '',
  ].filter(Boolean);
  return new WriteError(`${ctx.connector}: bulk ${operation} into ${object}: ${parts.join('; ')}. ${written} row(s) were written and stay written`, {
    connector: ctx.connector,
    details: {
      jobId: outcome.jobId,
      written,
      committed: written > 0,
      failedRows: outcome.failed.slice(0, 100),
      failed: outcome.failed.length,
      unprocessed: outcome.unprocessed.length,
    },
  });
}
