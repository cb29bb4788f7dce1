/**
 * `.env` files: `KEY=VALUE` lines read into a map. They never touch `process.env`; the loader
 * consults them only for `${VAR}` references the process environment does not answer.
 *
 * Accepted syntax: blank lines and `# comments`; an optional `export ` prefix; unquoted values
 * (trimmed, ` # comment` after whitespace dropped); single-quoted values taken literally;
 * double-quoted values with `\n`, `\r`, `\t`, `\"` and `\\` escapes. Quoted values may span
 * lines. A later assignment of the same key wins.
 *
 * Hand-written on purpose: Node's `util.parseEnv` and the `dotenv` package were both tried on
 * the cases below and both accept, silently, what must be an error here — an unterminated quote
 * (kept as a value starting with `"`), a line that is not an assignment (dropped), and they cut
 * an unquoted `pa#ss` at the `#` (a password silently truncated); `util.parseEnv` also stops at
 * an escaped `\"`. A config loader that handles secrets must fail loudly with a line number.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*/;

/**
 * Parses `.env` text. Errors name the file and line only, never the line's content.
 * @example
 * parseDotenv('export DB_USER=app\nDB_PASSWORD="s3cr\\"et" # prod\n');
 * // → { DB_USER: 'app', DB_PASSWORD: 's3cr"et' }
 */
export function parseDotenv(text: string, file = '.env'): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let i = 0;
  let line = 1;
  const fail = (reason: string, atLine = line): never => {
    throw new ConfigError('CONFIG_PARSE', `Could not parse ${file}: ${reason} at line ${atLine}.`, { details: { file, line: atLine } });
  };
  const restOfLine = (): string => {
    const end = src.indexOf('\n', i);
    const stop = end === -1 ? src.length : end;
    const rest = src.slice(i, stop);
    i = stop;
    return rest;
  };
  while (i < src.length) {
    // One logical line per iteration; `i` ends on the newline (or EOF).
    while (i < src.length && (src[i] === ' ' || src[i] === '\t')) i++;
    if (src[i] === '\n' || src[i] === '\r' || src[i] === '#' || i >= src.length) {
      restOfLine();
    } else {
      if (src.startsWith('export', i) && /[ \t]/.test(src[i + 6] ?? '')) {
        i += 6;
        while (src[i] === ' ' || src[i] === '\t') i++;
      }
      const key = KEY.exec(src.slice(i, i + 256))?.[0];
      if (!key) fail('expected KEY=VALUE (a key starts with a letter or _)');
      i += key!.length;
      while (src[i] === ' ' || src[i] === '\t') i++;
      if (src[i] !== '=') fail(`expected '=' after ${key}`);
      i++;
      while (src[i] === ' ' || src[i] === '\t') i++;
      const quote = src[i];
      let value: string;
      if (quote === '"' || quote === "'") {
        const startLine = line;
        i++;
        value = '';
        for (;;) {
          if (i >= src.length) fail(`unterminated ${quote === '"' ? 'double' : 'single'}-quoted value for ${key}`, startLine);
          const ch = src[i]!;
          if (ch === quote) {
            i++;
            break;
          }
          if (ch === '\n') line++;
          if (quote === '"' && ch === '\\') {
            const next = src[i + 1];
            const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
            if (next !== undefined && next in escapes) {
              value += escapes[next];
              i += 2;
              continue;
            }
          }
          value += ch;
          i++;
        }
        const trailing = restOfLine().trim();
        if (trailing && !trailing.startsWith('#')) fail(`unexpected text after the closing quote of ${key}`);
      } else {
        value = restOfLine().replace(/\r$/, '');
        const comment = /[ \t]#/.exec(value);
        if (comment) value = value.slice(0, comment.index);
        value = value.trim();
      }
      out[key!] = value;
    }
    if (src[i] === '\n') {
      i++;
      line++;
    }
  }
  return { ...out };
}

/** Reads and parses a `.env` file; undefined when it does not exist. */
export function readDotenvFile(path: string, displayName: string = path): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError('CONFIG_NOT_FOUND', `Could not read ${displayName}: ${(err as NodeJS.ErrnoException).code ?? 'read error'}.`, {
      cause: err,
      details: { file: path },
    });
  }
  return parseDotenv(text, displayName);
}
