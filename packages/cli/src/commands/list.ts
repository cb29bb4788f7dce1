/** `sparkle list`: the connection types this installation can create. */
import { ConnectionFactory } from '@sparkle/core';
import { parseCommandArgs } from '../args.js';
import { prepareRegistry } from '../context.js';
import { EXIT } from '../errors.js';
import type { Command } from './types.js';

/** One row of `sparkle list --json` (stable: fields are only ever added). */
export interface ListedType {
  type: string;
  aliases: string[];
  family: string;
  /** npm package providing it; null for classes registered in code (`--require`). */
  package: string | null;
  /** True when the class is imported; false for installed packages that could not be loaded. */
  loaded: boolean;
  /** Derived from the class's methods (`capabilitiesOf`), never from a hand-kept list; empty when not loaded. */
  capabilities: string[];
  /** Why the package could not be loaded (built for an incompatible core, a missing dependency); absent when fine. */
  problem?: string;
}

/**
 * The registry as `sparkle list` shows it. Call {@link loadListedTypes} first so every installed
 * package is imported and its capabilities derived.
 */
export function listTypes(problems: ReadonlyMap<string, string> = new Map()): ListedType[] {
  return ConnectionFactory.describeAvailable().map((entry) => {
    const problem = problems.get(entry.type) ?? entry.problem;
    return {
      type: entry.type,
      aliases: [...entry.aliases].sort(),
      family: entry.family,
      package: entry.packageName ?? null,
      loaded: entry.loaded,
      // An entry not loaded has no class to derive from: show nothing rather than a stale declaration.
      capabilities: entry.loaded ? [...(entry.capabilities ?? [])] : [],
      ...(problem ? { problem } : {}),
    };
  });
}

/** Imports every discovered connector (so capabilities come from code); returns load problems by type. */
export async function loadListedTypes(): Promise<Map<string, string>> {
  const failures = await ConnectionFactory.loadAll();
  // The import's own failure says what is wrong (a missing dependency, a syntax error): keep it.
  const why = (error: { message: string; cause?: unknown }) => {
    const cause = error.cause instanceof Error ? error.cause.message.split('\n')[0] : undefined;
    return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
  };
  return new Map(failures.map((f) => [f.type, why(f.error)]));
}

export const listCommand: Command = {
  name: 'list',
  summary: 'list the connection types available (installed packages and registered classes)',
  usage: `Usage: sparkle list [--json] [--require <module>]

Lists every connection type this installation can create: connector packages found in
node_modules (by the "sparkle" field of their package.json) and classes registered by
--require modules.

Options:
  --json              one JSON array: [{ type, aliases, family, package, loaded, capabilities, problem? }]
                      (capabilities are derived from each class's methods, so every
                      installed connector is imported)
  -r, --require <m>   import a module first (registers custom connections); repeatable
  -h, --help          show this help`,
  async run(argv, { io, out }) {
    const { values } = parseCommandArgs('list', argv, { json: { type: 'boolean' } });
    await prepareRegistry(values.require, io);
    const types = listTypes(await loadListedTypes());
    if (values.json) {
      out.json(types);
      return EXIT.ok;
    }
    if (types.length === 0) {
      out.line('No connection types available. Install a connector (pnpm add @sparkle/connector-postgres) or pass --require <module>.');
      return EXIT.ok;
    }
    out.table(
      ['TYPE', 'ALIASES', 'FAMILY', 'PACKAGE', 'LOADED', 'CAPABILITIES'],
      types.map((t) => [t.type, t.aliases.join(', ') || '-', t.family, t.package ?? '(registered in code)', t.loaded ? 'yes' : 'no', t.capabilities.join(',') || '-']),
    );
    for (const t of types) if (t.problem) out.line(`${t.type}: ${t.problem}`);
    out.line();
    out.line(`Available: ${types.length} connection type${types.length === 1 ? '' : 's'}`);
    return EXIT.ok;
  },
};
