/**
 * A real FTP server for the tests, in this process: ftp-srv on 127.0.0.1 (passive data ports on
 * loopback), serving a fresh temp directory as the user's root, with explicit FTPS (AUTH TLS) offered
 * with a certificate made here by openssl, and one user/password.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FtpSrv } from 'ftp-srv';

export const FTP_USER = 'etl';
export const FTP_PASSWORD = 'ftp-Password-Never-Shown-27';

export interface TestFtpServer {
  port: number;
  /** The directory the server serves as the user's `/`. */
  dir: string;
  /** PEM of the server's self-signed certificate. */
  ca: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child() { return silent; } };

export async function startFtpServer(): Promise<TestFtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sparkle-ftp-'));
  const certDir = mkdtempSync(join(tmpdir(), 'sparkle-ftp-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
  const key = readFileSync(join(certDir, 'key.pem'), 'utf8');
  const cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
  rmSync(certDir, { recursive: true, force: true });
  const port = await freePort();
  const server = new FtpSrv({ url: `ftp://127.0.0.1:${port}`, pasv_url: '127.0.0.1', pasv_min: 40000, pasv_max: 40999, anonymous: false, tls: { key, cert }, log: silent, greeting: 'sparkle test ftp' });
  server.on('login', ({ username, password }, resolve, reject) => {
    if (username === FTP_USER && password === FTP_PASSWORD) resolve({ root: dir });
    else reject(new Error('Invalid username or password'));
  });
  await server.listen();
  return {
    port,
    dir,
    ca: cert,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
