import { bearerAuth } from '../../http/auth.js';
import { createHttpClient, type HttpClient } from '../../http/client.js';
import type { RunEvent } from '../event.js';
import { eventLine, type LineageTransport } from './types.js';

export interface HttpTransportOptions {
  /** Base URL of the OpenLineage backend, e.g. `http://localhost:5000` (Marquez). */
  url: string;
  /** Path appended to `url`; default `api/v1/lineage`. */
  endpoint?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Per-attempt timeout; default 5000 ms (OpenLineage's `timeout: 5`). */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx/429, network errors and timeouts; default 3. */
  retries?: number;
  /** Backoff base: retry n waits a random time up to `backoffMs * 2^(n-1)`, capped at 5 s (full jitter); default 300 ms. */
  backoffMs?: number;
  /** Statuses worth retrying; default 429, 500, 502, 503, 504. */
  retryStatuses?: readonly number[];
  /** Extra request headers (`custom_headers`). */
  headers?: Record<string, string>;
  /** `gzip` compresses the body (`Content-Encoding: gzip`). */
  compression?: 'gzip';
  /** Injected for tests; default global fetch. */
  fetch?: typeof fetch;
  /** Injected for tests: the wait between retries. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * POSTs each event as JSON to an OpenLineage endpoint (Marquez, DataHub, …) with bounded
 * retries and a per-attempt timeout. Failures reject `emit` with a Sparkle error whose message
 * names the URL without credentials; the client turns that into a warning.
 *
 * @example
 * const client = createLineageClient({ transport: new HttpTransport({ url: 'http://localhost:5000', apiKey: process.env.OL_KEY }) });
 */
/**
 * POSTs each event as JSON to an OpenLineage endpoint (Marquez, DataHub, …) through core's HTTP
 * layer: bounded retries with jittered backoff and `Retry-After`, and a per-attempt timeout.
 * Failures reject `emit` with a Sparkle error whose message names the URL without credentials;
 * the client turns that into a warning.
 *
 * @example
 * const client = createLineageClient({ transport: new HttpTransport({ url: 'http://localhost:5000', apiKey: process.env.OL_KEY }) });
 */
export class HttpTransport implements LineageTransport {
  readonly kind = 'http';
  /** The full target URL (url + endpoint). */
  readonly target: string;
  readonly #options: HttpTransportOptions;
  readonly #client: HttpClient;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.target = joinUrl(options.url, options.endpoint ?? 'api/v1/lineage');
    this.#client = createHttpClient({
      connector: 'openlineage',
      headers: options.headers,
      ...(options.apiKey ? { auth: bearerAuth(options.apiKey) } : {}),
      timeoutMs: options.timeoutMs ?? 5000,
      retry: {
        attempts: Math.max(0, Math.min(options.retries ?? 3, 10)) + 1,
        baseDelayMs: options.backoffMs ?? 300,
        maxDelayMs: 5000,
        retryOn: options.retryStatuses ?? [429, 500, 502, 503, 504],
        // Emission must not stall close(): a server asking for a longer pause gets the warning instead.
        maxRetryAfterMs: 5000,
      },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.sleep ? { clock: { sleep: options.sleep } } : {}),
    });
  }

  async emit(event: RunEvent): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let body: string | Uint8Array = eventLine(event);
    if (this.#options.compression === 'gzip') {
      const { gzipSync } = await import('node:zlib'); // only loaded when compression is configured
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    // OpenLineage clients retry event POSTs: a repeated event restates the same run state
    // (same runId, eventType and eventTime), so this POST is marked safe to repeat.
    const response = await this.#client.request({ method: 'POST', path: this.target, headers, body, idempotent: true });
    // Drain the body so the socket returns to the pool.
    await response.discard();
  }
}

/** `http://h:5000/` + `/api/v1/lineage` → `http://h:5000/api/v1/lineage` (one slash). */
export function joinUrl(base: string, endpoint: string): string {
  if (!endpoint) return base;
  return `${base.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
}
