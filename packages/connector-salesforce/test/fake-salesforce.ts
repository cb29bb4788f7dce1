/**
 * An in-process fake of the Salesforce endpoints jsforce and this connector call, on node:http:
 * - `POST /services/oauth2/token`: the password grant (client id + secret, password + security
 *   token), the JWT bearer grant (the assertion's RS256 signature verified with the test's public
 *   key, `iss`/`sub`/`aud`/`exp` checked) and the refresh-token grant; refusals as
 *   `{ error, error_description }` with HTTP 400, like the real token endpoint.
 * - `/services/data/vXX.X/…` with a bearer session: `limits`, `sobjects` (describeGlobal),
 *   `sobjects/{name}/describe`, `query` and `queryAll` (pages of `pageSize` records chained by
 *   `nextRecordsUrl`), Bulk API 2.0 `jobs/query` and `jobs/ingest` (a state machine advanced by
 *   polls, CSV results paged by `Sforce-Locator`, successful/failed/unprocessed lists).
 * - Errors as the real API writes them: `[{ errorCode, message }]` — 401 INVALID_SESSION_ID,
 *   400 MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE, 404 NOT_FOUND.
 * SOQL is parsed by `fake-soql.ts`. The fake never uses SOAP: the connector's password flow is OAuth.
 */
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { sendJson, startHttpServer, type SeenHttpRequest, type TestHttpServer } from '@sparkle/testkit';
import { condFields, matches, parseSoql, SoqlError } from './fake-soql.js';

export const CLIENT_ID = '3MVG9-fake-consumer-key';
export const CLIENT_SECRET = 'sf-Client-Secret-Never-Shown-5150';
export const USERNAME = 'etl@sparkle.example';
export const PASSWORD = 'sf-Password-Never-Shown-8675';
export const SECURITY_TOKEN = 'sfTokenNeverShown309';
export const REFRESH_TOKEN = 'sf-Refresh-Token-Never-Shown-1729';
export const API_VERSION = '62.0';

/** A key pair for the JWT bearer flow: the connector signs with the private key, the fake verifies with the public one. */
export function jwtKeys(): { privateKey: string; publicKey: KeyObject } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: pair.publicKey };
}

export interface FakeField {
  name: string;
  type: string;
  nillable?: boolean;
  precision?: number;
  scale?: number;
  externalId?: boolean;
  /** Required on create (REQUIRED_FIELD_MISSING when absent). */
  required?: boolean;
}

export interface FakeObject {
  fields: FakeField[];
  records: Array<Record<string, unknown>>;
}

interface QueryJob {
  id: string;
  soql: string;
  state: string;
  polls: number;
  rows: Array<Record<string, unknown>>;
  fields: string[];
  object: string;
  fail?: string;
}

interface IngestJob {
  id: string;
  object: string;
  operation: string;
  externalIdFieldName?: string;
  state: string;
  polls: number;
  csv: string;
  successful: Array<Record<string, string>>;
  failed: Array<Record<string, string>>;
  unprocessed: Array<Record<string, string>>;
  errorMessage?: string;
}

export interface FakeSalesforce extends TestHttpServer {
  objects: Map<string, FakeObject>;
  /** Records per REST query page. */
  settings: { pageSize: number; pollsUntilDone: number; stuckJobs: boolean; failQueryJobs: boolean };
  /** Sessions the fake accepts (drop them to force a 401 INVALID_SESSION_ID). */
  tokens: Set<string>;
  queryJobs: Map<string, QueryJob>;
  ingestJobs: Map<string, IngestJob>;
  /** Grant types the token endpoint answered, in order. */
  grants: string[];
}

const sfError = (res: ServerResponse, status: number, errorCode: string, message: string) => sendJson(res, status, [{ message, errorCode }]);

let counter = 0;
const newId = (prefix: string) => `${prefix}${String(++counter).padStart(15 - prefix.length, '0')}AAA`;

/** Starts the fake org. `publicKey` verifies JWT assertions. */
export async function startFakeSalesforce(options: { publicKey?: KeyObject } = {}): Promise<FakeSalesforce> {
  const objects = new Map<string, FakeObject>();
  const tokens = new Set<string>();
  const queryJobs = new Map<string, QueryJob>();
  const ingestJobs = new Map<string, IngestJob>();
  const cursors = new Map<string, { rows: unknown[]; offset: number; totalSize: number }>();
  const settings = { pageSize: 2000, pollsUntilDone: 1, stuckJobs: false, failQueryJobs: false };
  const grants: string[] = [];
  let url = '';
  const data = `/services/data/v${API_VERSION}`;

  const issue = (res: ServerResponse, refresh = false) => {
    const token = `00Dfake!${newId('tok')}`;
    tokens.add(token);
    sendJson(res, 200, { access_token: token, instance_url: url, id: `${url}/id/00D000000000001AAA/005000000000001AAA`, token_type: 'Bearer', issued_at: String(Date.now()), signature: 'fake', ...(refresh ? {} : {}) });
  };

  const objectOf = (name: string): [string, FakeObject] | undefined => {
    for (const [k, v] of objects) if (k.toLowerCase() === name.toLowerCase()) return [k, v];
    return undefined;
  };

  const describe = (name: string, o: FakeObject) => ({
    name,
    label: name,
    queryable: true,
    createable: true,
    fields: o.fields.map((f) => ({ name: f.name, type: f.type, nillable: f.nillable ?? !f.required, precision: f.precision ?? 0, scale: f.scale ?? 0, externalId: f.externalId ?? false, createable: f.name !== 'Id', updateable: f.name !== 'Id' })),
  });

  /** Runs a SOQL text against the fake data; throws SoqlError as the org would answer. */
  const run = (soql: string): { object: string; fields: string[]; rows: Array<Record<string, unknown>>; count: boolean } => {
    const q = parseSoql(soql);
    const found = objectOf(q.object);
    if (!found) throw new SoqlError('INVALID_TYPE', `\n${soql}\n^\nERROR at Row:1:Column:1\nsObject type '${q.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`);
    const [object, o] = found;
    const typeOf = (field: string) => {
      const f = o.fields.find((x) => x.name.toLowerCase() === field.toLowerCase());
      if (!f) throw new SoqlError('INVALID_FIELD', `\n${soql}\n^\nERROR at Row:1:Column:1\nNo such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
      return f.type;
    };
    for (const f of [...q.fields, ...condFields(q.where)]) typeOf(f);
    let rows = o.records.filter((r) => !q.where || matches(r, q.where, typeOf));
    if (q.limit !== undefined) rows = rows.slice(0, q.limit);
    const fields = q.fields.map((f) => o.fields.find((x) => x.name.toLowerCase() === f.toLowerCase())!.name);
    return { object, fields, rows, count: q.count };
  };

  const restRecord = (object: string, fields: string[], r: Record<string, unknown>) => {
    const out: Record<string, unknown> = { attributes: { type: object, url: `${data}/sobjects/${object}/${String(r.Id)}` } };
    for (const f of fields) out[f] = r[f] ?? null;
    return out;
  };

  const queryPage = (res: ServerResponse, locator: string) => {
    const c = cursors.get(locator);
    if (!c) return sfError(res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const records = c.rows.slice(c.offset, c.offset + settings.pageSize);
    const nextOffset = c.offset + records.length;
    const done = nextOffset >= c.rows.length;
    let nextRecordsUrl: string | undefined;
    if (!done) {
      const next = `01gfake${newId('q')}-${nextOffset}`;
      cursors.set(next, { ...c, offset: nextOffset });
      nextRecordsUrl = `${data}/query/${next}`;
    }
    sendJson(res, 200, { totalSize: c.totalSize, done, ...(nextRecordsUrl ? { nextRecordsUrl } : {}), records });
  };

  const csvCell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string' && /([+-]\d{2})(\d{2})$/.test(v) && v.includes('T')) return new Date(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
    return String(v);
  };

  /** Applies one ingest job to the data, row by row, as Salesforce does. */
  const processIngest = (job: IngestJob) => {
    const found = objectOf(job.object)!;
    const [, o] = found;
    let rows: Array<Record<string, string>>;
    try {
      rows = parse(job.csv, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
    } catch (error) {
      job.state = 'Failed';
      job.errorMessage = `InvalidBatch : ${(error as Error).message}`;
      return;
    }
    const header = rows.length ? Object.keys(rows[0]!) : [];
    const unknown = header.find((h) => !o.fields.some((f) => f.name.toLowerCase() === h.toLowerCase()));
    if (unknown) {
      job.state = 'Failed';
      job.errorMessage = `InvalidBatch : Field name not found : ${unknown}`;
      job.unprocessed = rows;
      return;
    }
    const typed = (row: Record<string, string>) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        const f = o.fields.find((x) => x.name.toLowerCase() === k.toLowerCase())!;
        if (v === '') continue;
        if (v === '#N/A') {
          out[f.name] = null;
          continue;
        }
        if (f.type === 'boolean') out[f.name] = v === 'true';
        else if (['int', 'double', 'currency', 'percent'].includes(f.type)) {
          const n = Number(v);
          if (!Number.isFinite(n)) throw new Error(`INVALID_TYPE_ON_FIELD_IN_RECORD:${f.name}: value not of required type: ${v}:--`);
          out[f.name] = n;
        } else out[f.name] = v;
      }
      return out;
    };
    for (const row of rows) {
      try {
        const values = typed(row);
        const missing = o.fields.filter((f) => f.required && (values[f.name] === undefined || values[f.name] === null)).map((f) => f.name);
        const byId = (id: unknown) => o.records.find((r) => r.Id === id);
        if (job.operation === 'insert') {
          if (missing.length) throw new Error(`REQUIRED_FIELD_MISSING:Required fields are missing: [${missing.join(', ')}]:${missing.join(' ')} --`);
          const rec = { ...values, Id: newId('001') };
          o.records.push(rec);
          job.successful.push({ sf__Id: String(rec.Id), sf__Created: 'true', ...row });
        } else if (job.operation === 'update' || job.operation === 'delete') {
          const rec = byId(values.Id);
          if (!rec) throw new Error(`INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--`);
          if (job.operation === 'delete') o.records.splice(o.records.indexOf(rec), 1);
          else Object.assign(rec, values);
          job.successful.push({ sf__Id: String(rec.Id), sf__Created: 'false', ...row });
        } else {
          const ext = job.externalIdFieldName!;
          const key = Object.keys(values).find((k) => k.toLowerCase() === ext.toLowerCase());
          if (!key) throw new Error(`MISSING_ARGUMENT:${ext} not specified:--`);
          const rec = o.records.find((r) => r[ext] === values[key]);
          if (rec) {
            Object.assign(rec, values);
            job.successful.push({ sf__Id: String(rec.Id), sf__Created: 'false', ...row });
          } else {
            if (missing.length) throw new Error(`REQUIRED_FIELD_MISSING:Required fields are missing: [${missing.join(', ')}]:${missing.join(' ')} --`);
            const created = { ...values, Id: newId('001') };
            o.records.push(created);
            job.successful.push({ sf__Id: String(created.Id), sf__Created: 'true', ...row });
          }
        }
      } catch (error) {
        job.failed.push({ sf__Id: '', sf__Error: (error as Error).message, ...row });
      }
    }
    job.state = 'JobComplete';
  };

  const csvResponse = (res: ServerResponse, rows: Array<Record<string, unknown>>, columns: string[], headers: Record<string, string> = {}) => {
    res.writeHead(200, { 'content-type': 'text/csv', ...headers }).end(stringify(rows.map((r) => columns.map((c) => csvCell(r[c]))), { header: true, columns, quoted_string: true }));
  };

  const handler = (req: SeenHttpRequest, res: ServerResponse): void => {
    const u = new URL(req.url, url);
    const path = u.pathname;
    if (req.method === 'POST' && path === '/services/oauth2/token') {
      const p = new URLSearchParams(req.body);
      const grant = p.get('grant_type') ?? '';
      grants.push(grant);
      const badGrant = (d: string) => sendJson(res, 400, { error: 'invalid_grant', error_description: d });
      if (grant === 'password') {
        if (p.get('client_id') !== CLIENT_ID || p.get('client_secret') !== CLIENT_SECRET) return sendJson(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
        if (p.get('username') !== USERNAME || p.get('password') !== PASSWORD + SECURITY_TOKEN) return badGrant('authentication failure');
        return issue(res);
      }
      if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        const parts = (p.get('assertion') ?? '').split('.');
        if (parts.length !== 3 || !options.publicKey) return badGrant('invalid assertion');
        const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), options.publicKey, Buffer.from(parts[2]!, 'base64url'));
        if (!ok) return badGrant('invalid assertion');
        const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as { iss?: string; sub?: string; aud?: string; exp?: number };
        if (claims.iss !== CLIENT_ID) return sendJson(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
        if (claims.sub !== USERNAME) return badGrant('user hasn\'t approved this consumer');
        if (claims.aud !== url) return badGrant('audience is invalid');
        if (!claims.exp || claims.exp * 1000 < Date.now()) return badGrant('expired authorization code');
        return issue(res);
      }
      if (grant === 'refresh_token') {
        if (p.get('client_id') !== CLIENT_ID) return sendJson(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
        if (p.get('refresh_token') !== REFRESH_TOKEN) return badGrant('expired access/refresh token');
        return issue(res, true);
      }
      return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    }
    if (!path.startsWith(`${data}/`) && path !== data) return sfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    const auth = req.headers.authorization ?? '';
    const token = auth.replace(/^(Bearer|OAuth) /, '');
    if (!tokens.has(token)) return sfError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const rest = path.slice(data.length);
    try {
      if (req.method === 'GET' && rest === '/limits') return sendJson(res, 200, { DailyApiRequests: { Max: 15000, Remaining: 14990 }, DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 } });
      if (req.method === 'GET' && rest === '/sobjects') {
        return sendJson(res, 200, { encoding: 'UTF-8', maxBatchSize: 200, sobjects: [...objects.keys()].map((name) => ({ name, label: name, queryable: true, createable: true, custom: name.endsWith('__c') })) });
      }
      const desc = /^\/sobjects\/([^/]+)\/describe$/.exec(rest);
      if (req.method === 'GET' && desc) {
        const found = objectOf(decodeURIComponent(desc[1]!));
        if (!found) return sfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
        return sendJson(res, 200, describe(found[0], found[1]));
      }
      if (req.method === 'GET' && (rest === '/query' || rest === '/queryAll')) {
        const r = run(u.searchParams.get('q') ?? '');
        if (r.count) return sendJson(res, 200, { totalSize: r.rows.length, done: true, records: [] });
        const locator = `01gfake${newId('q')}-0`;
        cursors.set(locator, { rows: r.rows.map((row) => restRecord(r.object, r.fields, row)), offset: 0, totalSize: r.rows.length });
        return queryPage(res, locator);
      }
      const more = /^\/query\/([^/]+)$/.exec(rest);
      if (req.method === 'GET' && more) return queryPage(res, more[1]!);

      // Bulk API 2.0 query jobs.
      if (req.method === 'POST' && rest === '/jobs/query') {
        const body = JSON.parse(req.body) as { operation?: string; query?: string };
        if (body.operation !== 'query' && body.operation !== 'queryAll') return sfError(res, 400, 'API_ERROR', `Invalid operation: ${body.operation}`);
        const r = run(body.query ?? '');
        const job: QueryJob = { id: newId('750'), soql: body.query!, state: 'UploadComplete', polls: 0, rows: r.rows, fields: r.fields, object: r.object, ...(settings.failQueryJobs ? { fail: 'InternalServerError : the query could not be completed' } : {}) };
        queryJobs.set(job.id, job);
        return sendJson(res, 200, { id: job.id, operation: body.operation, object: r.object, state: job.state, contentType: 'CSV', apiVersion: Number(API_VERSION) });
      }
      const qjob = /^\/jobs\/query\/([^/]+)(\/results)?$/.exec(rest);
      if (qjob) {
        const job = queryJobs.get(qjob[1]!);
        if (!job) return sfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
        if (req.method === 'PATCH') {
          job.state = 'Aborted';
          return sendJson(res, 200, { id: job.id, state: job.state });
        }
        if (!qjob[2]) {
          job.polls++;
          if (job.state === 'UploadComplete' || job.state === 'InProgress') {
            if (settings.stuckJobs || job.polls <= settings.pollsUntilDone) job.state = 'InProgress';
            else job.state = job.fail ? 'Failed' : 'JobComplete';
          }
          return sendJson(res, 200, { id: job.id, operation: 'query', object: job.object, state: job.state, numberRecordsProcessed: job.state === 'JobComplete' ? job.rows.length : 0, ...(job.state === 'Failed' ? { errorMessage: job.fail } : {}) });
        }
        if (job.state !== 'JobComplete') return sfError(res, 400, 'API_ERROR', `job ${job.id} is ${job.state}; results are not available`);
        const max = Number(u.searchParams.get('maxRecords') ?? 1_000_000);
        const offset = Number(Buffer.from(u.searchParams.get('locator') ?? 'MA', 'base64url').toString() || 0);
        const slice = job.rows.slice(offset, offset + max);
        const next = offset + slice.length < job.rows.length ? Buffer.from(String(offset + slice.length)).toString('base64url') : 'null';
        return csvResponse(res, slice, job.fields, { 'sforce-locator': next, 'sforce-numberofrecords': String(slice.length) });
      }

      // Bulk API 2.0 ingest jobs.
      if (req.method === 'POST' && rest === '/jobs/ingest') {
        const body = JSON.parse(req.body) as { object?: string; operation?: string; externalIdFieldName?: string };
        const found = objectOf(body.object ?? '');
        if (!found) return sfError(res, 400, 'INVALIDENTITY', `sObject type '${body.object}' is not supported`);
        if (!['insert', 'update', 'upsert', 'delete', 'hardDelete'].includes(body.operation ?? '')) return sfError(res, 400, 'API_ERROR', `Invalid operation: ${body.operation}`);
        if (body.operation === 'upsert' && !found[1].fields.some((f) => f.name === body.externalIdFieldName && (f.externalId || f.name === 'Id'))) {
          return sfError(res, 400, 'INVALIDENTITY', `Field name provided, ${body.externalIdFieldName} is not an External ID or indexed field for ${found[0]}`);
        }
        const job: IngestJob = { id: newId('750'), object: found[0], operation: body.operation!, ...(body.externalIdFieldName ? { externalIdFieldName: body.externalIdFieldName } : {}), state: 'Open', polls: 0, csv: '', successful: [], failed: [], unprocessed: [] };
        ingestJobs.set(job.id, job);
        return sendJson(res, 200, { id: job.id, object: job.object, operation: job.operation, state: job.state, contentType: 'CSV' });
      }
      const ijob = /^\/jobs\/ingest\/([^/]+)(?:\/(batches|successfulResults|failedResults|unprocessedrecords))?$/.exec(rest);
      if (ijob) {
        const job = ingestJobs.get(ijob[1]!);
        if (!job) return sfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
        const part = ijob[2];
        if (req.method === 'PUT' && part === 'batches') {
          if (job.state !== 'Open') return sfError(res, 400, 'API_ERROR', 'Job is not open for upload');
          job.csv += req.body;
          res.writeHead(201).end();
          return;
        }
        if (req.method === 'PATCH' && !part) {
          const state = (JSON.parse(req.body) as { state?: string }).state;
          if (state === 'Aborted') job.state = 'Aborted';
          else if (state === 'UploadComplete') job.state = 'UploadComplete';
          return sendJson(res, 200, { id: job.id, state: job.state });
        }
        if (req.method === 'GET' && !part) {
          job.polls++;
          if (job.state === 'UploadComplete' && !settings.stuckJobs) {
            if (job.polls <= settings.pollsUntilDone) job.state = 'UploadComplete';
            else processIngest(job);
          }
          const state = job.state === 'UploadComplete' ? 'InProgress' : job.state;
          return sendJson(res, 200, { id: job.id, object: job.object, operation: job.operation, state, numberRecordsProcessed: job.successful.length + job.failed.length, numberRecordsFailed: job.failed.length, ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}) });
        }
        if (req.method === 'GET') {
          const header = job.csv ? (parse(job.csv, { to_line: 1 }) as string[][])[0] ?? [] : [];
          if (part === 'successfulResults') return csvResponse(res, job.successful, ['sf__Id', 'sf__Created', ...header]);
          if (part === 'failedResults') return csvResponse(res, job.failed, ['sf__Id', 'sf__Error', ...header]);
          return csvResponse(res, job.unprocessed, header);
        }
      }
      return sfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    } catch (error) {
      if (error instanceof SoqlError) return sfError(res, 400, error.errorCode, error.message);
      throw error;
    }
  };

  const server = await startHttpServer(handler);
  url = server.url;
  return Object.assign(server, { objects, settings, tokens, queryJobs, ingestJobs, grants });
}

/** An Account-like object with every field type the connector maps. */
export function accountObject(records: Array<Record<string, unknown>> = []): FakeObject {
  return {
    fields: [
      { name: 'Id', type: 'id', nillable: false },
      { name: 'Name', type: 'string', required: true },
      { name: 'Industry', type: 'picklist' },
      { name: 'NumberOfEmployees', type: 'int' },
      { name: 'AnnualRevenue', type: 'currency', precision: 18, scale: 2 },
      { name: 'Score__c', type: 'double' },
      { name: 'IsActive__c', type: 'boolean' },
      { name: 'Founded__c', type: 'date' },
      { name: 'LastModifiedDate', type: 'datetime' },
      { name: 'ParentId', type: 'reference' },
      { name: 'BillingCity', type: 'string' },
      { name: 'BillingAddress', type: 'address' },
      { name: 'External_Key__c', type: 'string', externalId: true },
    ],
    records,
  };
}
