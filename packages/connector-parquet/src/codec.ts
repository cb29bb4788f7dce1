/**
 * Parquet ↔ Arrow through parquet-wasm (the Rust `parquet` crate compiled to WebAssembly).
 * Reads stream record batches from a file-backed Blob (the file is not loaded whole); writes
 * stream batches through parquet-wasm's streaming writer into a temp file that is renamed into
 * place. The WebAssembly module is loaded on first use, not at import.
 */
import { openAsBlob } from 'node:fs';
import { Table, tableFromIPC, tableToIPC, type RecordBatch, type Schema } from 'apache-arrow';
import { MissingDriverError } from '@sparkle/core';
import { batchByteLength, emptyBatch, writeAtomically, type AtomicMode } from '@sparkle/engine-local';

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

async function openParquet(file: string) {
  const pw = await loadParquetWasm();
  return pw.ParquetFile.fromFile(await openAsBlob(file));
}

/**
 * Reads a Parquet file's footer: row count, row groups and the Arrow schema.
 *
 * @example
 * ```ts
 * const { rows, schema } = await parquetInfo('./out/orders.parquet');
 * ```
 */
export async function parquetInfo(file: string): Promise<ParquetFileInfo> {
  const pf = await openParquet(file);
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
export async function* readParquetBatches(file: string, options: ReadParquetOptions = {}): AsyncGenerator<RecordBatch> {
  const pf = await openParquet(file);
  const reader = await pf.stream({
    batchSize: options.batchSize ?? 65_536,
    ...(options.columns?.length ? { columns: options.columns } : {}),
    ...(options.rowGroups ? { rowGroups: options.rowGroups } : {}),
  });
  const it = reader.getReader();
  let any = false;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const { done, value } = await it.read();
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
    await it.cancel().catch(() => undefined);
    it.releaseLock();
    pf.free();
  }
}

export interface WriteParquetOptions {
  /** Default `snappy` (Spark's default). */
  compression?: ParquetCompression;
  /** Maximum rows per row group; default 1 048 576 (parquet-wasm's default). */
  rowGroupSize?: number;
  /** `create` (fail if the file exists), `overwrite` (replace atomically). Default `overwrite`. */
  mode?: Exclude<AtomicMode, 'append'>;
  signal?: AbortSignal;
  /** Called as batches are encoded, for progress. */
  onRows?: (rows: number, bytes: number) => void;
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

const CODECS: Record<ParquetCompression, keyof ParquetWasm['Compression']> = {
  snappy: 'SNAPPY',
  zstd: 'ZSTD',
  gzip: 'GZIP',
  none: 'UNCOMPRESSED',
};

/**
 * Writes record batches to a Parquet file, streaming: each batch is handed to parquet-wasm's
 * streaming writer as it arrives and the encoded bytes go straight to a temp file, renamed into
 * place at the end (a failure leaves no partial file and the previous file intact).
 *
 * @example
 * ```ts
 * await writeParquet('./out/orders.parquet', frame, { compression: 'zstd' });
 * ```
 */
export async function writeParquet(file: string, batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>, options: WriteParquetOptions = {}): Promise<WriteParquetResult> {
  const pw = await loadParquetWasm();
  const compression = pw.Compression[CODECS[options.compression ?? 'snappy']];
  let builder = new pw.WriterPropertiesBuilder().setCompression(compression).setCreatedBy('sparkle');
  if (options.rowGroupSize) builder = builder.setMaxRowGroupSize(options.rowGroupSize);
  const properties = builder.build();

  const source = (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]
    ? (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]()
    : (async function* () {
        yield* batches as Iterable<RecordBatch>;
      })();
  let rows = 0;
  let bytes = 0;
  let schema: Schema | undefined;
  let sawBatch = false;
  // parquet-wasm's streaming writer ends the file quietly when its input errors, so the
  // outcome of the input is tracked here and checked before the file is published.
  let inputDone = false;
  let inputError: unknown;
  // parquet-wasm consumes a ReadableStream of its own RecordBatch objects; we pull Arrow JS
  // batches one at a time and hand them over through the IPC format.
  const input = new ReadableStream({
    async pull(controller) {
      try {
        options.signal?.throwIfAborted();
        const next = await source.next();
        if (next.done) {
          if (!sawBatch) throw new Error('Nothing to write: no record batches (not even a schema)');
          inputDone = true;
          controller.close();
          return;
        }
        const batch = next.value;
        sawBatch = true;
        schema ??= batch.schema;
        // An empty batch still carries the schema; parquet-wasm needs at least one batch for it.
        const wasmTable = pw.Table.fromIPCStream(tableToIPC(new Table(schema, batch.numRows ? [batch] : [emptyBatch(schema)]), 'stream'));
        for (const b of wasmTable.recordBatches()) controller.enqueue(b);
        rows += batch.numRows;
        const size = batchByteLength(batch);
        bytes += size;
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

  let fileBytes = 0;
  await writeAtomically(
    file,
    async (handle) => {
      const output = await pw.transformParquetStream(input, properties);
      const reader = output.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const chunk = value as Uint8Array;
          await handle.write(chunk);
          fileBytes += chunk.byteLength;
        }
      } finally {
        reader.releaseLock();
      }
      if (inputError !== undefined) throw inputError;
      if (!inputDone) throw new Error('The Parquet writer stopped before its input ended');
    },
    { mode: options.mode ?? 'overwrite', signal: options.signal, connector: options.connector },
  );
  return { rows, bytes, fileBytes };
}
