/**
 * Readers and writers for the file formats of the `local` connection: CSV, JSON lines, Arrow
 * IPC and Parquet. Every reader streams (file chunks in, record batches out); every writer
 * consumes batches one at a time into an open file handle (the connection makes it atomic).
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { RecordBatchFileWriter, RecordBatchReader, RecordBatchStreamWriter, Schema, Type, type RecordBatch } from 'apache-arrow';
import { InvalidArgumentError } from '@sparkle/core';
import { batchByteLength, emptyBatch, inferSchema, RowBatchBuilder, type Row } from '@sparkle/engine-local';
import { CsvParser, formatCsvRecord, type CsvDialect } from './csv.js';
import { formattedRows, inferCsvSchema } from './values.js';

export type FileFormat = 'csv' | 'jsonl' | 'arrow' | 'parquet';

const EXTENSIONS: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
  '.arrow': 'arrow',
  '.ipc': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrow',
  '.parquet': 'parquet',
  '.parq': 'parquet',
};

/** The format of a path: an explicit choice wins, then the extension (`.csv.gz` is not supported). */
export function formatOf(path: string, explicit?: string): FileFormat {
  if (explicit) {
    if (!['csv', 'jsonl', 'arrow', 'parquet'].includes(explicit)) throw new InvalidArgumentError(`Unknown file format '${explicit}': use csv, jsonl, arrow or parquet`);
    return explicit as FileFormat;
  }
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) throw new InvalidArgumentError(`Cannot tell the format of '${path}' from its extension; set format (csv, jsonl, arrow, parquet) in the config or options`);
  return format;
}

export interface CsvOptions extends CsvDialect {
  header: boolean;
  inferSchema: boolean;
}

/** The delimiter a path implies (`.tsv` → tab) unless one is configured explicitly. */
export function csvDialectFor(path: string, csv: CsvOptions, explicitDelimiter: boolean): CsvOptions {
  return extname(path).toLowerCase() === '.tsv' && !explicitDelimiter ? { ...csv, delimiter: '\t' } : csv;
}

// ---------------------------------------------------------------------------------------------
// Text sources
// ---------------------------------------------------------------------------------------------

/** Streams a UTF-8 file as text chunks (a BOM is dropped). */
async function* textChunks(file: string, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  const stream = createReadStream(file, { highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) yield decoder.decode(chunk as Buffer, { stream: true });
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** Streams CSV records (arrays of fields). */
export async function* csvRecords(file: string, dialect: CsvDialect, signal?: AbortSignal): AsyncGenerator<Array<string | null>> {
  const parser = new CsvParser(dialect);
  for await (const text of textChunks(file, signal)) yield* parser.push(text);
  yield* parser.end();
}

/** Column names of a CSV file: its header, or Spark's `_c0, _c1, …`. */
function csvNames(first: ReadonlyArray<string | null> | undefined, header: boolean): string[] {
  if (!first) return [];
  if (!header) return first.map((_, i) => `_c${i}`);
  const seen = new Map<string, number>();
  return first.map((raw, i) => {
    const base = raw === null || raw === '' ? `_c${i}` : raw;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}_${n}` : base;
  });
}

/** Reads the first `sampleRows` records of a CSV file to settle its schema. */
export async function sampleCsvSchema(file: string, csv: CsvOptions, sampleRows: number, signal?: AbortSignal): Promise<Schema> {
  const sample: Array<Array<string | null>> = [];
  let first: Array<string | null> | undefined;
  for await (const record of csvRecords(file, csv, signal)) {
    if (!first) {
      first = record;
      if (csv.header) continue;
    }
    sample.push(record);
    if (sample.length >= sampleRows) break;
  }
  return inferCsvSchema(csvNames(first, csv.header), sample, csv.inferSchema);
}

/** Date-times without a zone are UTC (not the machine's local time, which `Date.parse` would use). */
function utcTimestamp(text: string): number {
  const iso = text.replace(' ', 'T');
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`Not a timestamp: ${JSON.stringify(text)}`);
  return ms;
}

/**
 * Streams a CSV file as record batches of `schema` (from {@link sampleCsvSchema}), projecting
 * `columns` when given.
 */
export async function* readCsv(file: string, schema: Schema, csv: CsvOptions, options: { batchSize: number; columns?: string[]; signal?: AbortSignal }): AsyncGenerator<RecordBatch> {
  const wanted = options.columns?.length ? options.columns : schema.fields.map((f) => f.name);
  const indexes = wanted.map((name) => {
    const i = schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw new InvalidArgumentError(`Column '${name}' is not in ${file} (columns: ${schema.fields.map((f) => f.name).join(', ')})`);
    return i;
  });
  const out = new Schema(indexes.map((i) => schema.fields[i]!));
  const isTimestamp = indexes.map((i) => schema.fields[i]!.type.typeId === Type.Timestamp);
  const builder = new RowBatchBuilder(out);
  let first = csv.header;
  let emitted = false;
  const row = new Array<unknown>(indexes.length);
  for await (const record of csvRecords(file, csv, options.signal)) {
    if (first) {
      first = false;
      continue;
    }
    for (let c = 0; c < indexes.length; c++) {
      const v = record[indexes[c]!] ?? null;
      row[c] = v !== null && isTimestamp[c] ? utcTimestamp(v) : v;
    }
    builder.append(row);
    if (builder.length >= options.batchSize) {
      emitted = true;
      yield builder.flush();
    }
  }
  if (builder.length || !emitted) yield builder.flush();
}

/** Reads the first `sampleRows` lines of a JSON lines file to settle its schema. */
export async function sampleJsonlSchema(file: string, sampleRows: number, signal?: AbortSignal): Promise<Schema> {
  const sample: Row[] = [];
  for await (const row of jsonlRows(file, signal)) {
    sample.push(row);
    if (sample.length >= sampleRows) break;
  }
  return inferSchema(sample);
}

async function* jsonlRows(file: string, signal?: AbortSignal): AsyncGenerator<Record<string, unknown>> {
  let pending = '';
  let line = 0;
  const parse = (text: string) => {
    line++;
    const trimmed = text.trim();
    if (!trimmed) return undefined;
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw new InvalidArgumentError(`${file}:${line}: not a JSON object per line (${(error as Error).message})`);
    }
  };
  for await (const chunk of textChunks(file, signal)) {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const row = parse(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      if (row) yield row;
    }
  }
  const last = parse(pending);
  if (last) yield last;
}

/** Streams a JSON lines file as record batches of `schema`. */
export async function* readJsonl(file: string, schema: Schema, options: { batchSize: number; columns?: string[]; signal?: AbortSignal }): AsyncGenerator<RecordBatch> {
  const out = options.columns?.length ? schema.select(options.columns) : schema;
  const builder = new RowBatchBuilder(out);
  let emitted = false;
  for await (const row of jsonlRows(file, options.signal)) {
    builder.append(row);
    if (builder.length >= options.batchSize) {
      emitted = true;
      yield builder.flush();
    }
  }
  if (builder.length || !emitted) yield builder.flush();
}

/** Streams an Arrow IPC file or stream (the format is detected from its magic bytes). */
export async function* readArrow(file: string, options: { columns?: string[]; signal?: AbortSignal }): AsyncGenerator<RecordBatch> {
  const reader = await RecordBatchReader.from(createReadStream(file, { signal: options.signal }));
  await reader.open();
  let any = false;
  try {
    for await (const batch of reader) {
      any = true;
      yield options.columns?.length ? batch.select(options.columns) : batch;
    }
    if (!any) yield emptyBatch(options.columns?.length ? reader.schema.select(options.columns) : reader.schema);
  } finally {
    await reader.cancel();
  }
}

/** The schema of an Arrow IPC file, from its header. */
export async function arrowSchema(file: string): Promise<Schema> {
  const reader = await RecordBatchReader.from(createReadStream(file));
  await reader.open();
  const schema = reader.schema;
  await reader.cancel();
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

export interface WriteStats {
  rows: number;
  bytes: number;
}

type OnRows = (rows: number, bytes: number) => void;

/** Buffers small writes into ~1 MiB chunks. */
class ChunkedWriter {
  #parts: string[] = [];
  #size = 0;
  constructor(private readonly handle: FileHandle) {}
  async add(text: string): Promise<void> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.#parts.length) return;
    await this.handle.write(this.#parts.join(''));
    this.#parts = [];
    this.#size = 0;
  }
}

/** Writes batches as CSV; `header` is skipped when appending to a non-empty file. */
export async function writeCsv(handle: FileHandle, batches: AsyncIterable<RecordBatch>, csv: CsvOptions, options: { header: boolean; onRows?: OnRows }): Promise<WriteStats> {
  const out = new ChunkedWriter(handle);
  let rows = 0;
  let bytes = 0;
  let wroteHeader = false;
  for await (const batch of batches) {
    if (!wroteHeader && options.header) await out.add(formatCsvRecord(batch.schema.fields.map((f) => f.name), csv) + '\n');
    wroteHeader = true;
    for (const row of formattedRows(batch, false)) await out.add(formatCsvRecord(row as Array<string | null>, csv) + '\n');
    rows += batch.numRows;
    const size = batchByteLength(batch);
    bytes += size;
    options.onRows?.(batch.numRows, size);
  }
  await out.flush();
  return { rows, bytes };
}

/** Writes batches as JSON lines (one object per row; Int64 beyond 2^53 and decimals as strings). */
export async function writeJsonl(handle: FileHandle, batches: AsyncIterable<RecordBatch>, options: { onRows?: OnRows }): Promise<WriteStats> {
  const out = new ChunkedWriter(handle);
  let rows = 0;
  let bytes = 0;
  for await (const batch of batches) {
    const names = batch.schema.fields.map((f) => f.name);
    for (const row of formattedRows(batch, true)) {
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) obj[names[i]!] = row[i];
      await out.add(JSON.stringify(obj) + '\n');
    }
    rows += batch.numRows;
    const size = batchByteLength(batch);
    bytes += size;
    options.onRows?.(batch.numRows, size);
  }
  await out.flush();
  return { rows, bytes };
}

/** Writes batches as an Arrow IPC file (`.arrow`/`.feather`) or stream (`.arrows`). */
export async function writeArrow(handle: FileHandle, batches: AsyncIterable<RecordBatch>, options: { stream: boolean; onRows?: OnRows }): Promise<WriteStats> {
  const writer = options.stream ? new RecordBatchStreamWriter() : new RecordBatchFileWriter();
  // The writer is an async iterable of encoded bytes; drain it into the file as batches go in.
  const drain = (async () => {
    for await (const chunk of writer as AsyncIterable<Uint8Array>) await handle.write(chunk);
  })();
  let rows = 0;
  let bytes = 0;
  try {
    for await (const batch of batches) {
      writer.write(batch);
      rows += batch.numRows;
      const size = batchByteLength(batch);
      bytes += size;
      options.onRows?.(batch.numRows, size);
    }
    writer.finish();
  } catch (error) {
    writer.abort(error);
    await drain.catch(() => undefined);
    throw error;
  }
  await drain;
  return { rows, bytes };
}
