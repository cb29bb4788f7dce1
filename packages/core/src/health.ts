/**
 * The tiered health check model: config → network (DNS + TCP) → auth → read-only probe.
 * Each tier is timed; the first failing tier stops the rest, which are reported as not reached.
 */
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { classifyError } from './classify.js';
import { abortError, ConnectionFailedError } from './errors.js';
import { raceSignal } from './util/async.js';

export type HealthTier = 'config' | 'network' | 'auth' | 'probe';

export interface HealthStep {
  tier: HealthTier;
  status: 'ok' | 'failed' | 'skipped';
  durationMs: number;
  /** What was checked, or why it was skipped (never contains secrets). */
  message: string;
  error?: { code: string; message: string; retryable: boolean };
}

export interface HealthReport {
  type: string;
  env: string;
  ok: boolean;
  /** The tier that failed, if any. */
  failedTier?: HealthTier;
  steps: HealthStep[];
  durationMs: number;
  checkedAt: string;
}

export interface CheckOptions {
  /** Overall deadline for all tiers. Default 10 s (or the connection's `connectTimeoutMs`). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Stop after this tier (e.g. 'network' for a reachability check only). */
  upTo?: HealthTier;
}

/** A host:port the network tier must reach. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Returned by a tier hook to say it does not apply (embedded database, no credentials, …). */
export class HealthSkip {
  constructor(readonly reason: string) {}
}

/** Resolves the host and opens (then closes) a TCP connection to it. */
export async function probeTcp(endpoint: Endpoint, signal: AbortSignal, connector: string): Promise<string> {
  const started = performance.now();
  const { address } = await raceSignal(lookup(endpoint.host), signal, `DNS lookup of ${endpoint.host}`, connector).catch((e: unknown) => {
    throw classifyError(e, connector, `DNS lookup of ${endpoint.host}`);
  });
  const dnsMs = performance.now() - started;
  await new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal, `TCP connect to ${endpoint.host}:${endpoint.port}`, connector));
    const socket = connect({ host: address, port: endpoint.port });
    const done = (error?: unknown) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => done(abortError(signal, `TCP connect to ${endpoint.host}:${endpoint.port}`, connector));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (e) =>
      done(new ConnectionFailedError(`Cannot reach ${endpoint.host}:${endpoint.port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { connector, cause: e })),
    );
  });
  return `${endpoint.host}:${endpoint.port} reachable (dns ${dnsMs.toFixed(0)} ms, ${address})`;
}
