/**
 * `jira` against the in-process fake of the REST calls jira.js makes (test/fake-jira.ts): schema
 * from field metadata, enhanced-search paging, JQL escaping, ADF flattening, bulk create with
 * per-row errors and 429 + Retry-After, Data Center paging, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, where, type SparkleConnection } from '@sparkle/core';
import { composeJql, filterToJql, jqlString, type JiraConnection } from '../src/index.js';
import { API_TOKEN, BEARER, EMAIL, makeIssues, startFakeJira, type FakeJira } from './fake-jira.js';

const open = (config: Record<string, unknown>) => getConnection<JiraConnection>('jira', { config, dotenv: false, variables: {} });
type Frame = { toTable(): Promise<import('apache-arrow').Table>; toArray(): Promise<Record<string, unknown>[]> };
const frameOf = async (conn: SparkleConnection, name: string, options: Record<string, unknown> = {}) => (await conn.readTable(name, options)) as unknown as Frame;
const rowsOf = async (conn: SparkleConnection, name: string, options: Record<string, unknown> = {}) => (await frameOf(conn, name, options)).toArray();
type Failure = Error & { code: string };
const failure = (p: Promise<unknown>): Promise<Failure> => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Failure);
const tableOf = async (conn: SparkleConnection, name: string, options: Record<string, unknown> = {}) => (await frameOf(conn, name, options)).toTable();

describe('JQL from typed filters', () => {
  it('quotes and escapes every value so it cannot end the clause', () => {
    const hostile = 'x" OR project = "SECRET';
    const jql = filterToJql(where.and(where.eq('summary', hostile), where.in('status', ['Open', 'a\\b'])));
    expect(jql).toBe('(summary = "x\\" OR project = \\"SECRET" AND status IN ("Open", "a\\\\b"))');
    expect(jqlString('line1\nline2\t"q"')).toBe('"line1\\nline2\\t\\"q\\""');
    expect(() => jqlString('bell\u0007')).toThrow(/control character U\+0007/);
  });

  it('maps operators, empties, custom fields, quoted names, dates and ORDER BY', () => {
    expect(filterToJql(where.eq('assignee', null))).toBe('assignee IS EMPTY');
    expect(filterToJql(where.exists('duedate'))).toBe('duedate IS NOT EMPTY');
    expect(filterToJql(where.gte('customfield_10016', 3))).toBe('cf[10016] >= 3');
    expect(filterToJql(where.eq('Story Points', 5))).toBe('"Story Points" = 5');
    expect(filterToJql(where.eq('order', 'x'))).toBe('"order" = "x"');
    expect(filterToJql(where.not(where.nin('priority', ['Low'])))).toBe('NOT (priority NOT IN ("Low"))');
    expect(filterToJql(where.lt('created', new Date(Date.UTC(2024, 0, 5, 7, 3))))).toBe('created < "2024-01-05 07:03"');
    expect(() => filterToJql(where.prefix('summary', 'Disk'))).toThrow(/no exact prefix match/);
    expect(composeJql({ project: 'OPS', filter: where.eq('status', 'Open'), orderBy: ['created desc', 'Story Points'] })).toBe('project = "OPS" AND status = "Open" ORDER BY created DESC, "Story Points"');
  });
});

describe('jira against the fake Jira Cloud', () => {
  let fake: FakeJira;
  let config: Record<string, unknown>;
  beforeAll(async () => {
    fake = await startFakeJira({ issues: [...makeIssues('OPS', 257), ...makeIssues('WEB', 3, 50000)] });
    config = {
      baseUrl: fake.url,
      auth: { type: 'api_token', email: EMAIL, apiToken: API_TOKEN },
      pageSize: 100,
      fields: ['summary', 'status', 'assignee', 'created', 'duedate', 'labels', 'Story Points', 'customfield_10020', 'customfield_10030', 'description'],
      queries: { open_ops: { project: 'OPS', filter: { field: 'status', op: 'in', values: ['Open', 'In Progress'] }, orderBy: ['created DESC'], fields: ['summary', 'status'] } },
    };
  });
  afterAll(() => fake.close());

  it('passes every health tier: GET /myself then /serverInfo', async () => {
    await using conn = await open(config);
    const report = await conn.check({ timeoutMs: 5000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toMatch(/Jira 1001\.0\.0-SNAPSHOT \(Cloud\)/);
  });

  it('reads every page of a project into Arrow with types from the field metadata', async () => {
    await using conn = await open(config);
    const table = await tableOf(conn, 'OPS');
    expect(table.numRows).toBe(257);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({ key: 'Utf8', summary: 'Utf8', status: 'Utf8', created: expect.stringMatching(/^Timestamp/), duedate: expect.stringMatching(/^Date/), labels: 'List<Utf8>', 'Story Points': 'Float64', customfield_10020: 'Utf8' });
    expect(types.assignee).toMatch(/^Struct<\{accountId:Utf8, name:Utf8, displayName:Utf8, emailAddress:Utf8, active:Bool\}>/);
    expect(types.customfield_10030).toMatch(/^List<Struct/);
    const rows = table.toArray().map((r) => r.toJSON() as Record<string, unknown>);
    expect(rows.map((r) => r.key)).toEqual(Array.from({ length: 257 }, (_, i) => `OPS-${i + 1}`));
    const second = rows[1]!;
    expect(second.status).toBe('Done');
    expect((second.assignee as { toJSON(): unknown }).toJSON()).toEqual({ accountId: '5b10a2844c20165700ede21g', name: null, displayName: 'Ada Lovelace', emailAddress: EMAIL, active: true });
    expect(second.created).toBe(Date.UTC(2024, 0, 2, 9, 30)); // 10:30 +0100
    expect(second['Story Points']).toBe(1.5);
    expect(second.customfield_10020).toBe('Platform');
    expect([...(second.labels as Iterable<string>)]).toEqual(['ops', 'l1']);
    expect(rows[0]!.duedate).toBe(Date.UTC(2024, 2, 15));
    expect(rows[0]!['Story Points']).toBeNull();
    // ADF flattened by blocks: the heading does not run into the paragraph.
    expect(rows[0]!.description).toBe('Context\nDisk 0 is full (see @Bob)');
    // Three pages of 100 (enhanced search, nextPageToken), all with the project's JQL.
    expect(fake.searches.slice(-3)).toEqual(['project = "OPS"', 'project = "OPS"', 'project = "OPS"']);
  });

  it('keeps ADF as JSON text with flattenAdf: false, and projects columns', async () => {
    await using conn = await open({ ...config, flattenAdf: false });
    const rows = await rowsOf(conn, 'WEB', { columns: ['key', 'description'] });
    expect(Object.keys(rows[0]!)).toEqual(['key', 'description']);
    expect(JSON.parse(rows[0]!.description as string)).toMatchObject({ type: 'doc', version: 1 });
  });

  it('sends a configured query and a hostile filter value as escaped JQL', async () => {
    await using conn = await open(config);
    await rowsOf(conn, 'open_ops', { filter: where.eq('summary', 'x" OR project = "WEB') });
    expect(fake.searches.at(-1)).toBe('project = "OPS" AND (status IN ("Open", "In Progress") AND summary = "x\\" OR project = \\"WEB") ORDER BY created DESC');
  });

  it('refuses names that are neither a query nor a project key, and unknown fields, naming them', async () => {
    await using conn = await open(config);
    await expect(rowsOf(conn, 'ops; drop')).rejects.toThrow(/neither a query .* nor a project key/);
    await expect(rowsOf(conn, 'OPS', { columns: ['key', 'Story Pointz'] })).rejects.toThrow(/no field 'Story Pointz'.*Story Points/);
  });

  it('lists projects and queries with their schemas in discover()', async () => {
    await using conn = await open(config);
    const found = await conn.discover();
    expect(found.map((d) => `${d.kind}:${d.name}`)).toEqual(['project:OPS', 'project:WEB', 'query:open_ops']);
    expect(found[0]!.columns.map((c) => c.name)).toContain('Story Points');
    expect(found[2]!.description).toBe('project = "OPS" AND status IN ("Open", "In Progress") ORDER BY created DESC');
  });

  it('creates issues in bulk (50 per request), ADF descriptions, options and users mapped from metadata', async () => {
    await using conn = await open(config);
    const before = fake.server.requests.filter((r) => r.url.endsWith('/issue/bulk')).length;
    const rows = Array.from({ length: 120 }, (_, i) => ({ summary: `Load ${i}`, issuetype: 'Task', description: `line one\nline two ${i}`, Team: 'Data', labels: ['etl'], 'Story Points': i % 3, assignee: '5b10a2844c20165700ede21g', duedate: new Date(Date.UTC(2025, 5, 1)) }));
    const result = await conn.writeTable(rows, 'OPS', { mode: 'append' });
    expect(result.rows).toBe(120);
    const bulk = fake.server.requests.filter((r) => r.url.endsWith('/issue/bulk')).slice(before);
    expect(bulk.map((r) => (JSON.parse(r.body) as { issueUpdates: unknown[] }).issueUpdates.length)).toEqual([50, 50, 20]);
    const sent = fake.created.at(-1)!.fields;
    expect(sent).toMatchObject({
      project: { key: 'OPS' },
      issuetype: { name: 'Task' },
      customfield_10020: { value: 'Data' },
      customfield_10016: 119 % 3,
      assignee: { accountId: '5b10a2844c20165700ede21g' },
      duedate: '2025-06-01',
      labels: ['etl'],
      description: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'line one' }] }, { type: 'paragraph', content: [{ type: 'text', text: 'line two 119' }] }] },
    });
  });

  it('reports refused rows one by one and creates the others', async () => {
    await using conn = await open(config);
    const rows = [
      { summary: 'good 1', issuetype: 'Bug' },
      { summary: 'bad type', issuetype: 'Epic-ish' },
      { summary: '', issuetype: 'Task' },
      { summary: 'good 2', issuetype: 'Story' },
    ];
    const result = await conn.createIssues('WEB', rows);
    expect(result.created.map((c) => [c.row, c.key])).toEqual([[0, expect.stringMatching(/^WEB-\d+$/)], [3, expect.stringMatching(/^WEB-\d+$/)]]);
    expect(result.failed).toEqual([
      { row: 1, status: 400, messages: ['issuetype: Specify a valid issue type'] },
      { row: 2, status: 400, messages: ['summary: You must specify a summary of the issue.'] },
    ]);
    // Through writeTable the same rows fail the write, with every refused row in the details.
    const error = await conn.writeTable(rows, 'WEB', { mode: 'append' }).then(() => undefined, (e: unknown) => e as { code: string; message: string; details: { failed: unknown[]; created: unknown[] } });
    expect(error?.code).toBe('WRITE_FAILED');
    expect(error?.message).toMatch(/2 of 4 issue\(s\) were refused \(2 created\): row 1: issuetype: Specify a valid issue type \| row 2: summary/);
    expect(error?.details.failed).toHaveLength(2);
  });

  it('reports a request where every issue failed (HTTP 400 with per-issue errors) per row', async () => {
    await using conn = await open(config);
    const result = await conn.createIssues('NOPE', [{ summary: 'a', issuetype: 'Bug' }]);
    expect(result.created).toEqual([]);
    expect(result.failed).toEqual([{ row: 0, status: 400, messages: ['project: valid project is required'] }]);
  });

  it('refuses overwrite and unknown write columns before sending anything', async () => {
    await using conn = await open(config);
    await expect(conn.writeTable([{ summary: 'x' }], 'OPS', { mode: 'overwrite' })).rejects.toThrow(/mode 'overwrite' has no meaning/);
    await expect(conn.writeTable([{ summary: 'x', nonsense_field: 1 }], 'OPS', { mode: 'append' })).rejects.toThrow(/no field 'nonsense_field'/);
  });

  it('refuses Spark clearly', async () => {
    await using conn = await open(config);
    expect(() => conn.sparkRead('OPS', {})).toThrow(/Spark has no data source for Jira/);
  });
});

describe('bad input and server faults', () => {
  it('fails a wrong API token with AUTHENTICATION_FAILED and never prints it', async () => {
    const fake = await startFakeJira();
    try {
      await using conn = await open({ baseUrl: fake.url, auth: { type: 'api_token', email: EMAIL, apiToken: 'wrong-Token-Do-Not-Print-99' }, retry: { attempts: 1 } });
      const error = await failure(rowsOf(conn, 'OPS'));
      expect(error.code).toBe('AUTHENTICATION_FAILED');
      expect(error.message).toMatch(/401/);
      const shown = JSON.stringify({ message: error.message, error });
      expect(shown).not.toContain('wrong-Token-Do-Not-Print-99');
      expect(shown).not.toContain(Buffer.from(`${EMAIL}:wrong-Token-Do-Not-Print-99`).toString('base64'));
      const report = await conn.check({ timeoutMs: 5000 });
      expect(report.failedTier).toBe('auth');
    } finally {
      await fake.close();
    }
  });

  it('accepts an OAuth 2.0 access token (bearer)', async () => {
    const fake = await startFakeJira();
    try {
      await using conn = await open({ baseUrl: fake.url, auth: { type: 'bearer', token: BEARER } });
      expect(await rowsOf(conn, 'WEB', { columns: ['key'] })).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });

  it('stops a search whose nextPageToken never changes', async () => {
    const fake = await startFakeJira({ loopingToken: true });
    try {
      await using conn = await open({ baseUrl: fake.url, auth: { type: 'api_token', email: EMAIL, apiToken: API_TOKEN } });
      await expect(rowsOf(conn, 'OPS', { columns: ['key'] })).rejects.toThrow(/same nextPageToken twice, which would loop forever/);
      expect(fake.searches.length).toBe(2);
    } finally {
      await fake.close();
    }
  });

  it('fails a search that still has more after maxPages instead of truncating it', async () => {
    const fake = await startFakeJira({ issues: makeIssues('OPS', 30) });
    try {
      await using conn = await open({ baseUrl: fake.url, auth: { type: 'api_token', email: EMAIL, apiToken: API_TOKEN }, pageSize: 10, maxPages: 2 });
      await expect(rowsOf(conn, 'OPS', { columns: ['key'] })).rejects.toThrow(/still had more after maxPages=2 pages/);
      expect(fake.searches).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });

  it('fails a malformed JSON page with a typed error', async () => {
    const fake = await startFakeJira({ malformedSearch: true });
    try {
      await using conn = await open({ baseUrl: fake.url, auth: { type: 'api_token', email: EMAIL, apiToken: API_TOKEN } });
      const error = await failure(rowsOf(conn, 'OPS', { columns: ['key'] }));
      expect(error.code).toBe('QUERY_FAILED');
      expect(error.message).toMatch(/not JSON/);
    } finally {
      await fake.close();
    }
  });

  it('waits out 429 + Retry-After on bulk create and then creates every issue once', async () => {
    const fake = await startFakeJira({ throttleBulk: 2 });
    try {
      await using conn = await open({ baseUrl: fake.url, auth: { type: 'api_token', email: EMAIL, apiToken: API_TOKEN }, retry: { attempts: 4, baseDelayMs: 10 } });
      const result = await conn.writeTable([{ summary: 'after throttling', issuetype: 'Task' }], 'OPS', { mode: 'append' });
      expect(result.rows).toBe(1);
      const bulk = fake.server.requests.filter((r) => r.url.endsWith('/issue/bulk'));
      expect(bulk).toHaveLength(3);
      expect(fake.created.map((c) => c.fields.summary)).toEqual(['after throttling']);
    } finally {
      await fake.close();
    }
  });

  it('reads Jira Data Center with a PAT through REST v2 startAt/maxResults paging', async () => {
    const fake = await startFakeJira({ issues: makeIssues('OPS', 130) });
    try {
      await using conn = await open({ baseUrl: fake.url, deployment: 'datacenter', healthPath: '/rest/api/2/myself', auth: { type: 'pat', token: BEARER }, pageSize: 50 });
      const rows = await rowsOf(conn, 'OPS', { columns: ['key', 'summary', 'created'] });
      expect(rows).toHaveLength(130);
      expect(rows[129]).toMatchObject({ key: 'OPS-130', summary: 'Issue 130 of OPS' });
      const v2 = fake.server.requests.filter((r) => r.url.startsWith('/rest/api/2/search'));
      expect(v2.map((r) => new URL(r.url, 'http://x').searchParams.get('startAt'))).toEqual(['0', '50', '100']);
      expect(fake.server.requests.some((r) => r.url.startsWith('/rest/api/2/field'))).toBe(true);
      const report = await conn.check({ timeoutMs: 5000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
