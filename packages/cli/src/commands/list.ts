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
  /** True when the class is imported; false for installed packages not imported yet. */
  loaded: boolean;
  capabilities: string[];
}

/** The registry as `sparkle list` shows it. */
export function listTypes(): ListedType[] {
  return ConnectionFactory.describeAvailable().map((entry) => ({
    type: entry.type,
    aliases: [...entry.aliases].sort(),
    family: entry.family,
    package: entry.packageName ?? null,
    loaded: entry.loaded,
    capabilities: [...(entry.capabilities ?? [])],
  }));
}

export const listCommand: Command = {
  name: 'list',
  summary: 'list the connection types available (installed packages and registered classes)',
  usage: `Usage: sparkle list [--json] [--require <module>]

Lists every connection type this installation can create: connector packages found in
node_modules (by the "sparkle" field of their package.json) and classes registered by
--require modules.

Options:
  --json              one JSON array: [{ type, aliases, family, package, loaded, capabilities }]
  -r, --require <m>   import a module first (registers custom connections); repeatable
  -h, --help          show this help`,
  async run(argv, { io, out }) {
    const { values } = parseCommandArgs('list', argv, { json: { type: 'boolean' } });
    await prepareRegistry(values.require, io);
    const types = listTypes();
    if (values.json) {
      out.json(types);
      return EXIT.ok;
    }
    if (types.length === 0) {
      out.line('No connection types available. Install a connector (pnpm add @sparkle/connector-postgres) or pass --require <module>.');
      return EXIT.ok;
    }
    out.table(
      ['TYPE', 'ALIASES', 'FAMILY', 'PACKAGE', 'LOADED'],
      types.map((t) => [t.type, t.aliases.join(', ') || '-', t.family, t.package ?? '(registered in code)', t.loaded ? 'yes' : 'no']),
    );
    out.line();
    out.line(`Available: ${types.length} connection type${types.length === 1 ? '' : 's'}`);
    return EXIT.ok;
  },
};
