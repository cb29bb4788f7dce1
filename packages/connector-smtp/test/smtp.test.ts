/**
 * The `smtp` connection against a real SMTP server in this process (smtp-server, STARTTLS with a
 * certificate made for the test, AUTH): testkit's notify suite (message and attachments arrive
 * intact, lineage, empty messages refused, refused recipients reported, check() never sends), plus
 * auth failure, TLS refusal, temporary and permanent refusals, bad addresses and redaction.
 */
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { ensureLocalEngine, sampleTable, SAMPLE_ROWS, testConnector, testNotifier } from '@sparkle/testkit';
import '../src/index.js';
import { SmtpConnection } from '../src/index.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer } from './server.js';

const server = await startSmtpServer();
afterAll(() => server.close());

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: '127.0.0.1', port: server.port, user: SMTP_USER, password: SMTP_PASSWORD, from: 'ETL <etl@example.test>', tls: { ca: server.ca }, connectTimeoutMs: 5000, ...extra };
}

function open(extra: Record<string, unknown> = {}) {
  return getConnection<SmtpConnection>('smtp', { config: config(extra), dotenv: false, variables: {} });
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
  type: 'smtp',
  aliases: ['email'],
  connectionClass: SmtpConnection,
  validConfig: { host: 'mail.example.test', user: 'etl', password: 'smtp-Conformance-Password-Never-Shown', from: 'etl@example.test', to: ['ops@example.test'] },
  invalidConfigs: [
    { name: 'no sender', config: { host: 'mail.example.test' }, path: 'from' },
    { name: 'a password without a user', config: { host: 'mail.example.test', from: 'etl@example.test', password: 'x' }, path: 'user' },
    { name: 'an unknown STARTTLS mode', config: { host: 'mail.example.test', from: 'etl@example.test', starttls: 'sometimes' }, path: 'starttls' },
  ],
  secretFields: ['password'],
  capabilities: { read: false, write: true, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { host: '127.0.0.1', port: 1, from: 'etl@example.test' },
});

testNotifier({
  name: 'smtp against smtp-server (STARTTLS + AUTH)',
  open: (lineage) => getConnection<SmtpConnection>('smtp', { config: config(), lineage, dotenv: false, variables: {} }),
  recipients: ['ops@example.test', 'data@example.test'],
  rejectedRecipient: 'nobody@example.test',
  received: () => server.received(),
});

describe('smtp specifics', () => {
  it('sends html, cc and bcc; the envelope reaches every recipient and the headers show no bcc', async () => {
    await using mail = await open();
    const result = await mail.send({ to: ['a@example.test'], cc: ['b@example.test'], bcc: ['hidden@example.test'], subject: 'html-check', html: '<p>Rows: <b>42</b></p>' });
    expect(result.accepted).toBe(3);
    expect(result.id).toMatch(/^<.+>$/);
    const got = (await server.received()).find((m) => m.subject === 'html-check')!;
    expect(got.html).toContain('<b>42</b>');
    expect(got.to.sort()).toEqual(['a@example.test', 'b@example.test', 'hidden@example.test']);
    expect(got.from).toContain('etl@example.test');
    const raw = server.stored.find((s) => s.raw.toString('utf8').includes('html-check'))!.raw.toString('utf8');
    expect(raw).not.toContain('hidden@example.test');
  });

  it('uses the configured default recipients', async () => {
    await using mail = await open({ to: ['default@example.test'] });
    await mail.send({ subject: 'defaults-check', text: 'x' });
    expect((await server.received()).find((m) => m.subject === 'defaults-check')?.to).toEqual(['default@example.test']);
  });

  it('reports each syntactically bad address and sends nothing', async () => {
    await using mail = await open();
    const before = server.stored.length;
    const e = await caught(mail.send({ to: ['ok@example.test', 'not an address', 'a@b.test, c@d.test'], subject: 'bad', text: 'x' }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain("'not an address' (not an e-mail address");
    expect(e.message).toContain("'a@b.test, c@d.test' (one address per entry");
    expect((e.details.invalid as unknown[]).length).toBe(2);
    expect(server.stored.length).toBe(before);
  });

  it('lists each refused recipient with the server answer; 4xx and 5xx alike', async () => {
    await using mail = await open();
    const result = await mail.send({ to: ['fine@example.test', 'nobody@example.test', 'busy@example.test'], subject: 'mixed', text: 'x' });
    expect(result.accepted).toBe(1);
    expect(result.rejected?.map((r) => r.recipient)).toEqual(['nobody@example.test', 'busy@example.test']);
    expect(result.rejected?.[0]?.reason).toMatch(/550/);
    expect(result.rejected?.[1]?.reason).toMatch(/450/);
  });

  it('all recipients refused temporarily: a retryable WriteError naming each', async () => {
    await using mail = await open();
    const e = await caught(mail.send({ to: ['busy@example.test'], subject: 'busy', text: 'x' }));
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('busy@example.test: 450');
  });

  it('all recipients refused permanently: not retryable', async () => {
    await using mail = await open();
    const e = await caught(mail.send({ to: ['nobody@example.test'], subject: 'nobody', text: 'x' }));
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.retryable).toBe(false);
  });

  it('a 451 after DATA is a retryable WriteError', async () => {
    await using mail = await open();
    const e = await caught(mail.send({ to: ['ok@example.test'], subject: 'please defer-me', text: 'x' }));
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.retryable).toBe(true);
    expect(e.details.responseCode).toBe(451);
  });

  it('a wrong password fails typed and not retryable, in send and in check, printing no password', async () => {
    const wrong = 'smtp-Wrong-Password-Never-Shown-12';
    await using mail = await open({ password: wrong });
    const e = await caught(mail.send({ to: ['ops@example.test'], subject: 'x', text: 'x' }));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    const report = await mail.check({ timeoutMs: 10_000 });
    expect(report.failedTier).toBe('auth');
    for (const shown of [e.message, inspect(e, { depth: 6 }), JSON.stringify(e), JSON.stringify(report), String(mail), inspect(mail)]) {
      expect(shown).not.toContain(wrong);
      expect(shown).not.toContain(SMTP_PASSWORD);
    }
  });

  it('check() logs in (AUTH after STARTTLS) and sends nothing', async () => {
    await using mail = await open();
    const before = { auths: server.auths, stored: server.stored.length };
    const report = await mail.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/STARTTLS required.*AUTH as etl-mailer/);
    expect(server.auths).toBe(before.auths + 1);
    expect(server.stored.length).toBe(before.stored);
  });

  it('refuses a server certificate it cannot verify, typed, not retryable', async () => {
    await using mail = await open({ tls: {} });
    const e = await caught(mail.send({ to: ['ops@example.test'], subject: 'x', text: 'x' }));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/TLS/);
  });

  it('an unreachable server is a retryable connection failure', async () => {
    await using mail = await open({ port: 1 });
    const e = await caught(mail.send({ to: ['ops@example.test'], subject: 'x', text: 'x' }));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.retryable).toBe(true);
  });

  it('writeTable (summary): one e-mail with the count, a preview and every row as CSV', async () => {
    await ensureLocalEngine();
    await using mail = await open({ to: ['reports@example.test'] });
    const result = await mail.writeTable(sampleTable(), 'nightly orders', { mode: 'append' });
    expect(result.rows).toBe(SAMPLE_ROWS.length);
    const got = (await server.received()).find((m) => m.subject === `nightly orders: ${SAMPLE_ROWS.length} rows`)!;
    expect(got.to).toEqual(['reports@example.test']);
    expect(got.text).toContain(`${SAMPLE_ROWS.length} rows written to 'nightly orders'.`);
    expect(got.text).toMatch(/id\s+name\s+score\s+active/);
    const csv = Buffer.from(got.attachments.find((a) => a.filename === 'nightly_orders.csv')!.content).toString('utf8').split('\r\n');
    expect(csv[0]).toBe('id,name,score,active');
    expect(csv.filter((l) => l !== '')).toHaveLength(SAMPLE_ROWS.length + 1);
    const first = SAMPLE_ROWS[0]!;
    expect(csv[1]!.startsWith(`${first.id},`)).toBe(true);
  });

  it('writeTable (row mode): one e-mail per row, bounded by maxMessages; overwrite refused', async () => {
    await ensureLocalEngine();
    await using mail = await open({ to: ['rows@example.test'], table: { mode: 'row' } });
    const before = server.stored.length;
    await mail.writeTable(sampleTable(), 'alerts', { mode: 'append' });
    const rows = (await server.received()).slice(before);
    expect(rows.map((m) => m.subject)).toEqual(SAMPLE_ROWS.map((_, i) => `alerts: row ${i + 1}`));
    expect(rows[0]!.text).toContain(`id: ${SAMPLE_ROWS[0]!.id}`);
    await using capped = await open({ to: ['rows@example.test'], table: { mode: 'row', maxMessages: 1 } });
    const e = await caught(capped.writeTable(sampleTable(), 'alerts', { mode: 'append' }));
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.message).toContain('maxMessages=1 (1 sent)');
    expect((await caught(mail.writeTable(sampleTable(), 'alerts', { mode: 'overwrite' }))).code).toBe('UNSUPPORTED');
  });
});
