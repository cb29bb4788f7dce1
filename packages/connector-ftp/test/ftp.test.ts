/**
 * The `ftp` connection against a real FTP server in this process (ftp-srv, passive mode on
 * loopback, explicit FTPS offered): testConnector and testObjectStore, then FTPS with a trusted and
 * an untrusted certificate, a wrong password, `..` keys, ranges and atomic writes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows, ensureLocalEngine, sampleTable, testConnector, testObjectStore } from '@sparkle/testkit';
import '../src/index.js';
import { FtpConnection } from '../src/index.js';
import { FTP_PASSWORD, FTP_USER, startFtpServer } from './server.js';

const server = await startFtpServer();
afterAll(() => server.close());

let n = 0;
/** A config on a fresh sub-directory of the server's root (plain FTP unless told). */
function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: '127.0.0.1', port: server.port, user: FTP_USER, password: FTP_PASSWORD, tlsMode: 'none', root: `/t${process.pid}-${++n}`, ...extra };
}
async function open(extra: Record<string, unknown> = {}) {
  await ensureLocalEngine();
  return getConnection<FtpConnection>('ftp', { config: config(extra), dotenv: false, variables: {} });
}
async function caught(p: Promise<unknown>): Promise<SparkleError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(SparkleError.isInstance(e), `expected a SparkleError, got ${String(e)}`).toBe(true);
  return e as SparkleError;
}
const text = async (chunks: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
};

testConnector({
  type: 'ftp',
  aliases: [],
  connectionClass: FtpConnection,
  validConfig: { host: 'ftp.example.test', user: 'etl', password: 'ftp-Conformance-Password-Never-Shown', root: '/outgoing', format: 'csv' },
  invalidConfigs: [
    { name: 'a relative root', config: { host: 'h', root: 'data' }, path: 'root' },
    { name: 'an unknown TLS mode', config: { host: 'h', tlsMode: 'sometimes' }, path: 'tlsMode' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: ['spark.hadoop.fs.ftp.password.ftp.example.test'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true, partitionedRead: false },
  async service() {
    return { config: config({ format: 'csv' }) };
  },
  unreachableConfig: { host: '127.0.0.1', port: 1, tlsMode: 'none' },
});

testObjectStore({ type: 'ftp', config: config() });

describe('ftp specifics', () => {
  it('logs in over explicit FTPS with the server certificate trusted, and passes check()', async () => {
    await using ftp = await open({ tlsMode: 'explicit', tls: { ca: server.ca } });
    await ftp.putObject('secure/a.txt', 'over TLS');
    expect(await text(ftp.getObject('secure/a.txt'))).toBe('over TLS');
    const report = await ftp.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });

  it('refuses an FTPS certificate it cannot verify, typed, not retryable', async () => {
    await using ftp = await open({ tlsMode: 'explicit' });
    const e = await caught(ftp.statObject('x.txt'));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.retryable).toBe(false);
  });

  it('a wrong password is AUTHENTICATION_FAILED and is never printed', async () => {
    const wrong = 'ftp-Wrong-Password-Never-Shown-91';
    await using ftp = await open({ password: wrong });
    const e = await caught(ftp.statObject('x.txt'));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    for (const shown of [e.message, inspect(e, { depth: 6 }), JSON.stringify(e), String(ftp), inspect(ftp)]) expect(shown).not.toContain(wrong);
  });

  it('refuses keys that leave the root before any request', async () => {
    await using ftp = await open();
    for (const key of ['../x.txt', 'a/../../x.txt', '/etc/passwd']) expect((await caught(ftp.putObject(key, 'x'))).code).toBe('INVALID_ARGUMENT');
  });

  it('reads ranges (REST + an aborted transfer), then keeps working on a fresh login', async () => {
    await using ftp = await open();
    await ftp.putObject('r.txt', 'abcdefghijklmnopqrstuvwxyz'.repeat(4000));
    expect(await text(ftp.getObject('r.txt', { range: { start: 3, end: 7 } }))).toBe('defg');
    expect(await text(ftp.getObject('r.txt', { range: { start: 103_998 } }))).toBe('yz');
    expect((await ftp.statObject('r.txt'))?.size).toBe(104_000);
  });

  it('writes under a temp name then renames: nothing else is left, a failing body leaves nothing', async () => {
    const cfg = config();
    await using ftp = await getConnection<FtpConnection>('ftp', { config: cfg, dotenv: false, variables: {} });
    await ftp.putObject('out/data.txt', 'whole');
    const dir = join(server.dir, String(cfg.root), 'out');
    expect(readdirSync(dir)).toEqual(['data.txt']);
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('source broke');
    })();
    await expect(ftp.putObject('out/broken.txt', failing)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['data.txt']);
    expect((await caught(ftp.putObject('out/data.txt', 'again', { ifNoneMatch: '*' }))).code).toBe('TABLE_EXISTS');
  });

  it('round-trips a Parquet table', async () => {
    await using ftp = await open();
    await ftp.writeTable(sampleTable(), 'lake/sample.parquet', { mode: 'overwrite' });
    expect((await collectRows(await ftp.readTable('lake/sample.parquet'))).length).toBeGreaterThan(2);
  });
});
