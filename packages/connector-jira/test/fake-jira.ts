/**
 * An in-process fake of the Jira Cloud REST calls jira.js makes for this connector, on node:http:
 * `/myself`, `/serverInfo`, `/field`, `/project/search`, enhanced search (`POST /search/jql` with
 * `nextPageToken`), bulk create (`POST /issue/bulk`, at most 50), and the Data Center v2 search
 * (`GET /rest/api/2/search` with `startAt`). Payloads and errors have Jira's shapes; auth is
 * checked on every call (Basic email:token or Bearer). It does not evaluate JQL: it keeps the
 * JQL it received (tests assert it) and limits issues to the project named in it.
 */
import { sendJson, startHttpServer, type TestHttpServer } from '@sparkle/testkit';

export const EMAIL = 'ada@example.test';
export const API_TOKEN = 'jira-Api-Token-Never-Printed-42';
export const BEARER = 'jira-Oauth-Access-Token-Never-Printed-7';

export const FIELDS = [
  { id: 'summary', key: 'summary', name: 'Summary', custom: false, schema: { type: 'string', system: 'summary' } },
  { id: 'description', key: 'description', name: 'Description', custom: false, schema: { type: 'string', system: 'description' } },
  { id: 'status', key: 'status', name: 'Status', custom: false, schema: { type: 'status', system: 'status' } },
  { id: 'issuetype', key: 'issuetype', name: 'Issue Type', custom: false, schema: { type: 'issuetype', system: 'issuetype' } },
  { id: 'priority', key: 'priority', name: 'Priority', custom: false, schema: { type: 'priority', system: 'priority' } },
  { id: 'assignee', key: 'assignee', name: 'Assignee', custom: false, schema: { type: 'user', system: 'assignee' } },
  { id: 'reporter', key: 'reporter', name: 'Reporter', custom: false, schema: { type: 'user', system: 'reporter' } },
  { id: 'created', key: 'created', name: 'Created', custom: false, schema: { type: 'datetime', system: 'created' } },
  { id: 'updated', key: 'updated', name: 'Updated', custom: false, schema: { type: 'datetime', system: 'updated' } },
  { id: 'duedate', key: 'duedate', name: 'Due date', custom: false, schema: { type: 'date', system: 'duedate' } },
  { id: 'labels', key: 'labels', name: 'Labels', custom: false, schema: { type: 'array', items: 'string', system: 'labels' } },
  { id: 'project', key: 'project', name: 'Project', custom: false, schema: { type: 'project', system: 'project' } },
  { id: 'customfield_10016', key: 'customfield_10016', name: 'Story Points', custom: true, schema: { type: 'number', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float', customId: 10016 } },
  { id: 'customfield_10020', key: 'customfield_10020', name: 'Team', custom: true, schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select', customId: 10020 } },
  { id: 'customfield_10030', key: 'customfield_10030', name: 'Watchers list', custom: true, schema: { type: 'array', items: 'user', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiuserpicker', customId: 10030 } },
];

const USERS = {
  ada: { accountId: '5b10a2844c20165700ede21g', displayName: 'Ada Lovelace', emailAddress: EMAIL, active: true, accountType: 'atlassian', timeZone: 'Europe/London' },
  bob: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Bob O\'Brien', active: false, accountType: 'atlassian' },
};

const ISSUE_TYPES = ['Bug', 'Task', 'Story'];
const PROJECTS = [
  { id: '10000', key: 'OPS', name: 'Operations', projectTypeKey: 'software', simplified: false, style: 'classic', isPrivate: false },
  { id: '10001', key: 'WEB', name: 'Website', projectTypeKey: 'business', simplified: true, style: 'next-gen', isPrivate: false },
];

export interface FakeIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
}

const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Context' }] }, { type: 'paragraph', content: [{ type: 'text', text: text }, { type: 'text', text: ' (see ', marks: [{ type: 'em' }] }, { type: 'mention', attrs: { id: USERS.bob.accountId, text: '@Bob' } }, { type: 'text', text: ')' }] }] });

/** `n` issues in project `key`, with every kind of field filled on some. */
export function makeIssues(key: string, n: number, firstId = 10000): FakeIssue[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(firstId + i),
    key: `${key}-${i + 1}`,
    fields: {
      summary: `Issue ${i + 1} of ${key}`,
      description: i % 3 === 0 ? doc(`Disk ${i} is full`) : null,
      status: { self: 'x', name: i % 2 ? 'Done' : 'Open', id: i % 2 ? '10001' : '1', statusCategory: { key: i % 2 ? 'done' : 'new' } },
      issuetype: { id: '10004', name: ISSUE_TYPES[i % 3], subtask: false },
      priority: { id: '3', name: 'Medium' },
      assignee: i % 2 ? USERS.ada : null,
      reporter: USERS.bob,
      created: `2024-01-${String((i % 28) + 1).padStart(2, '0')}T10:30:00.000+0100`,
      updated: '2024-02-01T08:00:00.000+0000',
      duedate: i % 4 === 0 ? '2024-03-15' : null,
      labels: i % 2 ? ['ops', `l${i}`] : [],
      project: PROJECTS.find((p) => p.key === key) ?? PROJECTS[0],
      customfield_10016: i % 5 === 0 ? null : i + 0.5,
      customfield_10020: { self: 'x', value: i % 2 ? 'Platform' : 'Data', id: String(20000 + (i % 2)) },
      customfield_10030: i % 2 ? [USERS.ada, USERS.bob] : null,
    },
  }));
}

export interface FakeJiraOptions {
  issues?: FakeIssue[];
  /** Search answers with the same nextPageToken forever. */
  loopingToken?: boolean;
  /** Search answers with a body that is not JSON. */
  malformedSearch?: boolean;
  /** Bulk create answers 429 with `Retry-After: 1` this many times first. */
  throttleBulk?: number;
}

export interface FakeJira {
  server: TestHttpServer;
  url: string;
  /** JQL of every search, in order. */
  searches: string[];
  /** Issues created, in order. */
  created: FakeIssue[];
  issues: FakeIssue[];
  close(): Promise<void>;
}

function authorized(header: string | string[] | undefined): boolean {
  if (header === `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`) return true;
  return header === `Bearer ${BEARER}`;
}

const token = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
const offsetOf = (t: string | undefined) => (t ? (JSON.parse(Buffer.from(t, 'base64url').toString()) as { o: number }).o : 0);

function pick(issue: FakeIssue, fields: readonly string[]): FakeIssue {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in issue.fields) out[f] = issue.fields[f];
  return { ...issue, fields: out, ...({ self: `https://example.atlassian.net/rest/api/3/issue/${issue.id}`, expand: '' } as object) };
}

export async function startFakeJira(options: FakeJiraOptions = {}): Promise<FakeJira> {
  const issues = options.issues ?? [...makeIssues('OPS', 7), ...makeIssues('WEB', 2, 20000)];
  const searches: string[] = [];
  const created: FakeIssue[] = [];
  let throttled = 0;
  const counters = new Map<string, number>();
  const server = await startHttpServer((req, res) => {
    const url = new URL(req.url, 'http://fake');
    if (!authorized(req.headers.authorization)) {
      return sendJson(res, 401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} }, { 'www-authenticate': 'OAuth realm="https%3A%2F%2Fexample.atlassian.net"' });
    }
    const path = url.pathname;
    const base = path.startsWith('/rest/api/2/') ? '/rest/api/2/' : '/rest/api/3/';
    const rel = path.slice(base.length);
    if (req.method === 'GET' && rel === 'myself') return sendJson(res, 200, { self: 'x', ...USERS.ada, groups: { size: 1, items: [] }, applicationRoles: { size: 1, items: [] } });
    if (req.method === 'GET' && rel === 'serverInfo') return sendJson(res, 200, { baseUrl: 'https://example.atlassian.net', version: '1001.0.0-SNAPSHOT', versionNumbers: [1001, 0, 0], deploymentType: base.includes('/2/') ? 'Server' : 'Cloud', buildNumber: 100287, buildDate: '2025-01-01T00:00:00.000+0000', serverTime: '2025-01-02T00:00:00.000+0000', scmInfo: 'abc', serverTitle: 'Jira' });
    if (req.method === 'GET' && rel === 'field') return sendJson(res, 200, FIELDS.map((f) => ({ ...f, orderable: true, navigable: true, searchable: true, clauseNames: [f.id] })));
    if (req.method === 'GET' && rel === 'project/search') {
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const max = Number(url.searchParams.get('maxResults') ?? 50);
      const values = PROJECTS.slice(startAt, startAt + max);
      return sendJson(res, 200, { self: 'x', maxResults: max, startAt, total: PROJECTS.length, isLast: startAt + values.length >= PROJECTS.length, values });
    }
    if (req.method === 'GET' && rel === 'project' && base.includes('/2/')) return sendJson(res, 200, PROJECTS);
    const projectOf = (jql: string) => /project = "([^"]+)"/.exec(jql)?.[1];
    if (req.method === 'POST' && rel === 'search/jql') {
      if (options.malformedSearch) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"issues": [ {"id": "1", "key": "OPS-1", ');
      const body = JSON.parse(req.body) as { jql?: string; fields?: string[]; maxResults?: number; nextPageToken?: string };
      searches.push(body.jql ?? '');
      if (!body.jql) return sendJson(res, 400, { errorMessages: ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'], errors: {} });
      if (options.loopingToken) return sendJson(res, 200, { issues: [pick(issues[0]!, body.fields ?? [])], nextPageToken: 'same-token', isLast: false });
      const project = projectOf(body.jql);
      const matching = issues.filter((i) => !project || i.key.startsWith(`${project}-`));
      const max = Math.min(body.maxResults ?? 50, 100);
      const start = offsetOf(body.nextPageToken);
      const page = matching.slice(start, start + max).map((i) => pick(i, body.fields ?? ['summary']));
      const more = start + max < matching.length;
      return sendJson(res, 200, { issues: page, ...(more ? { nextPageToken: token(start + max) } : {}), isLast: !more });
    }
    if (req.method === 'GET' && path === '/rest/api/2/search') {
      const jql = url.searchParams.get('jql') ?? '';
      searches.push(jql);
      const project = projectOf(jql);
      const matching = issues.filter((i) => !project || i.key.startsWith(`${project}-`));
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const max = Math.min(Number(url.searchParams.get('maxResults') ?? 50), 100);
      const fields = (url.searchParams.get('fields') ?? 'summary').split(',');
      return sendJson(res, 200, { expand: 'schema,names', startAt, maxResults: max, total: matching.length, issues: matching.slice(startAt, startAt + max).map((i) => pick(i, fields)) });
    }
    if (req.method === 'POST' && rel === 'issue/bulk') {
      if (options.throttleBulk && throttled < options.throttleBulk) {
        throttled++;
        return sendJson(res, 429, { errorMessages: ['Rate limit exceeded.'] }, { 'retry-after': '1' });
      }
      const body = JSON.parse(req.body) as { issueUpdates?: Array<{ fields?: Record<string, unknown> }> };
      const updates = body.issueUpdates ?? [];
      if (updates.length > 50) return sendJson(res, 400, { errorMessages: ['Bulk create is limited to 50 issues per request.'], errors: {} });
      const ok: Array<{ id: string; key: string; self: string }> = [];
      const errors: unknown[] = [];
      updates.forEach((u, n) => {
        const f = u.fields ?? {};
        const projectKey = (f.project as { key?: string } | undefined)?.key;
        const problems: Record<string, string> = {};
        if (!PROJECTS.some((p) => p.key === projectKey)) problems.project = 'valid project is required';
        if (typeof f.summary !== 'string' || !f.summary) problems.summary = 'You must specify a summary of the issue.';
        const type = (f.issuetype as { name?: string } | undefined)?.name;
        if (!type || !ISSUE_TYPES.includes(type)) problems.issuetype = 'Specify a valid issue type';
        if (f.description !== undefined && (f.description as { type?: string }).type !== 'doc') problems.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
        if (Object.keys(problems).length) {
          errors.push({ status: 400, elementErrors: { errorMessages: [], errors: problems, status: 400 }, failedElementNumber: n });
          return;
        }
        const c = (counters.get(projectKey!) ?? issues.filter((i) => i.key.startsWith(`${projectKey}-`)).length) + 1;
        counters.set(projectKey!, c);
        const issue = { id: String(30000 + created.length), key: `${projectKey}-${c}`, fields: f };
        created.push(issue);
        ok.push({ id: issue.id, key: issue.key, self: `https://example.atlassian.net/rest/api/3/issue/${issue.id}` });
      });
      return sendJson(res, ok.length ? 201 : 400, { issues: ok, errors });
    }
    return sendJson(res, 404, { errorMessages: [`No resource at ${path}`], errors: {} });
  });
  return { server, url: server.url, searches, created, issues, close: server.close };
}
