/**
 * Opt-in live suite against the real Slack Web API: set SPARKLE_TEST_SLACK_TOKEN (a bot token with
 * chat:write) and SPARKLE_TEST_SLACK_CHANNEL (a channel id the bot is in). Without them it is
 * skipped by declaration, saying why (no Slack server can run on the test machine).
 */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { SlackConnection } from '../src/index.js';

const token = process.env.SPARKLE_TEST_SLACK_TOKEN;
const channel = process.env.SPARKLE_TEST_SLACK_CHANNEL;
const reason = 'SPARKLE_TEST_SLACK_TOKEN and SPARKLE_TEST_SLACK_CHANNEL are not set: no Slack workspace to test against';
if (!token || !channel) console.info(`[slack live] skipped: ${reason}`);

describe.skipIf(!token || !channel)(`slack live (${token && channel ? 'SPARKLE_TEST_SLACK_TOKEN' : reason})`, () => {
  const open = () => getConnection<SlackConnection>('slack', { config: { token: token!, channel: channel! }, dotenv: false, variables: {} });

  it('check() passes every tier (auth.test)', async () => {
    await using slack = await open();
    const report = await slack.check({ timeoutMs: 20_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });

  it('posts a message and a thread reply', async () => {
    await using slack = await open();
    const parent = await slack.send({ subject: 'Sparkle live test', text: `run ${new Date().toISOString()}` });
    expect(parent.accepted).toBe(1);
    const reply = await slack.send({ text: 'thread reply', payload: { thread_ts: parent.id } });
    expect(reply.accepted).toBe(1);
  });

  it('shares a small CSV file with a comment (needs files:write)', async () => {
    await using slack = await open();
    const shared = await slack.send({ text: 'Sparkle live test: a file', attachments: [{ filename: 'sparkle-live.csv', content: 'id,name\n1,Ada\n', contentType: 'text/csv' }] });
    expect(shared.accepted).toBe(1);
    expect(shared.id).toMatch(/^F/);
  });
});
