/**
 * A small, strict YAML reader for the subset `openlineage.yml` uses: nested block maps, block
 * lists (of scalars or of maps, as in composite transports), plain / single- / double-quoted
 * scalars, flow lists and maps on one line (`[500, 502]`, `{}`), and `#` comments.
 * Core has no YAML dependency; anything outside this subset (anchors, aliases, tags, block
 * scalars, multiple documents, tabs) is an error naming the file and line rather than a guess.
 */
import { ConfigError } from '../errors.js';

interface Line {
  /** 1-based line number in the file. */
  no: number;
  indent: number;
  text: string;
}

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/**
 * Parses YAML text of the supported subset.
 * @param file shown in errors (`openlineage.yml:7: …`)
 * @example
 * parseYaml('transport:\n  type: file\n  log_file_path: /tmp/ol.ndjson\n', 'openlineage.yml');
 * // { transport: { type: 'file', log_file_path: '/tmp/ol.ndjson' } }
 */
export function parseYaml(text: string, file = '<yaml>'): unknown {
  const lines = toLines(text, file);
  if (lines.length === 0) return {};
  const fail = (line: Line, message: string): never => yamlError(file, line.no, message);
  if (lines[0]!.indent !== 0) fail(lines[0]!, 'the document must start at column 1');
  const [value, next] = parseBlock(lines, 0, 0, file);
  if (next < lines.length) fail(lines[next]!, 'unexpected indentation');
  return value;
}

function yamlError(file: string, line: number, message: string): never {
  throw new ConfigError('CONFIG_PARSE', `${file}:${line}: ${message}`, { details: { file, line } });
}

/** Non-blank lines with comments removed and indentation measured. */
function toLines(text: string, file: string): Line[] {
  const out: Line[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  raw.forEach((content, i) => {
    const no = i + 1;
    const leading = content.match(/^[ \t]*/)![0];
    if (leading.includes('\t')) yamlError(file, no, 'tabs are not allowed for indentation');
    const body = stripComment(content.slice(leading.length), file, no).trimEnd();
    if (!body) return;
    if (body === '---' && out.length === 0) return; // an optional document start marker
    if (body === '---' || body === '...') yamlError(file, no, 'multiple YAML documents are not supported');
    out.push({ no, indent: leading.length, text: body });
  });
  return out;
}

/** Cuts a `#` comment that is outside quotes and starts the line or follows whitespace. */
function stripComment(text: string, file: string, no: number): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = null;
      }
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s:[{,-]/.test(text[i - 1]!))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i);
  }
  if (quote) yamlError(file, no, `unterminated ${quote === '"' ? 'double' : 'single'}-quoted string`);
  return text;
}

const isItem = (text: string) => text === '-' || text.startsWith('- ');

function parseBlock(lines: Line[], i: number, indent: number, file: string): [Value, number] {
  return isItem(lines[i]!.text) ? parseList(lines, i, indent, file) : parseMap(lines, i, indent, file);
}

function parseMap(lines: Line[], i: number, indent: number, file: string): [Value, number] {
  const map: Record<string, Value> = {};
  while (i < lines.length && lines[i]!.indent === indent) {
    const line = lines[i]!;
    if (isItem(line.text)) yamlError(file, line.no, 'a list item where a "key: value" entry was expected');
    const [key, rest] = splitKey(line, file);
    if (Object.prototype.hasOwnProperty.call(map, key)) yamlError(file, line.no, `duplicate key "${key}"`);
    i++;
    let value: Value;
    if (rest !== '') value = parseScalar(rest, file, line.no);
    else if (i < lines.length && lines[i]!.indent > indent) [value, i] = parseBlock(lines, i, lines[i]!.indent, file);
    else if (i < lines.length && lines[i]!.indent === indent && isItem(lines[i]!.text)) [value, i] = parseList(lines, i, indent, file);
    else value = null;
    map[key] = value;
  }
  if (i < lines.length && lines[i]!.indent > indent) yamlError(file, lines[i]!.no, 'unexpected indentation');
  return [map, i];
}

function parseList(lines: Line[], i: number, indent: number, file: string): [Value, number] {
  const list: Value[] = [];
  while (i < lines.length && lines[i]!.indent === indent && isItem(lines[i]!.text)) {
    const line = lines[i]!;
    const rest = line.text.slice(1).trimStart();
    if (rest === '') {
      i++;
      if (i < lines.length && lines[i]!.indent > indent) {
        let value: Value;
        [value, i] = parseBlock(lines, i, lines[i]!.indent, file);
        list.push(value);
      } else list.push(null);
    } else if (isItem(rest) || looksLikeEntry(rest)) {
      // `- key: value` opens a map (or `- - x` a list) whose column is where `key` starts.
      const column = indent + (line.text.length - rest.length);
      const copy = lines.slice();
      copy[i] = { no: line.no, indent: column, text: rest };
      let value: Value;
      [value, i] = parseBlock(copy, i, column, file);
      list.push(value);
    } else {
      list.push(parseScalar(rest, file, line.no));
      i++;
    }
  }
  return [list, i];
}

/** True when the text is a `key: value` entry rather than a scalar. */
function looksLikeEntry(text: string): boolean {
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = text.startsWith('"') ? /^"(?:[^"\\]|\\.)*"/.exec(text) : /^'(?:[^']|'')*'/.exec(text);
    return !!end && /^\s*:(\s|$)/.test(text.slice(end[0].length));
  }
  if (text.startsWith('[') || text.startsWith('{')) return false;
  return /:(\s|$)/.test(text);
}

function splitKey(line: Line, file: string): [string, string] {
  const text = line.text;
  let key: string;
  let after: string;
  if (text.startsWith('"') || text.startsWith("'")) {
    const m = text.startsWith('"') ? /^"(?:[^"\\]|\\.)*"/.exec(text) : /^'(?:[^']|'')*'/.exec(text);
    if (!m) yamlError(file, line.no, 'unterminated quoted key');
    key = parseScalar(m![0], file, line.no) as string;
    after = text.slice(m![0].length).trimStart();
    if (!after.startsWith(':')) yamlError(file, line.no, `expected ":" after key ${m![0]}`);
    after = after.slice(1);
  } else {
    const m = /:(\s|$)/.exec(text);
    if (!m) yamlError(file, line.no, `expected "key: value", found "${text}"`);
    key = text.slice(0, m!.index).trim();
    after = text.slice(m!.index + 1);
    if (/^[&*!?|>]/.test(key) || key === '') yamlError(file, line.no, `unsupported key "${key}"`);
  }
  return [key, after.trim()];
}

/** A scalar or a one-line flow collection. */
function parseScalar(text: string, file: string, no: number): Value {
  const first = text[0]!;
  if (first === '[' || first === '{') {
    const parser = new FlowParser(text, file, no);
    const value = parser.value();
    parser.end();
    return value;
  }
  if (first === '"' || first === "'") {
    const m = first === '"' ? /^"(?:[^"\\]|\\.)*"$/.exec(text) : /^'(?:[^']|'')*'$/.exec(text);
    if (!m) yamlError(file, no, `text after the closing quote in ${text}`);
    if (first === "'") return text.slice(1, -1).replace(/''/g, "'");
    try {
      return JSON.parse(text) as string;
    } catch {
      return yamlError(file, no, `unsupported escape in ${text}`);
    }
  }
  if (first === '|' || first === '>') yamlError(file, no, 'block scalars (| and >) are not supported; use a quoted string');
  if (first === '&' || first === '*' || first === '!') yamlError(file, no, 'anchors, aliases and tags are not supported');
  return plainScalar(text);
}

function plainScalar(text: string): Value {
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  if (/^[-+]?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}

/** One-line flow collections: `[a, "b", 3]`, `{key: value, other: [1, 2]}`. */
class FlowParser {
  #pos = 0;
  constructor(
    readonly text: string,
    readonly file: string,
    readonly no: number,
  ) {}

  value(): Value {
    this.#space();
    const c = this.text[this.#pos];
    if (c === '[') return this.#list();
    if (c === '{') return this.#map();
    if (c === '"' || c === "'") return this.#quoted();
    const start = this.#pos;
    while (this.#pos < this.text.length && !/[,\]}]/.test(this.text[this.#pos]!)) this.#pos++;
    const raw = this.text.slice(start, this.#pos).trim();
    if (!raw) this.#fail('an empty value');
    return plainScalar(raw);
  }

  end(): void {
    this.#space();
    if (this.#pos < this.text.length) this.#fail(`unexpected "${this.text.slice(this.#pos)}"`);
  }

  #list(): Value[] {
    this.#pos++;
    const out: Value[] = [];
    this.#space();
    if (this.text[this.#pos] === ']') return this.#pos++, out;
    for (;;) {
      out.push(this.value());
      this.#space();
      const c = this.text[this.#pos++];
      if (c === ']') return out;
      if (c !== ',') this.#fail('expected "," or "]"');
    }
  }

  #map(): Record<string, Value> {
    this.#pos++;
    const out: Record<string, Value> = {};
    this.#space();
    if (this.text[this.#pos] === '}') return this.#pos++, out;
    for (;;) {
      this.#space();
      const c = this.text[this.#pos];
      let key: string;
      if (c === '"' || c === "'") key = this.#quoted();
      else {
        const start = this.#pos;
        while (this.#pos < this.text.length && !/[:,}]/.test(this.text[this.#pos]!)) this.#pos++;
        key = this.text.slice(start, this.#pos).trim();
      }
      this.#space();
      if (this.text[this.#pos++] !== ':') this.#fail(`expected ":" after "${key}"`);
      out[key] = this.value();
      this.#space();
      const d = this.text[this.#pos++];
      if (d === '}') return out;
      if (d !== ',') this.#fail('expected "," or "}"');
    }
  }

  #quoted(): string {
    const rest = this.text.slice(this.#pos);
    const m = rest[0] === '"' ? /^"(?:[^"\\]|\\.)*"/.exec(rest) : /^'(?:[^']|'')*'/.exec(rest);
    if (!m) this.#fail('unterminated string');
    this.#pos += m![0].length;
    return parseScalar(m![0], this.file, this.no) as string;
  }

  #space(): void {
    while (this.#pos < this.text.length && this.text[this.#pos] === ' ') this.#pos++;
  }

  #fail(what: string): never {
    return yamlError(this.file, this.no, `in flow collection: ${what}`);
  }
}
