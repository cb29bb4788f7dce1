/**
 * `openlineage.yml` reading, with the `yaml` library (YAML 1.2 core schema, as OpenLineage's own
 * clients read it). Loaded only when a YAML file is actually read, so importing core stays cheap.
 *
 * Errors name the file, line and column and the YAML error code — never the library's message,
 * which quotes the offending source line (an `apiKey:` line would print the key).
 */
import { createRequire } from 'node:module';
import { ConfigError } from '../errors.js';

type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;

function loadYaml(): YamlModule {
  // createRequire keeps this synchronous (config loading is) and lazy (most runs have no YAML file).
  yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return yamlModule;
}

/** Reasons for the library's error codes, in our words (the codes are the library's facts). */
const REASONS: Record<string, string> = {
  DUPLICATE_KEY: 'duplicate key',
  BAD_INDENT: 'unexpected indentation',
  TAB_AS_INDENT: 'tabs are not allowed for indentation',
  MISSING_CHAR: 'unterminated quote or flow collection',
  MULTILINE_IMPLICIT_KEY: 'expected "key: value"',
  UNEXPECTED_TOKEN: 'unexpected text',
  BLOCK_AS_IMPLICIT_KEY: 'unexpected indentation',
  BAD_ALIAS: 'unknown alias',
  ALIAS_PROPS: 'invalid alias',
  BAD_SCALAR_START: 'invalid start of a value',
  BAD_DIRECTIVE: 'invalid directive',
  DUPLICATE_KEY_NESTING: 'document nested too deeply',
  RESOURCE_EXHAUSTION: 'document too large (alias expansion)',
};

/** Deepest nesting accepted: far beyond any real config, well before any stack runs out. */
export const MAX_YAML_DEPTH = 200;

/**
 * Parses YAML text into plain values (one document; an empty document is `{}`).
 * @param file shown in errors (`openlineage.yml:7:3: duplicate key`)
 * @example
 * parseYaml('transport:\n  type: file\n  log_file_path: /tmp/ol.ndjson\n', 'openlineage.yml');
 * // { transport: { type: 'file', log_file_path: '/tmp/ol.ndjson' } }
 */
export function parseYaml(text: string, file = '<yaml>'): unknown {
  const { parseAllDocuments } = loadYaml();
  const depth = maxIndentDepth(text);
  if (depth > MAX_YAML_DEPTH) {
    throw new ConfigError('CONFIG_PARSE', `${file}: nested more than ${MAX_YAML_DEPTH} levels deep; flatten the configuration.`, { details: { file } });
  }
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  if (!Array.isArray(docs)) return {};
  if (docs.length > 1) {
    const line = docs[1]!.range ? lineOf(text, docs[1]!.range[0]) : 1;
    throw new ConfigError('CONFIG_PARSE', `${file}:${line}: multiple YAML documents; keep one.`, { details: { file, line } });
  }
  const doc = docs[0];
  if (!doc) return {};
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line ?? lineOf(text, error.pos[0]);
    const col = error.linePos?.[0].col;
    const reason = REASONS[error.code] ?? `invalid YAML (${error.code})`;
    throw new ConfigError('CONFIG_PARSE', `${file}:${line}${col ? `:${col}` : ''}: ${reason}.`, { details: { file, line, column: col, code: error.code } });
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  return value ?? {};
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Upper bound of block nesting plus flow brackets, measured without parsing (no recursion). */
function maxIndentDepth(text: string): number {
  let flow = 0;
  let maxFlow = 0;
  let maxIndent = 0;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (indent > maxIndent) maxIndent = indent;
    for (const ch of line) {
      if (ch === '[' || ch === '{') maxFlow = Math.max(maxFlow, ++flow);
      else if (ch === ']' || ch === '}') flow--;
    }
  }
  return Math.max(maxFlow, Math.floor(maxIndent / 2));
}
