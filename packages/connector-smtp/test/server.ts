/**
 * A real SMTP server for the tests, in this process: nodemailer's `smtp-server` on 127.0.0.1 with
 * STARTTLS (a certificate made here with openssl for 127.0.0.1), AUTH PLAIN/LOGIN against one user,
 * and recipient rules that answer like real servers: `nobody@` → 550 (permanent), `busy@` → 450
 * (temporary), a subject with `defer-me` → 451 after DATA. Every accepted message is kept raw and
 * parsed back with mailparser, so tests assert on what arrived.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { ReceivedMessage } from '@sparkle/testkit';

export const SMTP_USER = 'etl-mailer';
export const SMTP_PASSWORD = 'smtp-Password-Never-Shown-64';

export interface Stored {
  envelopeTo: string[];
  raw: Buffer;
}

export interface TestSmtpServer {
  port: number;
  /** PEM of the server's self-signed certificate (the tests' CA). */
  ca: string;
  stored: Stored[];
  /** AUTH attempts, for checking that verify() logs in. */
  auths: number;
  received(): Promise<Array<ReceivedMessage & { html?: string; from?: string }>>;
  close(): Promise<void>;
}

function certificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sparkle-smtp-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const { key, cert } = certificate();
  const stored: Stored[] = [];
  const state = { auths: 0 };
  const server = new SMTPServer({
    key,
    cert,
    secure: false,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      state.auths++;
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: SMTP_USER });
      return callback(smtpError('Authentication credentials invalid', 535));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) return callback(smtpError(`<${address.address}>: no such mailbox here`, 550));
      if (address.address.startsWith('busy@')) return callback(smtpError(`<${address.address}>: mailbox busy, try again later`, 450));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (/^Subject: .*defer-me/im.test(raw.toString('utf8'))) return callback(smtpError('queue full, try again later', 451));
        stored.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw });
        return callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    ca: cert,
    stored,
    get auths() {
      return state.auths;
    },
    async received() {
      return Promise.all(
        stored.map(async (s) => {
          const parsed = await simpleParser(s.raw);
          return {
            to: s.envelopeTo,
            ...(parsed.subject !== undefined ? { subject: parsed.subject } : {}),
            ...(parsed.text !== undefined ? { text: parsed.text } : {}),
            ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
            ...(parsed.from?.text ? { from: parsed.from.text } : {}),
            attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', content: new Uint8Array(a.content) })),
          };
        }),
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
