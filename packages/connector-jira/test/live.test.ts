/**
 * Opt-in live suite against a real Jira Cloud site: set SPARKLE_TEST_JIRA_LIVE_URL (the site root,
 * e.g. the `…atlassian.net` address), SPARKLE_TEST_JIRA_LIVE_EMAIL, SPARKLE_TEST_JIRA_LIVE_TOKEN (an
 * API token) and SPARKLE_TEST_JIRA_LIVE_PROJECT (a project key the account may browse). Set
 * SPARKLE_TEST_JIRA_LIVE_CREATE=1 as well to create one issue (type SPARKLE_TEST_JIRA_LIVE_ISSUETYPE,
 * default Task). Without them it is skipped by declaration, saying why: no Jira can run here.
 */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { JiraConnection } from '../src/index.js';

const env = process.env;
const url = env.SPARKLE_TEST_JIRA_LIVE_URL;
const email = env.SPARKLE_TEST_JIRA_LIVE_EMAIL;
const token = env.SPARKLE_TEST_JIRA_LIVE_TOKEN;
const project = env.SPARKLE_TEST_JIRA_LIVE_PROJECT;
const ready = Boolean(url && email && token && project);
const reason = 'SPARKLE_TEST_JIRA_LIVE_URL, _EMAIL, _TOKEN and _PROJECT are not set: no Jira site to test against';
if (!ready) console.info(`[jira live] skipped: ${reason}`);

describe.skipIf(!ready)(`jira live (${ready ? url : reason})`, () => {
  const open = () => getConnection<JiraConnection>('jira', { config: { baseUrl: url!, auth: { type: 'api_token', email: email!, apiToken: token! }, pageSize: 50 }, dotenv: false, variables: {} });

  it('check() passes every tier (/myself, /serverInfo)', async () => {
    await using jira = await open();
    const report = await jira.check({ timeoutMs: 20_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });

  it('reads the project through the enhanced search with a schema from /field', async () => {
    await using jira = await open();
    const frame = (await jira.readTable(project!, { columns: ['key', 'summary', 'status', 'created'] })) as unknown as { toTable(): Promise<{ numRows: number; schema: { fields: Array<{ name: string }> } }> };
    const table = await frame.toTable();
    expect(table.schema.fields.map((f) => f.name)).toEqual(['key', 'summary', 'status', 'created']);
    expect(table.numRows).toBeGreaterThanOrEqual(0);
  });

  it.skipIf(env.SPARKLE_TEST_JIRA_LIVE_CREATE !== '1')('creates one issue (SPARKLE_TEST_JIRA_LIVE_CREATE=1)', async () => {
    await using jira = await open();
    const result = await jira.createIssues(project!, [{ summary: `Sparkle live test ${new Date().toISOString()}`, issuetype: env.SPARKLE_TEST_JIRA_LIVE_ISSUETYPE ?? 'Task', description: 'Created by the Sparkle live suite; safe to delete.' }]);
    expect(result.failed).toEqual([]);
    expect(result.created[0]?.key).toMatch(new RegExp(`^${project}-\\d+$`));
  });
});
