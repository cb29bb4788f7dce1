/** `sparkle config show`: the resolved config of one type and env, redacted, with provenance. */
import { describeProvenance, describeZodIssues, loadConfig, listConfiguredTypes, type ConfigIssue, type ProvenanceRow } from '@sparkle/core';
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
  keys: ProvenanceRow[];
}

export const configCommand: Command = {
  name: 'config',
  summary: 'show the resolved config of a connection type (redacted, with provenance)',
  usage: `Usage: sparkle config show <type> [options]

Prints the config a connection would get: common.json deep-merged with <env>.json, \${VAR}s filled
from the environment and .env files, schema defaults applied. Every value says where it came
from (layer, file, variables). Secret values are shown as ***. Exit 1 when the config does not
pass the connector's schema, 2 when it cannot be loaded.

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

    const resolved = await loadConfig({ type: connector.type, aliases: connector.aliases, env: values.env, configDir: root, variables: io.env, cwd: io.cwd });
    const keys = describeProvenance(resolved, connector.schema).map((row) => (row.file ? { ...row, file: displayFile(row.file, io.cwd) } : row));
    let issues: ConfigIssue[] = [];
    if (connector.schema) {
      const parsed = connector.schema.safeParse(resolved.values);
      if (!parsed.success) issues = describeZodIssues(parsed.error.issues, resolved.values, resolved, { schema: connector.schema, cwd: io.cwd });
    }
    const result: ConfigShowResult = {
      type: connector.type,
      env: resolved.env,
      installed: !connector.missing,
      directory: resolved.directory ? displayFile(resolved.directory, io.cwd) : null,
      files: resolved.files.map((f) => displayFile(f, io.cwd)),
      missingEnvFile: resolved.missingEnvFile ? displayFile(resolved.missingEnvFile, io.cwd) : null,
      dotenvFiles: (resolved.dotenvFiles ?? []).map((f) => displayFile(f, io.cwd)),
      valid: connector.schema ? issues.length === 0 : null,
      issues,
      keys,
    };
    const exit = issues.length ? EXIT.failure : EXIT.ok;
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
        return [row.path, inlineValue(row.value), `${source}${vars}`];
      }),
    );
    if (issues.length) {
      out.line();
      out.line(out.style('red', `invalid: ${issues.length} problem${issues.length === 1 ? '' : 's'}`));
      for (const issue of issues) out.line(`  - ${issue.message}`);
    }
    return exit;
  },
};
