import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { deepMerge, interpolateString, parseDotenv } from '../src/config/index.js';
import { InterpolationSyntaxError, type VariableLookup } from '../src/config/interpolate.js';
import { locateJsonError } from '../src/config/json.js';
import { formatPath } from '../src/config/paths.js';

const vars =
  (values: Record<string, string>): VariableLookup =>
  (name) =>
    Object.hasOwn(values, name) ? { value: values[name]!, source: 'process' } : undefined;

describe('parseDotenv', () => {
  it('parses plain, exported, quoted and commented lines', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'export EXPORTED=yes',
      '  SPACED = padded value  ',
      'INLINE=abc # trailing comment',
      'HASH=abc#def',
      "SINGLE='literal \\n ${X} # not a comment'",
      'DOUBLE="line1\\nline2\\t\\"q\\" \\\\ end" # comment',
      'MULTI="first',
      'second"',
      'EMPTY=',
      'EQUALS=a=b=c',
      'CRLF=win\r',
      'PLAIN=overridden',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      PLAIN: 'overridden',
      EXPORTED: 'yes',
      SPACED: 'padded value',
      INLINE: 'abc',
      HASH: 'abc#def',
      SINGLE: 'literal \\n ${X} # not a comment',
      DOUBLE: 'line1\nline2\t"q" \\ end',
      MULTI: 'first\nsecond',
      EMPTY: '',
      EQUALS: 'a=b=c',
      CRLF: 'win',
    });
  });

  it('reports bad lines by number without their content', () => {
    expect(() => parseDotenv('A=1\n\nnot an assignment hunter2', 'x.env')).toThrow(/x\.env: .* at line 3\.$/);
    try {
      parseDotenv('A="unterminated hunter2\nB=2', 'y.env');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('CONFIG_PARSE');
      expect((err as ConfigError).message).toContain('line 1');
      expect((err as ConfigError).message).not.toContain('hunter2');
      return;
    }
    throw new Error('expected an error');
  });
});

describe('interpolateString', () => {
  it('substitutes, defaults, nests defaults and escapes', () => {
    const lookup = vars({ A: 'a', EMPTY: '' });
    expect(interpolateString('${A}-${B:-b}-${EMPTY:-e}-${C:-${A}}-$${A}-$$-$x-${A}', lookup)).toMatchObject({ value: 'a-b-e-a-${A}-$$-$x-a', missing: [] });
    expect(interpolateString('${B:-}', lookup).value).toBe('');
    expect(interpolateString('${B:-has}braces}', lookup).value).toBe('hasbraces}');
  });

  it('reports missing variables once each, in order', () => {
    expect(interpolateString('${X}${Y}${X}${Z:-ok}', vars({})).missing).toEqual(['X', 'Y']);
  });

  it.each(['${}', '${1A}', '${A B}', '${A', '${A:-x', '${A:x}'])('rejects malformed reference %j', (text) => {
    expect(() => interpolateString(text, vars({ A: 'a' }))).toThrow(InterpolationSyntaxError);
  });
});

describe('locateJsonError', () => {
  it('returns undefined for valid JSON and a line/column otherwise', () => {
    expect(locateJsonError('{"a": [1, 2.5e3, -0, true, false, null, "\\u00e9\\n"]}')).toBeUndefined();
    expect(locateJsonError('{"a": 1}\n{"b": 2}')).toMatchObject({ line: 2, column: 1 });
    expect(locateJsonError('{"a": "unterminated')).toMatchObject({ line: 1, column: 7, reason: 'unterminated string' });
    expect(locateJsonError("{'a': 1}")).toMatchObject({ line: 1, column: 2 });
    expect(locateJsonError('{"a": 01}')).toMatchObject({ reason: 'invalid number' });
    expect(locateJsonError('[1, 2,]')).toMatchObject({ line: 1, column: 7, reason: "trailing comma before ']'" });
    expect(locateJsonError('{"a": tru}')).toMatchObject({ reason: "invalid literal, expected 'true'" });
  });

  it('agrees with JSON.parse on what is valid', () => {
    const samples = ['{}', '[]', '"s"', '1', '{"a":{"b":[{}]}}', '{"a":1,}', '{a:1}', '{"a":1 "b":2}', '[1,,2]', '{"a":"\t"}', '  ', 'nul'];
    for (const sample of samples) {
      let valid = true;
      try {
        JSON.parse(sample);
      } catch {
        valid = false;
      }
      expect(locateJsonError(sample) === undefined, sample).toBe(valid);
    }
  });

  it('agrees with JSON.parse on 3000 randomly mutated documents (fixed seed)', () => {
    const base = JSON.stringify({ a: [1, -2.5e-3, true, null, 'x\n"y\u00e9'], b: { c: {}, d: [] }, e: 0 }, null, 2);
    const alphabet = '{}[],:"\\ \n\t0123456789-+.eEtrufalsn\'/x\u0001';
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const disagreements: string[] = [];
    for (let k = 0; k < 3000; k++) {
      let doc = base;
      for (let e = 1 + rnd(3); e > 0; e--) {
        const pos = rnd(doc.length + 1);
        const ch = alphabet[rnd(alphabet.length)]!;
        const op = rnd(3);
        doc = op === 0 ? doc.slice(0, pos) + ch + doc.slice(pos) : op === 1 ? doc.slice(0, pos) + doc.slice(pos + 1) : doc.slice(0, pos) + ch + doc.slice(pos + 1);
      }
      let valid = true;
      try {
        JSON.parse(doc);
      } catch {
        valid = false;
      }
      if ((locateJsonError(doc) === undefined) !== valid) disagreements.push(doc);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('deepMerge and paths', () => {
  it('merges objects recursively; arrays, scalars and null replace; inputs stay untouched', () => {
    const base = { a: { x: 1, y: { z: 2 } }, list: [1, 2, 3], keep: 'k', gone: { deep: 1 } };
    const overlay = { a: { y: { w: 3 } }, list: [9], gone: null };
    expect(deepMerge(base, overlay)).toEqual({ a: { x: 1, y: { z: 2, w: 3 } }, list: [9], keep: 'k', gone: null });
    expect(base.a.y).toEqual({ z: 2 });
  });

  it('formats provenance paths', () => {
    expect(formatPath(['properties', 'ssl'])).toBe('properties.ssl');
    expect(formatPath(['hosts', 0])).toBe('hosts[0]');
    expect(formatPath(['headers', 'x.y', 0, 'a b'])).toBe('headers["x.y"][0]["a b"]');
  });
});

describe('JSON structure checks (depth, duplicate keys)', () => {
  it('finds duplicate keys with their path and position, at any depth, ignoring strings that merely look like keys', async () => {
    const { scanJsonStructure } = await import('../src/config/index.js');
    const text = '{\n  "url": "x",\n  "properties": { "ssl": "true", "note": "\\"ssl\\": 1", "ssl": "false" },\n  "list": [{ "a": 1 }, { "a": 2, "a": 3 }],\n  "url": "y"\n}';
    const { duplicates, maxDepth } = scanJsonStructure(text);
    expect(maxDepth).toBe(3);
    expect(duplicates).toEqual([
      { path: '$.properties.ssl', line: 3, column: 56 },
      { path: '$.list[1].a', line: 4, column: 34 },
      { path: '$.url', line: 5, column: 3 },
    ]);
  });

  it('refuses 10,000 levels of nesting with an error naming the file, not a stack overflow', async () => {
    const { parseJsonText } = await import('../src/config/json.js');
    const deep = `{"a": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(() => parseJsonText(deep, '/cfg/connections/x/common.json')).toThrow(/common\.json: it is nested 10001 levels deep \(at most 100\)/);
    const broken = `{"a": ${'['.repeat(10_000)}1,${']'.repeat(10_000)}}`;
    expect(() => parseJsonText(broken, '/cfg/x.json')).toThrow(/Could not parse \/cfg\/x\.json: .* at line 1/);
  });
});
