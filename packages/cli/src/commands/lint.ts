/** `sparkle lint`: validates every configured type × env without connecting to anything. */
import { existsSync, readFileSync } from 'node:fs';
import { describeZodIssues, findUnsetVariables, listConfigEnvs, loadConfig, redactText, scanJsonStructure, SparkleError } from '@sparkle/core';
import { parseCommandArgs } from '../args.js';
import { allTypeEnvPairs, typesConfiguredFor } from '../config-files.js';
import { findConnector, type ConnectorInfo } from '../connector.js';
import { configRoot, envName, prepareRegistry } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { displayFile } from '../paths.js';
import type { Command } from './types.js';

/** One finding of `sparkle lint --json` (stable: fields are only ever added). */
export interface LintProblem {
  severity: 'error' | 'warning';
  /** UNSET_VARIABLE, CONFIG_INVALID, CONFIG_PARSE, NOT_INSTALLED, MISSING_ENV_FILE, … */
  code: string;
  type: string;
  env: string;
  file?: string;
  /** JSON path in the file, `$.password`. */
  path?: string;
  /** The variable, for UNSET_VARIABLE. */
  variable?: string;
  message: string;
}

export interface LintResult {
  ok: boolean;
  root: string;
  checked: Array<{ type: string; env: string; errors: number; warnings: number }>;
  problems: LintProblem[];
}

/** A value given to unset variables so the rest of the config can still be schema-checked. */
const PLACEHOLDER = 'sparkle-lint-placeholder';

async function lintPair(type: string, env: string, connector: ConnectorInfo, root: string, io: CliIO): Promise<LintProblem[]> {
  const problems: LintProblem[] = [];
  const at = (file?: string) => (file ? displayFile(file, io.cwd) : undefined);
  const load = { type: connector.type, aliases: connector.type === type ? connector.aliases : [type, ...connector.aliases], env, configDir: root, cwd: io.cwd };

  if (connector.missing) {
    problems.push({ severity: 'warning', code: 'NOT_INSTALLED', type, env, message: `connector '${type}' is not installed: files and variables checked, schema not checked` });
  }
  const configuredEnvs = listConfigEnvs(root, type);
  if (configuredEnvs.length && !configuredEnvs.includes(env)) {
    problems.push({ severity: 'warning', code: 'MISSING_ENV_FILE', type, env, message: `no ${env}.json (envs configured: ${configuredEnvs.join(', ')}); common.json alone applies` });
  }

  let unset;
  try {
    unset = findUnsetVariables({ ...load, variables: io.env });
  } catch (error) {
    const e = SparkleError.isInstance(error) ? error : undefined;
    const file = typeof e?.details.file === 'string' ? e.details.file : undefined;
    problems.push({
      severity: 'error',
      code: e?.code ?? 'INTERNAL',
      type,
      env,
      ...(file ? { file: at(file) } : {}),
      message: redactText(error instanceof Error ? error.message : String(error)),
    });
    return problems;
  }
  for (const u of unset) {
    problems.push({
      severity: 'error',
      code: 'UNSET_VARIABLE',
      type,
      env,
      ...(u.file ? { file: at(u.file) } : {}),
      path: u.path,
      variable: u.name,
      message: `\${${u.name}} is not set and has no default`,
    });
  }

  // JSON.parse keeps the last of two equal keys without a word: a silently ignored setting.
  const files = (await loadConfig({ ...load, variables: { ...io.env, ...Object.fromEntries(unset.map((u) => [u.name, PLACEHOLDER])) } })).files;
  for (const file of files) {
    for (const dup of scanJsonStructure(readFileSync(file, 'utf8')).duplicates) {
      problems.push({
        severity: 'error',
        code: 'DUPLICATE_KEY',
        type,
        env,
        file: at(file),
        path: dup.path,
        message: `${dup.path} is set twice (line ${dup.line}, column ${dup.column}); JSON keeps only the last — remove one`,
      });
    }
  }

  if (connector.schema) {
    // Fill the unset variables so the rest is still checked; issues at their paths were reported above.
    const variables = { ...io.env, ...Object.fromEntries(unset.map((u) => [u.name, PLACEHOLDER])) };
    const resolved = await loadConfig({ ...load, variables });
    const parsed = connector.schema.safeParse(resolved.values);
    if (!parsed.success) {
      const unsetPaths = new Set(unset.map((u) => u.path));
      for (const issue of describeZodIssues(parsed.error.issues, resolved.values, resolved, { schema: connector.schema, cwd: io.cwd })) {
        if (unsetPaths.has(issue.path)) continue;
        problems.push({ severity: 'error', code: 'CONFIG_INVALID', type, env, file: issue.file, path: issue.path, message: `expected ${issue.expected}, received ${issue.received}` });
      }
    }
  }
  return problems;
}

export const lintCommand: Command = {
  name: 'lint',
  summary: 'validate every configured type × env: files, unset ${VAR}s, connector schemas',
  usage: `Usage: sparkle lint [options]

Checks the config directory without connecting to anything: every connection type folder for
the env (or, with --all-envs, for every env file found) is loaded, each \${VAR} that is unset
and has no default is reported with its file and JSON path, and the result is validated with
the connector's schema. A type whose connector is not installed is a warning, not an error.
Exit 1 when any error is found.

Options:
  --env <name>          environment to check (default SPARKLE_ENV, then dev)
  --all-envs            check every <env>.json found for every type
  --config-dir <dir>    config root holding connections/<type>/ (default SPARKLE_CONFIG_DIR, then ./config)
  --json                { ok, root, checked: [...], problems: [{ severity, code, type, env, file, path, variable, message }] }
  -r, --require <m>     import a module first (registers custom connections); repeatable
  -h, --help            show this help`,
  async run(argv, { io, out }) {
    const { values, positionals } = parseCommandArgs('lint', argv, {
      env: { type: 'string' },
      'all-envs': { type: 'boolean' },
      'config-dir': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`Unexpected argument '${positionals[0]}'.`, "run 'sparkle lint --help'");
    if (values.env && values['all-envs']) throw new UsageError('Give either --env or --all-envs, not both.');
    await prepareRegistry(values.require, io);
    const root = configRoot(values['config-dir'], io);
    if (!existsSync(root)) throw new UsageError(`The config directory ${displayFile(root, io.cwd)} does not exist.`, 'pass --config-dir or set SPARKLE_CONFIG_DIR');

    const env = envName(values.env, io);
    const pairs = values['all-envs'] ? allTypeEnvPairs(root, env) : typesConfiguredFor(root, env).map((type) => ({ type, env }));
    const connectors = new Map<string, ConnectorInfo>();
    const checked: LintResult['checked'] = [];
    const problems: LintProblem[] = [];
    for (const { type, env: pairEnv } of pairs) {
      let connector = connectors.get(type);
      if (!connector) connectors.set(type, (connector = await findConnector(type)));
      const found = await lintPair(type, pairEnv, connector, root, io);
      problems.push(...found);
      checked.push({ type, env: pairEnv, errors: found.filter((p) => p.severity === 'error').length, warnings: found.filter((p) => p.severity === 'warning').length });
    }
    const errors = problems.filter((p) => p.severity === 'error').length;
    const result: LintResult = { ok: errors === 0, root: displayFile(root, io.cwd), checked, problems };
    if (values.json) {
      out.json(result);
      return result.ok ? EXIT.ok : EXIT.failure;
    }

    for (const entry of checked) {
      const mine = problems.filter((p) => p.type === entry.type && p.env === entry.env);
      const warned = entry.warnings ? ` (${entry.warnings} warning${entry.warnings === 1 ? '' : 's'})` : '';
      const status = entry.errors ? out.style('red', `${entry.errors} error${entry.errors === 1 ? '' : 's'}`) + warned : out.style('green', 'ok') + warned;
      out.line(`${out.style('bold', `${entry.type}/${entry.env}`)}: ${status}`);
      for (const p of mine) {
        // Parse errors already name their file; do not repeat it.
        const where = p.file && !p.message.includes(p.file) ? ` (${p.file}${p.path ? ` at ${p.path}` : ''})` : '';
        const label = p.severity === 'error' ? out.style('red', 'error  ') : out.style('yellow', 'warning');
        out.line(`  ${label} ${p.message.split('\n').join('\n          ')}${where}`);
      }
    }
    const warnings = problems.length - errors;
    if (checked.length === 0) out.line(`No connection config found for ${values['all-envs'] ? 'any env' : `env '${env}'`} under ${result.root}.`);
    out.line();
    out.line(`checked ${checked.length} type/env pair${checked.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
    return result.ok ? EXIT.ok : EXIT.failure;
  },
};
