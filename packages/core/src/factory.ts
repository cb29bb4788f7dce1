/**
 * `getConnection` and `ConnectionFactory`: the seed's entry points.
 */
import { discoverConnectors } from './discovery.js';
import { loadConfig } from './config/index.js';
import type { ConnectionInit, SparkleConnection } from './connection.js';
import type { ConnectionOn } from './engine.js';
import type { LineageClient } from './lineage/types.js';
import { findRegistryEntry, registryEntries, unknownType, type ConnectionClass, type RegistryEntry } from './registry.js';
import { MissingDriverError, SparkleError } from './errors.js';
import { capabilitiesOf } from './capabilities/index.js';

export interface GetConnectionOptions {
  /** A Spark Connect session: reads return Spark DataFrames. Omitted: the local Arrow engine. */
  spark?: unknown;
  /** Environment name (`dev`, `qa`, `prod`…): selects `<env>.json`. Default `SPARKLE_ENV`, then `dev`. */
  env?: string;
  /** Config in code: skips config files (still `${VAR}`-interpolated and validated). */
  config?: Record<string, unknown>;
  /** Config root holding `connections/<type>/`. Default `SPARKLE_CONFIG_DIR`, then `./config`. */
  configDir?: string;
  /** Variables for `${VAR}` (default `process.env`). */
  variables?: Record<string, string | undefined>;
  /** `.env` file to read, or false. */
  dotenv?: string | false;
  /** Directory relative paths (config root, `.env`) resolve against; default `process.cwd()`. */
  cwd?: string;
  lineage?: LineageClient;
}

/** Resolves a type or alias to its registry entry, discovering installed connectors when needed. */
export async function resolveConnectionType(type: string): Promise<RegistryEntry & { connectionClass: ConnectionClass }> {
  let entry = findRegistryEntry(type);
  if (!entry || (!entry.connectionClass && !entry.load)) {
    discoverConnectors();
    entry = findRegistryEntry(type);
  }
  if (!entry) throw unknownType(type);
  if (!entry.connectionClass && entry.load) {
    try {
      await entry.load();
    } catch (cause) {
      if (SparkleError.isInstance(cause)) throw cause;
      throw new MissingDriverError(entry.type, entry.packageName ?? `@sparkle/connector-${entry.type}`, cause);
    }
    entry = findRegistryEntry(type);
  }
  if (!entry?.connectionClass) {
    throw new MissingDriverError(type, entry?.packageName ?? `@sparkle/connector-${type}`);
  }
  return entry as RegistryEntry & { connectionClass: ConnectionClass };
}

/**
 * Creates a connection from config files (`<configDir>/connections/<type>/common.json` merged with
 * `<env>.json`, `${VAR}` secrets from the environment) or from `config` passed in code.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-postgres'; // optional: installed connectors are discovered
 *
 * await using conn = await getConnection('postgres', { env: 'prod' });
 * console.log(await conn.test());
 * ```
 */
export async function getConnection<T extends SparkleConnection = SparkleConnection>(type: string, options: GetConnectionOptions & { spark: object }): Promise<ConnectionOn<T, 'spark'>>;
export async function getConnection<T extends SparkleConnection = SparkleConnection>(type: string, options?: GetConnectionOptions & { spark?: undefined | null }): Promise<ConnectionOn<T, 'local'>>;
export async function getConnection<T extends SparkleConnection = SparkleConnection>(type: string, options?: GetConnectionOptions): Promise<T>;
export async function getConnection<T extends SparkleConnection = SparkleConnection>(type: string, options: GetConnectionOptions = {}): Promise<T> {
  const entry = await resolveConnectionType(type);
  const load = (config: Record<string, unknown> | undefined) =>
    loadConfig({
      type: entry.type,
      aliases: [type, ...entry.aliases].filter((n) => n !== entry.type),
      env: options.env,
      configDir: options.configDir,
      config,
      variables: options.variables,
      dotenv: options.dotenv,
      cwd: options.cwd,
    });
  let resolved;
  try {
    resolved = await load(options.config);
  } catch (error) {
    // A connector with no required settings works with none (`parquet:./out/x.parquet`): when its
    // type has no config directory at all and its schema accepts `{}`, it gets `{}`.
    const noTypeDir = SparkleError.isInstance(error) && error.code === 'CONFIG_NOT_FOUND' && Array.isArray(error.details.directories);
    if (!noTypeDir || options.config !== undefined || !entry.connectionClass.schema?.safeParse({}).success) throw error;
    resolved = await load({});
  }
  const init: ConnectionInit = {
    type: entry.type,
    config: resolved.values,
    env: resolved.env,
    spark: options.spark,
    resolved,
    lineage: options.lineage,
  };
  return new entry.connectionClass(init) as T;
}

/** Static helpers mirroring the seed's `ConnectionFactory`. */
export const ConnectionFactory = {
  /**
   * Canonical connection types available: registered ones plus installed connector packages.
   * @example
   * const available = ConnectionFactory.listAvailable();
   * console.log(`Available: ${available.length} connection types`);
   */
  listAvailable(options: { includeAliases?: boolean } = {}): string[] {
    discoverConnectors();
    const entries = registryEntries();
    const names = entries.flatMap((e) => (options.includeAliases ? [e.type, ...e.aliases] : [e.type]));
    return [...new Set(names)].sort();
  },
  /**
   * Registry entries with family, aliases and package, for `sparkle list`. Capabilities of a
   * loaded class are derived from its methods (`capabilitiesOf`); for a package not imported yet
   * they are whatever its package.json still declares (`loadAll()` first to derive every one).
   */
  describeAvailable(): Array<Omit<RegistryEntry, 'connectionClass' | 'load'> & { loaded: boolean }> {
    discoverConnectors();
    return registryEntries().map(({ connectionClass, load: _load, ...rest }) => ({
      ...rest,
      ...(connectionClass ? { capabilities: capabilitiesOf(connectionClass) } : {}),
      loaded: Boolean(connectionClass),
    }));
  },
  /**
   * Imports every discovered connector that is not loaded yet, so its class (and capabilities)
   * are known. Failures (a missing dependency, an incompatible core) are returned, not thrown.
   */
  async loadAll(): Promise<Array<{ type: string; error: SparkleError }>> {
    discoverConnectors();
    const failures: Array<{ type: string; error: SparkleError }> = [];
    for (const entry of registryEntries()) {
      if (entry.connectionClass || !entry.load) continue;
      try {
        await resolveConnectionType(entry.type);
      } catch (error) {
        failures.push({ type: entry.type, error: SparkleError.isInstance(error) ? error : new MissingDriverError(entry.type, entry.packageName ?? entry.type, error) });
      }
    }
    return failures;
  },
  getConnection,
  resolve: resolveConnectionType,
};
