/** Finding config directories and listing what they hold (used by the loader and the CLI). */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Checks that an env or connection type name is a plain identifier that cannot leave the config
 * directory (`../../etc`, `a/b`, `..`); throws ConfigError INVALID_ENV_NAME otherwise.
 */
export function assertPlainName(name: string, what: 'env' | 'connection type', connector?: string): void {
  if (typeof name !== 'string' || !PLAIN_NAME.test(name) || name.includes('..')) {
    throw new ConfigError(
      'INVALID_ENV_NAME',
      `Invalid ${what} name ${JSON.stringify(String(name)).slice(0, 80)}: use letters, digits, '_', '-' and '.', starting with a letter or digit, without '..' or path separators.`,
      { connector, details: { [what === 'env' ? 'env' : 'type']: String(name).slice(0, 80) } },
    );
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The config root (absolute) from an explicit value, then `SPARKLE_CONFIG_DIR`, then `./config`.
 * @example
 * resolveConfigRoot(undefined, { SPARKLE_CONFIG_DIR: '/etc/sparkle' }); // → '/etc/sparkle'
 */
export function resolveConfigRoot(configDir: string | undefined, variables: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): string {
  const fromEnv = variables.SPARKLE_CONFIG_DIR;
  return resolve(cwd, configDir ?? (fromEnv ? fromEnv : 'config'));
}

/**
 * The directory holding one folder per connection type: `<root>/connections` when it exists,
 * else `<root>` itself (so `SPARKLE_CONFIG_DIR` may point at either `config/` or
 * `config/connections/`).
 */
export function connectionsDirOf(root: string): string {
  const nested = join(root, 'connections');
  return isDirectory(nested) ? nested : root;
}

/** Env names with a `<env>.json` file in `dir` (sorted; `common` excluded). */
export function listEnvsIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json') && n !== 'common.json')
    .map((n) => n.slice(0, -'.json'.length))
    .filter((n) => PLAIN_NAME.test(n) && !n.includes('..'))
    .sort();
}

/**
 * Folder names to try, in order: the type, then its aliases, each also with `_` spelt `-`
 * (the registry treats `azure_blob` and `azure-blob` as one name, so folders may use either).
 */
export function typeDirNames(type: string, aliases: readonly string[] = []): string[] {
  return [...new Set([type, ...aliases].flatMap((n) => [n, n.replace(/_/g, '-')]))];
}

/** The first existing `<connectionsDir>/<name>` for the type and its aliases. */
export function findTypeDir(connectionsDir: string, names: readonly string[]): string | undefined {
  for (const name of names) {
    const dir = join(connectionsDir, name);
    if (isDirectory(dir)) return dir;
  }
  return undefined;
}

/**
 * Env names configured for a connection type (`dev`, `prod`, …), from `<root>/connections/<type>/`.
 * `root` defaults to `SPARKLE_CONFIG_DIR`, then `./config`. Aliases are tried after `type`.
 * @example
 * listConfigEnvs('config', 'postgres'); // → ['dev', 'prod', 'qa']
 */
export function listConfigEnvs(root: string | undefined, type: string, aliases: readonly string[] = []): string[] {
  assertPlainName(type, 'connection type', type);
  for (const alias of aliases) assertPlainName(alias, 'connection type', type);
  const dir = findTypeDir(connectionsDirOf(resolveConfigRoot(root)), typeDirNames(type, aliases));
  return dir ? listEnvsIn(dir) : [];
}

/**
 * Connection type folders under the config root that hold at least one `.json` file.
 * @example
 * listConfiguredTypes('config'); // → ['kafka', 'postgres', 's3']
 */
export function listConfiguredTypes(root?: string): string[] {
  const dir = connectionsDirOf(resolveConfigRoot(root));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => PLAIN_NAME.test(n) && !n.includes('..') && isDirectory(join(dir, n)))
    .filter((n) => {
      try {
        return readdirSync(join(dir, n)).some((f) => f.endsWith('.json'));
      } catch {
        return false;
      }
    })
    .sort();
}
