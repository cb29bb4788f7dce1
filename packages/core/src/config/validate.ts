/**
 * Schema validation of a resolved config, with errors that point at the file and JSON path and
 * describe the received value by its type only: the value itself may be a secret.
 */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { collectSecrets, redactText } from '../secrets.js';
import { unknownKeys } from './known-keys.js';
import { displayFile, displayJsonPath, formatPath } from './paths.js';
import { provenanceAt } from './provenance.js';
import type { ResolvedConfig } from './types.js';

type Issue = z.core.$ZodIssue;

export interface ValidateContext {
  type: string;
  env?: string;
  /** Base for relative file names in messages; default `process.cwd()`. */
  cwd?: string;
}

/** One validation problem, safe to print (no values). */
export interface ConfigIssue {
  /** `config/connections/postgres/prod.json`, several joined by ` + `, or `config passed in code`. */
  file: string;
  /** `$.properties.ssl` */
  path: string;
  /** The zod issue code (`invalid_type`, `too_small`, …). */
  code: string;
  /** What the schema wanted, in words. */
  expected: string;
  /** The type of what was found (`string`, `number`, `undefined`, …), never the value. */
  received: string;
  /** Variables interpolated into the offending value, if any. */
  envVars?: string[];
  /** The full line: `<file> at <path>: expected <x>, received <type>`. */
  message: string;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as string];
  }
  return current;
}

function bound(issue: { origin: string; inclusive?: boolean }, kind: 'min' | 'max', limit: unknown): string {
  const op = kind === 'min' ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
  switch (issue.origin) {
    case 'string':
      return `a string of length ${op} ${String(limit)}`;
    case 'array':
    case 'set':
      return `${issue.origin === 'set' ? 'a set' : 'an array'} with ${op} ${String(limit)} items`;
    default:
      return `a ${issue.origin} ${op} ${String(limit)}`;
  }
}

/** What the issue expected, in words, without the input. */
function expectedOf(issue: Issue, secrets: readonly string[]): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return bound(issue, 'min', issue.minimum);
    case 'too_big':
      return bound(issue, 'max', issue.maximum);
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `a string matching ${String(issue.pattern)}` : `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `no unknown keys (found ${issue.keys.map((k) => JSON.stringify(k)).join(', ')})`;
    case 'invalid_union': {
      const types = issue.errors.flatMap((branch) => branch.filter((i) => i.path.length === 0 && i.code === 'invalid_type').map((i) => (i as { expected: string }).expected));
      return types.length === issue.errors.length && types.length ? [...new Set(types)].join(' | ') : 'a value matching one of the allowed forms';
    }
    case 'invalid_key':
      return `valid keys (${redactText(issue.message, secrets)})`;
    case 'invalid_element':
      return `valid entries (${redactText(issue.message, secrets)})`;
    default:
      // Custom refinements carry the connector author's message; scrub known secrets from it.
      return redactText(issue.message, secrets);
  }
}

/**
 * Describes zod issues as printable records: file (from provenance), JSON path, expected and
 * the received value's type. Values never appear.
 *
 * @example
 * const result = schema.safeParse(resolved.values);
 * if (!result.success) for (const i of describeZodIssues(result.error.issues, resolved.values, resolved)) console.log(i.message);
 */
export function describeZodIssues(
  issues: readonly Issue[],
  raw: unknown,
  resolved?: Pick<ResolvedConfig, 'provenance' | 'files'>,
  options: { schema?: z.ZodType; cwd?: string } = {},
): ConfigIssue[] {
  const secrets = collectSecrets(raw, options.schema);
  return issues.map((issue) => {
    const keys = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const path = formatPath(keys);
    const provs = resolved ? provenanceAt(resolved, path) : [];
    const fileNames = [...new Set(provs.map((p) => p.file).filter((f): f is string => !!f))];
    let file: string;
    if (!resolved || (resolved.files.length === 0 && fileNames.length === 0)) file = 'config passed in code';
    else if (fileNames.length) file = fileNames.map((f) => displayFile(f, options.cwd)).join(' + ');
    else file = resolved.files.map((f) => displayFile(f, options.cwd)).join(' + '); // a missing key: any of the merged files may add it
    const received = issue.code === 'unrecognized_keys' ? 'object' : typeName(valueAt(raw, keys));
    const expected = expectedOf(issue, secrets);
    const envVars = [...new Set(provs.flatMap((p) => p.envVars ?? []).map((v) => v.name))];
    const fromVars = envVars.length ? ` (value from \${${envVars.join('}, ${')}})` : '';
    const message = `${file} at ${displayJsonPath(keys)}: expected ${expected}, received ${received}${fromVars}`;
    return { file, path: displayJsonPath(keys), code: issue.code, expected, received, ...(envVars.length ? { envVars } : {}), message };
  });
}

/**
 * The issue lines `<file> at $.path: expected <x>, received <type>` (see `describeZodIssues`).
 * @example
 * const raw = { port: 'abc' };
 * formatZodIssues(z.object({ port: z.number() }).safeParse(raw).error!.issues, raw);
 * // → ['config passed in code at $.port: expected number, received string']
 */
export function formatZodIssues(
  issues: readonly Issue[],
  raw: unknown,
  resolved?: Pick<ResolvedConfig, 'provenance' | 'files'>,
  options: { schema?: z.ZodType; cwd?: string } = {},
): string[] {
  return describeZodIssues(issues, raw, resolved, options).map((i) => i.message);
}

/**
 * Keys the schema does not declare, as issues: `<file> at $.pasword: unknown key (did you mean
 * "password"?)`. Free-form maps (`properties`) and schemas marked `openKeys` accept any key.
 */
export function describeUnknownKeys(schema: z.ZodType, raw: unknown, resolved?: Pick<ResolvedConfig, 'provenance' | 'files'>, cwd?: string): ConfigIssue[] {
  return unknownKeys(schema, raw).map(({ path, suggestion }) => {
    const jsonPath = formatPath(path);
    const provs = resolved ? provenanceAt(resolved, jsonPath) : [];
    const fileNames = [...new Set(provs.map((p) => p.file).filter((f): f is string => !!f))];
    const file = fileNames.length ? fileNames.map((f) => displayFile(f, cwd)).join(' + ') : 'config passed in code';
    const expected = suggestion ? `a known key (did you mean "${suggestion}"?)` : 'a known key';
    const message = `${file} at ${displayJsonPath(path)}: unknown key${suggestion ? ` — did you mean "${suggestion}"?` : ' (not in the connector\'s schema)'}`;
    return { file, path: displayJsonPath(path), code: 'unrecognized_keys', expected, received: typeName(valueAt(raw, path)), message };
  });
}

/**
 * Every problem of a config against a connector's schema, values never included: the schema's
 * own issues and the keys it does not declare (see {@link describeUnknownKeys}).
 *
 * @example
 * ```ts
 * for (const issue of checkConfig(PostgresConnection.schema, resolved.values, resolved)) console.log(issue.message);
 * ```
 */
export function checkConfig(schema: z.ZodType, raw: unknown, resolved?: Pick<ResolvedConfig, 'provenance' | 'files'>, options: { cwd?: string } = {}): ConfigIssue[] {
  const result = schema.safeParse(raw);
  return [...(result.success ? [] : describeZodIssues(result.error.issues, raw, resolved, { schema, ...options })), ...describeUnknownKeys(schema, raw, resolved, options.cwd)];
}

/**
 * Parses `raw` (default: `resolved.values`) with a connector's schema and returns the parsed
 * value; throws ConfigError CONFIG_INVALID listing every issue with file, JSON path, what was
 * expected and the type received — never the value, which may be a secret.
 *
 * @example
 * const schema = z.object({ url: z.string(), port: z.coerce.number().int() });
 * const config = validateConfig(schema, resolved, resolved.values, { type: 'postgres', env: 'prod' });
 */
export function validateConfig<T extends z.ZodType>(schema: T, resolved: ResolvedConfig | undefined, raw: unknown, ctx: ValidateContext): z.output<T> {
  const input = raw === undefined && resolved ? resolved.values : raw;
  const result = schema.safeParse(input);
  const unknown = describeUnknownKeys(schema, input, resolved, ctx.cwd);
  if (result.success && !unknown.length) return result.data;
  const issues = [...(result.success ? [] : describeZodIssues(result.error.issues, input, resolved, { schema, ...(ctx.cwd ? { cwd: ctx.cwd } : {}) })), ...unknown];
  const env = ctx.env ?? resolved?.env;
  // No `cause`: the ZodError is not needed to act on this and keeps values out of reach of loggers.
  throw new ConfigError(
    'CONFIG_INVALID',
    `Invalid config for '${ctx.type}'${env ? ` (env '${env}')` : ''}:\n${issues.map((i) => `  - ${i.message}`).join('\n')}`,
    { connector: ctx.type, details: { issues } },
  );
}
