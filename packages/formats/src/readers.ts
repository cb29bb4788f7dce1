/**
 * Streaming readers for CSV, JSON lines and Arrow IPC over byte chunks (whatever store they come
 * from): bytes in, record batches out, one batch of `batchSize` rows at a time.
 */
import { Readable } from 'node:stream';
import { RecordBatchReader, Schema, Type, type RecordBatch } from 'apache-arrow';
import { InvalidArgumentError } from '@sparkle/core';
import { emptyBatch, inferSchema, RowBatchBuilder, type Row } from '@sparkle/engine-local';
import { csvRecords, type CsvRecord } from './csv.js';
import type { CsvSettings } from './formats.js';
import { inferCsvSchema } from './values.js';

/** Opens the bytes of one object (again) — each reader pass opens its own stream. */
export type OpenBytes = (signal?: AbortSignal) => AsyncIterable<Uint8Array>;

/** Options every reader takes. */
export interface ReadBatchesOptions {
  batchSize: number;
  columns?: string[];
  signal?: AbortSignal;
}

/** Streams UTF-8 bytes as text chunks (a BOM is dropped). */
export async function* textChunks(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/** Column names of a CSV file: its header (duplicates suffixed `_1`, `_2`), or Spark's `_c0, _c1, …`. */
function csvNames(first: Readonly<CsvRecord> | undefined, header: boolean): string[] {
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

/** Reads the first `sampleRows` records of a CSV object to settle its schema. */
export async function sampleCsvSchema(open: OpenBytes, csv: CsvSettings, sampleRows: number, source: string, signal?: AbortSignal): Promise<Schema> {
  const sample: CsvRecord[] = [];
  let first: CsvRecord | undefined;
  for await (const record of csvRecords(open(signal), csv, source)) {
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

function projection(schema: Schema, columns: string[] | undefined, source: string): number[] {
  const wanted = columns?.length ? columns : schema.fields.map((f) => f.name);
  return wanted.map((name) => {
    const i = schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw new InvalidArgumentError(`Column '${name}' is not in ${source} (columns: ${schema.fields.map((f) => f.name).join(', ')})`);
    return i;
  });
}

/**
 * Streams a CSV object as record batches of `schema` (from {@link sampleCsvSchema}), projecting
 * `columns` when given.
 */
export async function* readCsv(open: OpenBytes, schema: Schema, csv: CsvSettings, source: string, options: ReadBatchesOptions): AsyncGenerator<RecordBatch> {
  const indexes = projection(schema, options.columns, source);
  const out = new Schema(indexes.map((i) => schema.fields[i]!));
  const isTimestamp = indexes.map((i) => schema.fields[i]!.type.typeId === Type.Timestamp);
  const builder = new RowBatchBuilder(out);
  let first = csv.header;
  let emitted = false;
  const row = new Array<unknown>(indexes.length);
  for await (const record of csvRecords(open(options.signal), csv, source)) {
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

// ---------------------------------------------------------------------------------------------
// JSON lines
// ---------------------------------------------------------------------------------------------

/** Streams the objects of a JSON lines byte stream; a line that is not a JSON object fails naming `source:line`. */
export async function* jsonlRows(bytes: AsyncIterable<Uint8Array>, source: string): AsyncGenerator<Record<string, unknown>> {
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
      throw new InvalidArgumentError(`${source}:${line}: not a JSON object per line (${(error as Error).message})`);
    }
  };
  for await (const chunk of textChunks(bytes)) {
    pending += chunk;
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) >= 0) {
      const row = parse(pending.slice(start, nl));
      start = nl + 1;
      if (row) yield row;
    }
    pending = pending.slice(start);
  }
  const last = parse(pending);
  if (last) yield last;
}

/** Reads the first `sampleRows` lines of a JSON lines object to settle its schema. */
export async function sampleJsonlSchema(open: OpenBytes, sampleRows: number, source: string, signal?: AbortSignal): Promise<Schema> {
  const sample: Row[] = [];
  for await (const row of jsonlRows(open(signal), source)) {
    sample.push(row);
    if (sample.length >= sampleRows) break;
  }
  return inferSchema(sample);
}

/** Streams a JSON lines object as record batches of `schema`. */
export async function* readJsonl(open: OpenBytes, schema: Schema, source: string, options: ReadBatchesOptions): AsyncGenerator<RecordBatch> {
  projection(schema, options.columns, source);
  const out = options.columns?.length ? schema.select(options.columns) : schema;
  const builder = new RowBatchBuilder(out);
  let emitted = false;
  for await (const row of jsonlRows(open(options.signal), source)) {
    builder.append(row);
    if (builder.length >= options.batchSize) {
      emitted = true;
      yield builder.flush();
    }
  }
  if (builder.length || !emitted) yield builder.flush();
}

// ---------------------------------------------------------------------------------------------
// Arrow IPC
// ---------------------------------------------------------------------------------------------

/** Streams an Arrow IPC file or stream (told apart by its magic bytes), projecting `columns`. */
export async function* readArrow(open: OpenBytes, options: Omit<ReadBatchesOptions, 'batchSize'>): AsyncGenerator<RecordBatch> {
  const reader = await RecordBatchReader.from(Readable.from(open(options.signal), { objectMode: false }));
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

/** The schema of an Arrow IPC object, from its header. */
export async function arrowSchema(open: OpenBytes, signal?: AbortSignal): Promise<Schema> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  const reader = await RecordBatchReader.from(Readable.from(open(controller.signal), { objectMode: false }));
  try {
    await reader.open();
    return reader.schema;
  } finally {
    signal?.removeEventListener('abort', stop);
    await reader.cancel();
    controller.abort();
  }
}
