/**
 * What the service-shaped family bases (catalog, ML platform, notify, directory, warehouse)
 * share: a config holding an endpoint URL or host/port, and the network tier's endpoint derived
 * from it.
 */
import { z } from 'zod';
import type { Endpoint } from '../health.js';
import { secret } from '../secrets.js';

const SCHEME_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ldap: 389, ldaps: 636, smtp: 25, smtps: 465, thrift: 9083 };

/**
 * Config every service base accepts: `url` or `host`/`port`, an optional bearer `token`, and the
 * health-check deadline. Family bases extend it; connectors extend theirs.
 */
export const serviceConfigSchema = z.looseObject({
  /** Base URL of the service (`https://uc.example.com/api/2.1/unity-catalog`, `ldaps://dir:636`). */
  url: z.url().optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  /** Bearer / API token. */
  token: secret(z.string()).optional(),
  /** Deadline of `check()`; default 10 s. */
  connectTimeoutMs: z.coerce.number().int().positive().optional(),
});

export type ServiceConfig = z.output<typeof serviceConfigSchema>;

/**
 * The host:port the network tier reaches: `host`/`port` when set, else the URL's host and its
 * port (or the scheme's well-known port).
 *
 * @example
 * ```ts
 * serviceEndpoints({ url: 'https://mlflow.internal:5000/api' }); // [{ host: 'mlflow.internal', port: 5000 }]
 * serviceEndpoints({ url: 'ldaps://dir.example.org' });          // [{ host: 'dir.example.org', port: 636 }]
 * ```
 */
export function serviceEndpoints(config: { url?: string; host?: string; port?: number }, defaultPort?: number): Endpoint[] {
  if (config.host) {
    const port = config.port ?? defaultPort;
    return port ? [{ host: config.host, port }] : [];
  }
  if (!config.url) return [];
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    return [];
  }
  const scheme = url.protocol.replace(/:$/, '');
  const port = url.port ? Number(url.port) : (config.port ?? SCHEME_PORTS[scheme] ?? defaultPort);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host && port ? [{ host, port }] : [];
}
