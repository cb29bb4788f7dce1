/**
 * Streaming encoders for CSV, JSON lines and Arrow IPC: record batches in, bytes out (about
 * 1 MiB at a time), so a writer holds one batch and one chunk in memory whatever the file size.
 * Where the bytes go (a temp key then a rename, or one put) is {@link fileFormats}' business.
 */
import { RecordBatchFileWriter, RecordBatchStreamWriter, type RecordBatch } from 'apache-arrow';
import { batchByteLength } from '@sparkle/engine-local';
import { formatCsvRecord } from './csv.js';
import type { CsvSettings } from './formats.js';
import type { EncodeStats } from './parquet.js';
import { formattedRows } from './values.js';

const CHUNK = 1 << 20;
const utf8 = new TextEncoder();

function count(stats: EncodeStats, batch: RecordBatch, onRows?: (rows: number, bytes: number) => void): void {
  stats.rows += batch.numRows;
  const size = batchByteLength(batch);
  stats.bytes += size;
  onRows?.(batch.numRows, size);
}

/** Options of the text encoders. */
export interface EncodeTextOptions {
  onRows?: (rows: number, bytes: number) => void;
}

/**
 * Encodes batches as CSV; `header` false skips the header line (appending to a non-empty file).
 *
 * @example
 * ```ts
 * await store.putObject('out/a.csv', encodeCsv(batches, csvSettings('out/a.csv'), { header: true }));
 * ```
 */
export async function* encodeCsv(
  batches: AsyncIterable<RecordBatch>,
  csv: CsvSettings,
  options: EncodeTextOptions & { header: boolean },
  stats: EncodeStats = { rows: 0, bytes: 0 },
): AsyncGenerator<Uint8Array> {
  let text = '';
  let wroteHeader = !options.header;
  for await (const batch of batches) {
    if (!wroteHeader) text += formatCsvRecord(batch.schema.fields.map((f) => f.name), csv) + '\n';
    wroteHeader = true;
    for (const row of formattedRows(batch, false)) {
      text += formatCsvRecord(row as Array<string | null>, csv) + '\n';
      if (text.length >= CHUNK) {
        yield utf8.encode(text);
        text = '';
      }
    }
    count(stats, batch, options.onRows);
  }
  if (text) yield utf8.encode(text);
}

/**
 * Encodes batches as JSON lines (one object per row; Int64 beyond 2^53 and decimals as strings,
 * timestamps as ISO 8601 UTC text).
 */
export async function* encodeJsonl(batches: AsyncIterable<RecordBatch>, options: EncodeTextOptions = {}, stats: EncodeStats = { rows: 0, bytes: 0 }): AsyncGenerator<Uint8Array> {
  let text = '';
  for await (const batch of batches) {
    const names = batch.schema.fields.map((f) => f.name);
    for (const row of formattedRows(batch, true)) {
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) obj[names[i]!] = row[i];
      text += JSON.stringify(obj) + '\n';
      if (text.length >= CHUNK) {
        yield utf8.encode(text);
        text = '';
      }
    }
    count(stats, batch, options.onRows);
  }
  if (text) yield utf8.encode(text);
}

/**
 * Encodes batches as an Arrow IPC file (`stream` false: `.arrow`/`.feather`) or stream
 * (`stream` true: `.arrows`).
 */
export async function* encodeArrow(
  batches: AsyncIterable<RecordBatch>,
  options: EncodeTextOptions & { stream: boolean },
  stats: EncodeStats = { rows: 0, bytes: 0 },
): AsyncGenerator<Uint8Array> {
  const writer = options.stream ? new RecordBatchStreamWriter() : new RecordBatchFileWriter();
  // The writer is an async iterable of encoded bytes; batches are fed in from a side task while
  // this generator hands the bytes on, so neither side holds more than a batch.
  let failure: { error: unknown } | undefined;
  let stopped = false;
  const feed = (async () => {
    try {
      for await (const batch of batches) {
        // The consumer went away (its put failed): stop pulling the source.
        if (stopped) break;
        writer.write(batch);
        count(stats, batch, options.onRows);
      }
      writer.finish();
    } catch (error) {
      failure = { error };
      writer.abort();
    }
  })();
  try {
    for await (const chunk of writer as AsyncIterable<Uint8Array>) {
      if (failure) break;
      yield chunk;
    }
  } catch (error) {
    // The writer's own error on abort says less than the source's.
    throw failure ? failure.error : error;
  } finally {
    stopped = true;
  }
  await feed;
  // The source's failure, after the bytes so far: a consumer that publishes only on completion publishes nothing.
  if (failure) throw failure.error;
}
