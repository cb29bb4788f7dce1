import { describe, expect, it } from 'vitest';
import { CsvParser, formatCsvRecord } from '../src/index.js';

const dialect = { delimiter: ',', quote: '"' };

function parse(text: string, chunk = text.length) {
  const p = new CsvParser(dialect);
  const out: Array<Array<string | null>> = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...p.push(text.slice(i, i + chunk)));
  out.push(...p.end());
  return out;
}

describe('CsvParser (RFC 4180)', () => {
  const text = 'id,name,note\r\n1,"Smith, J","said ""hi""\nthen left"\r\n2,,""\n\n3,x,y';
  const expected = [
    ['id', 'name', 'note'],
    ['1', 'Smith, J', 'said "hi"\nthen left'],
    ['2', null, ''],
    ['3', 'x', 'y'],
  ];

  it('parses quotes, doubled quotes, embedded newlines, CRLF, nulls vs empty strings', () => {
    expect(parse(text)).toEqual(expected);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    for (const chunk of [1, 2, 3, 5, 7]) expect(parse(text, chunk)).toEqual(expected);
  });

  it('handles CR-only line ends, a trailing newline and other delimiters', () => {
    expect(parse('a,b\rc,d\r')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    const tsv = new CsvParser({ delimiter: '\t', quote: '"', nullValue: '\\N' });
    expect([...tsv.push('a\t"b\tc"\t\\N\n'), ...tsv.end()]).toEqual([['a', 'b\tc', null]]);
  });

  it('fails on an unterminated quote', () => {
    expect(() => parse('a,"b\nc')).toThrow(/Unterminated/);
  });

  it('writes what it reads', () => {
    const records = [
      ['plain', 'with,comma', 'with "quote"', 'multi\nline', ' padded ', '', null],
      ['x', null, null, null, null, null, 'y'],
    ];
    const text = records.map((r) => formatCsvRecord(r, dialect)).join('\n');
    expect(text.split('\n')[0]).toBe('plain,"with,comma","with ""quote""","multi');
    expect(parse(text)).toEqual(records);
  });
});
