/**
 * The config loader (DESIGN.md §2).
 *
 * `<root>/connections/<type>/common.json` deep-merged with `<root>/connections/<type>/<env>.json`,
 * or `config` passed in code; then `${VAR}` interpolation from the environment and `.env` files.
 *
 * Choices worth knowing:
 * - A missing `<env>.json` is fine when `common.json` exists (an env with nothing to override
 *   needs no file); the expected path is kept in `ResolvedConfig.missingEnvFile` so `config show`
 *   and `lint` can flag a misspelt env. When neither file exists the error lists the envs that do.
 * - Interpolation runs after the merge, so a `${VAR}` in common.json that the env file overrides
 *   never has to be set.
 * - Variables: `options.variables` (default `process.env`) wins over `.env` files; of those, the
 *   config root's `.env` wins over the working directory's. `.env` files never modify `process.env`.
 * - `SPARKLE_CONFIG_DIR` and `SPARKLE_ENV` may come from the environment or the working directory's
 *   `.env` (`SPARKLE_ENV` also from the config root's `.env`).
 * - Files are small and read synchronously; `loadConfig` is async for API stability.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { assertPlainName, connectionsDirOf, findTypeDir, isDirectory, listConfiguredTypes, listEnvsIn, resolveConfigRoot, typeDirNames } from './discover.js';
import { readDotenvFile } from './dotenv.js';
import { interpolateString, InterpolationSyntaxError, type VariableLookup } from './interpolate.js';
import { parseJsonText } from './json.js';
import { cloneJson, deepMerge, isPlainObject, setOwn, type JsonObject } from './merge.js';
import { displayFile, displayJsonPath, formatPath, type PathSegment } from './paths.js';
import { layerProvenance, mergedProvenance } from './provenance.js';
import type { LoadConfigOptions, ResolvedConfig, UnsetVariable } from './types.js';

/** Merged but not yet interpolated config, with the variable lookup to interpolate it. */
interface ConfigSources extends ResolvedConfig {
  lookup: VariableLookup;
  cwd: string;
}

interface Variables {
  lookup: VariableLookup;
  dotenvFiles: string[];
}

function buildVariables(processVars: Record<string, string | undefined>, dotenvs: Array<{ file: string; values: Record<string, string> }>): Variables {
  return {
    dotenvFiles: dotenvs.map((d) => d.file),
    lookup: (name) => {
      const fromProcess = Object.hasOwn(processVars, name) ? processVars[name] : undefined;
      if (fromProcess !== undefined) return { value: fromProcess, source: 'process' };
      for (let i = dotenvs.length - 1; i >= 0; i--) {
        const d = dotenvs[i]!;
        if (Object.hasOwn(d.values, name)) return { value: d.values[name]!, source: 'dotenv', file: d.file };
      }
      return undefined;
    },
  };
}

function readJsonObject(path: string, cwd: string, connector: string): JsonObject | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError('CONFIG_NOT_FOUND', `Could not read ${displayFile(path, cwd)}: ${code ?? 'read error'}.`, { connector, cause: err, details: { file: path } });
  }
  const value = parseJsonText(text, path, displayFile(path, cwd));
  if (!isPlainObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new ConfigError('CONFIG_INVALID', `${displayFile(path, cwd)} must contain a JSON object at the top level, found ${kind}.`, {
      connector,
      details: { file: path },
    });
  }
  return value;
}

/** Reads and merges the layers of one connection's config, without interpolating. */
function readSources(options: LoadConfigOptions): ConfigSources {
  const cwd = resolve(options.cwd ?? process.cwd());
  const type = options.type;
  assertPlainName(type, 'connection type', type);
  const aliases = (options.aliases ?? []).filter((a) => a !== type);
  for (const alias of aliases) assertPlainName(alias, 'connection type', type);
  const processVars = options.variables ?? process.env;

  // .env files: an explicit one, or ./.env then <root>/.env when present.
  const dotenvs: Array<{ file: string; values: Record<string, string> }> = [];
  const addDotenv = (file: string, required: boolean) => {
    if (dotenvs.some((d) => d.file === file)) return;
    const values = readDotenvFile(file, displayFile(file, cwd));
    if (values) dotenvs.push({ file, values });
    else if (required) {
      throw new ConfigError('CONFIG_NOT_FOUND', `The .env file ${displayFile(file, cwd)} does not exist.`, { connector: type, details: { file } });
    }
  };
  if (typeof options.dotenv === 'string') addDotenv(resolve(cwd, options.dotenv), true);
  else if (options.dotenv !== false) addDotenv(join(cwd, '.env'), false);

  const early = buildVariables(processVars, dotenvs).lookup;
  const root = resolveConfigRoot(options.configDir, { SPARKLE_CONFIG_DIR: early('SPARKLE_CONFIG_DIR')?.value }, cwd);
  if (options.dotenv === undefined) addDotenv(join(root, '.env'), false);
  const { lookup, dotenvFiles } = buildVariables(processVars, dotenvs);

  const env = options.env ?? (lookup('SPARKLE_ENV')?.value || 'dev');
  assertPlainName(env, 'env', type);

  const base = { type, env, root, lookup, cwd, dotenvFiles };
  if (options.config !== undefined) {
    if (!isPlainObject(options.config)) {
      throw new ConfigError('CONFIG_INVALID', `The config passed in code for '${type}' must be a plain object.`, { connector: type });
    }
    const values = cloneJson(options.config);
    return { ...base, values, provenance: layerProvenance(values, 'code'), files: [] };
  }
  if (env === 'common') {
    throw new ConfigError('INVALID_ENV_NAME', "The env name 'common' is reserved for the shared common.json file.", { connector: type, details: { env } });
  }

  const connectionsDir = connectionsDirOf(root);
  const names = typeDirNames(type, aliases);
  const dir = findTypeDir(connectionsDir, names);
  if (!dir) {
    const tried = names.map((n) => displayFile(join(connectionsDir, n), cwd) + '/');
    const configured = listConfiguredTypes(root);
    const rootNote = isDirectory(root) ? '' : ` The config root ${displayFile(root, cwd)} does not exist.`;
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      `No config for '${type}' (env '${env}'): looked for ${tried.join(', ')} and found none.${rootNote} ` +
        `Expected common.json and/or ${env}.json there` +
        (configured.length ? `; configured types: ${configured.join(', ')}` : '') +
        `. Set configDir or SPARKLE_CONFIG_DIR, or pass config in code.`,
      { connector: type, details: { directories: names.map((n) => join(connectionsDir, n)), env, configuredTypes: configured } },
    );
  }

  const commonFile = join(dir, 'common.json');
  const envFile = join(dir, `${env}.json`);
  const common = readJsonObject(commonFile, cwd, type);
  const envValues = readJsonObject(envFile, cwd, type);
  if (!common && !envValues) {
    const available = listEnvsIn(dir);
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      `No config for '${type}' env '${env}' in ${displayFile(dir, cwd)}/: expected ${env}.json or common.json. ` +
        (available.length ? `Envs configured there: ${available.join(', ')}.` : 'No env files exist there.'),
      { connector: type, details: { directory: dir, env, expected: [envFile, commonFile], availableEnvs: available } },
    );
  }
  const layers = [common ? layerProvenance(common, 'common', commonFile) : {}, envValues ? layerProvenance(envValues, 'env', envFile) : {}];
  const values = deepMerge(common ?? {}, envValues ?? {});
  return {
    ...base,
    values,
    provenance: mergedProvenance(values, layers),
    files: [...(common ? [commonFile] : []), ...(envValues ? [envFile] : [])],
    directory: dir,
    ...(envValues ? {} : { missingEnvFile: envFile }),
  };
}

/** Interpolates every string of the merged values; collects unset variables instead of throwing. */
function interpolateSources(sources: ConfigSources): { resolved: ResolvedConfig; unset: UnsetVariable[] } {
  const unset: UnsetVariable[] = [];
  const provenance = { ...sources.provenance };
  const where = (path: string) => {
    const file = provenance[path]?.file;
    return file ? displayFile(file, sources.cwd) : 'config passed in code';
  };
  const walk = (value: unknown, segments: PathSegment[]): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...segments, i]));
    if (isPlainObject(value)) {
      const out: JsonObject = {};
      for (const [key, item] of Object.entries(value)) setOwn(out, key, walk(item, [...segments, key]));
      return out;
    }
    if (typeof value !== 'string') return value;
    const path = formatPath(segments);
    let result;
    try {
      result = interpolateString(value, sources.lookup);
    } catch (err) {
      if (!(err instanceof InterpolationSyntaxError)) throw err;
      // The reason and column only: the string itself may hold a secret.
      throw new ConfigError('CONFIG_INVALID', `${where(path)} at ${displayJsonPath(path)}: ${err.message} (character ${err.offset + 1}).`, {
        connector: sources.type,
        details: { file: provenance[path]?.file, path: displayJsonPath(path) },
      });
    }
    for (const name of result.missing) unset.push({ name, path: displayJsonPath(path), ...(provenance[path]?.file ? { file: provenance[path]!.file } : {}) });
    if (result.used.length && provenance[path]) provenance[path] = { ...provenance[path]!, envVars: result.used };
    return result.value;
  };
  const values = walk(sources.values, []) as JsonObject;
  const { lookup: _lookup, cwd: _cwd, ...rest } = sources;
  return { resolved: { ...rest, values, provenance }, unset };
}

function missingVariablesError(sources: ConfigSources, unset: UnsetVariable[]): ConfigError {
  const lines = unset.map((u) => `  - ${u.name} (${u.file ? displayFile(u.file, sources.cwd) : 'config passed in code'} at ${u.path})`);
  const names = [...new Set(unset.map((u) => u.name))];
  const dotenvNote = sources.dotenvFiles?.length ? ` (read: ${sources.dotenvFiles.map((f) => displayFile(f, sources.cwd)).join(', ')})` : '';
  return new ConfigError(
    'CONFIG_MISSING_ENV',
    `Missing environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')} for '${sources.type}' (env '${sources.env}'):\n${lines.join('\n')}\n` +
      `Set ${names.length > 1 ? 'them' : 'it'} in the environment or a .env file${dotenvNote}, or give a default with \${VAR:-default}.`,
    { connector: sources.type, details: { variables: names, missing: unset } },
  );
}

/**
 * Loads one connection's config synchronously (see `loadConfig`).
 * @example
 * const resolved = loadConfigSync({ type: 'postgres', env: 'prod', configDir: 'config' });
 */
export function loadConfigSync(options: LoadConfigOptions): ResolvedConfig {
  const sources = readSources(options);
  const { resolved, unset } = interpolateSources(sources);
  if (unset.length) throw missingVariablesError(sources, unset);
  return resolved;
}

/**
 * Loads one connection's config: `common.json` deep-merged with `<env>.json` from
 * `<configDir>/connections/<type>/` (or `config` passed in code), with `${VAR}` and
 * `${VAR:-default}` filled from the environment and `.env` files, and provenance per value.
 * Throws ConfigError (CONFIG_NOT_FOUND, CONFIG_PARSE, CONFIG_INVALID, CONFIG_MISSING_ENV,
 * INVALID_ENV_NAME); a missing variable error lists every unset variable with file and path.
 *
 * @example
 * ```ts
 * const resolved = await loadConfig({ type: 'postgres', env: 'prod' });
 * resolved.values.url;                       // 'jdbc:postgresql://prod-db:5432/analytics'
 * resolved.provenance['properties.ssl'];     // { layer: 'common', file: '/app/config/connections/postgres/common.json' }
 * ```
 */
export async function loadConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  return loadConfigSync(options);
}

/**
 * Every `${VAR}` reference that is unset and has no default, with file and JSON path, without
 * throwing for them (other config errors still throw). For `sparkle lint`.
 *
 * @example
 * for (const u of findUnsetVariables({ type: 'postgres', env: 'prod' })) {
 *   console.log(`${u.name} is not set (${u.file} at ${u.path})`);
 * }
 */
export function findUnsetVariables(options: LoadConfigOptions): UnsetVariable[] {
  return interpolateSources(readSources(options)).unset;
}
