/**
 * The real OpenSSH server of tools/services/ensure-sshd.sh, as the tests use it: its address,
 * the test user's keys, the pinned host key fingerprint (computed from the server's .pub file,
 * as `ssh-keygen -lf` does), and a fresh root directory per caller.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshFingerprint } from '../src/index.js';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the vitest globalSetup runs tools/services/ensure-sshd.sh, which sets it`);
  return value;
}

export const sshd = {
  get host() { return need('SPARKLE_TEST_SFTP_HOST'); },
  get port() { return Number(need('SPARKLE_TEST_SFTP_PORT')); },
  get user() { return need('SPARKLE_TEST_SFTP_USER'); },
  get keyPath() { return need('SPARKLE_TEST_SFTP_KEY'); },
  get encryptedKeyPath() { return need('SPARKLE_TEST_SFTP_ENCRYPTED_KEY'); },
  get passphrase() { return readFileSync(need('SPARKLE_TEST_SFTP_KEY_PASSPHRASE_FILE'), 'utf8').trim(); },
  get fingerprint() {
    const blob = readFileSync(need('SPARKLE_TEST_SFTP_HOST_KEY'), 'utf8').trim().split(/\s+/)[1]!;
    return sshFingerprint(Buffer.from(blob, 'base64'));
  },
  /** A new directory under the server's data dir (the server runs on this machine, so it is local too). */
  freshRoot(name: string): string {
    const dir = join(need('SPARKLE_TEST_SFTP_ROOT'), `${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  },
};

/** A config that logs in with the unencrypted test key, pinned to the server's host key. */
export function sftpConfig(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: readFileSync(sshd.keyPath, 'utf8'),
    hostKeyFingerprint: sshd.fingerprint,
    root: sshd.freshRoot(name),
    ...extra,
  };
}
