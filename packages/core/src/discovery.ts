/**
 * Plugin discovery: finds installed packages whose package.json has a `sparkle` field and
 * registers them lazily, so `getConnection('postgres')` works when
 * `@sparkle/connector-postgres` is installed even though nobody imported it.
 *
 * Only package.json files are read here; a connector's code is imported when its type is
 * first asked for.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IncompatibleConnectorError } from './errors.js';
import { addRegistryEntry, discoveryDone, findRegistryEntry } from './registry.js';
import { satisfiesRange } from './semver-range.js';
import { CORE_VERSION } from './version.js';

/**
 * The `sparkle` field of a connector's package.json: the one source of its type, aliases, family
 * and supported core range (`tools/scripts/sync-workspace.mjs` generates the connector's
 * `src/meta.ts` from it, which its index passes to `registerConnection`). Capabilities are not
 * declared: they are derived from the class (`capabilitiesOf`).
 */
export interface SparklePackageField {
  type: string;
  aliases?: string[];
  family?: string;
  /** @deprecated Derived from the class by `capabilitiesOf`; a declared list is only shown until the class loads. */
  capabilities?: string[];
  /** Semver range of @sparkle/core the connector supports. */
  core?: string;
  description?: string;
}

export interface DiscoveredPackage {
  packageName: string;
  directory: string;
  sparkle: SparklePackageField;
  entry: string;
  /** Why the package cannot be loaded by this core (incompatible or unparseable `sparkle.core`). */
  problem?: IncompatibleConnectorError;
}

/**
 * Checks a connector's `sparkle.core` range against this core's version; the error to refuse it
 * with, or undefined when compatible (or when it declares no range).
 *
 * @example
 * ```ts
 * coreCompatibility({ packageName: '@acme/connector-x', sparkle: { type: 'x', core: '^9.0.0' } })?.message;
 * // "@acme/connector-x (type 'x') requires @sparkle/core ^9.0.0, but this installation has @sparkle/core 0.1.0. …"
 * ```
 */
export function coreCompatibility(pkg: { packageName: string; sparkle: SparklePackageField }, coreVersion: string = CORE_VERSION): IncompatibleConnectorError | undefined {
  const range = pkg.sparkle.core;
  if (range === undefined) return undefined;
  const ok = typeof range === 'string' ? satisfiesRange(coreVersion, range) : undefined;
  if (ok === true) return undefined;
  return new IncompatibleConnectorError(pkg.sparkle.type, pkg.packageName, String(range), coreVersion, ok === undefined);
}

function nodeModulesDirs(from: string): string[] {
  const out: string[] = [];
  let dir = resolve(from);
  for (;;) {
    const nm = join(dir, 'node_modules');
    if (existsSync(nm)) out.push(nm);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The ESM entry of a package from its exports map (or module/main). */
function entryOf(directory: string, pkg: Record<string, unknown>): string {
  const exportsField = pkg.exports as unknown;
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      return pick(v.import) ?? pick(v.node) ?? pick(v.default) ?? pick(v.require);
    }
    return undefined;
  };
  const dot = exportsField && typeof exportsField === 'object' && '.' in (exportsField as object) ? (exportsField as Record<string, unknown>)['.'] : exportsField;
  const rel = pick(dot) ?? (pkg.module as string | undefined) ?? (pkg.main as string | undefined) ?? 'index.js';
  return join(directory, rel);
}

function packagesIn(nodeModules: string): string[] {
  const dirs: string[] = [];
  let names: string[];
  try {
    names = readdirSync(nodeModules);
  } catch {
    return dirs;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      try {
        for (const sub of readdirSync(join(nodeModules, name))) dirs.push(join(nodeModules, name, sub));
      } catch {
        /* unreadable scope: skip */
      }
    } else {
      dirs.push(join(nodeModules, name));
    }
  }
  return dirs;
}

/**
 * Scans `node_modules` folders (from each start directory up to the root) for Sparkle connectors.
 * Pure: reads package.json files, registers nothing.
 */
export function findInstalledConnectors(startDirs: readonly string[] = [process.cwd()]): DiscoveredPackage[] {
  const found = new Map<string, DiscoveredPackage>();
  for (const start of startDirs) {
    for (const nm of nodeModulesDirs(start)) {
      for (const directory of packagesIn(nm)) {
        const pkg = readJson(join(directory, 'package.json'));
        const field = pkg?.sparkle as SparklePackageField | undefined;
        const name = pkg?.name as string | undefined;
        if (!pkg || !name || !field || typeof field.type !== 'string' || found.has(name)) continue;
        const discovered: DiscoveredPackage = { packageName: name, directory, sparkle: field, entry: entryOf(directory, pkg) };
        const problem = coreCompatibility(discovered);
        found.set(name, problem ? { ...discovered, problem } : discovered);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.sparkle.type.localeCompare(b.sparkle.type));
}

/** The directory of this copy of core (its `dist/` or `src/`), or undefined when unknown. */
function coreDirectory(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/** The directory of the running program's entry script (`node app/index.js` → `app/`), links resolved. */
function callerDirectory(): string | undefined {
  const script = process.argv[1];
  if (!script) return undefined;
  try {
    return dirname(realpathSync(resolve(script)));
  } catch {
    return dirname(resolve(script));
  }
}

/**
 * Where discovery looks by default, each walked up to the filesystem root: the working
 * directory, `SPARKLE_PLUGIN_PATH` (colon-separated), the running program's own directory, and
 * the directory core is installed in — so an app started from elsewhere (a service manager, a
 * cron job, `node /srv/app/index.js`) still finds the connectors installed beside it and core.
 *
 * @example
 * ```ts
 * findInstalledConnectors(defaultPluginDirs()).map((p) => p.sparkle.type); // ['parquet', 'postgres', …]
 * ```
 */
export function defaultPluginDirs(): string[] {
  const dirs = [process.cwd(), ...(process.env.SPARKLE_PLUGIN_PATH?.split(':').filter(Boolean) ?? []), callerDirectory(), coreDirectory()];
  return [...new Set(dirs.filter((d): d is string => !!d))];
}

/**
 * Registers every installed connector lazily (once per process unless `force`).
 * Entries already registered by an import keep their class. A connector built for an
 * incompatible core is listed, but opening it fails with `IncompatibleConnectorError`
 * naming both versions; its code is never imported.
 */
export function discoverConnectors(options: { startDirs?: string[]; force?: boolean } = {}): DiscoveredPackage[] {
  if (discoveryDone() && !options.force) return [];
  const startDirs = options.startDirs ?? defaultPluginDirs();
  const found = findInstalledConnectors(startDirs);
  for (const p of found) {
    const existing = findRegistryEntry(p.sparkle.type);
    addRegistryEntry({
      type: p.sparkle.type,
      aliases: p.sparkle.aliases ?? [],
      family: p.sparkle.family ?? existing?.family ?? 'custom',
      capabilities: p.sparkle.capabilities,
      packageName: p.packageName,
      coreRange: p.sparkle.core,
      problem: p.problem?.message,
      load: existing?.connectionClass ? undefined : p.problem ? () => Promise.reject(p.problem) : () => import(pathToFileURL(p.entry).href),
    });
  }
  discoveryDone(true);
  return found;
}
