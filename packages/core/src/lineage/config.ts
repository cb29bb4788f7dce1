/**
 * OpenLineage client configuration, resolved the way the OpenLineage clients do:
 *
 * 1. options passed in code (`createLineageClient({ transport })`)
 * 2. `openlineage.yml`: the file named by `OPENLINEAGE_CONFIG`, else `./openlineage.yml`,
 *    else `~/.openlineage/openlineage.yml`
 * 3. `OPENLINEAGE__…` variables (`OPENLINEAGE__TRANSPORT__TYPE=file`, nested keys split on `__`,
 *    values parsed as JSON when they are JSON)
 * 4. legacy `OPENLINEAGE_URL` (+ `OPENLINEAGE_ENDPOINT`, `OPENLINEAGE_API_KEY`): an HTTP transport
 *
 * Earlier sources win key by key (deep merge). `OPENLINEAGE_DISABLED=true` turns everything off.
 * With nothing configured Sparkle stays silent (a library must not write to stdout unasked);
 * OpenLineage's own clients print to the console instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { CompositeTransport } from './transports/composite.js';
import { ConsoleTransport } from './transports/console.js';
import { FileTransport } from './transports/file.js';
import { HttpTransport } from './transports/http.js';
import { NoopTransport } from './transports/noop.js';
import type { LineageTransport } from './transports/types.js';
import { parseYaml } from './yaml.js';

type Json = Record<string, unknown>;

/** Where configuration is read from; every field defaults to the real process. */
export interface LineageConfigSources {
  env?: Record<string, string | undefined>;
  cwd?: string;
  homeDir?: string;
}

/** The merged configuration and where it came from. */
export interface ResolvedLineageConfig {
  /** Merged config object (`{ transport: {...} }`), keys as written. */
  config: Json;
  /** The `openlineage.yml` used, if any. */
  file?: string;
  /** Which sources contributed, for diagnostics: `code`, `file`, `env`, `legacy-env`. */
  sources: string[];
  disabled: boolean;
  /** Default job namespace (`OPENLINEAGE_NAMESPACE`, else `sparkle`). */
  namespace: string;
}

const TRUE = /^(true|1|yes)$/i;

/**
 * Resolves configuration from code, `openlineage.yml` and environment.
 * @example
 * const { config, file } = resolveLineageConfig({ env: { OPENLINEAGE__TRANSPORT__TYPE: 'console' } });
 */
export function resolveLineageConfig(code: Json | undefined, sources: LineageConfigSources = {}): ResolvedLineageConfig {
  const env = sources.env ?? process.env;
  const used: string[] = [];
  let config: Json = {};
  if (code && Object.keys(code).length) {
    config = code;
    used.push('code');
  }
  const file = findConfigFile(sources);
  if (file) {
    config = deepMerge(readConfigFile(file), config);
    used.push('file');
  }
  const dynamic = configFromEnv(env);
  if (Object.keys(dynamic).length) {
    config = deepMerge(dynamic, config);
    used.push('env');
  }
  if (!hasTransportType(config) && env.OPENLINEAGE_URL) {
    config = deepMerge({ transport: legacyHttpConfig(env) }, config);
    used.push('legacy-env');
  }
  return {
    config,
    ...(file ? { file } : {}),
    sources: used,
    disabled: TRUE.test((env.OPENLINEAGE_DISABLED ?? '').trim()),
    namespace: env.OPENLINEAGE_NAMESPACE?.trim() || 'sparkle',
  };
}

/**
 * The `openlineage.yml` to use: `OPENLINEAGE_CONFIG` (which must exist), then the working
 * directory, then `~/.openlineage/`.
 */
export function findConfigFile(sources: LineageConfigSources = {}): string | undefined {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  if (env.OPENLINEAGE_CONFIG) {
    const explicit = resolve(cwd, env.OPENLINEAGE_CONFIG);
    if (!existsSync(explicit)) {
      throw new ConfigError('CONFIG_NOT_FOUND', `OPENLINEAGE_CONFIG names ${explicit}, which does not exist`, { details: { file: explicit } });
    }
    return explicit;
  }
  const candidates = [join(cwd, 'openlineage.yml'), join(sources.homeDir ?? homedir(), '.openlineage', 'openlineage.yml')];
  return candidates.find((path) => existsSync(path));
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError('CONFIG_NOT_FOUND', `Cannot read OpenLineage config ${file}`, { cause, details: { file } });
  }
  const parsed = parseYaml(text, file);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('CONFIG_PARSE', `${file}: the top level must be a map (e.g. "transport:")`, { details: { file } });
  }
  return parsed as Json;
}

/**
 * `OPENLINEAGE__A__B=v` → `{ a: { b: v } }`. Keys are lower-cased; values that parse as JSON are
 * used as JSON. Shorter (higher-level) variables are applied last so they win, as in OpenLineage.
 */
export function configFromEnv(env: Record<string, string | undefined>): Json {
  const prefix = 'OPENLINEAGE__';
  const out: Json = {};
  const entries = Object.entries(env)
    .filter((e): e is [string, string] => e[0].startsWith(prefix) && e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
  for (const [key, raw] of entries) {
    const path = key.slice(prefix.length).split('__').map((k) => k.toLowerCase()).filter(Boolean);
    if (!path.length) continue;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    let node = out;
    for (const k of path.slice(0, -1)) {
      if (!node[k] || typeof node[k] !== 'object') node[k] = {};
      node = node[k] as Json;
    }
    node[path[path.length - 1]!] = value;
  }
  return sortKeys(out) as Json;
}

/** Environment order means nothing; named composite members come out alphabetically instead. */
function sortKeys(v: unknown): unknown {
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

function legacyHttpConfig(env: Record<string, string | undefined>): Json {
  return {
    type: 'http',
    url: env.OPENLINEAGE_URL,
    endpoint: env.OPENLINEAGE_ENDPOINT ?? 'api/v1/lineage',
    ...(env.OPENLINEAGE_API_KEY ? { auth: { type: 'api_key', apiKey: env.OPENLINEAGE_API_KEY } } : {}),
  };
}

function hasTransportType(config: Json): boolean {
  const transport = pick(config, 'transport');
  return !!transport && typeof transport === 'object' && pick(transport as Json, 'type') !== undefined;
}

/** Deep merge where `override` wins; arrays and scalars are replaced whole. */
export function deepMerge(base: Json, override: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = out[key];
    out[key] =
      isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Key lookup tolerant of spelling: `log_file_path`, `logFilePath`, `LOG_FILE_PATH`, `logfilepath`. */
export function pick(obj: Json, name: string): unknown {
  const norm = (k: string) => k.toLowerCase().replace(/[_-]/g, '');
  const wanted = norm(name);
  for (const [key, value] of Object.entries(obj)) if (norm(key) === wanted) return value;
  return undefined;
}

/** Transport types that mean "lineage off". */
const OFF = new Set(['noop', 'none', 'off', 'disabled']);

/**
 * Builds a transport from a config object in OpenLineage's shape (`{ type: 'http', url, endpoint,
 * auth: { type: 'api_key', apiKey }, timeout }`, snake or camel case) or Sparkle's programmatic
 * shape (`{ type: 'http', url, apiKey, timeoutMs }`).
 * @param where names the source in errors (`openlineage.yml: transport`)
 * @example
 * createTransport({ type: 'file', log_file_path: '/tmp/ol.ndjson' });
 */
export function createTransport(config: Json, where = 'transport'): LineageTransport {
  const type = String(pick(config, 'type') ?? '').toLowerCase();
  const str = (name: string): string | undefined => {
    const v = pick(config, name);
    return v === undefined || v === null ? undefined : String(v);
  };
  const num = (name: string): number | undefined => {
    const v = pick(config, name);
    if (v === undefined || v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw invalid(`${where}.${name} must be a number, got "${String(v)}"`);
    return n;
  };
  const bool = (name: string): boolean | undefined => {
    const v = pick(config, name);
    return v === undefined || v === null ? undefined : v === true || TRUE.test(String(v));
  };

  if (OFF.has(type)) return new NoopTransport();
  switch (type) {
    case 'console':
      return new ConsoleTransport({ stream: str('stream') === 'stderr' ? 'stderr' : 'stdout' });
    case 'file': {
      const path = str('log_file_path') ?? str('path');
      if (!path) throw invalid(`${where}: a file transport needs log_file_path`);
      if (/^[a-z][a-z0-9+.-]+:\/\//i.test(path) && !path.startsWith('file://')) {
        throw invalid(`${where}: remote log_file_path (${path.split('://')[0]}://) is not supported; use a local path`);
      }
      return new FileTransport({ path: path.replace(/^file:\/\//, ''), append: bool('append') ?? true });
    }
    case 'http': {
      const url = str('url');
      if (!url) throw invalid(`${where}: an http transport needs url`);
      const auth = pick(config, 'auth') as Json | undefined;
      const authType = auth ? String(pick(auth, 'type') ?? 'api_key').toLowerCase() : undefined;
      if (authType && authType !== 'api_key') throw invalid(`${where}.auth.type "${authType}" is not supported (only api_key)`);
      const apiKey = (auth && (pick(auth, 'apiKey') as string | undefined)) ?? str('apiKey');
      const retry = pick(config, 'retry') as Json | undefined;
      const timeoutSeconds = num('timeout');
      const compression = str('compression');
      if (compression && compression !== 'gzip') throw invalid(`${where}.compression "${compression}" is not supported (only gzip)`);
      return new HttpTransport({
        url,
        endpoint: str('endpoint') ?? 'api/v1/lineage',
        ...(apiKey ? { apiKey: String(apiKey) } : {}),
        timeoutMs: num('timeoutMs') ?? (timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined),
        retries: num('retries') ?? (retry ? numberOr(pick(retry, 'total')) : undefined),
        backoffMs: num('backoffMs') ?? (retry && numberOr(pick(retry, 'backoff_factor')) !== undefined ? numberOr(pick(retry, 'backoff_factor'))! * 1000 : undefined),
        ...(retry && Array.isArray(pick(retry, 'status_forcelist')) ? { retryStatuses: (pick(retry, 'status_forcelist') as unknown[]).map(Number) } : {}),
        headers: stringMap(pick(config, 'custom_headers') ?? pick(config, 'headers')),
        ...(compression ? { compression: 'gzip' as const } : {}),
      });
    }
    case 'composite': {
      const list = pick(config, 'transports');
      const entries: Array<[string, unknown]> = Array.isArray(list)
        ? list.map((t, i) => [String(i), t])
        : isPlainObject(list)
          ? Object.entries(list)
          : [];
      if (!entries.length) throw invalid(`${where}: a composite transport needs a non-empty transports list or map`);
      // `{}` disables one named member (OpenLineage's way to drop an aliased default).
      const members = entries.filter(([, t]) => isPlainObject(t) && Object.keys(t).length > 0);
      // sort_transports: higher `priority` first (stable, missing priority = 0), as in OpenLineage.
      if (bool('sort_transports')) {
        const priority = (t: unknown) => numberOr(pick(t as Json, 'priority')) ?? 0;
        members.sort(([, a], [, b]) => priority(b) - priority(a));
      }
      return new CompositeTransport({
        transports: members.map(([name, t]) => createTransport(t as Json, `${where}.transports.${name}`)),
        continueOnFailure: bool('continue_on_failure') ?? true,
        continueOnSuccess: bool('continue_on_success') ?? true,
      });
    }
    case '':
      throw invalid(`${where}: missing transport type (console, file, http, composite or none)`);
    default:
      throw invalid(`${where}: transport type "${type}" is not supported by Sparkle (console, file, http, composite or none)`);
  }
}

function numberOr(v: unknown): number | undefined {
  const n = Number(v);
  return v === undefined || v === null || !Number.isFinite(n) ? undefined : n;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isPlainObject(v)) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function invalid(message: string): ConfigError {
  return new ConfigError('CONFIG_INVALID', `OpenLineage config: ${message}`);
}
