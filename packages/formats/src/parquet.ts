/**
 * Parquet ↔ Arrow through parquet-wasm (the Rust `parquet` crate compiled to WebAssembly).
 * Reads stream record batches from a Blob whose bytes are fetched by range (a local file's
 * `openAsBlob`, or {@link objectBlob} over any object store), so the file is not loaded whole;
 * writes stream batches through parquet-wasm's streaming writer and hand out the encoded bytes as
 * they come. The WebAssembly module is loaded on first use, not at import.
 */
import { openAsBlob } from 'node:fs';
import { Table, tableFromIPC, tableToIPC, type RecordBatch, type Schema } from 'apache-arrow';
import { MissingDriverError } from '@sparkle/core';
import { batchByteLength, emptyBatch, writeAtomically, type AtomicMode } from '@sparkle/engine-local';
import type { RangeBlob } from './store-blob.js';

type ParquetWasm = typeof import('parquet-wasm');
let wasm: Promise<ParquetWasm> | undefined;

/** Loads parquet-wasm once (its Node build instantiates the module synchronously on import). */
export function loadParquetWasm(): Promise<ParquetWasm> {
  wasm ??= import('parquet-wasm').catch((cause: unknown) => {
    wasm = undefined;
    throw new MissingDriverError('parquet', 'parquet-wasm', cause);
  });
  return wasm;
}

/** Parquet compression codecs Sparkle writes (Spark's names). */
export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'none';

/** A Parquet source: a path on this machine, or a Blob (real or ranged over an object store). */
export type ParquetSource = string | Blob | RangeBlob;

export interface ReadParquetOptions {
  /** Columns to read (projection push-down: other column chunks are not decoded). */
  columns?: string[];
  /** Only these row groups (for splitting one file into partitions). */
  rowGroups?: number[];
  /** Rows per batch; default 65 536. */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Footer facts of a Parquet file. */
export interface ParquetFileInfo {
  rows: number;
  rowGroups: number;
  schema: Schema;
}

/** Converts a parquet-wasm (Rust) object that can serialise itself to IPC into an apache-arrow Table. */
function fromWasm(value: { intoIPCStream(): Uint8Array }): Table {
  return tableFromIPC(value.intoIPCStream());
}

/** `work`, unless the source's range reads fail first (see {@link RangeBlob.failure}): then that failure. */
function orFailure<T>(source: ParquetSource, work: Promise<T>): Promise<T> {
  const failure = typeof source === 'object' && 'failure' in source ? source.failure : undefined;
  return failure ? Promise.race([work, failure]) : work;
}

async function openParquet(source: ParquetSource) {
  const pw = await loadParquetWasm();
  const blob = typeof source === 'string' ? await openAsBlob(source) : source;
  return orFailure(source, pw.ParquetFile.fromFile(blob as Blob));
}

/**
 * Reads a Parquet file's footer: row count, row groups and the Arrow schema.
 *
 * @example
 * ```ts
 * const { rows, schema } = await parquetInfo('./out/orders.parquet');
 * ```
 */
export async function parquetInfo(source: ParquetSource): Promise<ParquetFileInfo> {
  const pf = await openParquet(source);
  try {
    const meta = pf.metadata();
    const schema = fromWasm(pf.schema()).schema;
    return { rows: meta.fileMetadata().numRows(), rowGroups: meta.numRowGroups(), schema };
  } finally {
    pf.free();
  }
}

/**
 * Streams a Parquet file as Arrow record batches. An empty file yields one empty batch with
 * the file's schema.
 *
 * @example
 * ```ts
 * for await (const batch of readParquetBatches('./out/orders.parquet', { columns: ['id'] })) total += batch.numRows;
 * ```
 */
export async function* readParquetBatches(source: ParquetSource, options: ReadParquetOptions = {}): AsyncGenerator<RecordBatch> {
  const pf = await openParquet(source);
  const reader = await orFailure(source, pf.stream({
    batchSize: options.batchSize ?? 65_536,
    ...(options.columns?.length ? { columns: options.columns } : {}),
    ...(options.rowGroups ? { rowGroups: options.rowGroups } : {}),
  }));
  const it = reader.getReader();
  let any = false;
  // After a failed range read the reader's pending call can never settle, and freeing the file
  // under it would be unsound: it is left to the garbage collector.
  let stuck = false;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const { done, value } = await orFailure(source, it.read()).catch((error: unknown) => {
        stuck = true;
        throw error;
      });
      if (done) break;
      for (const batch of fromWasm(value as { intoIPCStream(): Uint8Array }).batches) {
        any = true;
        yield batch;
      }
    }
    if (!any) {
      let schema = fromWasm(pf.schema()).schema;
      if (options.columns?.length) schema = schema.select(options.columns);
      yield emptyBatch(schema);
    }
  } finally {
    if (!stuck) {
      await it.cancel().catch(() => undefined);
      it.releaseLock();
      pf.free();
    }
  }
}

/** How batches are encoded into Parquet. */
export interface ParquetEncodeOptions {
  /** Default `snappy` (Spark's default). */
  compression?: ParquetCompression;
  /** Maximum rows per row group; when unset, derived from {@link rowGroupBytes}. */
  rowGroupSize?: number;
  /**
   * Target Arrow bytes per row group (default 128 MiB, Spark's `parquet.block.size`): the writer
   * holds one row group in memory, so this bounds its memory. Rows per group are set from the
   * first batch's bytes per row, at most 1 048 576.
   */
  rowGroupBytes?: number;
  signal?: AbortSignal;
  /** Called as batches are encoded, for progress. */
  onRows?: (rows: number, bytes: number) => void;
}

const CODECS: Record<ParquetCompression, keyof ParquetWasm['Compression']> = {
  snappy: 'SNAPPY',
  zstd: 'ZSTD',
  gzip: 'GZIP',
  none: 'UNCOMPRESSED',
};

/** parquet-wasm's default, and the ceiling when sizing row groups by bytes. */
const MAX_ROW_GROUP_ROWS = 1_048_576;
const DEFAULT_ROW_GROUP_BYTES = 128 * 1024 * 1024;

/** Rows per row group: the explicit setting, else what fits `rowGroupBytes` at the first batch's width. */
export function rowGroupRows(first: RecordBatch | undefined, options: Pick<ParquetEncodeOptions, 'rowGroupSize' | 'rowGroupBytes'>): number {
  if (options.rowGroupSize) return options.rowGroupSize;
  if (!first || first.numRows === 0) return MAX_ROW_GROUP_ROWS;
  const perRow = Math.max(1, batchByteLength(first) / first.numRows);
  return Math.max(1024, Math.min(MAX_ROW_GROUP_ROWS, Math.floor((options.rowGroupBytes ?? DEFAULT_ROW_GROUP_BYTES) / perRow)));
}

/** Counts kept while encoding. */
export interface EncodeStats {
  rows: number;
  /** Arrow payload bytes encoded. */
  bytes: number;
}

/**
 * Encodes record batches into Parquet bytes, streaming: each batch is handed to parquet-wasm's
 * streaming writer as it arrives and encoded bytes are yielded as they are produced. When the
 * input fails, the generator throws (after the bytes so far), so a consumer that publishes only
 * on normal completion never publishes a partial file.
 *
 * @example
 * ```ts
 * const stats = { rows: 0, bytes: 0 };
 * await store.putObject('out/a.parquet', encodeParquet(batches, { compression: 'zstd' }, stats));
 * ```
 */
export async function* encodeParquet(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: ParquetEncodeOptions = {},
  stats: EncodeStats = { rows: 0, bytes: 0 },
): AsyncGenerator<Uint8Array> {
  const pw = await loadParquetWasm();
  const source = (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]
    ? (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]()
    : (async function* () {
        yield* batches as Iterable<RecordBatch>;
      })();
  // The first batch settles the schema and, when sizing by bytes, the rows per row group.
  const head = await source.next();
  if (head.done) throw new Error('Nothing to write: no record batches (not even a schema)');
  const schema: Schema = head.value.schema;
  const compression = pw.Compression[CODECS[options.compression ?? 'snappy']];
  const properties = new pw.WriterPropertiesBuilder().setCompression(compression).setCreatedBy('sparkle').setMaxRowGroupSize(rowGroupRows(head.value, options)).build();

  let pending: RecordBatch | undefined = head.value;
  // parquet-wasm's streaming writer ends the file quietly when its input errors, so the
  // outcome of the input is tracked here and checked before the last bytes are handed out.
  let inputDone = false;
  let inputError: unknown;
  // parquet-wasm consumes a ReadableStream of its own RecordBatch objects; Arrow JS batches are
  // pulled one at a time and handed over through the IPC format.
  const input = new ReadableStream({
    async pull(controller) {
      try {
        options.signal?.throwIfAborted();
        let batch = pending;
        pending = undefined;
        if (!batch) {
          const next = await source.next();
          if (next.done) {
            inputDone = true;
            controller.close();
            return;
          }
          batch = next.value;
        }
        // An empty batch still carries the schema; parquet-wasm needs at least one batch for it.
        const wasmTable = pw.Table.fromIPCStream(tableToIPC(new Table(schema, batch.numRows ? [batch] : [emptyBatch(schema)]), 'stream'));
        for (const b of wasmTable.recordBatches()) controller.enqueue(b);
        stats.rows += batch.numRows;
        const size = batchByteLength(batch);
        stats.bytes += size;
        options.onRows?.(batch.numRows, size);
      } catch (error) {
        inputError ??= error;
        controller.error(error);
      }
    },
    async cancel() {
      await source.return?.();
    },
  });

  const output = await pw.transformParquetStream(input, properties);
  const reader = output.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value as Uint8Array;
    }
  } catch (error) {
    throw inputError ?? error;
  } finally {
    reader.releaseLock();
    if (!inputDone) await source.return?.(undefined).catch(() => undefined);
  }
  if (inputError !== undefined) throw inputError;
  if (!inputDone) throw new Error('The Parquet writer stopped before its input ended');
}

export interface WriteParquetOptions extends ParquetEncodeOptions {
  /** `create` (fail if the file exists), `overwrite` (replace atomically). Default `overwrite`. */
  mode?: Exclude<AtomicMode, 'append'>;
  connector?: string;
}

/** What a Parquet write reports. */
export interface WriteParquetResult {
  rows: number;
  /** Arrow payload bytes encoded. */
  bytes: number;
  /** Size of the Parquet file. */
  fileBytes: number;
}

/**
 * Writes record batches to a Parquet file on this machine: streamed into a temp file beside it,
 * fsynced and renamed into place at the end (a failure leaves no partial file and the previous
 * file intact). Connections write through {@link fileFormats} and their object store instead.
 *
 * @example
 * ```ts
 * await writeParquet('./out/orders.parquet', frame, { compression: 'zstd' });
 * ```
 */
export async function writeParquet(file: string, batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>, options: WriteParquetOptions = {}): Promise<WriteParquetResult> {
  const stats: EncodeStats = { rows: 0, bytes: 0 };
  let fileBytes = 0;
  await writeAtomically(
    file,
    async (handle) => {
      for await (const chunk of encodeParquet(batches, options, stats)) {
        await handle.write(chunk);
        fileBytes += chunk.byteLength;
      }
    },
    { mode: options.mode ?? 'overwrite', signal: options.signal, connector: options.connector },
  );
  return { rows: stats.rows, bytes: stats.bytes, fileBytes };
}
