// {{banner}}
/**
 * `{{className}}`: {{description}}, an HTTP API. `APIConnection` owns the shared behaviour — the
 * HTTP client (timeouts, retries with backoff and `Retry-After`, typed errors without secrets),
 * auth from config (bearer, basic, API key, OAuth2), health tiers and dataset naming; this class
 * adds the API's own calls.
 */
import { z } from 'zod';
import { APIConnection, apiConfigSchema } from '@sparkle/core';

/** Config of the `{{type}}` connection: `baseUrl`, `auth`, `healthPath`, timeouts and retries. */
export const {{schemaName}} = apiConfigSchema.extend({});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { baseUrl: 'https://api.example.com/v1', auth: { type: 'bearer', token: process.env.{{envPrefix}}_TOKEN } } });
 * const me = await conn.getJson('/me');
 * ```
 */
export class {{className}} extends APIConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';

  /** A JSON resource of the API, through the shared client (auth, retries, typed errors). */
  getJson<T = unknown>(path: string, options: { signal?: AbortSignal } = {}): Promise<T> {
    return this.http.getJson<T>(path, options);
  }
}
