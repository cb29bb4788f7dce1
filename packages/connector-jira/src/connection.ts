/**
 * `JiraConnection` (types `jira`, `atlassian_jira`): JQL searches read into Arrow and issues
 * created in bulk, through the `jira.js` client whose transport is core's HTTP client (auth,
 * retries with `Retry-After`, typed errors without secrets). Cloud uses REST v3 and the enhanced
 * search (`/rest/api/3/search/jql`, `nextPageToken`); Data Center uses REST v2 and
 * `startAt`/`maxResults` through core's offset paginator.
 */
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import type { Client } from 'jira.js/core';
import {
  APIConnection,
  authFromConfig,
  basicAuth,
  bearerAuth,
  getArrowToolkit,
  HealthSkip,
  InvalidArgumentError,
  paginateOffset,
  QueryError,
  UnsupportedOperationError,
  WriteError,
  type ConnectionInit,
  type Filter,
  type HttpClientOptions,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { jsonRecord, recordsReadPlan } from '@sparkle/connector-http';
import { jiraConfigSchema, type JiraConfig, type JiraQuery } from './config.js';
import { FieldIndex, readColumns, readValue, writeValue, type JiraField } from './fields.js';
import { composeJql } from './jql.js';
import { jiraTransport } from './transport.js';

/** jira.js, loaded when a connection first calls Jira (not when the package is imported). */
let jiraModule: Promise<typeof import('jira.js/cloud')> | undefined;
function loadJira(): Promise<typeof import('jira.js/cloud')> {
  jiraModule ??= import('jira.js/cloud');
  return jiraModule;
}

/** A Jira issue as the search answers it. */
export interface JiraIssue {
  id: string;
  key: string;
  fields?: Record<string, unknown>;
}

/** One issue that could not be created. */
export interface JiraRowError {
  /** 0-based index of the row in the write. */
  row: number;
  status: number | undefined;
  /** Jira's messages, field errors as `field: message`. */
  messages: string[];
}

/** What {@link JiraConnection.createIssues} reports. */
export interface JiraCreateResult {
  created: Array<{ row: number; id: string; key: string }>;
  failed: JiraRowError[];
}

interface BulkAnswer {
  issues?: Array<{ id?: string; key?: string }>;
  errors?: Array<{ status?: number; failedElementNumber?: number; elementErrors?: { errorMessages?: string[]; errors?: Record<string, string> } }>;
}

/** Project keys: what a name that is not a configured query must look like to read a project. */
const PROJECT_KEY = /^[A-Z][A-Z0-9_]{0,254}$/;

/**
 * A Jira connection.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-jira';
 *
 * await using jira = await getConnection('jira', { env: 'prod' }); // config/connections/jira/{common,prod}.json
 * const bugs = await jira.readTable('OPS', { filter: where.in('status', ['Open', 'In Progress']), columns: ['key', 'summary', 'assignee'] });
 * await jira.writeTable([{ summary: 'Disk full on db-3', issuetype: 'Bug', labels: ['ops'] }], 'OPS', { mode: 'append' });
 * ```
 */
export class JiraConnection extends APIConnection {
  static override schema: z.ZodType = jiraConfigSchema;
  static override family = 'api';
  static override description = 'Jira: JQL searches into Arrow (enhanced search, paginated), bulk issue creation';
  /** `sparkRead` exists only to refuse with a pointer to the local engine (no Spark data source reads Jira). */
  static withoutCapabilities = ['spark'];
  #fields: Promise<FieldIndex> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** The parsed config. Jira's auth shapes (`api_token`, `pat`) extend the family's, so it is typed here. */
  get jiraConfig(): JiraConfig {
    return this.config as unknown as JiraConfig;
  }

  /** Jira's auth shapes on top of the family's: `api_token` is Basic, `pat` is Bearer. */
  protected override httpOptions(): HttpClientOptions {
    const base = super.httpOptions();
    const a = this.jiraConfig.auth;
    if (a.type === 'api_token') return { ...base, auth: basicAuth(a.email, a.apiToken) };
    if (a.type === 'pat') return { ...base, auth: bearerAuth(a.token) };
    const auth = authFromConfig(a, this.type);
    return auth ? { ...base, auth } : base;
  }

  /** The jira.js client of this connection (core's HTTP client underneath). */
  client(signal?: AbortSignal): Client {
    return jiraTransport(this.http, { deployment: this.jiraConfig.deployment, ...(signal ? { signal } : {}) });
  }

  /** Field metadata (`GET /rest/api/3/field`), fetched once per connection. */
  fields(): Promise<FieldIndex> {
    this.#fields ??= loadJira().then((jira) => jira.getFields(this.client())).then(
      (fields) => new FieldIndex(fields as JiraField[]),
      (error: unknown) => {
        this.#fields = undefined;
        throw error;
      },
    );
    return this.#fields;
  }

  /** The configured query `name`, or all issues of the project whose key is `name`. */
  namedQuery(name: string): JiraQuery {
    const found = Object.hasOwn(this.jiraConfig.queries, name) ? this.jiraConfig.queries[name] : undefined;
    if (found) return found;
    if (PROJECT_KEY.test(name)) return { project: name };
    const known = Object.keys(this.jiraConfig.queries);
    throw new InvalidArgumentError(
      `jira: '${name}' is neither a query in this connection's config (${known.length ? known.join(', ') : 'none declared under "queries"'}) nor a project key (upper-case letters, digits, _)`,
      { connector: this.type, details: { name } },
    );
  }

  /** The JQL `readTable(name, { filter })` sends. */
  jqlFor(name: string, filter?: Filter): string {
    const q = this.namedQuery(name);
    const combined = q.filter && filter ? { and: [q.filter, filter] } : (filter ?? q.filter);
    return composeJql({ ...(q.project ? { project: q.project } : {}), ...(combined ? { filter: combined } : {}), ...(q.jql ? { jql: q.jql } : {}), ...(q.orderBy ? { orderBy: q.orderBy } : {}) });
  }

  /**
   * The issues a JQL query matches, page after page (raw JSON). Cloud follows `nextPageToken`;
   * Data Center pages with `startAt`. A token that repeats, or more than `maxPages` pages, fails.
   * @example
   * ```ts
   * for await (const issue of jira.searchIssues({ jql: 'project = "OPS"', fields: ['summary'] })) console.log(issue.key);
   * ```
   */
  async *searchIssues(options: { jql: string; fields: readonly string[]; signal?: AbortSignal }): AsyncGenerator<JiraIssue> {
    const { pageSize, maxPages } = this.jiraConfig;
    if (this.jiraConfig.deployment === 'datacenter') {
      yield* paginateOffset<JiraIssue>(this.http, {
        request: { path: '/rest/api/2/search', query: { jql: options.jql, fields: options.fields.join(',') }, ...(options.signal ? { signal: options.signal } : {}) },
        itemsPointer: '/issues',
        offsetParam: 'startAt',
        limitParam: 'maxResults',
        limit: pageSize,
        totalPointer: '/total',
        maxPages,
      });
      return;
    }
    const client = this.client(options.signal);
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 1; ; page++) {
      if (page > maxPages) {
        throw new QueryError(`jira: the search for "${options.jql}" still had more after maxPages=${maxPages} pages; raise maxPages or narrow the JQL`, { connector: this.type, details: { maxPages } });
      }
      const answer = (await (await loadJira()).searchAndReconsileIssuesUsingJqlPost(client, {
        jql: options.jql,
        fields: [...options.fields],
        maxResults: pageSize,
        ...(token ? { nextPageToken: token } : {}),
      })) as { issues?: JiraIssue[]; nextPageToken?: string | null; isLast?: boolean };
      if (answer === undefined || answer === null || typeof answer !== 'object' || (answer.issues !== undefined && !Array.isArray(answer.issues))) {
        throw new QueryError('jira: POST /rest/api/3/search/jql answered without an issues list; is baseUrl the Jira site root?', { connector: this.type });
      }
      for (const issue of answer.issues ?? []) yield issue;
      const next = answer.nextPageToken;
      if (!next || answer.isLast === true) return;
      if (seen.has(next)) {
        throw new QueryError(`jira: the search for "${options.jql}" returned the same nextPageToken twice, which would loop forever; stopped after ${page} pages`, { connector: this.type, details: { page } });
      }
      seen.add(next);
      token = next;
    }
  }

  /**
   * Reads a configured query, or a project by key, into Arrow. The schema comes from the field
   * metadata; `columns` selects fields (and `key`, `id`); `filter` is ANDed as escaped JQL.
   */
  async nativeRead(name: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const q = this.namedQuery(name);
    const refs = q.fields ?? this.jiraConfig.fields;
    const wanted = options.columns?.length ? options.columns : ['key', 'id', ...refs];
    const index = await this.fields();
    const { columns, specs } = readColumns(index, wanted, `reading '${name}'`);
    const jql = this.jqlFor(name, options.filter);
    const flatten = this.jiraConfig.flattenAdf;
    const search = (signal: AbortSignal) => this.searchIssues({ jql, fields: columns.map((c) => c.field.id), signal });
    const rows = async function* (signal: AbortSignal) {
      for await (const issue of search(signal)) {
        const row: Record<string, unknown> = { key: issue.key, id: String(issue.id) };
        for (const c of columns) row[c.column] = readValue(c.field, issue.fields?.[c.field.id], flatten);
        yield row;
      }
    };
    const { filter: _filter, ...rest } = options;
    return recordsReadPlan({ connector: this.type, name: `jira '${name}' (${jql})`, read: rest, columns: specs, records: rows });
  }

  /**
   * Creates issues in bulk (`POST /rest/api/3/issue/bulk`, `createBatchSize` per request, at most
   * 50). Row columns name fields by id or name; `project` defaults to `project`. Issues Jira
   * refuses are reported per row; the others are created.
   * @example
   * ```ts
   * const { created, failed } = await jira.createIssues('OPS', [{ summary: 'Rotate keys', issuetype: 'Task' }]);
   * ```
   */
  async createIssues(project: string | undefined, rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>, options: { signal?: AbortSignal; onBatch?: (created: number) => void } = {}): Promise<JiraCreateResult> {
    const index = await this.fields();
    const deployment = this.jiraConfig.deployment;
    const client = jiraTransport(this.http, {
      deployment,
      ...(options.signal ? { signal: options.signal } : {}),
      // Bulk create answers 400 with the per-issue errors when every issue of the request failed.
      bodyOnError: (path, status, body) => path.endsWith('/issue/bulk') && status === 400 && Array.isArray((body as BulkAnswer).errors) && (body as BulkAnswer).errors!.length > 0,
    });
    const result: JiraCreateResult = { created: [], failed: [] };
    const resolved = new Map<string, JiraField>();
    const fieldOf = (column: string) => {
      let f = resolved.get(column);
      if (!f) resolved.set(column, (f = index.resolve(column, `column '${column}' of the write`)));
      return f;
    };
    const toUpdate = (row: Record<string, unknown>) => {
      const fields: Record<string, unknown> = {};
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const field = fieldOf(column);
        fields[field.id] = writeValue(field, value, deployment);
      }
      if (project && fields.project === undefined) fields.project = { key: project };
      return { fields };
    };
    let batch: Array<{ fields: Record<string, unknown> }> = [];
    let first = 0;
    let n = 0;
    const flush = async () => {
      if (!batch.length) return;
      const answer = (await (await loadJira()).createIssues(client, { issueUpdates: batch as never })) as BulkAnswer;
      const failedAt = new Set<number>();
      for (const e of answer.errors ?? []) {
        const at = e.failedElementNumber ?? -1;
        failedAt.add(at);
        const messages = [...(e.elementErrors?.errorMessages ?? []), ...Object.entries(e.elementErrors?.errors ?? {}).map(([f, m]) => `${f}: ${m}`)];
        result.failed.push({ row: at >= 0 ? first + at : -1, status: e.status, messages: messages.map((m) => this.http.redact(m)) });
      }
      // Jira lists the created issues in request order, skipping the failed ones.
      const created = answer.issues ?? [];
      let k = 0;
      for (let i = 0; i < batch.length && k < created.length; i++) {
        if (failedAt.has(i)) continue;
        const c = created[k++]!;
        result.created.push({ row: first + i, id: String(c.id), key: String(c.key) });
      }
      options.onBatch?.(created.length);
      first += batch.length;
      batch = [];
    };
    for await (const row of rows) {
      options.signal?.throwIfAborted();
      batch.push(toUpdate(row));
      n++;
      if (batch.length >= this.jiraConfig.createBatchSize) await flush();
    }
    await flush();
    void n;
    return result;
  }

  /**
   * `writeTable(rows, '<project key or query>')`: creates one issue per row. Modes `append` and
   * `errorIfExists` create; `overwrite` and `ignore` have no meaning for issues and are refused.
   * Rows Jira refuses fail the write after every batch was sent, with a `WriteError` whose
   * `details.failed` lists each refused row and why.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`jira: mode '${mode}' has no meaning for issue creation (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const project = Object.hasOwn(this.jiraConfig.queries, name) ? this.jiraConfig.queries[name]!.project : this.namedQuery(name).project;
    const arrow = await getArrowToolkit(this.type);
    const rows = (async function* () {
      for await (const batch of batches) for (const row of arrow.rows(batch)) yield jsonRecord(row, true);
    })();
    const result = await this.createIssues(project, rows, { signal: context.signal, onBatch: (created) => context.onRows(created, 0) });
    if (result.failed.length) {
      const shown = result.failed.slice(0, 5).map((f) => `row ${f.row}: ${f.messages.join('; ') || `HTTP ${f.status}`}`).join(' | ');
      throw new WriteError(`jira: ${result.failed.length} of ${result.failed.length + result.created.length} issue(s) were refused (${result.created.length} created): ${shown}${result.failed.length > 5 ? ' | …' : ''}`, {
        connector: this.type,
        details: { created: result.created, failed: result.failed, committed: result.created.length > 0 },
      });
    }
    return { table: name, mode, rows: result.created.length, written: true };
  }

  /** Projects (each readable by its key, with the default fields' schema) and the configured queries. */
  async discover(): Promise<Array<{ name: string; kind: 'project' | 'query'; description: string; columns: Array<{ name: string; type: unknown }> }>> {
    const index = await this.fields();
    const client = this.client();
    const { specs } = readColumns(index, ['key', 'id', ...this.jiraConfig.fields.filter((f) => { try { index.resolve(f, 'discover'); return true; } catch { return false; } })], 'discover');
    const columns = specs.map((s) => ({ name: s.name, type: s.type }));
    const out: Array<{ name: string; kind: 'project' | 'query'; description: string; columns: Array<{ name: string; type: unknown }> }> = [];
    if (this.jiraConfig.deployment === 'datacenter') {
      const projects = (await client.sendRequest({ url: '/rest/api/2/project', method: 'GET' })) as Array<{ key: string; name?: string }>;
      for (const p of projects ?? []) out.push({ name: p.key, kind: 'project', description: p.name ?? p.key, columns });
    } else {
      for (let startAt = 0, page = 0; page < this.jiraConfig.maxPages; page++) {
        const answer = await (await loadJira()).searchProjects(client, { startAt, maxResults: 50 });
        const values = (answer.values ?? []) as Array<{ key?: string; name?: string }>;
        for (const p of values) if (p.key) out.push({ name: p.key, kind: 'project', description: p.name ?? p.key, columns });
        startAt += values.length;
        if (answer.isLast !== false || values.length === 0) break;
      }
    }
    for (const [name, q] of Object.entries(this.jiraConfig.queries)) {
      const refs = ['key', 'id', ...(q.fields ?? this.jiraConfig.fields)];
      out.push({ name, kind: 'query', description: this.jqlFor(name), columns: readColumns(index, refs, `query '${name}'`).specs.map((s) => ({ name: s.name, type: s.type })) });
    }
    return out;
  }

  /** The probe tier: `GET /rest/api/3/serverInfo` names the version and deployment. */
  protected override async checkProbe(signal: AbortSignal): Promise<string | HealthSkip> {
    const info = (await (await loadJira()).getServerInfo(this.client(signal))) as { version?: string; deploymentType?: string; baseUrl?: string };
    if (!info || typeof info !== 'object') throw new QueryError('jira: GET /rest/api/3/serverInfo answered no server information', { connector: this.type });
    return `Jira ${info.version ?? '?'} (${info.deploymentType ?? this.jiraConfig.deployment})`;
  }

  /** Refuses: no Spark data source reads Jira. Read without `spark` (the local engine) instead. */
  sparkRead(name: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(
      `jira: Spark has no data source for Jira, so '${name}' cannot be read as a Spark DataFrame. Open the connection without 'spark' to read it with the local engine (Arrow), then hand the rows to Spark if needed`,
      { connector: this.type },
    );
  }

  /** Refuses, as {@link sparkRead} does. */
  sparkWrite(name: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(`jira: Spark has no data source for Jira, so issues in '${name}' cannot be created from Spark. Open the connection without 'spark' and write with the local engine`, { connector: this.type });
  }
}
