/**
 * Entra ID (AAD) auth and `caFile`: the real client sends `type=aad&ver=1.0&sig=<token>` only
 * over TLS (its bearer-token policy refuses plain HTTP), so the gateway fake runs on HTTPS with
 * a throw-away self-signed certificate made by the `openssl` CLI, trusted through the
 * connection's `caFile`. The token comes from a credential passed in code (no identity
 * provider can be reached from here); the fake accepts exactly that token.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, registerConnection, type ConnectionInit, type SparkleError } from '@sparkle/core';
import { CosmosdbConnection } from '../src/index.js';
import { FakeCosmos, FAKE_KEY } from './fake-cosmos.js';

const TOKEN = 'eyJ0eXAiOiJKV1QifQ.fake-aad-access-token.sig';

let opensslMissing = '';
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  opensslMissing = 'the openssl CLI is not installed (it makes the test certificate)';
  console.warn(`[cosmosdb aad] skipped: ${opensslMissing}`);
}

/** A connection type whose credential yields `token` (what a ManagedIdentityCredential would). */
function tokenType(name: string, token: string): string {
  class WithToken extends CosmosdbConnection {
    constructor(init: ConnectionInit) {
      super({ ...init, credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) } });
    }
  }
  registerConnection(name, WithToken);
  return name;
}

describe.skipIf(Boolean(opensslMissing))(`cosmosdb with AAD tokens over HTTPS${opensslMissing ? ` (${opensslMissing})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sparkle-cosmos-tls-'));
  const caFile = join(dir, 'cert.pem');
  let fake: FakeCosmos;
  let url = '';

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', caFile], { stdio: 'ignore' });
    fake = new FakeCosmos({ aadToken: TOKEN, tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(caFile, 'utf8') } });
    url = await fake.start();
  });
  afterAll(async () => {
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('authenticates with the token (type=aad) and reads and writes', async () => {
    await using cosmos = await getConnection<CosmosdbConnection>(tokenType('cosmosdb_aad_ok', TOKEN), { config: { endpoint: url, authMethod: 'aad', caFile, database: 'aad', keyFields: ['_id'] }, dotenv: false, variables: {} });
    expect(await cosmos.upsertDocuments('c', [{ _id: 1, v: 'x' }])).toEqual({ written: 1, failed: [] });
    expect(await cosmos.getDocument('c', 1)).toEqual({ _id: 1, v: 'x' });
    const auth = fake.requests.filter((r) => r.headers.authorization).map((r) => decodeURIComponent(String(r.headers.authorization)));
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((a) => a === `type=aad&ver=1.0&sig=${TOKEN}`)).toBe(true);
    const report = await cosmos.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });

  it('a token the account does not accept fails AUTHENTICATION_FAILED without printing it; a key works on the same TLS endpoint', async () => {
    const wrong = 'eyJ0eXAiOiJKV1QifQ.someone-elses-token.sig';
    await using cosmos = await getConnection<CosmosdbConnection>(tokenType('cosmosdb_aad_wrong', wrong), { config: { endpoint: url, authMethod: 'aad', caFile, database: 'aad' }, dotenv: false, variables: {} });
    const error = (await cosmos.listCollections().then(() => undefined, (e: unknown) => e)) as SparkleError;
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify(error.toJSON())).not.toContain(wrong);
    // The fake takes the master key too (as an account with local auth enabled does).
    await using byKey = await getConnection<CosmosdbConnection>('cosmosdb', { config: { endpoint: url, key: FAKE_KEY, caFile, database: 'aad' }, dotenv: false, variables: {} });
    expect(await byKey.listCollections()).toEqual(['c']);
  });

  it('without caFile the self-signed certificate is refused with a typed connection error', async () => {
    await using cosmos = await getConnection<CosmosdbConnection>('cosmosdb', { config: { endpoint: url, key: FAKE_KEY, database: 'aad', requestTimeoutMs: 3000, throttleRetries: 0 }, dotenv: false, variables: {} });
    const error = (await cosmos.listCollections().then(() => undefined, (e: unknown) => e)) as SparkleError;
    expect(error.code).toBe('CONNECTION_FAILED');
  });
});
