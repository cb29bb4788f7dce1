/** `sparkle config show`: the resolved config of one type and env, redacted, with provenance. */
import { checkConfig, describeProvenance, findUnsetVariables, loadConfig, listConfiguredTypes, SparkleError, type ConfigIssue, type ProvenanceRow, type UnsetVariable } from '@sparkle/core';
import { parseCommandArgs } from '../args.js';
import { findConnector } from '../connector.js';
import { configRoot, prepareRegistry } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { inlineValue } from '../output.js';
import { displayFile } from '../paths.js';
import type { Command } from './types.js';

/** `sparkle config show --json` (stable: fields are only ever added). */
export interface ConfigShowResult {
  type: string;
  env: string;
  /** False when the connector is not installed: values were not validated against its schema. */
  installed: boolean;
  directory: string | null;
  /** Files merged, in order (relative to the working directory when inside it). */
  files: string[];
  /** The `<env>.json` that does not exist (common.json alone supplied the config). */
  missingEnvFile: string | null;
  dotenvFiles: string[];
  valid: boolean | null;
  issues: ConfigIssue[];
  /** One row per resolved value: path, redacted value, layer, file, variables. */
  keys: Array<ProvenanceRow & { unset?: string[] }>;
  /** `${VAR}`s with no value and no default; their keys show `value: null` and `unset`. */
  unsetVariables: UnsetVariable[];
}

/** Stands in for unset variables while the rest is resolved; never shown (those keys show as unset). */
const UNSET_PLACEHOLDER = 'sparkle-unset-placeholder';

/** `$.properties.ssl` (how unset variables name paths) → `properties.ssl` (how provenance rows do). */
function rowPath(jsonPath: string): string {
  return jsonPath.replace(/^\$\.?/, '');
}

export const configCommand: Command = {
  name: 'config',
  summary: 'show the resolved config of a connection type (redacted, with provenance)',
  usage: `Usage: sparkle config show <type> [options]

Prints the config a connection would get: common.json deep-merged with <env>.json, \${VAR}s filled
from the environment and .env files, schema defaults applied. Every value says where it came
from (layer, file, variables). Secret values are shown as ***; a value whose \${VAR} is unset
and has no default is shown as unset. Exit 1 when a variable is unset or the config does not
pass the connector's schema, 2 when it cannot be loaded at all (missing or malformed files).

Options:
  --env <name>          environment (default SPARKLE_ENV, then dev)
  --config-dir <dir>    config root holding connections/<type>/ (default SPARKLE_CONFIG_DIR, then ./config)
  --json                { type, env, files, valid, issues, keys: [{ path, value, layer, file, envVars }] }
  -r, --require <m>     import a module first (registers custom connections); repeatable
  -h, --help            show this help`,
  async run(argv, { io, out }) {
    const { values, positionals } = parseCommandArgs('config', argv, {
      env: { type: 'string' },
      'config-dir': { type: 'string' },
      json: { type: 'boolean' },
    });
    const [sub, type, ...rest] = positionals;
    if (sub !== 'show') throw new UsageError(sub ? `Unknown config sub-command '${sub}'.` : 'Missing the config sub-command.', "run 'sparkle config show <type>'");
    if (!type) throw new UsageError('Missing the connection type.', "run 'sparkle config show <type>'");
    if (rest.length) throw new UsageError(`Unexpected argument '${rest[0]}'.`, "run 'sparkle config --help'");

    await prepareRegistry(values.require, io);
    const root = configRoot(values['config-dir'], io);
    const connector = await findConnector(type);
    if (connector.missing && !listConfiguredTypes(root).includes(type)) throw connector.missing;

    const load = { type: connector.type, aliases: connector.aliases, env: values.env, configDir: root, cwd: io.cwd };
    // Unset variables do not stop the display (that is when people look): their keys are shown
    // as unset, the rest as resolved, and the exit code says the config is not usable yet.
    let unsetVariables: UnsetVariable[] = [];
    let resolved;
    try {
      resolved = await loadConfig({ ...load, variables: io.env });
    } catch (error) {
      if (!SparkleError.isInstance(error) || error.code !== 'CONFIG_MISSING_ENV') throw error;
      unsetVariables = findUnsetVariables({ ...load, variables: io.env });
      resolved = await loadConfig({ ...load, variables: { ...io.env, ...Object.fromEntries(unsetVariables.map((u) => [u.name, UNSET_PLACEHOLDER])) } });
    }
    const unsetAt = new Map<string, string[]>();
    for (const u of unsetVariables) unsetAt.set(rowPath(u.path), [...(unsetAt.get(rowPath(u.path)) ?? []), u.name]);
    const keys: ConfigShowResult['keys'] = describeProvenance(resolved, connector.schema).map((row) => {
      const shown = row.file ? { ...row, file: displayFile(row.file, io.cwd) } : row;
      const unset = unsetAt.get(row.path);
      return unset ? { ...shown, value: null, unset } : shown;
    });
    let issues: ConfigIssue[] = [];
    if (connector.schema) {
      issues = checkConfig(connector.schema, resolved.values, resolved, { cwd: io.cwd }).filter((i) => !unsetAt.has(rowPath(i.path)));
    }
    const result: ConfigShowResult = {
      type: connector.type,
      env: resolved.env,
      installed: !connector.missing,
      directory: resolved.directory ? displayFile(resolved.directory, io.cwd) : null,
      files: resolved.files.map((f) => displayFile(f, io.cwd)),
      missingEnvFile: resolved.missingEnvFile ? displayFile(resolved.missingEnvFile, io.cwd) : null,
      dotenvFiles: (resolved.dotenvFiles ?? []).map((f) => displayFile(f, io.cwd)),
      valid: connector.schema ? issues.length === 0 && unsetVariables.length === 0 : null,
      issues,
      keys,
      unsetVariables: unsetVariables.map((u) => (u.file ? { ...u, file: displayFile(u.file, io.cwd) } : u)),
    };
    const exit = issues.length || unsetVariables.length ? EXIT.failure : EXIT.ok;
    if (values.json) {
      out.json(result);
      return exit;
    }

    out.line(`${out.style('bold', result.type)} (env ${result.env})`);
    out.line(`files: ${result.files.join(', ') || '(none)'}`);
    if (result.dotenvFiles.length) out.line(`.env:  ${result.dotenvFiles.join(', ')}`);
    if (result.missingEnvFile) out.warn(`${result.missingEnvFile} does not exist: only common.json applies to env '${result.env}'`);
    if (connector.missing) out.warn(`the '${type}' connector is not installed: values are not validated and defaults are not shown`);
    out.line();
    out.table(
      ['KEY', 'VALUE', 'SOURCE'],
      keys.map((row) => {
        const vars = row.envVars.length ? `  \${${row.envVars.join('}, ${')}}` : '';
        const source = row.layer === 'default' ? 'schema default' : `${row.layer}${row.file ? ` ${row.file}` : ''}`;
        const value = row.unset ? out.style('yellow', `<unset: ${row.unset.join(', ')}>`) : inlineValue(row.value);
        return [row.path, value, `${source}${vars}`];
      }),
    );
    if (unsetVariables.length) {
      out.line();
      const names = [...new Set(unsetVariables.map((u) => u.name))];
      out.line(out.style('red', `not usable yet: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} unset and ${names.length === 1 ? 'has' : 'have'} no default`));
    }
    if (issues.length) {
      out.line();
      out.line(out.style('red', `invalid: ${issues.length} problem${issues.length === 1 ? '' : 's'}`));
      for (const issue of issues) out.line(`  - ${issue.message}`);
    }
    return exit;
  },
};
