/** Command-line parsing on `node:util` parseArgs, with errors that name the command's usage. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '@sparkle/core';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  require: { type: 'string', short: 'r', multiple: true },
} as const satisfies Options;

/** What `parseCommandArgs` returns for a command's options: typed `values` and the positionals. */
export type ParsedArgs<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & O; allowPositionals: true; strict: true }>
>;

/**
 * Parses `argv` strictly: an unknown flag or a missing value is a UsageError (exit 2) whose hint
 * points at `sparkle <command> --help`.
 */
export function parseCommandArgs<const O extends Options>(command: string, argv: string[], options: O): ParsedArgs<O> {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true }) as ParsedArgs<O>;
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '.') : String(error);
    throw new UsageError(`${message}${flagSuggestion(message, { ...COMMON_OPTIONS, ...options })}`, `run 'sparkle ${command} --help'`);
  }
}

/** ` Did you mean --env?` for an unknown `--evn` (nothing when no flag is close). */
function flagSuggestion(message: string, options: Options): string {
  const unknown = /Unknown option '--([^'=]+)/.exec(message)?.[1];
  if (!unknown) return '';
  const near = closest(unknown, Object.keys(options));
  return near ? ` Did you mean --${near}?` : '';
}

/** A positive integer flag value, or undefined when absent. */
export function intOption(name: string, value: string | undefined, { min = 1 } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'.`);
  return n;
}

/** A partition bound: a number when it looks like one, else the text (a date). */
export function boundOption(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** Splits `a,b , c` into names, dropping empties. */
export function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}
