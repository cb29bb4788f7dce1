/** JDBC URL parsing: turns the seed's `jdbc:` URL into the settings a native driver needs. */
import { InvalidArgumentError } from '../errors.js';

export interface JdbcUrlParts {
  /** `postgresql`, `mysql`, `sqlserver`, `sqlite`, … */
  subprotocol: string;
  host?: string;
  port?: number;
  database?: string;
  /** Query-string or `;key=value` properties, decoded. */
  params: Record<string, string>;
  /** For file databases (`jdbc:sqlite:/path/db.sqlite`): the path. */
  path?: string;
}

/**
 * Parses `jdbc:<sub>://host[:port][/database][?k=v&…]`, the SQL Server form
 * `jdbc:sqlserver://host:port;databaseName=db;k=v`, Oracle's `jdbc:oracle:thin:@//host:port/service`
 * and `@host:port:SID`, and file forms such as `jdbc:sqlite:/path`.
 */
export function parseJdbcUrl(url: string): JdbcUrlParts {
  if (typeof url !== 'string' || !url.startsWith('jdbc:')) {
    throw new InvalidArgumentError(`A JDBC URL must start with 'jdbc:' (e.g. jdbc:postgresql://host:5432/db)`);
  }
  const rest = url.slice(5);
  const oracle = /^oracle:thin:@(?:\/\/)?([^:/]+)(?::(\d+))?(?:[/:]([^?]+))?(?:\?(.*))?$/.exec(rest);
  if (oracle) {
    return { subprotocol: 'oracle', host: oracle[1], port: oracle[2] ? Number(oracle[2]) : undefined, database: oracle[3], params: parseQuery(oracle[4] ?? '') };
  }
  const colon = rest.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`Cannot read the JDBC subprotocol of '${redactUrlForMessage(url)}'`);
  const subprotocol = rest.slice(0, colon).toLowerCase();
  const body = rest.slice(colon + 1);
  if (!body.startsWith('//')) {
    const [path, query] = splitOnce(body, '?');
    return { subprotocol, path: decodeURIComponent(path), params: parseQuery(query ?? '') };
  }
  const afterSlashes = body.slice(2);
  // SQL Server style: properties after ';'
  const [main, semiProps] = splitOnce(afterSlashes, ';');
  const [hostPortPath, query] = splitOnce(main, '?');
  const slash = hostPortPath.indexOf('/');
  const hostPort = slash === -1 ? hostPortPath : hostPortPath.slice(0, slash);
  const database = slash === -1 ? undefined : decodeURIComponent(hostPortPath.slice(slash + 1)) || undefined;
  const { host, port } = parseHostPort(hostPort.split(',')[0] ?? '', url);
  const params = { ...parseQuery(query ?? ''), ...parseSemicolonProps(semiProps ?? '') };
  const db = database ?? params.databaseName ?? params.database;
  return { subprotocol, host, port, database: db, params };
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i === -1 ? [text, undefined] : [text.slice(0, i), text.slice(i + sep.length)];
}

function parseHostPort(hostPort: string, url: string): { host?: string; port?: number } {
  if (!hostPort) return {};
  const at = hostPort.lastIndexOf('@');
  const hp = at === -1 ? hostPort : hostPort.slice(at + 1);
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hp);
  if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : undefined };
  const [host, port] = splitOnce(hp, ':');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new InvalidArgumentError(`Invalid port in JDBC URL '${redactUrlForMessage(url)}'`);
  return { host: host || undefined, port: port ? Number(port) : undefined };
}

function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const [k, v] = splitOnce(pair, '=');
    out[decodeURIComponent(k)] = decodeURIComponent(v ?? '');
  }
  return out;
}

function parseSemicolonProps(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(';')) {
    if (!pair) continue;
    const [k, v] = splitOnce(pair, '=');
    out[k.trim()] = (v ?? '').trim();
  }
  return out;
}

/** A URL safe for an error message: user-info and password-like params removed. */
export function redactUrlForMessage(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@').replace(/((?:password|pwd|token)=)[^&;]*/gi, '$1***');
}
