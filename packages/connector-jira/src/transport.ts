/**
 * jira.js's `Client` (one `sendRequest` method) over core's HTTP client, so every call jira.js
 * makes gets Sparkle's transport: auth from config, per-attempt timeouts, retries that honour
 * `Retry-After` on 429, and typed `HttpError`s with every secret redacted. jira.js keeps what it
 * is good at — the endpoints and their parameters.
 */
import type { Client } from 'jira.js/core';
import { HttpError, type HttpClient, type HttpQueryValue } from '@sparkle/core';

export interface JiraTransportOptions {
  /** `datacenter` rewrites `/rest/api/3/` to `/rest/api/2/` (Data Center has no v3). */
  deployment: 'cloud' | 'datacenter';
  signal?: AbortSignal;
  /**
   * Paths whose error answers carry a body the caller reads (bulk create answers 400 with
   * per-issue errors when every issue failed): that body is returned instead of thrown.
   */
  bodyOnError?: (path: string, status: number, body: unknown) => boolean;
}

function queryOf(params: Record<string, unknown> | undefined): Record<string, HttpQueryValue> {
  const out: Record<string, HttpQueryValue> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) out[name] = value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
    else if (typeof value === 'object') out[name] = JSON.stringify(value);
    else out[name] = value as HttpQueryValue;
  }
  return out;
}

/**
 * A jira.js client whose requests go through `http`.
 * @example
 * ```ts
 * import { getServerInfo } from 'jira.js/cloud';
 * const info = await getServerInfo(jiraTransport(conn.http, { deployment: 'cloud' }));
 * ```
 */
export function jiraTransport(http: HttpClient, options: JiraTransportOptions): Client {
  return {
    async sendRequest<T>(request: { url: string; method?: string; headers?: Record<string, string>; body?: unknown; searchParams?: Record<string, unknown> }): Promise<T> {
      let path = request.url.startsWith('/') ? request.url : `/${request.url}`;
      if (options.deployment === 'datacenter') path = path.replace(/^\/rest\/api\/3\//, '/rest/api/2/');
      const response = await http.request({
        method: request.method ?? 'GET',
        path,
        query: queryOf(request.searchParams),
        headers: { accept: 'application/json', ...request.headers },
        ...(request.body !== undefined && request.body !== null ? { json: request.body } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        throwHttpErrors: options.bodyOnError === undefined,
      });
      if (response.status === 204) {
        await response.discard();
        return undefined as T;
      }
      if (!response.ok) {
        const text = await response.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (body !== undefined && options.bodyOnError?.(path, response.status, body)) return body as T;
        throw new HttpError({
          status: response.status,
          statusText: response.statusText,
          method: response.method,
          url: response.url,
          ...(response.requestId ? { requestId: response.requestId } : {}),
          bodySnippet: http.redact(text.slice(0, 500)),
          attempts: response.attempts,
          ...(http.connector ? { connector: http.connector } : {}),
        });
      }
      return (await response.json()) as T;
    },
  } as Client;
}
