/**
 * Test helpers: buckets on the real fake-gcs-server (SPARKLE_TEST_GCS_ENDPOINT, set by the global
 * setup) created with the official client, and a service-account key made up for the tests (a
 * real RSA key, so the client would accept it; the emulator is never sent it).
 */
import { generateKeyPairSync } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import type { ServiceResult } from '@sparkle/testkit';

export const endpoint = (): string => {
  const url = process.env.SPARKLE_TEST_GCS_ENDPOINT;
  if (!url) throw new Error('SPARKLE_TEST_GCS_ENDPOINT is not set: the global setup did not start fake-gcs-server');
  return url;
};

export const PROJECT = 'sparkle-test';

/** A bucket name unique to this run. */
export function bucketName(label: string): string {
  return `sparkle-${label}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Creates a bucket on the emulator and returns the connection config for it. */
export async function createBucket(label: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const bucket = bucketName(label);
  await new Storage({ apiEndpoint: endpoint(), projectId: PROJECT }).createBucket(bucket);
  return { project: PROJECT, bucket, apiEndpoint: endpoint(), maxRetries: 0, ...extra };
}

/** The suites' `service`: a fresh bucket on fake-gcs-server. */
export function gcsService(label: string, extra: Record<string, unknown> = {}): () => Promise<ServiceResult> {
  return async () => ({ config: await createBucket(label, extra) });
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** The PEM private key of the made-up service account. */
export const PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const PRIVATE_KEY_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
/** A service-account key file's JSON, as Google issues them. */
export const SERVICE_ACCOUNT_JSON = JSON.stringify({
  type: 'service_account',
  project_id: PROJECT,
  private_key_id: PRIVATE_KEY_ID,
  private_key: PRIVATE_KEY,
  client_email: 'sparkle-test@sparkle-test.iam.gserviceaccount.com',
  client_id: '100000000000000000001',
  token_uri: 'http://127.0.0.1:1/token',
});
/** A line of the private key's body: it must never appear in any output on its own either. */
export const PRIVATE_KEY_LINE = PRIVATE_KEY.split('\n')[3]!;

/** A fault the proxy answers with instead of forwarding. */
export interface InjectedFault {
  status: number;
  body?: unknown;
}

/** A recording proxy in front of the emulator that can answer with faults (401, 403, 429, 503 …). */
export interface FaultProxy {
  url: string;
  /** Every request line seen (`GET /storage/v1/b/…?…`). */
  seen: string[];
  /** Faults to answer the next requests with, in order; then requests are forwarded. */
  faults: InjectedFault[];
  close(): Promise<void>;
}

/** Starts a fault-injecting proxy on 127.0.0.1 forwarding to fake-gcs-server. */
export async function startFaultProxy(): Promise<FaultProxy> {
  const { createServer, request } = await import('node:http');
  const target = new URL(endpoint());
  const state = { seen: [] as string[], faults: [] as InjectedFault[] };
  const server = createServer((req, res) => {
    state.seen.push(`${req.method} ${req.url}`);
    const fault = state.faults.shift();
    if (fault) {
      req.resume();
      const body = JSON.stringify(fault.body ?? { error: { code: fault.status, message: `injected ${fault.status}`, errors: [{ reason: fault.status === 429 ? 'rateLimitExceeded' : 'injected', message: `injected ${fault.status}` }] } });
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (up) => {
      // Resumable-session URLs point at the emulator: rewrite them to come back through the proxy.
      const headers = { ...up.headers };
      if (typeof headers.location === 'string') headers.location = headers.location.replace(target.origin, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen: state.seen,
    faults: state.faults,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
