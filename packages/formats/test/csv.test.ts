import { describe, expect, it } from 'vitest';
import { csvRecords, formatCsvRecord, type CsvDialect } from '../src/index.js';

const dialect = { delimiter: ',', quote: '"' };

async function parse(text: string, chunk = text.length || 1, d: CsvDialect = dialect) {
  const chunks: Uint8Array[] = [];
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const out: Array<Array<string | null>> = [];
  for await (const record of csvRecords(chunks, d, 'test.csv')) out.push(record);
  return out;
}

describe('CSV records (RFC 4180)', () => {
  const text = 'id,name,note\r\n1,"Smith, J","said ""hi""\nthen left"\r\n2,,""\n\n3,x,y';
  const expected = [
    ['id', 'name', 'note'],
    ['1', 'Smith, J', 'said "hi"\nthen left'],
    ['2', null, ''],
    ['3', 'x', 'y'],
  ];

  it('parses quotes, doubled quotes, embedded newlines, CRLF, nulls vs empty strings', async () => {
    expect(await parse(text)).toEqual(expected);
  });

  it('gives the same records whatever the chunk boundaries (bytes, so multi-byte characters are split too)', async () => {
    for (const chunk of [1, 2, 3, 5, 7]) expect(await parse(text, chunk)).toEqual(expected);
    expect(await parse('é,"ü 😀"\n', 1)).toEqual([['é', 'ü 😀']]);
  });

  it('handles CR-only line ends, a trailing newline, a BOM and other delimiters', async () => {
    expect(await parse('a,b\rc,d\r')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(await parse('\uFEFFa,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(await parse('a\t"b\tc"\t\\N\n', 4, { delimiter: '\t', quote: '"', nullValue: '\\N' })).toEqual([['a', 'b\tc', null]]);
  });

  it('fails on an unterminated quote, naming the source and line', async () => {
    await expect(parse('a,"b\nc')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^test\.csv:\d+: unterminated quoted CSV field/) });
    // Text after a closing quote is kept as text, as lenient readers (Spark's PERMISSIVE) do.
    expect(await parse('a,b\n"x"y,z\n')).toEqual([
      ['a', 'b'],
      ['xy', 'z'],
    ]);
  });

  it('refuses multi-character delimiters', async () => {
    await expect(parse('a', 1, { delimiter: ';;', quote: '"' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('writes what it reads', async () => {
    const records = [
      ['plain', 'with,comma', 'with "quote"', 'multi\nline', 'cr\rin', ' padded ', '', null],
      ['x', null, null, null, null, null, null, 'y'],
    ];
    const written = records.map((r) => formatCsvRecord(r, dialect)).join('\n');
    expect(written.split('\n')[0]).toBe('plain,"with,comma","with ""quote""","multi');
    expect(await parse(written)).toEqual(records);
    const tsv = { delimiter: '\t', quote: '"', nullValue: 'NULL' };
    expect(formatCsvRecord(['NULL', null, 'a\tb'], tsv)).toBe('"NULL"\t\t"a\tb"');
  });
});
