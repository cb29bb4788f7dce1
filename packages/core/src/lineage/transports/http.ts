import { ConnectionFailedError, TimeoutError } from '../../errors.js';
import { redactText } from '../../secrets.js';
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
  /** Backoff base: attempt n waits `backoffMs * 2^(n-1)`, capped at 5 s; default 300 ms. */
  backoffMs?: number;
  /** Statuses worth retrying; default 429, 500, 502, 503, 504. */
  retryStatuses?: readonly number[];
  /** Extra request headers (`custom_headers`). */
  headers?: Record<string, string>;
  /** `gzip` compresses the body (`Content-Encoding: gzip`). */
  compression?: 'gzip';
  /** Injected for tests; default global fetch. */
  fetch?: typeof fetch;
}

/**
 * POSTs each event as JSON to an OpenLineage endpoint (Marquez, DataHub, …) with bounded
 * retries and a per-attempt timeout. Failures reject `emit` with a Sparkle error whose message
 * names the URL without credentials; the client turns that into a warning.
 *
 * @example
 * const client = createLineageClient({ transport: new HttpTransport({ url: 'http://localhost:5000', apiKey: process.env.OL_KEY }) });
 */
export class HttpTransport implements LineageTransport {
  readonly kind = 'http';
  /** The full target URL (url + endpoint). */
  readonly target: string;
  readonly #options: HttpTransportOptions;
  readonly #fetch: typeof fetch;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.target = joinUrl(options.url, options.endpoint ?? 'api/v1/lineage');
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async emit(event: RunEvent): Promise<void> {
    const o = this.#options;
    const retries = Math.max(0, Math.min(o.retries ?? 3, 10));
    const timeoutMs = o.timeoutMs ?? 5000;
    const retryStatuses = o.retryStatuses ?? [429, 500, 502, 503, 504];
    const where = redactText(this.target, o.apiKey ? [o.apiKey] : []);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
    if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
    let body: string | Uint8Array = eventLine(event);
    if (o.compression === 'gzip') {
      const { gzipSync } = await import('node:zlib'); // only loaded when compression is configured
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }

    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(Math.min((o.backoffMs ?? 300) * 2 ** (attempt - 1), 5000));
      try {
        const response = await this.#fetch(this.target, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Drain the body so the socket returns to the pool.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        lastError = new ConnectionFailedError(`OpenLineage endpoint ${where} answered HTTP ${response.status}`, {
          connector: 'openlineage',
          retryable: retryStatuses.includes(response.status),
          details: { status: response.status, attempts: attempt + 1 },
        });
        if (!retryStatuses.includes(response.status)) break;
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        lastError = timedOut
          ? new TimeoutError(`OpenLineage endpoint ${where} did not answer within ${timeoutMs} ms`, { connector: 'openlineage', cause: error })
          : new ConnectionFailedError(`OpenLineage endpoint ${where} is unreachable: ${redactText(String((error as Error)?.message ?? error))}`, {
              connector: 'openlineage',
              cause: error,
            });
      }
    }
    throw lastError!;
  }
}

/** `http://h:5000/` + `/api/v1/lineage` → `http://h:5000/api/v1/lineage` (one slash). */
export function joinUrl(base: string, endpoint: string): string {
  if (!endpoint) return base;
  return `${base.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
