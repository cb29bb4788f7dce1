/**
 * CSV records in and out. Parsing is csv-parse's streaming RFC 4180 parser (quoted fields with
 * embedded delimiters, doubled quotes and line breaks; CRLF, LF or CR line ends, mixed; a BOM
 * dropped). An unquoted empty field reads as null and a quoted empty field (`""`) as the empty
 * string, and the formatter writes them that way, so nulls and empty strings survive a round trip.
 */
import { Readable } from 'node:stream';
import { CsvError, parse, type CastingContext } from 'csv-parse';
import { InvalidArgumentError } from '@sparkle/core';

/** How a CSV file is delimited and quoted. */
export interface CsvDialect {
  delimiter: string;
  quote: string;
  /** Unquoted text that reads as null (besides the empty field). */
  nullValue?: string;
}

/** One parsed record: a field is `null` when it was unquoted and empty (or `nullValue`). */
export type CsvRecord = Array<string | null>;

function checkDialect(dialect: CsvDialect): void {
  if (dialect.delimiter.length !== 1 || dialect.quote.length !== 1) {
    throw new InvalidArgumentError(`CSV delimiter and quote must be single characters (got ${JSON.stringify(dialect.delimiter)} and ${JSON.stringify(dialect.quote)})`);
  }
}

/**
 * Streams CSV records from byte (or text) chunks, whatever their boundaries. Blank lines are no
 * record; rows may have fewer or more fields than the header (the reader pads or drops them).
 * Malformed input fails with `InvalidArgumentError` naming `source` and the line.
 *
 * @example
 * ```ts
 * for await (const record of csvRecords(store.getObject('raw/a.csv'), { delimiter: ',', quote: '"' }, 'raw/a.csv')) {
 *   console.log(record); // ['1', 'Smith, J', null]
 * }
 * ```
 */
export async function* csvRecords(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, dialect: CsvDialect, source = 'CSV input'): AsyncGenerator<CsvRecord> {
  checkDialect(dialect);
  const nullValue = dialect.nullValue;
  const parser = parse({
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.quote,
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true,
    bom: true,
    // The only hook csv-parse gives that knows whether a field was quoted: that is what tells null from ''.
    cast: (value: string, context: CastingContext) => (context.quoting ? value : value === '' || value === nullValue ? null : value),
  });
  const input = Readable.from(chunks, { objectMode: false });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const record of parser) yield record as CsvRecord;
  } catch (error) {
    throw csvError(error, source);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function csvError(error: unknown, source: string): unknown {
  if (!(error instanceof CsvError)) return error;
  const line = (error as CsvError & { lines?: number }).lines;
  const where = line ? `${source}:${line}` : source;
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return new InvalidArgumentError(`${where}: unterminated quoted CSV field (a quote opened and never closed)`, { cause: error });
  return new InvalidArgumentError(`${where}: malformed CSV (${error.message})`, { cause: error });
}

// ---------------------------------------------------------------------------------------------
// Writing. csv-stringify turns null and '' into the same empty field, which would lose the
// null/empty distinction the reader keeps; quoting one field is a few lines, so it is done here.
// ---------------------------------------------------------------------------------------------

/**
 * Formats one CSV field: null → empty, empty string → `""`, quoted when it holds the delimiter,
 * a quote, a line break, leading/trailing spaces, or equals `nullValue`.
 *
 * @example
 * ```ts
 * formatCsvField('Smith, J', { delimiter: ',', quote: '"' }); // '"Smith, J"'
 * ```
 */
export function formatCsvField(value: string | null, dialect: CsvDialect): string {
  if (value === null) return '';
  const q = dialect.quote;
  if (value === '') return q + q;
  if (value.includes(dialect.delimiter) || value.includes(q) || value.includes('\n') || value.includes('\r') || /^\s|\s$/.test(value) || value === dialect.nullValue) {
    return q + value.split(q).join(q + q) + q;
  }
  return value;
}

/**
 * Formats one record (no line end).
 *
 * @example
 * ```ts
 * formatCsvRecord(['a', null, ''], { delimiter: ',', quote: '"' }); // 'a,,""'
 * ```
 */
export function formatCsvRecord(values: ReadonlyArray<string | null>, dialect: CsvDialect): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += dialect.delimiter;
    line += formatCsvField(values[i]!, dialect);
  }
  return line;
}
