/**
 * The `slack` connection: the real `@slack/web-api` client against an in-process fake of the Web
 * API endpoints it calls (no Slack server can run here): testkit's notify suite, blocks, threads,
 * files through the external upload flow, several channels with per-channel refusals, 429 + Retry-After waited out or failed fast,
 * token refusals, and no token printed. The live suite is live.test.ts.
 */
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { ensureLocalEngine, sampleTable, SAMPLE_ROWS, testConnector, testNotifier } from '@sparkle/testkit';
import '../src/index.js';
import { SlackConnection } from '../src/index.js';
import { SLACK_TOKEN, startFakeSlack } from './fake-slack.js';

const slack = await startFakeSlack();
afterAll(() => slack.close());

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { token: SLACK_TOKEN, apiUrl: slack.apiUrl, retries: 2, ...extra };
}
function open(extra: Record<string, unknown> = {}) {
  return getConnection<SlackConnection>('slack', { config: config(extra), dotenv: false, variables: {} });
}
async function caught(p: Promise<unknown>): Promise<SparkleError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(SparkleError.isInstance(e), `expected a SparkleError, got ${String(e)}`).toBe(true);
  return e as SparkleError;
}

testConnector({
  type: 'slack',
  aliases: [],
  connectionClass: SlackConnection,
  validConfig: { token: 'xoxb-conformance-Token-Never-Shown', channel: '#data-ops' },
  invalidConfigs: [
    { name: 'no token', config: { channel: '#x' }, path: 'token' },
    { name: 'an unknown rate-limit policy', config: { token: 't', rateLimit: 'ignore' }, path: 'rateLimit' },
    { name: 'a thread ts that is not a Slack ts', config: { token: 't', threadTs: 'yesterday' }, path: 'threadTs' },
  ],
  secretFields: ['token'],
  capabilities: { read: false, write: true, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { token: 'xoxb-x', apiUrl: 'http://127.0.0.1:1/api/', retries: 0 },
});

testNotifier({
  name: 'slack (real @slack/web-api client, fake Web API)',
  open: (lineage) => getConnection<SlackConnection>('slack', { config: config(), lineage, dotenv: false, variables: {} }),
  recipients: ['C0OPS'],
  rejectedRecipient: 'C404',
  received: () => slack.received(),
});

describe('slack specifics', () => {
  it('sends the token as a bearer header, posts blocks and thread replies as given', async () => {
    await using conn = await open();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*orders*: 1,204 rows' } }];
    const parent = await conn.send({ to: ['C0OPS'], subject: 'Load done', text: 'see thread', payload: { blocks } });
    expect(parent.id).toMatch(/^\d+\.\d+$/);
    await conn.send({ to: ['C0OPS'], text: 'details', payload: { thread_ts: parent.id } });
    const [p1, p2] = slack.posts.slice(-2);
    expect(p1).toMatchObject({ channel: 'C0OPS', text: '*Load done*\nsee thread', blocks });
    expect(p2).toMatchObject({ channel: 'C0OPS', text: 'details', thread_ts: parent.id });
    expect(slack.authHeaders.at(-1)).toBe(`Bearer ${SLACK_TOKEN}`);
  });

  it('posts to every channel, listing the ones Slack refused; the default channel applies', async () => {
    await using conn = await open({ channel: 'C0DEFAULT' });
    const result = await conn.send({ to: ['C0A', 'CARCHIVED', '#data-ops', '#nowhere'], text: 'fan-out' });
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([
      { recipient: 'CARCHIVED', reason: 'is_archived' },
      { recipient: '#nowhere', reason: 'channel_not_found' },
    ]);
    await conn.send({ text: 'to the default' });
    expect(slack.posts.at(-1)).toMatchObject({ channel: 'C0DEFAULT', text: 'to the default' });
  });

  it('every channel refused: a WriteError naming each', async () => {
    await using conn = await open();
    const e = await caught(conn.send({ to: ['C404', 'CARCHIVED'], text: 'x' }));
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.message).toContain('C404: channel_not_found; CARCHIVED: is_archived');
  });

  it('waits out a 429 for the Retry-After the API gives, then posts', async () => {
    await using conn = await open();
    slack.throttle.remaining = 1;
    const before = slack.authHeaders.length;
    const result = await conn.send({ to: ['C0OPS'], text: 'after the wait' });
    expect(result.accepted).toBe(1);
    expect(slack.authHeaders.length - before).toBe(2);
    expect(slack.posts.at(-1)?.text).toBe('after the wait');
  });

  it("with rateLimit 'fail', a 429 is a retryable error carrying Retry-After", async () => {
    await using conn = await open({ rateLimit: 'fail' });
    slack.throttle.remaining = 1;
    const e = await caught(conn.send({ to: ['C0OPS'], text: 'x' }));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.retryable).toBe(true);
    expect(e.details.retryAfterMs).toBe(1000);
    slack.throttle.remaining = 0;
  });

  it('a refused token is AUTHENTICATION_FAILED in send and check, and is never printed', async () => {
    const wrong = 'xoxb-Wrong-Token-Never-Shown-0007';
    await using conn = await open({ token: wrong });
    const e = await caught(conn.send({ to: ['C0OPS'], text: 'x' }));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('invalid_auth');
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.failedTier).toBe('auth');
    for (const shown of [e.message, inspect(e, { depth: 8 }), JSON.stringify(e), JSON.stringify(report), String(conn), inspect(conn)]) expect(shown).not.toContain(wrong);
  });

  it('a missing scope names the scope the token needs', async () => {
    await using conn = await open();
    const e = await caught(conn.send({ to: ['CSCOPE'], text: 'x' }));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.message).toContain('chat:write.public');
  });

  it('check() runs auth.test and posts nothing', async () => {
    await using conn = await open();
    const before = slack.posts.length;
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toContain('workspace Sparkle Test as sparkle-bot');
    expect(slack.posts.length).toBe(before);
  });

  it('refuses what Slack messages cannot carry, typed', async () => {
    await using conn = await open();
    expect((await caught(conn.send({ to: ['C0OPS'], text: 'x', cc: ['C0B'] }))).code).toBe('UNSUPPORTED');
    expect((await caught(conn.send({ to: ['C0OPS'], html: '<b>x</b>' }))).code).toBe('INVALID_ARGUMENT');
    expect((await caught(conn.send({ text: 'no channel anywhere' }))).code).toBe('INVALID_ARGUMENT');
  });

  it('shares files through the upload flow: bytes intact, text as the comment, no token sent to the upload URL', async () => {
    await using conn = await open();
    const binary = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const result = await conn.send({ to: ['C0FILES'], text: 'nightly extract', attachments: [{ filename: 'rows.parquet', content: binary }] });
    expect(result.accepted).toBe(1);
    expect(result.id).toMatch(/^F\d+$/);
    const post = slack.posts.at(-1)!;
    expect(post).toMatchObject({ channel: 'C0FILES', text: 'nightly extract' });
    expect(post.files?.[0]?.filename).toBe('rows.parquet');
    expect(post.files?.[0]?.content.equals(Buffer.from(binary))).toBe(true);
    const slot = slack.uploads.get(result.id!)!;
    expect(slot.headers?.authorization).toBeUndefined();
    expect(JSON.stringify(slot.headers)).not.toContain(SLACK_TOKEN);
  });

  it('with blocks, posts the message and shares the files in its thread', async () => {
    await using conn = await open();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*report*' } }];
    const result = await conn.send({ to: ['C0FILES'], text: 'report', payload: { blocks }, attachments: [{ filename: 'r.csv', content: 'a,b\n1,2\n' }] });
    const [message, files] = slack.posts.slice(-2);
    expect(message).toMatchObject({ channel: 'C0FILES', blocks, ts: result.id });
    expect(files).toMatchObject({ channel: 'C0FILES', thread_ts: result.id });
    expect(files!.files?.[0]?.content.toString('utf8')).toBe('a,b\n1,2\n');
  });

  it('files to a channel Slack refuses are reported for that channel; the others still get them', async () => {
    await using conn = await open();
    const result = await conn.send({ to: ['C0FILES', 'C404'], text: 'fan-out', attachments: [{ filename: 'x.txt', content: 'x' }] });
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([{ recipient: 'C404', reason: 'channel_not_found' }]);
  });

  it('refuses an upload URL that is neither https nor the API origin: the bytes go nowhere', async () => {
    await using conn = await open();
    slack.uploadUrlOverride.value = 'http://127.0.0.2:9/steal';
    try {
      const e = await caught(conn.send({ to: ['C0FILES'], text: 'x', attachments: [{ filename: 'secret.csv', content: 'pii' }] }));
      expect(e.code).toBe('WRITE_FAILED');
      expect(e.message).toContain('refusing to upload secret.csv to http://127.0.0.2:9');
    } finally {
      delete slack.uploadUrlOverride.value;
    }
  });

  it('writeTable (summary): one post with the row count and a preview code block', async () => {
    await ensureLocalEngine();
    await using conn = await open({ channel: 'C0REPORTS', table: { previewRows: 2 } });
    const result = await conn.writeTable(sampleTable(), 'nightly_orders', { mode: 'append' });
    expect(result.rows).toBe(SAMPLE_ROWS.length);
    const post = slack.posts.at(-1)!;
    expect(post.channel).toBe('C0REPORTS');
    expect(post.text.split('\n')[0]).toBe(`*nightly_orders*: ${SAMPLE_ROWS.length} rows`);
    expect(post.text).toMatch(/```\nid\s+name\s+score\s+active\n/);
    expect(post.text).toContain(`… and ${SAMPLE_ROWS.length - 2} more`);
  });

  it('writeTable (row mode): one post per row, bounded by maxMessages', async () => {
    await ensureLocalEngine();
    await using conn = await open({ channel: 'C0ALERTS', table: { mode: 'row' } });
    const before = slack.posts.length;
    await conn.writeTable(sampleTable(), 'alerts', { mode: 'append' });
    const posts = slack.posts.slice(before);
    expect(posts).toHaveLength(SAMPLE_ROWS.length);
    expect(posts[0]!.text).toBe(`*alerts* row 1\nid: ${SAMPLE_ROWS[0]!.id}\nname: ${SAMPLE_ROWS[0]!.name ?? ''}\nscore: ${SAMPLE_ROWS[0]!.score ?? ''}\nactive: ${SAMPLE_ROWS[0]!.active ?? ''}`);
    await using capped = await open({ channel: 'C0ALERTS', table: { mode: 'row', maxMessages: 2 } });
    const e = await caught(capped.writeTable(sampleTable(), 'alerts', { mode: 'append' }));
    expect(e.message).toContain('maxMessages=2 (2 posted)');
  });
});
