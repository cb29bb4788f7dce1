// {{banner}}
/**
 * `{{className}}`: {{description}}, an HTTP API. `SparkleConnection` owns the shared behaviour
 * (validated config, redaction, health tiers, lineage, cleanup); this class adds the API's
 * config, its endpoint and a health probe that calls it.
 */
import { z } from 'zod';
import { AuthenticationError, ConnectionFailedError, secret, serviceEndpoints, SparkleConnection, type Endpoint } from '@sparkle/core';

/** Config of the `{{type}}` connection: the API's base URL, a bearer token, the path the probe calls. */
export const {{schemaName}} = z.looseObject({
  url: z.url(),
  token: secret(z.string()).optional(),
  /** Path (relative to `url`) of a cheap authenticated GET the health probe calls. */
  healthPath: z.string().default('/'),
  connectTimeoutMs: z.coerce.number().int().positive().optional(),
});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { url: 'https://api.example.com/v1', token: process.env.{{envPrefix}}_TOKEN } });
 * console.log((await conn.check()).ok);
 * ```
 */
export class {{className}} extends SparkleConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';

  protected override endpoints(): Endpoint[] {
    return serviceEndpoints(this.config);
  }

  /** Headers every request carries (the token, when configured). */
  protected headers(): Record<string, string> {
    return this.config.token ? { authorization: `Bearer ${this.config.token}` } : {};
  }

  /** The probe: GET `healthPath` with the credentials; 401/403 fail the check as authentication. */
  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    const target = new URL(this.config.healthPath.replace(/^\//, ''), this.config.url.endsWith('/') ? this.config.url : `${this.config.url}/`);
    const response = await fetch(target, { headers: this.headers(), signal });
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) {
      throw new AuthenticationError(`${this.type}: GET ${target.pathname} answered ${response.status}; check the token`, { connector: this.type });
    }
    if (!response.ok) {
      throw new ConnectionFailedError(`${this.type}: GET ${target.pathname} answered ${response.status}`, { connector: this.type, retryable: response.status >= 500 || response.status === 429 });
    }
    return `GET ${target.pathname} answered ${response.status}`;
  }
}
