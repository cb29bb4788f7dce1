import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { SparkSession } from '../src/session.js';
import { FakeSparkServer } from './fake-spark-server.js';
import { sequentialIds } from './helpers.js';

// A self-signed certificate for 127.0.0.1, made fresh for this run with the openssl CLI.
let dir: string;
let tls: { key: Buffer; cert: Buffer };
let server: FakeSparkServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparkle-sc-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  server = await new FakeSparkServer().start(tls);
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS and bearer tokens', () => {
  it('a token means TLS and an authorization: Bearer header on every call', async () => {
    const spark = await SparkSession.builder()
      .remote(`sc://localhost:${server.port}/;token=s3cr3t-t0ken;x-tenant=acme`)
      .options({ rootCerts: tls.cert, newId: sequentialIds() })
      .create();
    try {
      expect(await spark.range(4).count()).toBe(4);
      expect(await spark.version).toBe('4.0.0');
      for (const call of server.calls) {
        expect(call.metadata.authorization).toBe('Bearer s3cr3t-t0ken');
        expect(call.metadata['x-tenant']).toBe('acme');
      }
    } finally {
      await spark.stop();
    }
  });

  it('never puts the token into an error message', async () => {
    const spark = await SparkSession.builder().remote(`sc://localhost:${server.port}/;token=s3cr3t-t0ken`).options({ rootCerts: tls.cert }).create();
    try {
      server.failNext('AnalyzePlan', { code: status.UNAUTHENTICATED, message: 'token s3cr3t-t0ken is expired' });
      const error = (await spark.version.catch((e: unknown) => e)) as Error & { code: string; cause: Error };
      expect(error.code).toBe('AUTHENTICATION_FAILED');
      expect(error.message).toContain('token *** is expired');
      expect(JSON.stringify({ m: error.message, s: error.stack, c: error.cause?.message })).not.toContain('s3cr3t-t0ken');
    } finally {
      await spark.stop();
    }
  });

  it('a plaintext client cannot talk to the TLS server (fails as a connection error)', async () => {
    const spark = await SparkSession.builder()
      .remote(`sc://127.0.0.1:${server.port}`)
      .options({ retryPolicy: { maxRetries: 1, sleep: async () => undefined } })
      .create();
    try {
      const error = (await spark.version.catch((e: unknown) => e)) as { code: string; retryable: boolean };
      expect(error.code).toBe('CONNECTION_FAILED');
      expect(error.retryable).toBe(true);
    } finally {
      await spark.stop();
    }
  });
});
