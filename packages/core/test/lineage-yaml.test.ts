/** The openlineage.yml subset reader: what OpenLineage's documented configs use, and clear errors for the rest. */
import { describe, expect, it } from 'vitest';
import { SparkleError } from '../src/errors.js';
import { parseYaml } from '../src/lineage/yaml.js';

describe('parseYaml: the openlineage.yml subset', () => {
  it('nested maps, scalars, comments, quoted strings and flow lists (an http transport)', () => {
    const text = [
      '# lineage goes to Marquez',
      'transport:',
      '  type: http            # the HTTP transport',
      '  url: http://localhost:5000',
      '  endpoint: "api/v1/lineage"',
      '  timeout: 5.5',
      '  verify: false',
      '  auth:',
      '    type: api_key',
      "    apiKey: 'it''s # not a comment'",
      '  retry:',
      '    total: 3',
      '    status_forcelist: [500, 502, 503]',
      '    allowed_methods: ["HEAD", "POST"]',
      '  custom_headers: {X-Team: data, X-Env: "prod"}',
      '  empty:',
      'namespace: ~',
      '',
    ].join('\n');
    expect(parseYaml(text, 'openlineage.yml')).toEqual({
      transport: {
        type: 'http',
        url: 'http://localhost:5000',
        endpoint: 'api/v1/lineage',
        timeout: 5.5,
        verify: false,
        auth: { type: 'api_key', apiKey: "it's # not a comment" },
        retry: { total: 3, status_forcelist: [500, 502, 503], allowed_methods: ['HEAD', 'POST'] },
        custom_headers: { 'X-Team': 'data', 'X-Env': 'prod' },
        empty: null,
      },
      namespace: null,
    });
  });

  it('composite transports as a list of maps (indented or not) and as a map', () => {
    const list = `---
transport:
  type: composite
  transports:
    - type: http
      url: http://example.com/api
      name: my_http
    - type: file
      log_file_path: /tmp/ol.ndjson
      append: true
  sort_transports: false
`;
    expect(parseYaml(list)).toEqual({
      transport: {
        type: 'composite',
        transports: [
          { type: 'http', url: 'http://example.com/api', name: 'my_http' },
          { type: 'file', log_file_path: '/tmp/ol.ndjson', append: true },
        ],
        sort_transports: false,
      },
    });
    // Block sequences may sit at the same column as their key.
    expect(parseYaml('transports:\n- type: console\n- type: file\n  log_file_path: x\nnext: 1\n')).toEqual({
      transports: [{ type: 'console' }, { type: 'file', log_file_path: 'x' }],
      next: 1,
    });
    expect(parseYaml('transport:\n  transports:\n    first:\n      type: console\n    second: {}\n')).toEqual({
      transport: { transports: { first: { type: 'console' }, second: {} } },
    });
  });

  it('scalar types: numbers, booleans, nulls, strings that merely look special', () => {
    expect(parseYaml('a: 42\nb: -1.5e3\nc: True\nd: null\ne: 1.2.3\nf: "42"\ng: http://h:80/x#frag\n')).toEqual({
      a: 42,
      b: -1500,
      c: true,
      d: null,
      e: '1.2.3',
      f: '42',
      g: 'http://h:80/x#frag',
    });
    expect(parseYaml('')).toEqual({});
    expect(parseYaml('# only a comment\n')).toEqual({});
    expect(parseYaml('list:\n  - a\n  - "b c"\n  - 3\n')).toEqual({ list: ['a', 'b c', 3] });
    expect(parseYaml('"quoted key": 1\n')).toEqual({ 'quoted key': 1 });
  });

  it('reads what the library reads: anchors and aliases, tags, block scalars', () => {
    expect(parseYaml('base: &b\n  type: console\ntransport: *b\nnote: |\n  two\n  lines\n')).toEqual({
      base: { type: 'console' },
      transport: { type: 'console' },
      note: 'two\nlines\n',
    });
  });

  it('never quotes the source in an error (a secret on the bad line stays out)', () => {
    let error: unknown;
    try {
      parseYaml('transport:\n  auth:\n    apiKey: "hunter2-secret\n', 'openlineage.yml');
    } catch (e) {
      error = e;
    }
    expect(SparkleError.isInstance(error)).toBe(true);
    expect(String(error)).not.toContain('hunter2');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('refuses absurdly deep nesting with a clear error instead of exhausting the stack', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    expect(() => parseYaml(`a: ${deep}\n`, 'deep.yml')).toThrow(/deep\.yml: nested more than 200 levels/);
  });

  it.each([
    ['a: 1\n---\nb: 2\n', 2, 'multiple YAML documents'],
    ['transport:\n\ttype: console\n', 2, 'tab'],
    ['a: 1\na: 2\n', 2, 'duplicate key'],
    ['a: "unterminated\n', 2, 'unterminated'],
    ['a: [1, 2\n', 2, ''],
  ])('rejects %j naming file and line', (text, line, what) => {
    let error: unknown;
    try {
      parseYaml(text, '/etc/ol/openlineage.yml');
    } catch (e) {
      error = e;
    }
    expect(SparkleError.isInstance(error)).toBe(true);
    expect((error as SparkleError).code).toBe('CONFIG_PARSE');
    expect((error as Error).message).toMatch(new RegExp(`/etc/ol/openlineage\\.yml:${line}[:]`));
    expect((error as Error).message).toContain(what);
  });
});
