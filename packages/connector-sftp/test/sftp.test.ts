/**
 * The `sftp` connection against the real OpenSSH server (tools/services/ensure-sshd.sh): key and
 * encrypted-key logins, host-key pinning (a wrong fingerprint is refused), wrong credentials,
 * `..` keys, ranged reads, atomic writes (no temp file left, create-only refused), tables in
 * CSV and Parquet, and no secret in any error or printout.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type ByteRange } from '@sparkle/core';
import { collectRows, ensureLocalEngine, sampleTable } from '@sparkle/testkit';
import '../src/index.js';
import { HostKeyMismatchError, type SftpConnection } from '../src/index.js';
import { sftpConfig, sshd } from './server.js';

async function open(config: Record<string, unknown>) {
  await ensureLocalEngine();
  return getConnection<SftpConnection>('sftp', { config, dotenv: false, variables: {} });
}

async function caught(p: Promise<unknown>): Promise<SparkleError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(SparkleError.isInstance(e), `expected a SparkleError, got ${String(e)}`).toBe(true);
  return e as SparkleError;
}

const text = async (it: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
};

describe('logins and host keys', () => {
  it('logs in with an encrypted key and its passphrase, and passes every health tier', async () => {
    const config = sftpConfig('enc', { privateKey: undefined, privateKeyPath: sshd.encryptedKeyPath, passphrase: sshd.passphrase });
    await using sftp = await open(config);
    const report = await sftp.check({ timeoutMs: 15_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/stat .*: directory/);
    expect(JSON.stringify(report)).not.toContain(sshd.passphrase);
  });

  it('refuses a server whose host key is not the pinned one, saying what it presented', async () => {
    const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await using sftp = await open(sftpConfig('pin', { hostKeyFingerprint: wrong }));
    const e = await caught(sftp.statObject('x'));
    expect(e).toBeInstanceOf(HostKeyMismatchError);
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(sshd.fingerprint);
    expect(e.message).toContain(wrong);
    expect(e.message).toMatch(/refused to connect/);
  });

  it('accepts any of several pinned fingerprints (key rotation)', async () => {
    await using sftp = await open(sftpConfig('rot', { hostKeyFingerprint: ['SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', sshd.fingerprint] }));
    expect(await sftp.statObject('missing.txt')).toBeUndefined();
  });

  it('fails a key the server does not know as AUTHENTICATION_FAILED, printing no key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await using sftp = await open(sftpConfig('badkey', { privateKey }));
    const e = await caught(sftp.statObject('x'));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    const body = privateKey.split('\n')[1]!;
    for (const shown of [e.message, inspect(e, { depth: 6 }), JSON.stringify(e), String(sftp), inspect(sftp)]) expect(shown).not.toContain(body);
  });

  it('fails a password login on a key-only server, printing no password', async () => {
    const password = 'sftp-Wrong-Password-Never-Shown-31';
    await using sftp = await open(sftpConfig('pw', { privateKey: undefined, password }));
    const e = await caught(sftp.statObject('x'));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.message).toMatch(/refused the credentials/);
    for (const shown of [e.message, inspect(e, { depth: 6 }), JSON.stringify(e), String(sftp), JSON.stringify(sftp)]) expect(shown).not.toContain(password);
    const report = await sftp.check({ timeoutMs: 10_000 });
    expect(report.failedTier).toBe('auth');
    expect(JSON.stringify(report)).not.toContain(password);
  });

  it('says the passphrase is wrong for an encrypted key, without printing it', async () => {
    const passphrase = 'sftp-Wrong-Passphrase-Never-Shown-7';
    await using sftp = await open(sftpConfig('pp', { privateKey: undefined, privateKeyPath: sshd.encryptedKeyPath, passphrase }));
    const e = await caught(sftp.statObject('x'));
    expect(['INVALID_ARGUMENT', 'AUTHENTICATION_FAILED']).toContain(e.code);
    expect(e.message).toMatch(/passphrase/);
    expect(inspect(e, { depth: 6 })).not.toContain(passphrase);
  });
});

describe('objects on the server', () => {
  it('refuses keys that leave the root, before any request', async () => {
    const config = sftpConfig('dots');
    await using sftp = await open(config);
    for (const key of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd']) {
      expect((await caught(sftp.putObject(key, 'x'))).code).toBe('INVALID_ARGUMENT');
      expect((await caught(sftp.statObject(key))).code).toBe('INVALID_ARGUMENT');
    }
    expect(existsSync(join(String(config.root), '..', 'escape.txt'))).toBe(false);
  });

  it('reads exact byte ranges', async () => {
    await using sftp = await open(sftpConfig('range'));
    await sftp.putObject('r/abc.txt', 'abcdefghijklmnopqrstuvwxyz');
    expect(await text(sftp.getObject('r/abc.txt', { range: { start: 3, end: 7 } }))).toBe('defg');
    expect(await text(sftp.getObject('r/abc.txt', { range: { start: 24 } }))).toBe('yz');
    expect(await text(sftp.getObject('r/abc.txt', { range: { start: 5, end: 5 } }))).toBe('');
    const missing = await caught(text(sftp.getObject('r/none.txt')));
    expect(missing.details.notFound).toBe(true);
  });

  it('reads a file with many small ranged requests in flight, put back in order', async () => {
    await using sftp = await open(sftpConfig('pipelined', { readChunkSize: 1024, readConcurrency: 3 }));
    const bytes = Buffer.alloc(10_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 251;
    await sftp.putObject('p/data.bin', bytes);
    const read = async (range?: ByteRange) => {
      const parts: Buffer[] = [];
      for await (const c of sftp.getObject('p/data.bin', range ? { range } : {})) parts.push(Buffer.from(c));
      return Buffer.concat(parts);
    };
    expect((await read()).equals(bytes)).toBe(true);
    expect((await read({ start: 1000, end: 9001 })).equals(bytes.subarray(1000, 9001))).toBe(true);
    expect((await read({ start: 9999 })).equals(bytes.subarray(9999))).toBe(true);
    // A consumer that stops early leaves the connection usable (the handle is closed after the reads in flight).
    for await (const chunk of sftp.getObject('p/data.bin')) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect((await read({ start: 2048, end: 4096 })).equals(bytes.subarray(2048, 4096))).toBe(true);
  });

  it('writes under a temp name then renames: the file appears whole, nothing else is left', async () => {
    const config = sftpConfig('atomic');
    await using sftp = await open(config);
    const chunks = (async function* () {
      for (let i = 0; i < 50; i++) yield Buffer.from(`line ${i}\n`);
    })();
    await sftp.putObject('out/data.txt', chunks);
    const dir = join(String(config.root), 'out');
    expect(readdirSync(dir)).toEqual(['data.txt']);
    expect(readFileSync(join(dir, 'data.txt'), 'utf8').split('\n')).toHaveLength(51);
    // Create-only refuses an existing file and leaves it as it was.
    const e = await caught(sftp.putObject('out/data.txt', 'other', { ifNoneMatch: '*' }));
    expect(e.code).toBe('TABLE_EXISTS');
    expect(readdirSync(dir)).toEqual(['data.txt']);
    expect(readFileSync(join(dir, 'data.txt'), 'utf8')).toMatch(/^line 0\n/);
    // A body that fails half-way leaves neither a partial file nor a temp file.
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('source broke');
    })();
    await expect(sftp.putObject('out/broken.txt', failing)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['data.txt']);
  });

  it('renames atomically, refusing an existing target when asked', async () => {
    await using sftp = await open(sftpConfig('rename'));
    await sftp.putObject('a.txt', 'A');
    await sftp.putObject('b.txt', 'B');
    expect((await caught(sftp.renameObject('a.txt', 'b.txt', { overwrite: false }))).code).toBe('TABLE_EXISTS');
    await sftp.renameObject('a.txt', 'b.txt');
    expect(await text(sftp.getObject('b.txt'))).toBe('A');
    expect(await sftp.statObject('a.txt')).toBeUndefined();
  });

  it('reads and writes tables as CSV and Parquet files through the base', async () => {
    await using sftp = await open(sftpConfig('tables'));
    await sftp.writeTable(sampleTable(), 'lake/sample.parquet', { mode: 'overwrite' });
    await sftp.writeTable(sampleTable(), 'lake/sample.csv', { mode: 'overwrite' });
    const parquet = await collectRows(await sftp.readTable('lake/sample.parquet'));
    const csv = await collectRows(await sftp.readTable('lake/sample.csv'));
    expect(parquet.map((r) => r.name)).toEqual(csv.map((r) => r.name));
    expect(parquet.length).toBeGreaterThan(2);
    expect(sftp.objectUri('lake/sample.csv')).toMatch(new RegExp(`^sftp://${sshd.user}@127\\.0\\.0\\.1:${sshd.port}/.*/lake/sample\\.csv$`));
  });
});
