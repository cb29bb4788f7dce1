/**
 * The connector against the in-process fake org (test/fake-salesforce.ts): every login flow, REST
 * reads with queryMore pages, Bulk API 2.0 query jobs with locator paging, typed columns from
 * describe, escaped filter values, Bulk ingest writes with per-row results, and the bad inputs the
 * issue names. No timed assertions: waits are bounded by config (pollIntervalMs, jobTimeoutMs).
 */
import { inspect } from 'node:util';
import type { Table } from 'apache-arrow';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getArrowToolkit, getConnection, SparkleError, where, type ReadTableOptions } from '@sparkle/core';
import '../src/index.js';
import { SalesforceConnection } from '../src/index.js';
import { accountObject, CLIENT_ID, CLIENT_SECRET, jwtKeys, PASSWORD, REFRESH_TOKEN, SECURITY_TOKEN, startFakeSalesforce, USERNAME, type FakeSalesforce } from './fake-salesforce.js';

const keys = jwtKeys();
const otherKeys = jwtKeys();
let fake: FakeSalesforce;

const HOSTILE = [
  { Id: '001000000000007AAA', Name: "O'Brien \\ Sons", Industry: 'Retail' },
  { Id: '001000000000008AAA', Name: '100% Cotton_Co', Industry: 'Apparel' },
  { Id: '001000000000009AAA', Name: '1000 Cotton Co', Industry: 'Apparel' },
  { Id: '001000000000010AAA', Name: 'line\nbreak "quoted"', Industry: null },
];
const ACCOUNTS = [
  { Id: '001000000000001AAA', Name: 'Acme', Industry: 'Energy', NumberOfEmployees: 120, AnnualRevenue: 1234567.5, Score__c: 0.25, IsActive__c: true, Founded__c: '1999-03-04', LastModifiedDate: '2024-01-15T10:20:30.000+0000', ParentId: null, BillingCity: 'Oslo', BillingAddress: { street: '1 Main St', city: 'Oslo', state: null, stateCode: null, postalCode: '0150', country: 'Norway', countryCode: 'NO', latitude: 59.91, longitude: 10.75, geocodeAccuracy: null }, External_Key__c: 'ACME' },
  { Id: '001000000000002AAA', Name: 'Globex', Industry: 'Energy', NumberOfEmployees: 5, AnnualRevenue: 10, Score__c: 1.5, IsActive__c: false, Founded__c: '2010-12-31', LastModifiedDate: '2024-02-01T00:00:00.000+0000', ParentId: '001000000000001AAA', BillingCity: 'Bergen', BillingAddress: null, External_Key__c: 'GLOBEX' },
  { Id: '001000000000003AAA', Name: 'Initech', Industry: 'Software', NumberOfEmployees: 300, AnnualRevenue: null, Score__c: null, IsActive__c: true, Founded__c: null, LastModifiedDate: '2024-03-01T12:00:00.000+0000', ParentId: null, BillingCity: null, BillingAddress: null, External_Key__c: 'INITECH' },
  ...HOSTILE,
];

const passwordAuth = { type: 'password', username: USERNAME, password: PASSWORD, securityToken: SECURITY_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
const SECRETS = [PASSWORD, SECURITY_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, keys.privateKey.split('\n')[1]!];

function open(extra: Record<string, unknown> = {}) {
  return getConnection<SalesforceConnection>('salesforce', { config: { loginUrl: fake.url, auth: passwordAuth, pollIntervalMs: 5, maxPollIntervalMs: 20, ...extra }, dotenv: false, variables: {} });
}

/** All rows of a frame (or of a pending readTable/query, whose errors surface while reading). */
async function rowsOf(frame: unknown): Promise<Array<Record<string, unknown>>> {
  return ((await frame) as { toArray(): Promise<Array<Record<string, unknown>>> }).toArray();
}

async function failure(promise: Promise<unknown>): Promise<SparkleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SparkleError.isInstance(error), `expected a Sparkle error, got ${String(error)}`).toBe(true);
  return error as SparkleError;
}

function expectNoSecrets(error: unknown): void {
  const shown = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 4 })}`;
  for (const s of SECRETS) expect(shown).not.toContain(s);
}

/** SOQL texts the fake received (REST `q` parameters and Bulk job bodies). */
function soqlSent(): string[] {
  return fake.requests.flatMap((r) => {
    const u = new URL(r.url, fake.url);
    if (u.searchParams.has('q')) return [u.searchParams.get('q')!];
    if (r.method === 'POST' && u.pathname.endsWith('/jobs/query')) return [(JSON.parse(r.body) as { query: string }).query];
    return [];
  });
}

beforeAll(async () => {
  fake = await startFakeSalesforce({ publicKey: keys.publicKey });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.objects.set('Account', accountObject(structuredClone(ACCOUNTS) as Array<Record<string, unknown>>));
  fake.settings.pageSize = 3;
  fake.settings.pollsUntilDone = 2;
  fake.settings.stuckJobs = false;
  fake.settings.failQueryJobs = false;
  fake.requests.length = 0;
  fake.grants.length = 0;
  fake.queryJobs.clear();
});

describe('login flows', () => {
  it('username-password (OAuth, password + security token): check() passes every tier with a read-only limits call', async () => {
    await using sf = await open();
    const report = await sf.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(fake.grants).toEqual(['password']);
    expect(fake.requests.some((r) => r.url.endsWith('/limits'))).toBe(true);
    expect(fake.requests.some((r) => r.method !== 'GET' && r.url.startsWith('/services/data'))).toBe(false);
    expect(fake.requests.some((r) => r.url.includes('/Soap/'))).toBe(false);
  });

  it('JWT bearer: the assertion is signed with the private key and verified by the org', async () => {
    await using sf = await open({ auth: { type: 'jwt', username: USERNAME, clientId: CLIENT_ID, privateKey: keys.privateKey } });
    expect(await sf.limits()).toMatchObject({ DailyApiRequests: { Max: 15000 } });
    expect(fake.grants).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer']);
  });

  it('JWT bearer: an expired session is renewed with a freshly signed assertion', async () => {
    await using sf = await open({ auth: { type: 'jwt', username: USERNAME, clientId: CLIENT_ID, privateKey: keys.privateKey } });
    await sf.limits();
    fake.tokens.clear();
    expect((await rowsOf(sf.readTable('Account', { columns: ['Id'] }))).length).toBe(ACCOUNTS.length);
    expect(fake.grants).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:jwt-bearer']);
  });

  it('JWT bearer signed with a key the org does not know is refused, typed, without the key in the error', async () => {
    await using sf = await open({ auth: { type: 'jwt', username: USERNAME, clientId: CLIENT_ID, privateKey: otherKeys.privateKey } });
    const error = await failure(sf.limits());
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).toContain('invalid_grant');
    expect(String(error)).not.toContain(otherKeys.privateKey.split('\n')[1]!);
  });

  it('a private key that is not PEM fails as a config problem naming the field, not the value', async () => {
    await using sf = await open({ auth: { type: 'jwt', username: USERNAME, clientId: CLIENT_ID, privateKey: 'not-a-key-Secret-Material-42' } });
    const error = await failure(sf.limits());
    expect(error.message).toContain('auth.privateKey');
    expect(String(error)).not.toContain('Secret-Material');
  });

  it('refresh token: logs in, and renews the session when the org answers 401 INVALID_SESSION_ID', async () => {
    await using sf = await open({ auth: { type: 'refresh_token', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN } });
    expect((await rowsOf(await sf.readTable('Account', { columns: ['Id'] }))).length).toBe(ACCOUNTS.length);
    fake.tokens.clear();
    expect((await rowsOf(await sf.readTable('Account', { columns: ['Id'] }))).length).toBe(ACCOUNTS.length);
    expect(fake.grants).toEqual(['refresh_token', 'refresh_token']);
  });

  it('the Bulk transfers renew an expired session too (password flow logs in again)', async () => {
    await using sf = await open({ bulk: true });
    await sf.limits();
    fake.tokens.clear();
    expect((await rowsOf(await sf.readTable('Account', { columns: ['Id'] }))).length).toBe(ACCOUNTS.length);
    expect(fake.grants).toEqual(['password', 'password']);
  });

  it('access token + instance URL: works until the session ends, then fails typed (nothing can renew it)', async () => {
    await using probe = await open();
    const session = await probe.session();
    await using sf = await open({ instanceUrl: fake.url, auth: { type: 'access_token', accessToken: session.accessToken } });
    expect((await sf.discover({ objects: ['Account'] }))[0]!.name).toBe('Account');
    const token = session.accessToken!;
    fake.tokens.clear();
    const error = await failure(sf.limits());
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.details.errorCode).toBe('INVALID_SESSION_ID');
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(token);
  });

  it('a wrong password fails typed and prints nothing; no secret reaches the error', async () => {
    const printed: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))));
    try {
      await using sf = await open({ auth: { ...passwordAuth, password: 'wrong-Password-Never-Shown' } });
      const error = await failure(rowsOf(sf.readTable('Account')));
      expect(error.code).toBe('AUTHENTICATION_FAILED');
      expect(error.message).toContain('authentication failure');
      expectNoSecrets(error);
      expect(String(error)).not.toContain('wrong-Password-Never-Shown');
      const report = await sf.check({ timeoutMs: 10_000 });
      expect(report.ok).toBe(false);
      expect(JSON.stringify(report)).not.toContain('wrong-Password-Never-Shown');
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(printed).toEqual([]);
  });
});

describe('reads', () => {
  it('reads an sObject through REST query pages (queryMore) with columns typed from describe', async () => {
    await using sf = await open({ bulk: false });
    const table = (await (await sf.readTable('Account')) as { toTable(): Promise<Table> }).toTable();
    const t = await table;
    const types = Object.fromEntries(t.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      Id: 'Utf8',
      Name: 'Utf8',
      NumberOfEmployees: 'Int32',
      AnnualRevenue: 'Decimal[18e+2]',
      Score__c: 'Float64',
      IsActive__c: 'Bool',
      ParentId: 'Utf8',
    });
    expect(types.Founded__c).toMatch(/^Date/);
    expect(types.LastModifiedDate).toMatch(/^Timestamp/);
    expect(types.BillingAddress).toMatch(/^Struct/);
    expect(t.numRows).toBe(ACCOUNTS.length);
    // 7 records at 3 per page: the first query and two queryMore pages.
    expect(fake.requests.filter((r) => r.url.includes('/query')).length).toBe(3);
    // The toolkit's rows give decimals as exact text.
    const toolkit = await getArrowToolkit('salesforce');
    const acmeTable = await ((await sf.readTable('Account', { filter: where.eq('Name', 'Acme') })) as { toTable(): Promise<Table> }).toTable();
    const acme = [...toolkit.rows(acmeTable.batches[0]!)][0]!;
    expect(acme.AnnualRevenue).toBe('1234567.50');
    expect(acme.IsActive__c).toBe(true);
    expect((acme.Founded__c as Date).toISOString()).toBe('1999-03-04T00:00:00.000Z');
    expect((acme.LastModifiedDate as Date).toISOString()).toBe('2024-01-15T10:20:30.000Z');
    expect(acme.BillingAddress).toMatchObject({ city: 'Oslo', countryCode: 'NO', latitude: 59.91 });
  });

  it("currency: 'double' types currency and percent fields as Float64", async () => {
    await using sf = await open({ currency: 'double' });
    const t = await ((await sf.readTable('Account', { columns: ['AnnualRevenue'] })) as { toTable(): Promise<Table> }).toTable();
    expect(String(t.schema.fields[0]!.type)).toBe('Float64');
    expect(t.toArray().map((r) => (r as { AnnualRevenue: number | null }).AnnualRevenue)).toContain(1234567.5);
  });

  it('pushes projection and typed filters down as SOQL', async () => {
    await using sf = await open();
    const rows = await rowsOf(await sf.readTable('Account', { columns: ['Id', 'Name'], filter: where.and(where.eq('Industry', 'Energy'), where.gt('NumberOfEmployees', 10)) }));
    expect(rows).toEqual([{ Id: '001000000000001AAA', Name: 'Acme' }]);
    expect(soqlSent().at(-1)).toBe("SELECT Id, Name FROM Account WHERE (Industry = 'Energy' AND NumberOfEmployees > 10)");
    const dated = await rowsOf(await sf.readTable('Account', { columns: ['Name'], filter: where.and(where.gte('Founded__c', new Date('2000-01-01T00:00:00Z')), where.lt('LastModifiedDate', new Date('2024-02-15T00:00:00Z'))) }));
    expect(dated).toEqual([{ Name: 'Globex' }]);
    expect(soqlSent().at(-1)).toContain('Founded__c >= 2000-01-01 AND LastModifiedDate < 2024-02-15T00:00:00Z');
    const listed = await rowsOf(await sf.readTable('Account', { columns: ['Name'], filter: where.and({ field: 'Industry', op: 'in', values: ['Software', 'Retail'] }, { field: 'Industry', op: 'exists', value: true }) }));
    expect(listed.map((r) => r.Name).sort()).toEqual(['Initech', "O'Brien \\ Sons"]);
  });

  it('escapes hostile strings in filter values: quotes, backslashes, LIKE wildcards, newlines, injection attempts', async () => {
    await using sf = await open();
    const names = async (options: ReadTableOptions) => (await rowsOf(await sf.readTable('Account', { columns: ['Name'], ...options }))).map((r) => r.Name);
    expect(await names({ filter: where.eq('Name', "O'Brien \\ Sons") })).toEqual(["O'Brien \\ Sons"]);
    expect(soqlSent().at(-1)).toBe("SELECT Name FROM Account WHERE Name = 'O\\'Brien \\\\ Sons'");
    // Spliced raw, this would close the literal and match every row.
    expect(await names({ filter: where.eq('Name', "x' OR Name != '") })).toEqual([]);
    expect(await names({ filter: where.eq('Name', "x\\' OR Name != '") })).toEqual([]);
    expect(await names({ filter: { field: 'Name', op: 'prefix', value: '100%' } })).toEqual(['100% Cotton_Co']);
    expect(await names({ filter: { field: 'Name', op: 'prefix', value: '100_' } })).toEqual([]);
    expect(await names({ filter: where.eq('Name', 'line\nbreak "quoted"') })).toEqual(['line\nbreak "quoted"']);
    const error = await failure(rowsOf(sf.readTable('Account', { filter: where.eq('Name) OR (Id', 'x') })));
    expect(error.code).toBe('INVALID_ARGUMENT');
  });

  it('an unknown field or sObject fails typed, naming it', async () => {
    await using sf = await open();
    const field = await failure(rowsOf(sf.readTable('Account', { columns: ['Id', 'Nope__c'] })));
    expect(field.code).toBe('QUERY_FAILED');
    expect(field.message).toContain("Account has no field 'Nope__c'");
    const object = await failure(rowsOf(sf.readTable('Nope__c')));
    expect(object.code).toBe('QUERY_FAILED');
    expect(object.details.errorCode).toBe('NOT_FOUND');
    const server = await failure(rowsOf(await sf.query('SELECT Id, Nope__c FROM Account')));
    expect(server.code).toBe('QUERY_FAILED');
    expect(server.details.errorCode).toBe('INVALID_FIELD');
    expect(server.message).toContain("No such column 'Nope__c' on entity 'Account'");
  });

  it('SOQL with a syntax error fails typed with the server message (MALFORMED_QUERY)', async () => {
    await using sf = await open();
    const error = await failure(rowsOf(await sf.query("SELECT Id FROM Account WHERE Name = 'unclosed")));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.details.errorCode).toBe('MALFORMED_QUERY');
    expect(error.message).toContain('unexpected end of string literal');
    const bulk = await failure(rowsOf(await sf.readTable('SELECT Id FROM Account WHERE AND', { options: { bulk: 'true' } })));
    expect(bulk.details.errorCode).toBe('MALFORMED_QUERY');
  });

  it('runs SOQL with query(): typed columns for the object fields, text for the rest; parameters refused', async () => {
    await using sf = await open();
    const t = await ((await sf.query("SELECT Id, NumberOfEmployees, IsActive__c FROM Account WHERE Industry = 'Energy'")) as { toTable(): Promise<Table> }).toTable();
    expect(t.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['Id:Utf8', 'NumberOfEmployees:Int32', 'IsActive__c:Bool']);
    expect(t.numRows).toBe(2);
    const error = await failure(rowsOf(await sf.query('SELECT Id FROM Account WHERE Name = ?', ['x'])));
    expect(error.code).toBe('UNSUPPORTED');
  });

  it('bulk: true reads through a Bulk API 2.0 query job, polled, with results paged by Sforce-Locator', async () => {
    await using rest = await open({ bulk: false });
    await using bulk = await open({ bulk: true, resultPageSize: 2 });
    const viaRest = await rowsOf(await rest.readTable('Account', { columns: ['Id', 'Name', 'NumberOfEmployees', 'AnnualRevenue', 'IsActive__c', 'Founded__c', 'LastModifiedDate', 'ParentId'] }));
    fake.requests.length = 0;
    const progress: string[] = [];
    const stop = bulk.onBulkProgress((p) => progress.push(`${p.polls}:${p.state}:${p.recordsProcessed}`));
    const viaBulk = await rowsOf(await bulk.readTable('Account', { columns: ['Id', 'Name', 'NumberOfEmployees', 'AnnualRevenue', 'IsActive__c', 'Founded__c', 'LastModifiedDate', 'ParentId'] }));
    stop();
    expect(viaBulk).toEqual(viaRest);
    // Each poll is reported: twice InProgress, then JobComplete with every row processed.
    expect(progress).toEqual(['1:InProgress:0', '2:InProgress:0', `3:JobComplete:${ACCOUNTS.length}`]);
    const results = fake.requests.filter((r) => r.url.includes('/results'));
    expect(results.length).toBe(4); // 7 rows, 2 per page
    expect(results.slice(1).every((r) => r.url.includes('locator='))).toBe(true);
    const polls = fake.requests.filter((r) => r.method === 'GET' && /\/jobs\/query\/[^/]+$/.test(new URL(r.url, fake.url).pathname));
    expect(polls.length).toBe(3); // InProgress twice, then JobComplete
    expect(fake.requests.some((r) => r.url.includes('/query?'))).toBe(false);
  });

  it("bulk: 'auto' switches to a Bulk job only above bulkThreshold", async () => {
    await using small = await open({ bulk: 'auto', bulkThreshold: 100 });
    expect((await rowsOf(await small.readTable('Account', { columns: ['Id'] }))).length).toBe(ACCOUNTS.length);
    expect(fake.queryJobs.size).toBe(0);
    await using large = await open({ bulk: 'auto', bulkThreshold: 3 });
    expect((await rowsOf(await large.readTable('Account', { columns: ['Id'] }))).length).toBe(ACCOUNTS.length);
    expect(fake.queryJobs.size).toBe(1);
    fake.queryJobs.clear();
  });

  it('compound fields are structs over REST and refused in bulk reads (a default projection that may use Bulk leaves them out)', async () => {
    await using auto = await open({ bulk: 'auto' });
    const autoSchema = (await ((await auto.readTable('Account')) as { toTable(): Promise<Table> }).toTable()).schema;
    expect(autoSchema.fields.map((f) => f.name)).not.toContain('BillingAddress');
    await using sf = await open({ bulk: true });
    const error = await failure(rowsOf(sf.readTable('Account', { columns: ['Id', 'BillingAddress'] })));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('BillingAddress: address');
    const t = await ((await sf.readTable('Account')) as { toTable(): Promise<Table> }).toTable();
    expect(t.schema.fields.map((f) => f.name)).not.toContain('BillingAddress');
    expect(t.schema.fields.map((f) => f.name)).toContain('BillingCity');
    fake.queryJobs.clear();
  });

  it('a bulk query job that fails raises a typed error with the job message', async () => {
    fake.settings.failQueryJobs = true;
    await using sf = await open({ bulk: true });
    const error = await failure(rowsOf(await sf.readTable('Account', { columns: ['Id'] })));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.message).toContain('ended Failed: InternalServerError');
    fake.queryJobs.clear();
  });

  it('a bulk job that never finishes ends in a retryable TimeoutError after jobTimeoutMs, and is aborted', async () => {
    fake.settings.stuckJobs = true;
    await using sf = await open({ bulk: true, jobTimeoutMs: 150, pollIntervalMs: 10, maxPollIntervalMs: 30 });
    const error = await failure(rowsOf(await sf.readTable('Account', { columns: ['Id'] })));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    const [job] = [...fake.queryJobs.values()];
    expect(job!.state).toBe('Aborted');
    expect(error.details.jobId).toBe(job!.id);
    fake.queryJobs.clear();
  });

  it('discover() lists sObjects with their fields (describeGlobal + describe)', async () => {
    await using sf = await open();
    const objects = await sf.discover();
    const account = objects.find((o) => o.name === 'Account')!;
    expect(account.columns.map((c) => c.name)).toContain('External_Key__c');
    expect(account.columns.find((c) => c.name === 'AnnualRevenue')!.dataType).toBe('currency');
  });

  it('refuses Spark with a pointer to the local engine', async () => {
    await using sf = await open();
    expect(() => sf.sparkRead('Account', {})).toThrow(/no maintained Salesforce data source/);
    expect(() => sf.sparkWrite('Account', {})).toThrow(/without 'spark'/);
  });
});

describe('writes (Bulk API 2.0 ingest)', () => {
  it('inserts rows with typed CSV cells and reports only what Salesforce wrote', async () => {
    await using sf = await open();
    const result = await sf.writeTable(
      [
        { Name: 'Umbrella', NumberOfEmployees: 40, IsActive__c: true, Founded__c: new Date('2001-02-03T00:00:00Z'), AnnualRevenue: 99.5 },
        { Name: 'Hooli, "Inc"', NumberOfEmployees: null, IsActive__c: false, Founded__c: null, AnnualRevenue: null },
      ],
      'Account',
      { mode: 'append' },
    );
    expect(result.rows).toBe(2);
    const added = fake.objects.get('Account')!.records.slice(ACCOUNTS.length);
    expect(added).toMatchObject([
      { Name: 'Umbrella', NumberOfEmployees: 40, IsActive__c: true, Founded__c: '2001-02-03', AnnualRevenue: 99.5 },
      { Name: 'Hooli, "Inc"', IsActive__c: false },
    ]);
    const job = [...fake.ingestJobs.values()].at(-1)!;
    expect(job.operation).toBe('insert');
    expect(fake.requests.filter((r) => r.method === 'PATCH').map((r) => JSON.parse(r.body) as unknown)).toContainEqual({ state: 'UploadComplete' });
  });

  it('upserts by an external id field (update one, create one), updates and deletes by Id', async () => {
    await using sf = await open();
    const up = await sf.writeTable([{ External_Key__c: 'ACME', Name: 'Acme Corp' }, { External_Key__c: 'NEW1', Name: 'Newco' }], 'Account', { mode: 'append', options: { operation: 'upsert', externalIdField: 'External_Key__c' } });
    expect(up.rows).toBe(2);
    const records = fake.objects.get('Account')!.records;
    expect(records.find((r) => r.External_Key__c === 'ACME')!.Name).toBe('Acme Corp');
    expect(records.find((r) => r.External_Key__c === 'NEW1')!.Name).toBe('Newco');
    const [outcome] = await sf.ingest('Account', [{ Id: '001000000000002AAA', NumberOfEmployees: 6 }], { operation: 'update' });
    expect(outcome!.successful).toEqual([{ id: '001000000000002AAA', created: false, row: { Id: '001000000000002AAA', NumberOfEmployees: '6' } }]);
    expect(records.find((r) => r.Id === '001000000000002AAA')!.NumberOfEmployees).toBe(6);
    await sf.writeTable([{ Id: '001000000000003AAA' }], 'Account', { mode: 'append', options: { operation: 'delete' } });
    expect(records.some((r) => r.Id === '001000000000003AAA')).toBe(false);
  });

  it("write.nulls 'clear' sends #N/A so an update sets a field to null", async () => {
    await using sf = await open({ write: { operation: 'update', nulls: 'clear' } });
    await sf.writeTable([{ Id: '001000000000001AAA', BillingCity: null }], 'Account', { mode: 'append' });
    expect(fake.objects.get('Account')!.records.find((r) => r.Id === '001000000000001AAA')!.BillingCity).toBeNull();
  });

  it('per-row failures: raises with each refused row and its message, counting only the rows written', async () => {
    await using sf = await open();
    const error = await failure(sf.writeTable([{ Name: 'Good 1', NumberOfEmployees: 1 }, { Name: null, NumberOfEmployees: 2 }, { Name: 'Good 2', NumberOfEmployees: 3 }], 'Account', { mode: 'append' }));
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.details.written).toBe(2);
    expect(error.details.committed).toBe(true);
    expect(error.details.failedRows).toEqual([{ id: null, error: expect.stringContaining('REQUIRED_FIELD_MISSING') as unknown, row: { Name: '', NumberOfEmployees: '2' } }]);
    expect(error.message).toContain('1 row(s) refused');
    expect(error.message).toContain('2 row(s) were written');
    expect(fake.objects.get('Account')!.records.length).toBe(ACCOUNTS.length + 2);
    const [outcome] = await sf.ingest('Account', [{ Id: '001999999999999AAA', Name: 'x' }], { operation: 'update' });
    expect(outcome!.failed[0]!.error).toContain('INVALID_CROSS_REFERENCE_KEY');
    expect(outcome!.successful).toEqual([]);
  });

  it('a job that fails as a whole reports its rows as unprocessed and nothing as written', async () => {
    await using sf = await open();
    // A relationship column passes the client's check; this org refuses it for the whole job.
    const error = await failure(sf.writeTable([{ Name: 'a', 'Parent.External_Key__c': 'ACME' }, { Name: 'b', 'Parent.External_Key__c': 'ACME' }], 'Account', { mode: 'append' }));
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.details).toMatchObject({ written: 0, committed: false, unprocessed: 2, failed: 0 });
    expect(error.message).toContain('ended Failed: InvalidBatch : Field name not found : Parent.External_Key__c');
    expect(fake.objects.get('Account')!.records.length).toBe(ACCOUNTS.length);
  });

  it('an upsert on a field that is not an external id fails typed with the server message', async () => {
    await using sf = await open();
    const error = await failure(sf.writeTable([{ Name: 'x' }], 'Account', { mode: 'append', options: { operation: 'upsert', externalIdField: 'Name' } }));
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toContain('is not an External ID');
  });

  it('refuses unknown columns before any job, and save modes that have no meaning', async () => {
    await using sf = await open();
    const unknown = await failure(sf.writeTable([{ Name: 'x', Bogus__c: 1 }], 'Account', { mode: 'append' }));
    expect(unknown.code).toBe('INVALID_ARGUMENT');
    expect(unknown.message).toContain("'Bogus__c'");
    const overwrite = await failure(sf.writeTable([{ Name: 'x' }], 'Account', { mode: 'overwrite' }));
    expect(overwrite.code).toBe('UNSUPPORTED');
    expect(fake.ingestJobs.size).toBe(0);
  });

  it('a write job that never finishes times out, retryable', async () => {
    fake.settings.stuckJobs = true;
    await using sf = await open({ jobTimeoutMs: 100, pollIntervalMs: 10 });
    const error = await failure(sf.writeTable([{ Name: 'slow' }], 'Account', { mode: 'append' }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect([...fake.ingestJobs.values()].at(-1)!.state).toBe('Aborted');
  });
});

afterEach(() => {
  fake.ingestJobs.clear();
});
