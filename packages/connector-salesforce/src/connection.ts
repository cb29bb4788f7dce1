/**
 * `SalesforceConnection` (types `salesforce`, `sfdc`): SOQL reads into Arrow through the REST
 * query API (pages chained by `nextRecordsUrl`, i.e. queryMore) or Bulk API 2.0 query jobs, typed
 * from `describe`; `sObject` writes through Bulk API 2.0 ingest jobs with per-row results.
 * jsforce logs in (password, JWT bearer, refresh token, or a given access token) and makes the
 * REST calls; Bulk API 2.0 transfers go through core's HTTP client with jsforce's session.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Connection } from 'jsforce';
import type { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import {
  createHttpClient,
  getArrowToolkit,
  InvalidArgumentError,
  QueryError,
  SparkleConnection,
  UnsupportedOperationError,
  type ConnectionInit,
  type DatasetRef,
  type Endpoint,
  type HttpClient,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteMode,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { bulkQuery, ingestError, ingestJob, type BulkContext, type BulkProgress, type IngestOutcome } from './bulk.js';
import { salesforceConfigSchema, type SalesforceConfig } from './config.js';
import { salesforceError } from './errors.js';
import { openSession, renewSession } from './session.js';
import { soqlCondition, soqlSelect, soqlShape, type LiteralKind } from './soql.js';
import { arrowSchema, columnOf, COMPOUND_TYPES, fromCsv, fromJson, pathValue, textColumn, type SfColumn, type SfField } from './types.js';

/** The parts of an sObject describe this connector reads. */
export interface SObjectDescribe {
  name: string;
  label?: string;
  queryable?: boolean;
  createable?: boolean;
  fields: SfField[];
}

/** One REST query page. */
interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

/** Write operations of Bulk API 2.0 ingest jobs. */
export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete';

/** How one read runs. */
interface ReadSpec {
  soql: string;
  columns: SfColumn[];
  /** `true`, `false`, or `auto` (decided by the first REST page's totalSize). */
  bulk: boolean | 'auto';
  batchSize: number;
}

/**
 * A Salesforce org.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-salesforce';
 *
 * await using sf = await getConnection('salesforce', { env: 'prod' }); // config/connections/salesforce/{common,prod}.json
 * const big = await sf.readTable('Account', { columns: ['Id', 'Name', 'AnnualRevenue'], filter: where.eq('Industry', 'Energy') });
 * const open = await sf.query('SELECT Id, Amount FROM Opportunity WHERE IsClosed = false');
 * await sf.writeTable([{ Name: 'Acme' }], 'Account', { mode: 'append' }); // a Bulk API 2.0 insert job
 * ```
 */
export class SalesforceConnection extends SparkleConnection<SalesforceConfig> {
  static override schema: z.ZodType = salesforceConfigSchema;
  static override family = 'api';
  static override description = 'Salesforce: SOQL and Bulk API 2.0 reads into Arrow, sObject writes through Bulk API 2.0 ingest jobs';
  /** `sparkRead`/`sparkWrite` exist only to refuse with a pointer to the local engine (no maintained Spark data source). */
  static withoutCapabilities = ['spark'];
  #session: Promise<Connection> | undefined;
  #http: HttpClient | undefined;
  readonly #describes = new Map<string, Promise<SObjectDescribe>>();

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** The REST data path, `/services/data/v62.0`. */
  get dataPath(): string {
    return `/services/data/v${this.config.apiVersion}`;
  }

  /** Reaches the instance (when known) or the login host. */
  protected override endpoints(): Endpoint[] {
    const url = new URL(this.config.instanceUrl ?? this.config.loginUrl);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 }];
  }

  /** Every secret of the config plus the live session token, for redaction. */
  protected override secretValues(): readonly string[] {
    // Called by the base class during construction too, before this class's fields exist.
    const token = #tokenNow in this ? this.#tokenNow : undefined;
    return token ? [...super.secretValues(), token] : super.secretValues();
  }

  #tokenNow: string | undefined;

  /**
   * The logged-in jsforce connection (logged in on first use; a failed login is not cached).
   * @example
   * ```ts
   * const conn = await sf.session();
   * console.log(conn.instanceUrl);
   * ```
   */
  session(): Promise<Connection> {
    this.assertOpen();
    this.#session ??= openSession(this.config, this.type)
      .then((conn) => {
        this.#tokenNow = conn.accessToken ?? undefined;
        return conn;
      })
      .catch((error: unknown) => {
        this.#session = undefined;
        throw salesforceError(error, `login at ${this.config.loginUrl} (${this.config.auth.type})`, { connector: this.type, redact: (t) => this.redact(t) });
      });
    return this.#session;
  }

  /** Runs one jsforce call with a typed, redacted error. */
  async #call<T>(what: string, kind: 'read' | 'write' | undefined, fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.session();
    try {
      return await fn(conn);
    } catch (error) {
      throw salesforceError(error, what, { connector: this.type, redact: (t) => this.redact(t), ...(kind ? { kind } : {}) });
    } finally {
      this.#tokenNow = conn.accessToken ?? this.#tokenNow;
    }
  }

  /** The core HTTP client for Bulk API 2.0 transfers, authenticated with the jsforce session. */
  async #bulk(signal?: AbortSignal): Promise<BulkContext> {
    const conn = await this.session();
    this.#http ??= createHttpClient({
      baseUrl: conn.instanceUrl,
      connector: this.type,
      timeoutMs: this.config.timeoutMs,
      userAgent: `sparkle-${this.type}`,
      secrets: this.secretValues(),
      auth: {
        apply: ({ headers }) => {
          headers.set('authorization', `Bearer ${conn.accessToken ?? ''}`);
        },
        onUnauthorized: async () => {
          const renewed = await renewSession(conn, this.config, this.type).catch(() => false);
          this.#tokenNow = conn.accessToken ?? this.#tokenNow;
          return renewed;
        },
        secrets: () => [conn.accessToken ?? '', ...this.secretValues()].filter(Boolean),
      },
    });
    return {
      http: this.#http,
      dataPath: this.dataPath,
      connector: this.type,
      redact: (t) => this.redact(t),
      pollIntervalMs: this.config.pollIntervalMs,
      maxPollIntervalMs: this.config.maxPollIntervalMs,
      jobTimeoutMs: this.config.jobTimeoutMs,
      signal,
    };
  }

  /** Logs in and reads the org's limits (read-only). */
  protected override async checkAuth(_signal: AbortSignal): Promise<string> {
    const conn = await this.session();
    return `logged in (${this.config.auth.type}) to ${conn.instanceUrl}`;
  }

  /** `GET /limits`: a read-only call that proves the session works for the data API. */
  protected override async checkProbe(_signal: AbortSignal): Promise<string> {
    const limits = await this.limits();
    const daily = limits.DailyApiRequests;
    return daily ? `limits read: ${daily.Remaining} of ${daily.Max} daily API requests left` : 'limits read';
  }

  /**
   * The org's limits (`GET /limits`).
   * @example
   * ```ts
   * const { DailyApiRequests } = await sf.limits();
   * ```
   */
  async limits(): Promise<Record<string, { Max: number; Remaining: number }>> {
    return this.#call('limits', 'read', (c) => c.limits() as unknown as Promise<Record<string, { Max: number; Remaining: number }>>);
  }

  readonly #listeners = new Set<(progress: BulkProgress) => void>();

  /**
   * Listens to every status poll of this connection's Bulk API 2.0 jobs (query and ingest): job
   * id, state, records processed so far, polls made. Returns the function that stops listening.
   * (The local engine's `onProgress` counts rows as they arrive; a Bulk job has none until it ends.)
   * @example
   * ```ts
   * const stop = sf.onBulkProgress((p) => console.log(`${p.jobId} ${p.state}: ${p.recordsProcessed} rows`));
   * await sf.readTable('Account', { options: { bulk: 'true' } });
   * stop();
   * ```
   */
  onBulkProgress(listener: (progress: BulkProgress) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #progress(p: BulkProgress): void {
    for (const listener of this.#listeners) {
      try {
        listener(p);
      } catch {
        // A listener's failure must not fail the job it watches.
      }
    }
  }

  /**
   * The describe of one sObject (cached per connection).
   * @example
   * ```ts
   * const account = await sf.describe('Account');
   * console.log(account.fields.map((f) => `${f.name}: ${f.type}`));
   * ```
   */
  describe(object: string): Promise<SObjectDescribe> {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(object)) {
      return Promise.reject(new InvalidArgumentError(`${this.type}: ${JSON.stringify(object.slice(0, 60))} is not an sObject name (e.g. Account, Invoice__c)`, { connector: this.type }));
    }
    const key = object.toLowerCase();
    let found = this.#describes.get(key);
    if (!found) {
      found = this.#call(`describe ${object}`, 'read', (c) => c.describe(object) as unknown as Promise<SObjectDescribe>);
      found.catch(() => this.#describes.delete(key));
      this.#describes.set(key, found);
    }
    return found;
  }

  /**
   * sObjects (describeGlobal) with their fields (describe). `objects` limits the list; by default
   * every queryable object is described, four at a time.
   * @example
   * ```ts
   * const [account] = await sf.discover({ objects: ['Account'] });
   * ```
   */
  async discover(options: { objects?: readonly string[] } = {}): Promise<Array<{ schema: string; name: string; label: string; columns: Array<{ name: string; dataType: string; nullable: boolean }> }>> {
    const global = await this.#call('describeGlobal', 'read', (c) => c.describeGlobal() as unknown as Promise<{ sobjects: Array<{ name: string; label: string; queryable: boolean }> }>);
    const wanted = options.objects ? new Set(options.objects.map((o) => o.toLowerCase())) : undefined;
    const objects = global.sobjects.filter((o) => o.queryable && (!wanted || wanted.has(o.name.toLowerCase())));
    const out: Array<{ schema: string; name: string; label: string; columns: Array<{ name: string; dataType: string; nullable: boolean }> }> = [];
    for (let i = 0; i < objects.length; i += 4) {
      const described = await Promise.all(objects.slice(i, i + 4).map((o) => this.describe(o.name)));
      for (const d of described) out.push({ schema: '', name: d.name, label: d.label ?? d.name, columns: d.fields.map((f) => ({ name: f.name, dataType: f.type, nullable: f.nillable ?? true })) });
    }
    return out;
  }

  /** The SOQL, columns and mode of reading an sObject with a projection and filter. */
  async #objectRead(object: string, options: ReadTableOptions): Promise<ReadSpec> {
    const d = await this.describe(object);
    const byName = new Map(d.fields.map((f) => [f.name.toLowerCase(), f]));
    const field = (name: string): SfField => {
      const f = byName.get(name.toLowerCase());
      if (!f) {
        throw new QueryError(`${this.type}: ${object} has no field '${name}' (describe lists ${d.fields.length}: ${d.fields.slice(0, 12).map((x) => x.name).join(', ')}${d.fields.length > 12 ? ', …' : ''})`, {
          connector: this.type,
          details: { object, field: name, errorCode: 'INVALID_FIELD' },
        });
      }
      return f;
    };
    const bulk = this.#bulkMode(options);
    let fields: SfField[];
    if (options.columns?.length) {
      fields = options.columns.map(field);
      const compound = fields.filter((f) => COMPOUND_TYPES.has(f.type));
      if (bulk === true && compound.length) {
        throw new UnsupportedOperationError(`${this.type}: Bulk API 2.0 does not return compound fields (${compound.map((f) => `${f.name}: ${f.type}`).join(', ')}); select their component fields (e.g. BillingCity) or read with bulk: false`, { connector: this.type });
      }
    } else {
      // Compound fields repeat their components, and Bulk cannot return them at all: a read that
      // may go through Bulk leaves them out, so its schema is the same whichever API serves it.
      fields = d.fields.filter((f) => bulk === false || !COMPOUND_TYPES.has(f.type));
    }
    const kindOf = (name: string): LiteralKind => {
      const t = field(name).type;
      return t === 'date' ? 'date' : t === 'datetime' ? 'datetime' : 'other';
    };
    const conditions: string[] = [];
    if (options.filter) conditions.push(soqlCondition(options.filter, kindOf, this.type));
    // `where` is trusted SOQL, as Spark's `where` is trusted SQL.
    if (options.where) conditions.push(`(${options.where})`);
    const soql = soqlSelect(d.name, fields.map((f) => f.name), conditions.length ? conditions.join(' AND ') : undefined, this.type);
    return { soql, columns: fields.map((f) => columnOf(f, this.config.currency)), bulk: fields.some((f) => COMPOUND_TYPES.has(f.type)) && bulk === 'auto' ? false : bulk, batchSize: options.fetchSize ?? 10_000 };
  }

  /** The columns of a SOQL text: typed from the FROM object's describe where the SELECT names its fields. */
  async #soqlRead(soql: string, bulkOverride: boolean | 'auto', batchSize: number): Promise<ReadSpec> {
    const shape = soqlShape(soql);
    if (!shape.object || !shape.fields.length) throw new QueryError(`${this.type}: cannot read the SELECT list and FROM object of this SOQL (${this.redact(soql.slice(0, 120))}); write it as SELECT field, … FROM Object …`, { connector: this.type });
    const d = await this.describe(shape.object);
    const byName = new Map(d.fields.map((f) => [f.name.toLowerCase(), f]));
    let expr = 0;
    let nested = false;
    const columns = shape.fields.map((item): SfColumn => {
      const sub = /^\(\s*select\s[\s\S]*\sfrom\s+([A-Za-z]\w*)/i.exec(item);
      if (sub) {
        nested = true;
        return textColumn(sub[1]!);
      }
      const aliased = /\)\s+([A-Za-z]\w*)$/.exec(item);
      if (aliased) return textColumn(aliased[1]!);
      if (item.includes('(')) return textColumn(`expr${expr++}`);
      const f = byName.get(item.toLowerCase());
      return f ? columnOf(f, this.config.currency, item) : textColumn(item);
    });
    if (nested && bulkOverride === true) throw new UnsupportedOperationError(`${this.type}: Bulk API 2.0 does not run parent-to-child subqueries; read with bulk: false`, { connector: this.type });
    if (columns.some((c) => c.kind === 'address' || c.kind === 'location')) {
      if (bulkOverride === true) throw new UnsupportedOperationError(`${this.type}: Bulk API 2.0 does not return compound (address/location) fields; select their components or read with bulk: false`, { connector: this.type });
      return { soql, columns, bulk: false, batchSize };
    }
    return { soql, columns, bulk: nested ? false : bulkOverride, batchSize };
  }

  #bulkMode(options: { options?: Record<string, string> }): boolean | 'auto' {
    const given = options.options?.bulk;
    if (given === undefined) return this.config.bulk;
    if (given === 'auto') return 'auto';
    if (given === 'true' || given === 'false') return given === 'true';
    throw new InvalidArgumentError(`${this.type}: option bulk must be 'true', 'false' or 'auto' (got ${JSON.stringify(given)})`, { connector: this.type });
  }

  /** Rows of a read, as plain values for the Arrow builders, REST or Bulk as the spec says. */
  async *#rows(spec: ReadSpec, signal: AbortSignal): AsyncGenerator<Record<string, unknown>> {
    const fromBulk = async function* (this: SalesforceConnection): AsyncGenerator<Record<string, unknown>> {
      const ctx = await this.#bulk(signal);
      for await (const cells of bulkQuery(ctx, spec.soql, { includeDeleted: this.config.includeDeleted, pageSize: this.config.resultPageSize, onProgress: (p) => this.#progress(p) })) {
        const row: Record<string, unknown> = {};
        for (const c of spec.columns) {
          const cell = Object.hasOwn(cells, c.name) ? cells[c.name]! : (Object.entries(cells).find(([k]) => k.toLowerCase() === c.name.toLowerCase())?.[1] ?? '');
          row[c.name] = fromCsv(cell, c);
        }
        yield row;
      }
    }.bind(this);
    if (spec.bulk === true) {
      yield* fromBulk();
      return;
    }
    const resource = this.config.includeDeleted ? 'queryAll' : 'query';
    let url: string | undefined = `${this.dataPath}/${resource}?q=${encodeURIComponent(spec.soql)}`;
    let first = true;
    while (url) {
      signal.throwIfAborted();
      const target: string = url;
      const page = await this.#call(first ? 'query' : 'queryMore', 'read', (c) => c.request<QueryPage>(target));
      if (first && spec.bulk === 'auto' && page.totalSize > this.config.bulkThreshold && !page.done) {
        // A large result: read it through a Bulk API 2.0 job instead of many REST pages.
        yield* fromBulk();
        return;
      }
      first = false;
      for (const record of page.records) {
        const row: Record<string, unknown> = {};
        for (const c of spec.columns) row[c.name] = fromJson(pathValue(record, c.name), c);
        yield row;
      }
      url = page.done ? undefined : page.nextRecordsUrl;
    }
  }

  #plan(spec: ReadSpec, schema: Schema): NativeReadPlan {
    return {
      schema,
      partitions: [
        {
          description: spec.soql,
          open: (signal) => {
            const rows = this.#rows(spec, signal);
            return (async function* () {
              const toolkit = await getArrowToolkit('salesforce');
              yield* toolkit.rowsToBatches(rows, { schema, batchSize: spec.batchSize });
            })();
          },
        },
      ],
    };
  }

  /**
   * Reads an sObject (`Account`; `columns` and `filter` become an escaped SOQL SELECT, `where` is
   * trusted SOQL) or a SOQL text (`SELECT … FROM …`). `options.options.bulk` (`true`, `false`,
   * `auto`) overrides the config's `bulk`.
   */
  async nativeRead(name: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    if (options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(`${this.type}: partitioned reads (predicates, partitionColumn) are not supported; Bulk API 2.0 splits large reads on the server (bulk: true)`, { connector: this.type });
    }
    const spec = /^\s*select\s/i.test(name) ? await this.#soqlRead(name, this.#bulkMode(options), options.fetchSize ?? 10_000) : await this.#objectRead(name, options);
    return this.#plan(spec, await arrowSchema(spec.columns, this.type));
  }

  /** Runs a SOQL query (`sf.query('SELECT …')`). Parameters are refused: filter through readTable, whose values are escaped. */
  async *nativeQuery(soql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncIterable<RecordBatch> {
    if (params.length) {
      throw new UnsupportedOperationError(`${this.type}: SOQL has no bound parameters; pass values through readTable(object, { filter }) (escaped as SOQL literals) instead of splicing them into the text`, { connector: this.type });
    }
    const spec = await this.#soqlRead(soql, this.config.bulk, options.fetchSize ?? 10_000);
    const plan = this.#plan(spec, await arrowSchema(spec.columns, this.type));
    yield* plan.partitions[0]!.open(options.signal);
  }

  /** Appending is the only meaning a Bulk ingest job has. */
  override supportedWriteModes(): readonly WriteMode[] {
    return ['append', 'errorIfExists'];
  }

  /**
   * Runs one Bulk API 2.0 ingest job per `write.maxJobBytes` of CSV and returns every job's
   * per-row results, without raising for refused rows (`writeTable` raises instead).
   * @example
   * ```ts
   * const [job] = await sf.ingest('Contact', [{ LastName: 'Lovelace', Email: 'ada@example.com' }], { operation: 'upsert', externalIdField: 'Email' });
   * for (const f of job.failed) console.log(f.row, f.error);
   * ```
   */
  async ingest(object: string, rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>, options: { operation?: IngestOperation; externalIdField?: string; signal?: AbortSignal; stopOnFailure?: boolean; onJob?: (outcome: IngestOutcome) => void } = {}): Promise<IngestOutcome[]> {
    const operation = options.operation ?? this.config.write.operation;
    const externalIdField = options.externalIdField ?? this.config.write.externalIdField;
    if (operation === 'upsert' && !externalIdField) throw new InvalidArgumentError(`${this.type}: upsert into ${object} needs an external id field (option externalIdField or write.externalIdField)`, { connector: this.type });
    const d = await this.describe(object);
    const byName = new Map(d.fields.map((f) => [f.name.toLowerCase(), f]));
    const ctx = await this.#bulk(options.signal);
    const outcomes: IngestOutcome[] = [];
    let header: string[] | undefined;
    let chunk: string[] = [];
    let bytes = 0;
    const flush = async () => {
      if (!chunk.length || !header) return;
      const csv = stringify([header]) + chunk.join('');
      chunk = [];
      bytes = 0;
      const outcome = await ingestJob(ctx, { object: d.name, operation, externalIdField, csv, onProgress: (p) => this.#progress(p) });
      outcomes.push(outcome);
      options.onJob?.(outcome);
      return outcome;
    };
    for await (const row of rows) {
      if (!header) {
        header = Object.keys(row);
        // `Account.External_Key__c`-style columns set a lookup by the parent's external id.
        const unknown = header.filter((h) => !h.includes('.') && !byName.has(h.toLowerCase()));
        if (unknown.length) throw new InvalidArgumentError(`${this.type}: ${d.name} has no field ${unknown.map((u) => `'${u}'`).join(', ')}; rename or drop those columns before writing`, { connector: this.type, details: { object: d.name, fields: unknown } });
      }
      const line = stringify([header.map((h) => this.#cell(row[h], byName.get(h.toLowerCase())))]);
      chunk.push(line);
      bytes += Buffer.byteLength(line);
      if (bytes >= this.config.write.maxJobBytes) {
        const o = await flush();
        if (options.stopOnFailure && o && (o.failed.length || o.unprocessed.length || o.state !== 'JobComplete')) return outcomes;
      }
    }
    await flush();
    return outcomes;
  }

  /** A CSV cell for Bulk ingest: dates as `YYYY-MM-DD`, datetimes as ISO UTC, nulls as configured. */
  #cell(value: unknown, field: SfField | undefined): string {
    if (value === null || value === undefined) return this.config.write.nulls === 'clear' ? '#N/A' : '';
    if (value instanceof Date) return field?.type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  /**
   * Writes rows into the sObject `name` with Bulk API 2.0 ingest jobs (operation from
   * `options.options.operation` or `write.operation`; `externalIdField` for upsert). Any refused or
   * unprocessed row raises a `WriteError` listing rows and Salesforce's messages, with the count
   * actually written; rows of later jobs are not sent after a failure.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`${this.type}: mode '${mode}' has no meaning for an sObject (Bulk ingest adds, updates or deletes records; it never replaces the object); write with mode 'append' and options.operation`, { connector: this.type });
    }
    const op = options.options?.operation;
    if (op !== undefined && !['insert', 'update', 'upsert', 'delete'].includes(op)) {
      throw new InvalidArgumentError(`${this.type}: options.operation must be insert, update, upsert or delete (got ${JSON.stringify(op)})`, { connector: this.type });
    }
    const toolkit = await getArrowToolkit(this.type);
    const rows = (async function* () {
      for await (const batch of batches) yield* toolkit.rows(batch);
    })();
    let written = 0;
    const outcomes = await this.ingest(name, rows, {
      ...(op ? { operation: op as IngestOperation } : {}),
      ...(options.options?.externalIdField ? { externalIdField: options.options.externalIdField } : {}),
      signal: context.signal,
      stopOnFailure: true,
      onJob: (o) => {
        written += o.successful.length;
        context.onRows(o.successful.length, 0);
      },
    });
    const bad = outcomes.find((o) => o.failed.length || o.unprocessed.length || o.state !== 'JobComplete');
    if (bad) throw ingestError({ connector: this.type }, bad, name, op ?? this.config.write.operation, written);
    return { table: name, mode, rows: written, written: true };
  }

  /** Refuses: no maintained Spark data source reads Salesforce. */
  sparkRead(name: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(
      `${this.type}: Spark has no maintained Salesforce data source, so '${name.slice(0, 60)}' cannot be read as a Spark DataFrame. Open the connection without 'spark' to read it with the local engine (Arrow), then hand the rows to Spark if needed`,
      { connector: this.type },
    );
  }

  /** Refuses, as {@link sparkRead} does. */
  sparkWrite(name: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(`${this.type}: Spark has no maintained Salesforce data source, so '${name}' cannot be written from Spark. Open the connection without 'spark' and write with the local engine`, { connector: this.type });
  }

  /** Datasets are named by the org's host and the sObject. */
  override dataset(name: string): DatasetRef {
    const url = new URL(this.config.instanceUrl ?? this.config.loginUrl);
    return { namespace: `salesforce://${url.host}`, name: /^\s*select\s/i.test(name) ? (soqlShape(name).object ?? 'query') : name };
  }
}
