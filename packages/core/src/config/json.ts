/**
 * JSON parsing with error positions that never quote the file.
 *
 * V8's own messages embed a snippet of the source (`Unexpected token 'x', "{"password": x…" is
 * not valid JSON`), which could print a secret, and do not always give a position. On failure we
 * re-scan the text with a small strict JSON checker that reports only a line, a column and a
 * description of what was expected.
 */
import { ConfigError } from '../errors.js';

export interface JsonErrorLocation {
  line: number;
  column: number;
  /** What went wrong, without quoting the source (a single offending character at most). */
  reason: string;
}

/** Parses JSON text read from `file`; throws ConfigError CONFIG_PARSE with line and column. */
export function parseJsonText(text: string, file: string, displayName: string = file): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(source) as unknown;
  } catch {
    const where = locateJsonError(source) ?? { line: 1, column: 1, reason: 'invalid JSON' };
    throw new ConfigError('CONFIG_PARSE', `Could not parse ${displayName}: ${where.reason} at line ${where.line}, column ${where.column}.`, {
      details: { file, line: where.line, column: where.column },
    });
  }
  // Merging, interpolation and validation walk the value recursively: refuse absurd depth here,
  // with the file named, rather than end in "Maximum call stack size exceeded" later.
  const { maxDepth } = scanJsonStructure(source);
  if (maxDepth > MAX_CONFIG_DEPTH) {
    throw new ConfigError('CONFIG_PARSE', `Could not use ${displayName}: it is nested ${maxDepth} levels deep (at most ${MAX_CONFIG_DEPTH}); flatten it.`, {
      details: { file, depth: maxDepth },
    });
  }
  return value;
}

class JsonScanError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function describeChar(ch: string | undefined): string {
  if (ch === undefined) return 'end of file';
  if (ch === '/') return "'/' (JSON does not allow comments)";
  if (ch === "'") return "\"'\" (JSON strings use double quotes)";
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `'${ch}'`;
}

/**
 * Finds where `text` stops being valid JSON, or returns undefined when it is valid.
 * @example
 * locateJsonError('{\n  "a": 1,\n}'); // → { line: 3, column: 1, reason: "trailing comma before '}'" }
 */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new JsonScanError(at, reason);
  };
  const skipWs = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const unexpected = (expected: string): never =>
    fail(i >= text.length ? `unexpected end of file, expected ${expected}` : `unexpected ${describeChar(text[i])}, expected ${expected}`);
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i + k] !== word[k]) fail(`invalid literal, expected '${word}'`, i + k);
    }
    i += word.length;
  };
  const string = () => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in string');
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else fail('invalid escape in string');
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) fail(ch === '\n' ? 'unterminated string (newline inside a string)' : 'unescaped control character in string');
      i++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '-' || match[0] === '') fail('invalid number');
    i += match![0].length;
    if (/[0-9.eE]/.test(text[i] ?? '')) fail('invalid number');
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('nesting too deep');
    skipWs();
    const ch = text[i];
    if (ch === '{') return object(depth);
    if (ch === '[') return array(depth);
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    unexpected('a value');
  };
  const object = (depth: number) => {
    i++;
    skipWs();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      if (text[i] !== '"') {
        if (text[i] === '}') fail("trailing comma before '}'");
        unexpected('a property name in double quotes');
      }
      string();
      skipWs();
      if (text[i] !== ':') unexpected("':' after a property name");
      i++;
      value(depth + 1);
      skipWs();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      unexpected("',' or '}'");
    }
  };
  const array = (depth: number) => {
    i++;
    skipWs();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      if (text[i] === ']') fail("trailing comma before ']'");
      value(depth + 1);
      skipWs();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      unexpected("',' or ']'");
    }
  };
  try {
    skipWs();
    if (i >= text.length) fail('empty file, expected a JSON object');
    value(0);
    skipWs();
    if (i < text.length) unexpected('end of file after the top-level value');
    return undefined;
  } catch (err) {
    if (!(err instanceof JsonScanError)) throw err;
    return { ...lineColumn(text, err.offset), reason: err.reason };
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Deepest nesting a config file may have: far beyond any real config, well before any stack runs out. */
export const MAX_CONFIG_DEPTH = 100;

/** A key that appears twice in one JSON object (JSON.parse silently keeps the last). */
export interface DuplicateJsonKey {
  /** JSON path of the duplicated key, `$.properties.ssl`. */
  path: string;
  line: number;
  column: number;
}

/**
 * One iterative pass over JSON text (no recursion, so any depth is safe) that measures nesting
 * and finds duplicate keys. Assumes the text is valid JSON; run it after `JSON.parse` succeeded.
 */
export function scanJsonStructure(text: string): { maxDepth: number; duplicates: DuplicateJsonKey[] } {
  type Frame = { kind: 'object' | 'array'; keys: Set<string>; path: string; index: number; pendingKey?: string };
  const stack: Frame[] = [];
  const duplicates: DuplicateJsonKey[] = [];
  let maxDepth = 0;
  const childPath = (frame: Frame | undefined): string => {
    if (!frame) return '$';
    if (frame.kind === 'array') return `${frame.path}[${frame.index}]`;
    const key = frame.pendingKey ?? '';
    return /^[A-Za-z_$][\w$]*$/.test(key) ? `${frame.path}.${key}` : `${frame.path}[${JSON.stringify(key)}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      // A string directly followed by ':' inside an object is a key.
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k]!)) k++;
      if (top?.kind === 'object' && text[k] === ':') {
        const key = JSON.parse(text.slice(start, j + 1)) as string;
        if (top.keys.has(key)) {
          const { line, column } = lineColumn(text, start);
          duplicates.push({ path: childPath({ ...top, pendingKey: key }), line, column });
        }
        top.keys.add(key);
        top.pendingKey = key;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      const parent = stack[stack.length - 1];
      stack.push({ kind: ch === '{' ? 'object' : 'array', keys: new Set(), path: childPath(parent), index: 0 });
      if (stack.length > maxDepth) maxDepth = stack.length;
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
    }
  }
  return { maxDepth, duplicates };
}
