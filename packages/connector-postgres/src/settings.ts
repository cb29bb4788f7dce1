/**
 * Maps the seed's JDBC-shaped config (url, user, password, `properties` of the PostgreSQL JDBC
 * driver) onto node-postgres client settings, so one config drives both Spark and Node.
 *
 * Properties understood (names as the PostgreSQL JDBC driver spells them):
 * `ssl`, `sslmode` (disable | allow | prefer | require | verify-ca | verify-full), `sslrootcert`,
 * `sslcert`, `sslkey`, `sslpassword`, `connectTimeout` and `loginTimeout` (seconds),
 * `socketTimeout` (seconds), `ApplicationName`, `currentSchema` (→ search_path), `options`,
 * `tcpKeepAlive`. Spark-only properties such as `fetchsize` are ignored here.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { JdbcConfig, JdbcConnectionInfo } from '@sparkle/core';

/** The subset of `pg.ClientConfig` we set (declared here so this module needs no pg types at runtime). */
export interface PgClientSettings {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean | ConnectionOptions;
  connectionTimeoutMillis?: number;
  query_timeout?: number;
  statement_timeout?: number;
  application_name?: string;
  options?: string;
  keepAlive?: boolean;
}

function truthy(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return /^(true|1|yes|on)$/i.test(value.trim());
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** TLS settings from `ssl` / `sslmode` and certificate paths, as the JDBC driver reads them. */
export function sslSettings(params: Record<string, string>): boolean | ConnectionOptions {
  const ssl = truthy(params.ssl);
  let mode = params.sslmode?.trim().toLowerCase();
  // The JDBC driver treats `ssl=true` without a mode as verify-full.
  if (!mode) mode = ssl ? 'verify-full' : 'disable';
  if (ssl === false && !params.sslmode) mode = 'disable';
  // node-postgres cannot fall back from TLS to plain text, so 'allow'/'prefer' mean no TLS.
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const tls: ConnectionOptions = { rejectUnauthorized: mode === 'verify-ca' || mode === 'verify-full' };
  if (mode === 'verify-ca') tls.checkServerIdentity = () => undefined;
  if (params.sslrootcert) tls.ca = readFileSync(params.sslrootcert, 'utf8');
  if (params.sslcert) tls.cert = readFileSync(params.sslcert, 'utf8');
  if (params.sslkey) tls.key = readFileSync(params.sslkey, 'utf8');
  if (params.sslpassword) tls.passphrase = params.sslpassword;
  return tls;
}

/** node-postgres settings for one connection. */
export function pgClientSettings(info: JdbcConnectionInfo, config: JdbcConfig): PgClientSettings {
  const p = info.params;
  const connectSeconds = seconds(p.connectTimeout) ?? seconds(p.loginTimeout);
  const socketSeconds = seconds(p.socketTimeout);
  const options: string[] = [];
  if (p.options) options.push(p.options);
  const settings: PgClientSettings = {
    host: info.host ?? 'localhost',
    port: info.port ?? 5432,
    database: info.database,
    user: info.user,
    password: info.password,
    ssl: sslSettings(p),
    // JDBC's 0 means "no timeout"; our config default (10 s) applies otherwise.
    connectionTimeoutMillis: connectSeconds === 0 ? 0 : connectSeconds !== undefined ? connectSeconds * 1000 : config.connectTimeoutMs,
    application_name: p.ApplicationName ?? p.applicationName ?? 'sparkle',
    keepAlive: truthy(p.tcpKeepAlive) ?? true,
  };
  if (socketSeconds) settings.query_timeout = socketSeconds * 1000;
  if (config.queryTimeoutMs) settings.statement_timeout = config.queryTimeoutMs;
  if (options.length) settings.options = options.join(' ');
  return settings;
}

/**
 * The `search_path` a session sets after connecting (`currentSchema`, else the config's `schema`).
 * Set with a statement rather than a startup option, so it also holds behind poolers and
 * servers that ignore startup options (PgBouncer, PGlite's socket server).
 */
export function searchPathSql(info: JdbcConnectionInfo, config: JdbcConfig): string | undefined {
  const schema = info.params.currentSchema ?? config.schema;
  if (!schema) return undefined;
  const list = schema
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s === '$user' ? '"$user"' : `"${s.replace(/"/g, '""')}"`));
  return `SET search_path TO ${list.join(', ')}`;
}
