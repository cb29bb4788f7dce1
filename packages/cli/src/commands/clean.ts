/**
 * `sparkle clean`: finds the staging tables and temporary files that interrupted writes left
 * behind (a writer killed with SIGKILL cannot remove them) and removes those no live writer owns.
 */
import { cleanLeftovers, DEFAULT_LEFTOVER_AGE_MS, getConnection, isLeftoverCleaner, UnsupportedOperationError, writerLeaseDir, type CleanedLeftover } from '@sparkle/core';
import { parseCommandArgs } from '../args.js';
import { configRoot, prepareRegistry } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import type { Command } from './types.js';

/** `sparkle clean --json` output (stable: fields are only ever added). */
export interface CleanResult {
  ok: boolean;
  type: string;
  env: string;
  scope: string | null;
  dryRun: boolean;
  leftovers: CleanedLeftover[];
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration flag: `0`, `90s`, `30m`, `24h`, `2d`.
 * @example
 * durationOption('older-than', '12h'); // 43_200_000
 */
export function durationOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value.trim());
  if (!match || (match[2] === '' && Number(match[1]) !== 0)) {
    throw new UsageError(`--${name} must be a duration such as 0, 90s, 30m, 24h or 2d; got '${value}'.`);
  }
  return Number(match[1]) * (UNIT_MS[match[2]!] ?? 0);
}

const VERB: Record<CleanedLeftover['action'], string> = { removed: 'removed', kept: 'kept', 'would-remove': 'would remove', failed: 'FAILED' };

export const cleanCommand: Command = {
  name: 'clean',
  summary: 'remove the staging tables and temp files interrupted writes left (only ours, only when no live writer owns them)',
  usage: `Usage: sparkle clean <type>[:<scope>] [options]

An overwrite loads a staging table (<table>__sparkle_stg_<token>) or a temp file
(.<name>.<token>.sparkle-tmp) and swaps it in, so the old data survives any failure. A writer
killed with SIGKILL cannot remove its temporary; this command finds them and removes those no
live writer owns: at once when the writer was on this machine and is gone, by age
(--older-than) when this machine does not know the writer. A running writer's are never touched.
The next write to the same table or file removes its own stale leftovers too.

  <scope>   a schema (JDBC), or a directory / key prefix (file and object stores);
            default: the connection's schema, or the whole root

Options:
  --older-than <d>      remove leftovers of unknown writers older than this (default 24h; 0 = all)
  --force               also remove leftovers of Sparkle versions that recorded no owner
  --dry-run             list what would be removed; remove nothing
  --env <name>          environment (default SPARKLE_ENV, then dev)
  --config-dir <dir>    config root holding connections/<type>/ (default SPARKLE_CONFIG_DIR, then ./config)
  --json                one JSON object: { ok, type, env, scope, dryRun, leftovers: [{ kind, name, target, action, reason }] }
  -r, --require <m>     import a module first (registers custom connections); repeatable
  -h, --help            show this help

Exit 0 when nothing failed, 1 when a removal failed, 2 for usage or config errors.

Examples:
  sparkle clean postgres:public --dry-run
  sparkle clean local:out --older-than 0`,
  async run(argv, { io, out }) {
    const { values, positionals } = parseCommandArgs('clean', argv, {
      'older-than': { type: 'string' },
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      env: { type: 'string' },
      'config-dir': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) {
      throw new UsageError(`Expected one <type>[:<scope>], got ${positionals.length} arguments.`, 'for example: sparkle clean postgres:public --dry-run');
    }
    const [, type, scope] = /^([^:]+)(?::(.*))?$/s.exec(positionals[0]!) ?? [];
    if (!type) throw new UsageError(`'${positionals[0]}' is not <type>[:<scope>].`, 'for example: sparkle clean postgres:public');
    const olderThanMs = durationOption('older-than', values['older-than']) ?? DEFAULT_LEFTOVER_AGE_MS;
    await prepareRegistry(values.require, io);
    const conn = await getConnection(type, { env: values.env, configDir: configRoot(values['config-dir'], io), variables: io.env });
    try {
      if (!isLeftoverCleaner(conn)) {
        throw new UnsupportedOperationError(`${conn.type} cannot list leftovers of interrupted writes (it writes nothing through staging tables or temp files)`, { connector: conn.type });
      }
      const leftovers = await cleanLeftovers(conn, { ...(scope ? { scope } : {}), olderThanMs, leaseDir: writerLeaseDir(io.env), force: values.force ?? false, dryRun: values['dry-run'] ?? false });
      const ok = leftovers.every((l) => l.action !== 'failed');
      if (values.json) {
        out.json({ ok, type: conn.type, env: conn.env, scope: scope ?? null, dryRun: values['dry-run'] ?? false, leftovers } satisfies CleanResult);
        return ok ? EXIT.ok : EXIT.failure;
      }
      if (leftovers.length === 0) out.line(`No leftovers of interrupted writes in ${conn.type}${scope ? `:${scope}` : ''} (env ${conn.env}).`);
      for (const l of leftovers) {
        const verb = VERB[l.action].padEnd(12);
        const colored = l.action === 'failed' ? out.style('red', verb) : l.action === 'kept' ? out.style('dim', verb) : out.style('green', verb);
        out.line(`${colored} ${l.kind} ${l.name}: ${l.reason}`);
      }
      return ok ? EXIT.ok : EXIT.failure;
    } finally {
      await conn.close().catch(() => undefined);
    }
  },
};
