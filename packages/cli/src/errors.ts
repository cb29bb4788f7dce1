/** How the CLI turns failures into exit codes and one-line messages. */
import { SparkleError, redactText } from '@sparkle/core';

/** Exit codes: scripts branch on these. */
export const EXIT = {
  ok: 0,
  /** Unhealthy connection, lint errors, failed copy. */
  failure: 1,
  /** Bad command line or configuration: nothing was attempted. */
  usage: 2,
} as const;

/** A command line the CLI cannot run (unknown flag, missing argument). Exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Error codes that mean "fix your config or command line", not "the system is down". */
const CONFIG_CODES = new Set([
  'CONFIG_NOT_FOUND',
  'CONFIG_PARSE',
  'CONFIG_INVALID',
  'CONFIG_MISSING_ENV',
  'INVALID_ENV_NAME',
  'UNKNOWN_CONNECTION_TYPE',
  'MISSING_DRIVER',
  'INVALID_ARGUMENT',
]);

/** The exit code a failure maps to: 2 for usage and config errors, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (SparkleError.isInstance(error) && CONFIG_CODES.has(error.code)) return EXIT.usage;
  return EXIT.failure;
}

/** A short suggestion of what to do next, per error code. */
export function hintFor(error: unknown): string | undefined {
  if (error instanceof UsageError) return error.hint;
  if (!SparkleError.isInstance(error)) return undefined;
  switch (error.code) {
    case 'UNKNOWN_CONNECTION_TYPE':
      return "run 'sparkle list' to see installed types, or load your own with --require <module>";
    case 'MISSING_DRIVER':
      return 'install the package named above in the project you run sparkle from';
    case 'CONFIG_NOT_FOUND':
      return 'point --config-dir (or SPARKLE_CONFIG_DIR) at the directory holding connections/<type>/';
    case 'CONFIG_MISSING_ENV':
      return "export the variable, add it to a .env file, or run 'sparkle lint' to list every unset variable";
    case 'CONFIG_PARSE':
    case 'CONFIG_INVALID':
      return "run 'sparkle lint' to check every config file";
    case 'INVALID_ENV_NAME':
      return 'env names are plain identifiers such as dev, qa or prod';
    case 'AUTHENTICATION_FAILED':
      return 'check the user and the secret variables the config interpolates';
    case 'TABLE_EXISTS':
      return tableExistsHint(error.details.writeModes);
    case 'CONNECTION_FAILED':
    case 'TIMEOUT':
      return "run 'sparkle test <type>' to see which tier fails";
    default:
      return undefined;
  }
}

const MODE_HINTS: Record<string, string> = { overwrite: '--mode overwrite (atomic replace)', append: '--mode append', ignore: '--mode ignore' };

/**
 * What to do about an existing target: only the modes the target declared it supports
 * (`details.writeModes`, attached by the engine); without a declaration, the usual three.
 */
function tableExistsHint(declared: unknown): string {
  const modes = Array.isArray(declared) ? Object.keys(MODE_HINTS).filter((m) => declared.includes(m)) : Object.keys(MODE_HINTS);
  const choices = modes.map((m) => MODE_HINTS[m]!);
  if (!choices.length) return 'write to a new target, or remove the existing one';
  return `choose ${choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : choices[0]}`;
}

/**
 * The lines printed for a failure: `error: [CODE] message`, a hint, and the stack only when
 * `SPARKLE_DEBUG=1`. Messages are redacted again here (defence in depth: a driver message
 * may carry a connection string).
 */
export function describeError(error: unknown, options: { debug?: boolean; secrets?: readonly string[] } = {}): string[] {
  const clean = (text: string) => redactText(text, options.secrets ?? []);
  const lines: string[] = [];
  if (SparkleError.isInstance(error)) {
    lines.push(`error: [${error.code}] ${clean(error.message)}`);
  } else if (error instanceof UsageError) {
    lines.push(`error: ${clean(error.message)}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`error: ${clean(message)}`);
  }
  const hint = hintFor(error);
  if (hint) lines.push(`hint: ${hint}`);
  if (options.debug && error instanceof Error && error.stack) {
    lines.push(clean(error.stack));
    let cause: unknown = error.cause;
    for (let depth = 0; cause instanceof Error && depth < 5; depth++, cause = cause.cause) {
      lines.push(`caused by: ${clean(cause.stack ?? cause.message)}`);
    }
  }
  return lines;
}

/**
 * Values of environment variables named like secrets (`DB_PASSWORD`, `API_TOKEN`), scrubbed from
 * error output as a last line of defence: a driver may echo what it was given.
 */
export function environmentSecrets(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && value.length >= 4 && /(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i.test(name))
    .map(([, value]) => value!);
}
