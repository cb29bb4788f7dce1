/**
 * Parsing of Spark Connect connection strings: `sc://host:port/;key=value;key=value`.
 *
 * Known keys configure the client (`token`, `use_ssl`, `user_id`, `user_agent`, `session_id`);
 * every other key is sent as a gRPC metadata header on each call, as Spark's own clients do.
 */
import { InvalidArgumentError } from '@sparkle/core';

/** The default Spark Connect port. */
export const DEFAULT_PORT = 15002;

/** A parsed `sc://` connection string. */
export interface ConnectionSpec {
  host: string;
  port: number;
  /** Bearer token; implies TLS. */
  token?: string;
  /** True when TLS is on (`use_ssl=true`, or a token is given). */
  useSsl: boolean;
  userId?: string;
  userAgent?: string;
  /** A caller-chosen session id (a UUID), to attach to an existing server session. */
  sessionId?: string;
  /** Other keys, sent as gRPC metadata on every call. */
  headers: Record<string, string>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseBool(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError(`Spark Connect connection string: '${key}' must be true or false`, { connector: 'spark-connect' });
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new InvalidArgumentError('Spark Connect connection string: a parameter is not valid percent-encoding', { connector: 'spark-connect', cause });
  }
}

/**
 * Parses `sc://host[:port][/][;key=value...]`. Values are URL-decoded. Errors never echo the
 * string (it may hold a token).
 *
 * @example
 * ```ts
 * parseConnectionString('sc://spark.internal:15002/;token=abc;x-team=data');
 * // → { host: 'spark.internal', port: 15002, token: 'abc', useSsl: true, headers: { 'x-team': 'data' } }
 * ```
 */
export function parseConnectionString(url: string): ConnectionSpec {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`Invalid Spark Connect connection string: ${why} (expected sc://host:port/;key=value)`, { connector: 'spark-connect' });
  };
  if (!url.startsWith('sc://')) bad("it must start with 'sc://'");
  const rest = url.slice('sc://'.length);
  const semi = rest.indexOf(';');
  let authority = semi === -1 ? rest : rest.slice(0, semi);
  const params = semi === -1 ? '' : rest.slice(semi + 1);
  if (authority.endsWith('/')) authority = authority.slice(0, -1);
  if (authority.includes('/')) bad('a path is not allowed after host:port');
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) bad('unterminated IPv6 address');
    host = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after && !after.startsWith(':')) bad('unexpected text after the IPv6 address');
    portText = after ? after.slice(1) : undefined;
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon === -1 ? authority : authority.slice(0, colon);
    portText = colon === -1 ? undefined : authority.slice(colon + 1);
  }
  if (!host) bad('the host is missing');
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) bad('the port must be a number from 1 to 65535');
    port = Number(portText);
  }
  const spec: ConnectionSpec = { host, port, useSsl: false, headers: {} };
  for (const pair of params.split(';')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) bad('every parameter must be key=value');
    const key = decode(pair.slice(0, eq));
    const value = decode(pair.slice(eq + 1));
    switch (key) {
      case 'token':
        spec.token = value;
        break;
      case 'use_ssl':
        spec.useSsl = parseBool(key, value);
        break;
      case 'user_id':
        spec.userId = value;
        break;
      case 'user_agent':
        spec.userAgent = value;
        break;
      case 'session_id':
        if (!UUID_RE.test(value)) bad("'session_id' must be a UUID");
        spec.sessionId = value.toLowerCase();
        break;
      default:
        spec.headers[key.toLowerCase()] = value;
    }
  }
  // A bearer token over plaintext would leak it: a token always means TLS.
  if (spec.token !== undefined) spec.useSsl = true;
  return spec;
}

/** The connection string from `SPARK_REMOTE`, or undefined. */
export function defaultRemote(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.SPARK_REMOTE?.trim();
  return value ? value : undefined;
}
