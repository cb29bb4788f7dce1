/**
 * Mutual TLS against the real grpc-js server: a throwaway CA made with the system's openssl signs
 * a server certificate (for 127.0.0.1) and a client certificate; the server demands a client
 * certificate from that CA. Without openssl the suite is skipped with the reason printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import '../src/index.js';
import { PROTO, startGrpcServer, TOKEN, type GrpcTestServer } from './server.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = !hasOpenssl();
if (skip) console.warn('connector-grpc tls.test: skipped — no openssl on PATH to make test certificates');

const dir = mkdtempSync(join(tmpdir(), 'sparkle-grpc-tls-'));
const path = (name: string) => join(dir, name);
let server: GrpcTestServer | undefined;

function openssl(...args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A key and a certificate signed by the CA, with subjectAltName `san`. */
function issue(name: string, san: string) {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
  writeFileSync(path(`${name}.ext`), `subjectAltName=${san}\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

beforeAll(async () => {
  if (skip) return;
  await ensureLocalEngine();
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-subj', '/CN=sparkle-test-ca', '-days', '2', '-out', 'ca.pem');
  issue('server', 'IP:127.0.0.1');
  issue('client', 'DNS:sparkle-client');
  server = await startGrpcServer(undefined, { key: readFileSync(path('server.key')), cert: readFileSync(path('server.pem')), clientCa: readFileSync(path('ca.pem')) });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ({
  address: server!.address,
  proto: PROTO,
  service: 'sparkle.test.Inventory',
  metadata: { authorization: `Bearer ${TOKEN}` },
  deadlineMs: 5000,
  reads: { items: { method: 'ListItems', resultPath: '/items' } },
});

describe.skipIf(skip)('mutual TLS', () => {
  it('reads over TLS with the CA and a client certificate', async () => {
    await using conn = await getConnection('grpc', { config: { ...base(), tls: { ca: path('ca.pem'), cert: path('client.pem'), key: path('client.key') } } });
    expect((await collectRows(await conn.readTable('items'))).length).toBe(5);
  });

  it('fails with a typed connection error when the client sends no certificate', async () => {
    await using conn = await getConnection('grpc', { config: { ...base(), tls: { ca: path('ca.pem') } } });
    const e = await conn.readTable('items').then(collectRows).then(() => undefined, (error: unknown) => error);
    expect(SparkleError.isInstance(e)).toBe(true);
    expect((e as SparkleError).code).toBe('CONNECTION_FAILED');
  });

  it('refuses a server whose certificate the CA did not sign (system roots)', async () => {
    await using conn = await getConnection('grpc', { config: { ...base(), tls: { cert: path('client.pem'), key: path('client.key') } } });
    const e = await conn.readTable('items').then(collectRows).then(() => undefined, (error: unknown) => error);
    expect((e as SparkleError).code).toBe('CONNECTION_FAILED');
  });
});
