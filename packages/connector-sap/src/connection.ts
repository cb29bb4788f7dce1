/**
 * `SapConnection` (types `sap`, `sap_odata`): entity sets of an SAP OData service (V2 or V4)
 * read into Arrow with a schema from `$metadata`, and entities created in `$batch`es or bounded
 * concurrent POSTs, on core's HTTP layer (auth, retries with `Retry-After`, typed errors without
 * secrets). SAP Gateway's CSRF protocol (`x-csrf-token: fetch` + session cookies) is handled for
 * writes.
 */
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import {
  APIConnection,
  AuthenticationError,
  getArrowToolkit,
  HealthSkip,
  InvalidArgumentError,
  QueryError,
  UnsupportedOperationError,
  WriteError,
  type ConnectionInit,
  type Filter,
  type HttpClientOptions,
  type HttpResponse,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { jsonRecord, refuseSqlOptions } from '@sparkle/connector-http';
import { sapConfigSchema, type SapConfig } from './config.js';
import { arrowSchema, columnTypeOf, decimalFacets, readValue, writeValue } from './edm.js';
import { filterToOData, orderByToOData, propertyOf } from './filter.js';
import { parseMetadata, type EdmEntitySet, type EdmModel, type EdmProperty } from './metadata.js';

/** One entity the service refused. */
export interface SapRowError {
  /** 0-based index of the row in the write. */
  row: number;
  status: number;
  message: string;
}

/** What {@link SapConnection.createEntities} reports. */
export interface SapCreateResult {
  created: number;
  failed: SapRowError[];
}

/** Options of a read of raw entities. */
export interface SapEntityQuery {
  select?: readonly string[];
  filter?: Filter;
  orderBy?: readonly string[];
  pageSize?: number;
  signal?: AbortSignal;
}

interface CsrfSession {
  token: string | undefined;
  cookie: string | undefined;
}

/** The message of an OData error body (V4 `error.message`, V2 `error.message.value`). */
function odataMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; code?: unknown } } | null)?.error;
  if (!error) return undefined;
  const m = error.message;
  const text = typeof m === 'string' ? m : typeof (m as { value?: unknown })?.value === 'string' ? (m as { value: string }).value : undefined;
  return text ? `${error.code ? `${String(error.code)}: ` : ''}${text}` : undefined;
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await run(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * An SAP OData service.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-sap';
 *
 * await using sap = await getConnection('sap', { env: 'prod' }); // config/connections/sap/{common,prod}.json
 * const partners = await sap.readTable('A_BusinessPartner', { columns: ['BusinessPartner', 'BusinessPartnerFullName'], filter: where.eq('BusinessPartnerCategory', '2') });
 * await sap.writeTable([{ ID: '6f1c…', quantity: 3 }], 'Orders', { mode: 'append' });
 * ```
 */
export class SapConnection extends APIConnection<SapConfig> {
  static override schema: z.ZodType = sapConfigSchema;
  static override family = 'api';
  static override description = 'SAP OData (V2 and V4): entity sets into Arrow with a $metadata schema, $filter/$select/paging; $batch or concurrent POST writes with CSRF';
  /** `sparkRead` exists only to refuse with a pointer to the local engine (no maintained Spark data source reads OData). */
  static withoutCapabilities = ['spark'];
  #model: Promise<EdmModel> | undefined;
  #csrf: CsrfSession | undefined;
  #batchUnsupported = false;

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** The family's HTTP options, plus `accept-language` when `language` is set. */
  protected override httpOptions(): HttpClientOptions {
    const base = super.httpOptions();
    return this.config.language ? { ...base, headers: { ...base.headers, 'accept-language': this.config.language } } : base;
  }

  /** The service's `$metadata`, fetched and parsed once per connection. */
  model(signal?: AbortSignal): Promise<EdmModel> {
    this.#model ??= (async () => {
      const res = await this.http.request({ path: this.#path('$metadata'), headers: { accept: 'application/xml' }, ...(signal ? { signal } : {}) });
      return parseMetadata(await res.text(), this.type);
    })().catch((error: unknown) => {
      this.#model = undefined;
      throw error;
    });
    return this.#model;
  }

  /** The OData version in use: the configured one, or what `$metadata` says. */
  async version(): Promise<'v2' | 'v4'> {
    return this.config.version === 'auto' ? (await this.model()).version : this.config.version;
  }

  /** The entity set `name`, or an error listing the ones the service has. */
  async entitySet(name: string): Promise<EdmEntitySet> {
    const model = await this.model();
    const set = model.entitySets.get(name);
    if (set) return set;
    const known = [...model.entitySets.keys()];
    throw new InvalidArgumentError(`sap: the service has no entity set '${name}' (it has ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''})`, { connector: this.type, details: { entitySet: name } });
  }

  /** A service-relative path with its query: `$` names kept, values percent-encoded (spaces as %20, never +). */
  #path(resource: string, params: Record<string, string | undefined> = {}): string {
    const all = { ...params, ...(this.config.sapClient ? { 'sap-client': this.config.sapClient } : {}) };
    const qs = Object.entries(all)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    return qs ? `${resource}?${qs}` : resource;
  }

  #accept(version: 'v2' | 'v4'): string {
    // IEEE754Compatible: Int64 and Decimal arrive as strings, so no digit is lost to a double.
    return version === 'v4' ? 'application/json;odata.metadata=minimal;IEEE754Compatible=true' : 'application/json';
  }

  /** The properties a read selects (all structural ones by default), checked against the type. */
  #selected(set: EdmEntitySet, names: readonly string[] | undefined): EdmProperty[] {
    return names?.length ? names.map((n) => propertyOf(set, n, 'select')) : set.properties;
  }

  /** The `$filter` text of a typed filter on an entity set (what a read sends). */
  async filterText(name: string, filter: Filter): Promise<string> {
    return filterToOData(filter, await this.entitySet(name), await this.version());
  }

  /** A next link of the service, kept on the configured origin (gateways often name their internal host). */
  #followable(link: string, current: URL): string {
    const next = new URL(link, current);
    const root = this.http.resolveUrl();
    if (next.origin === root.origin) return next.toString();
    const rootPath = root.pathname.replace(/\/+$/, '');
    if (next.pathname === rootPath || next.pathname.startsWith(`${rootPath}/`)) {
      // Same service path on another host name: fetched from the configured origin, so no credential goes elsewhere.
      return `${root.origin}${next.pathname}${next.search}`;
    }
    throw new QueryError(`sap: the service's next link points outside the service (${next.origin}${next.pathname}); refusing to send credentials there`, { connector: this.type });
  }

  /**
   * The entities of a set, page after page (raw OData JSON). Server-driven paging
   * (`@odata.nextLink`, `__next`) is followed; with `pageSize`, pages are also asked for with
   * `$top`/`$skip`. A next link that repeats, or more than `maxPages` pages, fails.
   * @example
   * ```ts
   * for await (const book of sap.entities('Books', { select: ['ID', 'title'] })) console.log(book);
   * ```
   */
  async *entities(name: string, query: SapEntityQuery = {}): AsyncGenerator<Record<string, unknown>> {
    const set = await this.entitySet(name);
    const version = await this.version();
    const selected = this.#selected(set, query.select);
    const params: Record<string, string | undefined> = {
      $select: selected.map((p) => p.name).join(','),
      $filter: query.filter ? filterToOData(query.filter, set, version) : undefined,
      $orderby: query.orderBy?.length ? orderByToOData(query.orderBy, set) : undefined,
    };
    const maxPages = this.config.maxPages;
    const seen = new Set<string>();
    let pages = 0;
    for (let skip = 0; ; ) {
      const clientPage = query.pageSize ? { $top: String(query.pageSize), $skip: skip ? String(skip) : undefined } : {};
      let path: string | undefined = this.#path(encodeURIComponent(set.name), { ...params, ...clientPage });
      let inPage = 0;
      while (path) {
        if (++pages > maxPages) {
          throw new QueryError(`sap: reading ${set.name} still had more after maxPages=${maxPages} pages; raise maxPages or filter the read`, { connector: this.type, details: { maxPages } });
        }
        const res: HttpResponse = await this.http.request({ path, headers: { accept: this.#accept(version) }, ...(query.signal ? { signal: query.signal } : {}) });
        const body = (await res.json()) as Record<string, unknown> | undefined;
        const { records, next } = this.#page(body, version, res.url);
        for (const r of records) yield r;
        inPage += records.length;
        if (!next) break;
        const target = this.#followable(next, this.http.resolveUrl(path));
        if (seen.has(target)) {
          throw new QueryError(`sap: ${set.name} answered the same next link twice, which would loop forever; stopped after ${pages} pages`, { connector: this.type, details: { pages } });
        }
        seen.add(target);
        path = target;
      }
      if (!query.pageSize || inPage < query.pageSize) return;
      skip += inPage;
    }
  }

  #page(body: Record<string, unknown> | undefined, version: 'v2' | 'v4', url: string): { records: Record<string, unknown>[]; next: string | undefined } {
    const bad = (what: string) => new QueryError(`sap: GET ${url} answered JSON without ${what}; is this an OData ${version.toUpperCase()} entity set?`, { connector: this.type });
    if (version === 'v4') {
      if (!body || !Array.isArray(body.value)) throw bad('a "value" array');
      const next = body['@odata.nextLink'];
      return { records: body.value as Record<string, unknown>[], next: typeof next === 'string' && next ? next : undefined };
    }
    const d = body?.d as { results?: unknown; __next?: unknown } | unknown[] | undefined;
    if (Array.isArray(d)) return { records: d as Record<string, unknown>[], next: undefined }; // OData V1 shape
    if (!d || !Array.isArray(d.results)) throw bad('"d.results"');
    return { records: d.results as Record<string, unknown>[], next: typeof d.__next === 'string' && d.__next ? d.__next : undefined };
  }

  /**
   * The number of entities (optionally filtered): `GET <set>/$count`.
   * @example
   * ```ts
   * const open = await sap.count('SalesOrders', where.eq('Status', 'OPEN'));
   * ```
   */
  async count(name: string, filter?: Filter, signal?: AbortSignal): Promise<number> {
    const set = await this.entitySet(name);
    const version = await this.version();
    const path = this.#path(`${encodeURIComponent(set.name)}/$count`, { $filter: filter ? filterToOData(filter, set, version) : undefined });
    const res = await this.http.request({ path, headers: { accept: 'text/plain' }, ...(signal ? { signal } : {}) });
    const text = (await res.text()).trim();
    if (!/^\d+$/.test(text)) throw new QueryError(`sap: GET ${res.url} answered '${text.slice(0, 40)}', not a count`, { connector: this.type });
    return Number(text);
  }

  /**
   * Reads an entity set into Arrow. The schema comes from `$metadata` (see the README's table);
   * `columns` becomes `$select`, `filter` (ANDed with the configured one) becomes `$filter`.
   */
  async nativeRead(name: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    refuseSqlOptions(options, this.type, name);
    const configured = Object.hasOwn(this.config.entitySets, name) ? this.config.entitySets[name] : undefined;
    const set = await this.entitySet(name);
    const selected = this.#selected(set, options.columns?.length ? options.columns : configured?.select);
    const filter = configured?.filter && options.filter ? { and: [configured.filter, options.filter] } : (options.filter ?? configured?.filter);
    const arrow = await getArrowToolkit(this.type);
    const schema = arrowSchema(arrow, selected);
    // Built now so a bad filter fails the read before any partition opens.
    if (filter) filterToOData(filter, set, await this.version());
    const connector = this.type;
    const entities = (signal: AbortSignal) =>
      this.entities(name, {
        select: selected.map((p) => p.name),
        ...(filter ? { filter } : {}),
        ...(configured?.orderBy ? { orderBy: configured.orderBy } : {}),
        ...(configured?.pageSize ? { pageSize: configured.pageSize } : {}),
        signal,
      });
    let opened = false;
    return {
      schema,
      partitions: [
        {
          description: `OData entity set ${set.name}`,
          open(engineSignal: AbortSignal) {
            if (opened) throw new UnsupportedOperationError(`sap: this read of ${set.name} streams once; call readTable again to read again`, { connector });
            opened = true;
            const signal = options.signal ? AbortSignal.any([options.signal, engineSignal]) : engineSignal;
            let n = 0;
            const rows = (async function* () {
              for await (const entity of entities(signal)) {
                const row: Record<string, unknown> = {};
                for (const p of selected) row[p.name] = readValue(p, entity[p.name], `${set.name} entity ${n} property ${p.name}`);
                n++;
                yield row;
              }
            })();
            return arrow.rowsToBatches(rows, { schema, ...(options.fetchSize ? { batchSize: options.fetchSize } : {}) });
          },
        },
      ],
    };
  }

  /** Fetches a CSRF token and the session cookies it is bound to (`GET <root>` with `x-csrf-token: fetch`). */
  async #fetchCsrf(signal?: AbortSignal): Promise<CsrfSession> {
    const res = await this.http.request({ path: this.#path(''), headers: { 'x-csrf-token': 'Fetch', accept: 'application/json' }, ...(signal ? { signal } : {}) });
    await res.discard();
    const token = res.headers.get('x-csrf-token') ?? undefined;
    const cookies = res.headers.getSetCookie().map((c) => c.split(';', 1)[0]!.trim()).filter(Boolean);
    this.#csrf = { token: token && token.toLowerCase() !== 'required' ? token : undefined, cookie: cookies.length ? cookies.join('; ') : undefined };
    return this.#csrf;
  }

  #csrfHeaders(): Record<string, string> {
    return { ...(this.#csrf?.token ? { 'x-csrf-token': this.#csrf.token } : {}), ...(this.#csrf?.cookie ? { cookie: this.#csrf.cookie } : {}) };
  }

  /** A write request, fetching a CSRF token again once when the service says it requires one. */
  async #send(path: string, body: unknown, contentType: string, accept: string, signal?: AbortSignal): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.http.request({
        method: 'POST',
        path,
        body: JSON.stringify(body),
        headers: { 'content-type': contentType, accept, ...this.#csrfHeaders() },
        throwHttpErrors: false,
        ...(signal ? { signal } : {}),
      });
      const csrfRefused = res.status === 403 && res.headers.get('x-csrf-token')?.toLowerCase() === 'required';
      if (!csrfRefused || attempt > 1 || this.config.csrf === 'never') return res;
      await res.discard();
      await this.#fetchCsrf(signal);
    }
  }

  /** A non-2xx answer to the whole request (not to one entity): thrown as it is. */
  async #refuse(res: HttpResponse, what: string): Promise<never> {
    const text = await res.text();
    let detail = text.slice(0, 300);
    try {
      detail = odataMessage(JSON.parse(text)) ?? detail;
    } catch {
      // not JSON: the text excerpt is the detail
    }
    const message = `sap: ${what} answered HTTP ${res.status}: ${this.http.redact(detail)}`;
    if (res.status === 401 || res.status === 403) throw new AuthenticationError(`${message}; check the auth block (user, password or token) and the user's authorizations`, { connector: this.type, details: { status: res.status } });
    throw new WriteError(message, { connector: this.type, details: { status: res.status } });
  }

  /**
   * Creates entities: JSON `$batch`es of `batchSize` (V4; not atomic, so each entity succeeds or
   * fails alone) or single POSTs with `concurrency` in flight (V2, or `writeMode: "single"`).
   * Entities the service refuses are reported per row; the others are created.
   * @example
   * ```ts
   * const { created, failed } = await sap.createEntities('Orders', [{ ID: crypto.randomUUID(), quantity: 2 }]);
   * ```
   */
  async createEntities(name: string, rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>, options: { signal?: AbortSignal; onRows?: (n: number) => void } = {}): Promise<SapCreateResult> {
    const set = await this.entitySet(name);
    const version = await this.version();
    const byName = new Map(set.properties.map((p) => [p.name, p]));
    const toBody = (row: Record<string, unknown>) => {
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        const p = byName.get(k) ?? propertyOf(set, k, 'write');
        if (v === null || v === undefined) continue;
        body[k] = writeValue(p, v, version);
      }
      return body;
    };
    const csrf = this.config.csrf;
    if (csrf === 'always' || (csrf === 'auto' && version === 'v2' && !this.#csrf)) await this.#fetchCsrf(options.signal);
    const useBatch = version === 'v4' && this.config.writeMode !== 'single' && !(this.config.writeMode === 'auto' && this.#batchUnsupported);
    if (this.config.writeMode === 'batch' && version === 'v2') {
      throw new UnsupportedOperationError('sap: writeMode "batch" sends JSON $batch requests, which OData V2 does not have (its $batch is multipart); use "auto" or "single"', { connector: this.type });
    }
    const result: SapCreateResult = { created: 0, failed: [] };
    const contentType = version === 'v4' ? 'application/json;IEEE754Compatible=true' : 'application/json';
    const accept = this.#accept(version);
    const entityPath = this.#path(encodeURIComponent(set.name));
    const single = async (chunk: Array<Record<string, unknown>>, first: number) => {
      await pool(chunk, this.config.concurrency, async (body, i) => {
        const res = await this.#send(entityPath, body, contentType, accept, options.signal);
        if (res.ok) {
          await res.discard();
          result.created++;
          options.onRows?.(1);
          return;
        }
        if (res.status === 401) await this.#refuse(res, `POST ${set.name}`);
        const text = await res.text();
        let message = text.slice(0, 300);
        try {
          message = odataMessage(JSON.parse(text)) ?? message;
        } catch {
          // keep the excerpt
        }
        result.failed.push({ row: first + i, status: res.status, message: this.http.redact(message) });
      });
    };
    const batch = async (chunk: Array<Record<string, unknown>>, first: number): Promise<boolean> => {
      const requests = chunk.map((body, i) => ({ id: String(i), method: 'POST', url: entityPath, headers: { 'content-type': contentType }, body }));
      const res = await this.#send(this.#path('$batch'), { requests }, 'application/json', 'application/json', options.signal);
      if ([404, 405, 501].includes(res.status) && this.config.writeMode === 'auto') {
        // The service has no JSON $batch: single POSTs from here on.
        await res.discard();
        this.#batchUnsupported = true;
        return false;
      }
      if (!res.ok) await this.#refuse(res, `POST $batch (${chunk.length} ${set.name})`);
      const answer = (await res.json()) as { responses?: Array<{ id?: string; status?: number; body?: unknown }> };
      if (!Array.isArray(answer?.responses)) throw new QueryError(`sap: POST $batch answered without a "responses" array`, { connector: this.type });
      for (const r of answer.responses) {
        const i = Number(r.id);
        if ((r.status ?? 0) >= 200 && (r.status ?? 0) < 300) result.created++;
        else result.failed.push({ row: first + i, status: r.status ?? 0, message: this.http.redact(odataMessage(r.body) ?? `HTTP ${r.status}`) });
      }
      options.onRows?.(answer.responses.length);
      return true;
    };
    let chunk: Array<Record<string, unknown>> = [];
    let first = 0;
    const flush = async () => {
      if (!chunk.length) return;
      const sent = useBatch && !this.#batchUnsupported ? await batch(chunk, first) : false;
      if (!sent) await single(chunk, first);
      first += chunk.length;
      chunk = [];
    };
    const size = useBatch ? this.config.batchSize : Math.max(this.config.concurrency * 8, 32);
    for await (const row of rows) {
      options.signal?.throwIfAborted();
      chunk.push(toBody(row));
      if (chunk.length >= size) await flush();
    }
    await flush();
    result.failed.sort((a, b) => a.row - b.row);
    return result;
  }

  /**
   * `writeTable(rows, '<entity set>')`: creates one entity per row. Modes `append` and
   * `errorIfExists` create; `overwrite` and `ignore` are refused. Refused entities fail the write
   * after every row was sent, with a `WriteError` whose `details.failed` lists each one.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`sap: mode '${mode}' has no meaning for creating OData entities (nothing is replaced or found existing); write with mode 'append'`, { connector: this.type });
    }
    const arrow = await getArrowToolkit(this.type);
    const rows = (async function* () {
      for await (const batch of batches) for (const row of arrow.rows(batch)) yield keepExact(row);
    })();
    const result = await this.createEntities(name, rows, { signal: context.signal, onRows: (n) => context.onRows(n, 0) });
    if (result.failed.length) {
      const shown = result.failed.slice(0, 5).map((f) => `row ${f.row}: HTTP ${f.status} ${f.message}`).join(' | ');
      throw new WriteError(`sap: ${result.failed.length} of ${result.failed.length + result.created} entit${result.failed.length === 1 ? 'y was' : 'ies were'} refused by ${name} (${result.created} created): ${shown}${result.failed.length > 5 ? ' | …' : ''}`, {
        connector: this.type,
        details: { created: result.created, failed: result.failed, committed: result.created > 0 },
      });
    }
    return { table: name, mode, rows: result.created, written: true };
  }

  /** Entity sets with their keys and Arrow columns (from `$metadata`). */
  async discover(): Promise<Array<{ name: string; entityType: string; keys: string[]; columns: Array<{ name: string; type: string; edmType: string; nullable: boolean }> }>> {
    const model = await this.model();
    return [...model.entitySets.values()].map((set) => ({
      name: set.name,
      entityType: set.entityType,
      keys: set.keys,
      columns: set.properties.map((p) => {
        const facets = decimalFacets(p);
        const t = columnTypeOf(p);
        return { name: p.name, type: facets ? `decimal(${facets.precision},${facets.scale})` : typeof t === 'string' ? t : JSON.stringify(t), edmType: p.type, nullable: p.nullable };
      }),
    }));
  }

  /** The probe tier: `$metadata` parses and names the entity sets. */
  protected override async checkProbe(signal: AbortSignal): Promise<string | HealthSkip> {
    const model = await this.model(signal);
    return `OData ${(this.config.version === 'auto' ? model.version : this.config.version).toUpperCase()} service, ${model.entitySets.size} entity set(s)`;
  }

  /** Refuses: no maintained Spark data source reads SAP OData. Read without `spark` (the local engine) instead. */
  sparkRead(name: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(
      `sap: Spark has no maintained data source for SAP OData, so '${name}' cannot be read as a Spark DataFrame. Open the connection without 'spark' to read it with the local engine (Arrow), then hand the rows to Spark if needed`,
      { connector: this.type },
    );
  }

  /** Refuses, as {@link sparkRead} does. */
  sparkWrite(name: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(`sap: Spark has no maintained data source for SAP OData, so '${name}' cannot be written from Spark. Open the connection without 'spark' and write with the local engine`, { connector: this.type });
  }
}

/** Arrow row values for a POST: like `jsonRecord`, but int64 stays exact (text) and dates stay Dates for `writeValue`. */
function keepExact(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = v.toString();
    else if (v instanceof Date || v instanceof Uint8Array) out[k] = v;
    else out[k] = v === null || v === undefined ? null : (jsonRecord({ v }).v as unknown);
  }
  return out;
}
