/**
 * `${VAR}` interpolation in config strings.
 *
 * - `${VAR}` is replaced by the variable's value; an unset variable is reported as missing
 *   (never silently replaced by an empty string). A variable set to `''` yields `''`.
 * - `${VAR:-default}` uses `default` when VAR is unset or empty (as in POSIX shells). The default
 *   may itself contain references: `${PGHOST:-${HOST:-localhost}}`.
 * - `$${` is an escape for a literal `${`: `"$${NOT_A_VAR}"` yields `"${NOT_A_VAR}"`.
 * - A value that is exactly `${PORT}` stays a string; schemas coerce where they allow it.
 */
import type { EnvVarUse } from './types.js';

/** Where a variable's value was found. */
export interface VariableValue {
  value: string;
  source: 'process' | 'dotenv';
  file?: string;
}

/** Looks a variable up; undefined when unset. */
export type VariableLookup = (name: string) => VariableValue | undefined;

export interface InterpolationResult {
  value: string;
  /** Variables referenced, in order of first use. */
  used: EnvVarUse[];
  /** Variables that were unset and had no default. */
  missing: string[];
}

/** A `${…}` reference that cannot be read (bad name, unterminated). */
export class InterpolationSyntaxError extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'InterpolationSyntaxError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Interpolates one string.
 * @example
 * const env = { USER: { value: 'app', source: 'process' as const } };
 * interpolateString('${USER}@${HOST:-localhost}', (n) => env[n as 'USER']).value; // → 'app@localhost'
 */
export function interpolateString(text: string, lookup: VariableLookup): InterpolationResult {
  const parsed = parse(text, 0, false, lookup);
  return { value: parsed.out, used: parsed.used, missing: parsed.missing };
}

interface Parsed extends Omit<InterpolationResult, 'value'> {
  out: string;
  end: number;
}

function addUse(list: EnvVarUse[], use: EnvVarUse): void {
  if (!list.some((u) => u.name === use.name && u.usedDefault === use.usedDefault)) list.push(use);
}

function useOf(name: string, found: VariableValue | undefined, usedDefault: boolean): EnvVarUse {
  return { name, usedDefault, source: found?.source ?? 'default', ...(found?.file ? { file: found.file } : {}) };
}

/**
 * Parses `text` from `start`. Inside a default (`nested`) it stops at the unmatched `}`.
 * Each default is parsed with its own bookkeeping, merged only when the default is taken, so
 * `${SET:-${UNSET}}` does not report UNSET as missing.
 */
function parse(text: string, start: number, nested: boolean, lookup: VariableLookup): Parsed {
  const used: EnvVarUse[] = [];
  const missing: string[] = [];
  let out = '';
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (nested && ch === '}') return { out, end: i, used, missing };
    if (ch === '$' && text[i + 1] === '$' && text[i + 2] === '{') {
      out += '${';
      i += 3;
      continue;
    }
    if (ch !== '$' || text[i + 1] !== '{') {
      out += ch;
      i++;
      continue;
    }
    const refStart = i;
    i += 2;
    const name = NAME.exec(text.slice(i))?.[0];
    if (!name) throw new InterpolationSyntaxError(refStart, 'a ${...} reference needs a variable name (letters, digits, _); write $${ for a literal ${');
    i += name.length;
    const found = lookup(name);
    if (text[i] === '}') {
      i++;
      if (found === undefined) {
        if (!missing.includes(name)) missing.push(name);
      } else {
        addUse(used, useOf(name, found, false));
        out += found.value;
      }
      continue;
    }
    if (text[i] === ':' && text[i + 1] === '-') {
      const inner = parse(text, i + 2, true, lookup);
      i = inner.end + 1;
      if (found !== undefined && found.value !== '') {
        addUse(used, useOf(name, found, false));
        out += found.value;
      } else {
        addUse(used, useOf(name, found, true));
        for (const use of inner.used) addUse(used, use);
        for (const m of inner.missing) if (!missing.includes(m)) missing.push(m);
        out += inner.out;
      }
      continue;
    }
    throw new InterpolationSyntaxError(
      refStart,
      i >= text.length ? 'unterminated ${...} reference' : 'a ${...} reference takes the form ${VAR} or ${VAR:-default}',
    );
  }
  if (nested) throw new InterpolationSyntaxError(start, 'unterminated ${...} reference');
  return { out, end: i, used, missing };
}

