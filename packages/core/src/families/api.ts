/**
 * `APIConnection`: the family base of every HTTP API connector (REST, GraphQL, SOAP, webhooks,
 * Salesforce, Jira, Slack, SAP OData, and the cloud and catalog control planes). It turns the
 * seed-style JSON config — base URL, headers, one `auth` block, timeouts, retries — into one
 * client of core's HTTP layer, and gives the tiered health check an HTTP meaning: the network
 * tier reaches the host, the auth tier makes an authenticated request to `healthPath`, the probe
 * tier checks the answer. Connectors add their endpoints, pagination and record mapping.
 */
import { z } from 'zod';
import { HealthSkip, type Endpoint } from '../health.js';
import { apiKeyAuth, basicAuth, bearerAuth, type HttpAuth } from '../http/auth.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../http/client.js';
import { HttpError } from '../http/errors.js';
import { oauth2ClientCredentials, oauth2RefreshToken } from '../http/oauth2.js';
import { datasetNamespace } from '../lineage/naming.js';
import type { DatasetRef } from '../lineage/types.js';
import { secret } from '../secrets.js';
import { SparkleConnection, type ConnectionInit } from '../connection.js';

/** The `auth` block of an API config: one scheme, its secrets marked. */
export const apiAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('bearer'), token: secret(z.string().min(1)) }),
  z.object({ type: z.literal('basic'), user: z.string(), password: secret(z.string()) }),
  z.object({
    type: z.literal('api_key'),
    /** Header or query parameter name (`x-api-key`, `api_key`). */
    name: z.string().min(1),
    value: secret(z.string().min(1)),
    in: z.enum(['header', 'query']).default('header'),
    prefix: z.string().optional(),
  }),
  z.object({
    type: z.literal('oauth2'),
    tokenUrl: z.url(),
    clientId: z.string().optional(),
    clientSecret: secret(z.string()).optional(),
    /** Present: the refresh-token grant; absent: client credentials. */
    refreshToken: secret(z.string()).optional(),
    scope: z.union([z.string(), z.array(z.string())]).optional(),
    clientAuth: z.enum(['basic', 'body']).optional(),
    params: z.record(z.string(), z.string()).optional(),
  }),
]);

/** The config every API connector accepts; connectors extend it with their own fields. */
export const apiConfigSchema = z.looseObject({
  /** Root of the API, e.g. `https://api.example.com/v2`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Headers sent with every request (secret-looking names are redacted from errors). */
  headers: z.record(z.string(), z.string()).default({}),
  auth: apiAuthSchema.default({ type: 'none' }),
  /** Per-attempt timeout. */
  timeoutMs: z.number().int().positive().default(30_000),
  retry: z
    .object({
      attempts: z.number().int().min(1).max(20).optional(),
      baseDelayMs: z.number().int().min(0).optional(),
      maxDelayMs: z.number().int().min(0).optional(),
    })
    .default({}),
  /** A cheap authenticated GET for health checks (`/me`, `/health`, `/`). */
  healthPath: z.string().default('/'),
  userAgent: z.string().optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;
export type ApiAuthConfig = z.output<typeof apiAuthSchema>;

/** Builds the HTTP layer's auth scheme from an `auth` config block. */
export function authFromConfig(auth: ApiAuthConfig, connector?: string): HttpAuth | undefined {
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'bearer':
      return bearerAuth(auth.token);
    case 'basic':
      return basicAuth(auth.user, auth.password);
    case 'api_key':
      return apiKeyAuth({ name: auth.name, value: auth.value, in: auth.in, ...(auth.prefix ? { prefix: auth.prefix } : {}) });
    case 'oauth2': {
      const common = {
        tokenUrl: auth.tokenUrl,
        ...(auth.clientId ? { clientId: auth.clientId } : {}),
        ...(auth.clientSecret ? { clientSecret: auth.clientSecret } : {}),
        ...(auth.scope ? { scope: auth.scope } : {}),
        ...(auth.clientAuth ? { clientAuth: auth.clientAuth } : {}),
        ...(auth.params ? { params: auth.params } : {}),
        ...(connector ? { connector } : {}),
      };
      return auth.refreshToken ? oauth2RefreshToken({ ...common, refreshToken: auth.refreshToken }) : oauth2ClientCredentials(common);
    }
  }
}

/**
 * Base class of HTTP API connections.
 *
 * @example
 * ```ts
 * import { APIConnection, apiConfigSchema, registerConnection } from '@sparkle/core';
 *
 * class StatusPageConnection extends APIConnection {
 *   static schema = apiConfigSchema.extend({ pageId: z.string() });
 *   async incidents() {
 *     return this.http.getJson<{ id: string }[]>(`/pages/${this.config.pageId}/incidents`);
 *   }
 * }
 * registerConnection('statuspage', StatusPageConnection);
 * ```
 */
export abstract class APIConnection<TConfig extends ApiConfig = ApiConfig> extends SparkleConnection<TConfig> {
  static schema: z.ZodType = apiConfigSchema;
  static family = 'api';
  #http: HttpClient | undefined;

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** Options of the HTTP client; override to add a `fetch`, `onRetry` or other settings. */
  protected httpOptions(): HttpClientOptions {
    const c = this.config;
    const auth = authFromConfig(c.auth, this.type);
    return {
      baseUrl: c.baseUrl,
      headers: c.headers,
      ...(auth ? { auth } : {}),
      timeoutMs: c.timeoutMs,
      retry: c.retry,
      connector: this.type,
      userAgent: c.userAgent ?? `sparkle-${this.type}`,
      secrets: this.secretValues(),
    };
  }

  /** The connection's HTTP client (created on first use; one token cache per connection). */
  get http(): HttpClient {
    this.assertOpen();
    this.#http ??= createHttpClient(this.httpOptions());
    return this.#http;
  }

  /** Host and port of `baseUrl`, for the network tier. */
  protected override endpoints(): Endpoint[] {
    const url = new URL(this.config.baseUrl);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 }];
  }

  /** An authenticated GET of `healthPath`: 401/403 fail the auth tier, anything else below 500 passes it. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    try {
      const res = await this.http.request({ path: this.config.healthPath, signal, headers: { accept: 'application/json, */*' } });
      await res.discard();
      return `GET ${this.config.healthPath} → ${res.status}`;
    } catch (error) {
      if (HttpError.isInstance(error) && error.status !== undefined && error.status < 500 && ![401, 403, 407].includes(error.status)) {
        // The server answered and accepted the credentials; the path may simply not exist.
        return `GET ${this.config.healthPath} → ${error.status} (credentials accepted)`;
      }
      throw error;
    }
  }

  /** Connectors with a meaningful read-only call override this (list one record). */
  protected override async checkProbe(_signal: AbortSignal): Promise<string | HealthSkip> {
    return new HealthSkip('the auth tier already made an authenticated request');
  }

  /** API datasets are named by the API's origin and the resource path. */
  override dataset(name: string): DatasetRef {
    const url = new URL(this.config.baseUrl);
    return { namespace: datasetNamespace({ scheme: url.protocol.replace(/:$/, ''), host: url.hostname, port: url.port || undefined }), name: `${url.pathname.replace(/\/+$/, '')}/${name.replace(/^\/+/, '')}` };
  }
}
