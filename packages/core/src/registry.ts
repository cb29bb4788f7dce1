/**
 * The connection registry: canonical types, aliases, and the classes (or lazy loaders) behind them.
 *
 * It lives on a `Symbol.for` key of `globalThis`, so two installed copies of `@sparkle/core`
 * (a connector built against another minor version, a CJS and an ESM copy) share one registry.
 * Registration is idempotent: importing a connector twice, or registering the same class again,
 * changes nothing; registering a *different* class under a taken name replaces it (last wins,
 * which is what a user overriding a built-in connector wants).
 */
import type { z } from 'zod';
import { InvalidArgumentError, UnknownConnectionTypeError } from './errors.js';
import type { ConnectionInit, SparkleConnection } from './connection.js';

/** The static side of a connection class. */
export interface ConnectionClass<T extends SparkleConnection = SparkleConnection> {
  new (init: ConnectionInit): T;
  /** zod schema of the connection's config (inherited from the family base when not set). */
  schema?: z.ZodType;
  /** Connector family: jdbc, cloud_storage, streaming, warehouse, nosql, api, catalog, ml, file_format, specialized, custom. */
  family?: string;
  description?: string;
}

/** One registered type. */
export interface RegistryEntry {
  type: string;
  aliases: string[];
  family: string;
  /** npm package that provides it, when discovered or declared. */
  packageName?: string;
  /** Declared capabilities, shown until the class loads; `sparkle list` derives them from the class (`capabilitiesOf`). */
  capabilities?: string[];
  /** The `sparkle.core` range the providing package declares. */
  coreRange?: string;
  /** Why this entry cannot be loaded (an incompatible core), for `sparkle list`. */
  problem?: string;
  /** The class, once loaded. */
  connectionClass?: ConnectionClass;
  /** Imports the providing package; the import registers the class. */
  load?: () => Promise<unknown>;
}

interface RegistryState {
  entries: Map<string, RegistryEntry>;
  /** alias or type → canonical type */
  names: Map<string, string>;
  discovered: boolean;
}

const KEY = Symbol.for('sparkle.registry.v1');

function state(): RegistryState {
  const g = globalThis as Record<symbol, unknown>;
  if (!g[KEY]) g[KEY] = { entries: new Map(), names: new Map(), discovered: false } satisfies RegistryState;
  return g[KEY] as RegistryState;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Normalises a user-typed type name: case-insensitive, `-` and `_` equivalent. */
export function normalizeTypeName(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_');
}

function checkName(name: string): string {
  const n = normalizeTypeName(name);
  if (!NAME.test(n)) {
    throw new InvalidArgumentError(`Invalid connection type name '${name}': use lower-case letters, digits and '_' (e.g. 'my_db').`);
  }
  return n;
}

/**
 * Adds or updates a registry entry. Used by `registerConnection` and by plugin discovery.
 * @returns the canonical type
 */
export function addRegistryEntry(entry: RegistryEntry): string {
  const s = state();
  const type = checkName(entry.type);
  const aliases = [...new Set(entry.aliases.map(checkName))].filter((a) => a !== type);
  const existing = s.entries.get(type);
  const merged: RegistryEntry = {
    ...existing,
    ...entry,
    type,
    aliases: [...new Set([...(existing?.aliases ?? []), ...aliases])],
    family: entry.family ?? existing?.family ?? 'custom',
    connectionClass: entry.connectionClass ?? existing?.connectionClass,
    load: entry.load ?? existing?.load,
    packageName: entry.packageName ?? existing?.packageName,
  };
  s.entries.set(type, merged);
  s.names.set(type, type);
  for (const alias of merged.aliases) s.names.set(alias, type);
  return type;
}

/** Looks a type or alias up; undefined when unknown. */
export function findRegistryEntry(name: string): RegistryEntry | undefined {
  const s = state();
  const canonical = s.names.get(normalizeTypeName(name));
  return canonical ? s.entries.get(canonical) : undefined;
}

/** All entries, sorted by type. */
export function registryEntries(): RegistryEntry[] {
  return [...state().entries.values()].sort((a, b) => a.type.localeCompare(b.type));
}

/** True once plugin discovery has scanned node_modules in this process. */
export function discoveryDone(mark?: boolean): boolean {
  if (mark !== undefined) state().discovered = mark;
  return state().discovered;
}

/** Removes a type and its aliases (tests; users overriding a built-in). */
export function unregisterConnection(name: string): boolean {
  const s = state();
  const entry = findRegistryEntry(name);
  if (!entry) return false;
  s.entries.delete(entry.type);
  for (const [alias, type] of s.names) if (type === entry.type) s.names.delete(alias);
  return true;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Names close to `name` (typos, prefixes), best first. */
export function nearMatches(name: string, limit = 3): string[] {
  const n = normalizeTypeName(name);
  const all = [...state().names.keys()];
  return all
    .map((candidate) => {
      const d = editDistance(n, candidate);
      const related = candidate.startsWith(n) || n.startsWith(candidate) || candidate.includes(n);
      return { candidate, score: related ? Math.min(d, 1) : d };
    })
    .filter(({ candidate, score }) => score <= Math.max(2, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

/** The error for an unknown type, with suggestions. */
export function unknownType(name: string): UnknownConnectionTypeError {
  return new UnknownConnectionTypeError(name, nearMatches(name), state().entries.size);
}

type ClassDecorator = <C extends ConnectionClass>(target: C, context?: ClassDecoratorContext) => C;

/**
 * A connector's registry metadata as its generated `src/meta.ts` states it (from package.json's
 * `sparkle` field, by `tools/scripts/sync-workspace.mjs`).
 */
export interface ConnectorMeta {
  type: string;
  aliases: readonly string[];
  family: string;
  packageName: string;
  /** The `sparkle.core` range. */
  core?: string;
}

function isConnectorMeta(value: unknown): value is ConnectorMeta {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as ConnectorMeta).type === 'string';
}

/**
 * Registers a connection class under a type name and aliases.
 *
 * Works as a standard (TC39) class decorator, as a legacy `experimentalDecorators` decorator,
 * and as a plain function.
 *
 * @example
 * ```ts
 * import { JDBCConnection, registerConnection } from '@sparkle/core';
 *
 * @registerConnection('mydb')
 * class MyDatabaseConnection extends JDBCConnection {
 *   constructor(init: ConnectionInit) {
 *     super({ ...init, config: { driver: 'com.mydb.Driver', ...init.config } });
 *   }
 * }
 * // or, without decorators:
 * registerConnection(['mydb', 'my_db'], MyDatabaseConnection);
 * ```
 */
export function registerConnection(names: string | readonly string[] | ConnectorMeta): ClassDecorator;
export function registerConnection<C extends ConnectionClass>(names: string | readonly string[], target: C, meta?: Partial<Omit<RegistryEntry, 'type' | 'aliases' | 'connectionClass'>>): C;
/** Registers a connector from its generated `meta` (type, aliases, family, package, core range). */
export function registerConnection<C extends ConnectionClass>(meta: ConnectorMeta, target: C): C;
export function registerConnection<C extends ConnectionClass>(
  names: string | readonly string[] | ConnectorMeta,
  target?: C,
  extra: Partial<Omit<RegistryEntry, 'type' | 'aliases' | 'connectionClass'>> = {},
): ClassDecorator | C {
  const fromMeta = isConnectorMeta(names);
  const meta: Partial<Omit<RegistryEntry, 'type' | 'aliases' | 'connectionClass'>> = fromMeta
    ? { family: names.family, packageName: names.packageName, coreRange: names.core }
    : extra;
  const list = fromMeta ? [names.type, ...names.aliases] : typeof names === 'string' ? [names] : [...names];
  if (list.length === 0) throw new InvalidArgumentError('registerConnection needs at least one type name');
  const register = <T extends ConnectionClass>(cls: T): T => {
    if (typeof cls !== 'function') throw new InvalidArgumentError('registerConnection: target is not a class');
    addRegistryEntry({
      ...meta,
      type: list[0]!,
      aliases: list.slice(1),
      family: meta.family ?? cls.family ?? 'custom',
      connectionClass: cls,
    });
    return cls;
  };
  if (target) return register(target);
  return (<T extends ConnectionClass>(cls: T) => register(cls)) as ClassDecorator;
}
