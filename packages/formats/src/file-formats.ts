/**
 * The file-format layer over any object store: core's `FileFormats` contract. Reads plan one
 * partition per object (or per group of Parquet row groups); writes encode batches into a byte
 * stream and publish it whole — to a temporary key renamed into place where the store renames
 * atomically, else in one (multipart) put.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import {
  InvalidArgumentError,
  newWriteToken,
  parseTempFileName,
  QueryError,
  removeStaleLeftovers,
  takeWriterLease,
  tempFileName,
  type Leftover,
  SparkleError,
  UnsupportedOperationError,
  type FileFormatOptions,
  type FileFormats,
  type NativePartition,
  type NativeReadPlan,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type ReadTableOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import { DEFAULT_BATCH_SIZE, emptyBatch } from '@sparkle/engine-local';
import { csvSettings, extensionOf, formatOf, parquetSettings, samplingRows, type FileFormat } from './formats.js';
import { encodeParquet, parquetInfo, readParquetBatches, type EncodeStats, type ParquetFileInfo } from './parquet.js';
import { arrowSchema, readArrow, readCsv, readJsonl, sampleCsvSchema, sampleJsonlSchema, type OpenBytes } from './readers.js';
import { objectBlob } from './store-blob.js';
import { encodeArrow, encodeCsv, encodeJsonl } from './writers.js';

/** Read options as {@link fileFormats} takes them. */
export type PlanReadOptions = ReadTableOptions & FileFormatOptions;

/** Write options as {@link fileFormats} takes them; `onRows` reports progress as batches are encoded. */
export type FormatWriteOptions = WriteTableOptions & FileFormatOptions & { schema?: Schema; onRows?: (rows: number, bytes: number) => void };

function opener(store: ObjectStore, info: ObjectInfo): OpenBytes {
  return (signal) => store.getObject(info.key, signal ? { signal } : {});
}

/** The one format of a set of objects; mixing formats is refused (narrow the pattern). */
function formatOfAll(objects: readonly ObjectInfo[], explicit: string | undefined): FileFormat {
  const formats = [...new Set(objects.map((o) => formatOf(o.key, explicit)))];
  if (formats.length > 1) throw new InvalidArgumentError(`The objects read match files of different formats (${formats.join(', ')}); narrow the pattern or set format`);
  return formats[0]!;
}

async function planRead(store: ObjectStore, objects: readonly ObjectInfo[], options: PlanReadOptions): Promise<NativeReadPlan> {
  if (options.where || options.predicates?.length || options.partitionColumn) {
    throw new UnsupportedOperationError('Files cannot push down where/predicates/partitionColumn: read the files and filter, or load them into a database first');
  }
  if (objects.length === 0) throw new QueryError('Nothing to read: no object matched', { details: { notFound: true } });
  const format = formatOfAll(objects, options.format);
  const settings = options.settings ?? {};
  const explicitBatch = options.fetchSize ?? (settings.batchSize as number | undefined);
  // Parquet decodes whole pages anyway: larger batches by default, as parquet-wasm's reader does.
  const batchSize = explicitBatch ?? (format === 'parquet' ? 65_536 : DEFAULT_BATCH_SIZE);
  const columns = options.columns;
  const first = objects[0]!;
  const signal = options.signal;
  const partition = (description: string, open: (signal: AbortSignal) => AsyncIterable<RecordBatch>): NativePartition => ({ description, open });

  // One schema for every object, settled up front, so all partitions produce the same columns.
  switch (format) {
    case 'csv': {
      const csv = csvSettings(first.key, settings);
      const schema = await sampleCsvSchema(opener(store, first), csv, samplingRows(settings), first.key, signal);
      const partitions = objects.map((o) => partition(o.key, (s) => readCsv(opener(store, o), schema, csvSettings(o.key, settings), o.key, { batchSize, columns, signal: s })));
      return { partitions, schema: columns?.length ? schema.select(columns) : schema };
    }
    case 'jsonl': {
      const schema = await sampleJsonlSchema(opener(store, first), samplingRows(settings), first.key, signal);
      const partitions = objects.map((o) => partition(o.key, (s) => readJsonl(opener(store, o), schema, o.key, { batchSize, columns, signal: s })));
      return { partitions, schema: columns?.length ? schema.select(columns) : schema };
    }
    case 'arrow': {
      const schema = await arrowSchema(opener(store, first), signal);
      const partitions = objects.map((o) => partition(o.key, (s) => readArrow(opener(store, o), { columns, signal: s })));
      return { partitions, schema: columns?.length ? schema.select(columns) : schema };
    }
    case 'parquet':
      return planParquet(store, objects, options, batchSize);
  }
}

async function planParquet(store: ObjectStore, objects: readonly ObjectInfo[], options: PlanReadOptions, batchSize: number): Promise<NativeReadPlan> {
  const columns = options.columns;
  const infos: ParquetFileInfo[] = await Promise.all(
    objects.map((o) =>
      parquetInfo(objectBlob(store, o, options.signal)).catch((error: unknown) => {
        if (SparkleError.isInstance(error)) throw error;
        throw new QueryError(`Cannot read the Parquet footer of ${o.key}: ${(error as Error).message ?? String(error)}`, { cause: error });
      }),
    ),
  );
  const partitions: NativePartition[] = [];
  const wanted = options.numPartitions ?? 1;
  const only = infos[0]!;
  if (objects.length === 1 && wanted > 1 && only.rowGroups > 1) {
    // One file, several partitions asked for: its row groups are dealt out round-robin (the
    // footer is read once per partition, which is cheap next to the column chunks).
    const groups = Math.min(wanted, only.rowGroups);
    const o = objects[0]!;
    for (let p = 0; p < groups; p++) {
      const rowGroups = Array.from({ length: only.rowGroups }, (_, i) => i).filter((i) => i % groups === p);
      partitions.push({ description: `${o.key} row groups ${rowGroups.join(',')}`, open: (signal) => readParquetBatches(objectBlob(store, o, signal), { columns, batchSize, rowGroups, signal }) });
    }
  } else {
    for (const o of objects) partitions.push({ description: o.key, open: (signal) => readParquetBatches(objectBlob(store, o, signal), { columns, batchSize, signal }) });
  }
  const schema = columns?.length ? only.schema.select(columns) : only.schema;
  return { partitions, schema, estimatedRows: infos.reduce((n, i) => n + i.rows, 0) };
}

/** Yields the batches, or one empty batch of `schema` when there are none (so a file still gets its columns). */
async function* orEmpty(batches: AsyncIterable<RecordBatch>, schema: Schema | undefined): AsyncGenerator<RecordBatch> {
  let any = false;
  for await (const batch of batches) {
    any = true;
    yield batch;
  }
  if (!any && schema) yield emptyBatch(schema);
}

async function* concat(...parts: Array<AsyncIterable<Uint8Array>>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield* part;
}

/** A hidden key beside `key` for a write in progress (dot-prefixed: listings and Spark skip it). */
export function tempKeyFor(key: string, token = newWriteToken()): string {
  const slash = key.lastIndexOf('/');
  return `${key.slice(0, slash + 1)}${tempFileName(key.slice(slash + 1), token)}`;
}

/**
 * Publishes `body` under `key` whole or not at all: to a temporary key renamed into place where
 * the store renames atomically (`createOnly` renames without replacing), else in one put
 * (`createOnly` as `ifNoneMatch: '*'`). A temporary key an earlier, killed writer left beside
 * `key` is removed first when no live writer owns it.
 */
export async function publishObject(store: ObjectStore, key: string, body: ObjectBody, options: { createOnly: boolean; signal?: AbortSignal }): Promise<void> {
  const signal = options.signal ? { signal: options.signal } : {};
  if (store.storeSemantics.atomicRename && store.renameObject) {
    await removeStaleTempObjects(store, key, options.signal);
    const token = newWriteToken();
    const temp = tempKeyFor(key, token);
    const lease = await takeWriterLease(token, { connector: 'object-store', target: key });
    try {
      await store.putObject(temp, body, signal);
      options.signal?.throwIfAborted();
      await store.renameObject(temp, key, { overwrite: !options.createOnly, ...signal });
    } catch (error) {
      await store.deleteObjects([temp]).catch(() => undefined);
      throw error;
    } finally {
      await lease.release();
    }
    return;
  }
  await store.putObject(key, body, { ...signal, ...(options.createOnly ? { ifNoneMatch: '*' as const } : {}) });
}

/** The temporary keys beside `key` whose writers are gone, removed best effort (never failing the write). */
async function removeStaleTempObjects(store: ObjectStore, key: string, signal?: AbortSignal): Promise<void> {
  const slash = key.lastIndexOf('/');
  const dir = key.slice(0, slash + 1);
  const base = key.slice(slash + 1);
  const found: Leftover[] = [];
  try {
    for await (const object of store.listObjects({ prefix: `${dir}.${base}.`, limit: 1000, ...(signal ? { signal } : {}) })) {
      const parsed = parseTempFileName(object.key.slice(dir.length));
      if (parsed?.target === base) found.push({ kind: 'object', name: object.key, target: key, token: parsed.token });
    }
  } catch {
    return;
  }
  if (found.length) await removeStaleLeftovers(found, (l) => store.deleteObjects([l.name]).then(() => undefined));
}

async function write(store: ObjectStore, key: string, batches: AsyncIterable<RecordBatch>, options: FormatWriteOptions): Promise<{ rows: number; bytes: number }> {
  const format = formatOf(key, options.format);
  const mode = options.mode ?? 'errorIfExists';
  const settings = options.settings ?? {};
  const stats: EncodeStats = { rows: 0, bytes: 0 };
  const input = orEmpty(batches, options.schema);
  const onRows = options.onRows;
  let body: AsyncIterable<Uint8Array>;
  switch (format) {
    case 'csv':
    case 'jsonl': {
      // Append: the object is rewritten whole as its old bytes followed by the new ones, so it
      // stays atomic on every store (at the cost of copying the old bytes).
      const existing = mode === 'append' ? await store.statObject(key, options.signal ? { signal: options.signal } : {}) : undefined;
      const fresh =
        format === 'csv'
          ? encodeCsv(input, csvSettings(key, settings), { header: csvSettings(key, settings).header && !(existing && existing.size > 0), onRows }, stats)
          : encodeJsonl(input, { onRows }, stats);
      body = existing ? concat(store.getObject(key, { ...(existing.etag ? { ifMatch: existing.etag } : {}), ...(options.signal ? { signal: options.signal } : {}) }), fresh) : fresh;
      break;
    }
    case 'arrow':
    case 'parquet':
      if (mode === 'append') throw new UnsupportedOperationError(`Append is supported for CSV and JSON lines only; a ${format} file can be overwritten or created (${key})`);
      body = format === 'arrow' ? encodeArrow(input, { stream: extensionOf(key) === '.arrows', onRows }, stats) : encodeParquet(input, { ...parquetSettings(settings), signal: options.signal, onRows }, stats);
      break;
  }
  await publishObject(store, key, body, { createOnly: mode === 'errorIfExists' || mode === 'ignore', signal: options.signal });
  return stats;
}

/** Core's `FileFormats`, with this package's extra write option (`onRows` progress). */
export interface SparkleFileFormats extends FileFormats {
  planRead(store: ObjectStore, objects: readonly ObjectInfo[], options: PlanReadOptions): Promise<NativeReadPlan>;
  write(store: ObjectStore, key: string, batches: AsyncIterable<RecordBatch>, options: FormatWriteOptions): Promise<{ rows: number; bytes: number }>;
}

/**
 * CSV, JSON lines, Arrow IPC and Parquet over any {@link ObjectStore}: core's `FileFormats`.
 * Object-store connections (and core's cloud-storage base, through `provideFileFormats`) read
 * and write files with it.
 *
 * @example
 * ```ts
 * import { fileFormats } from '@sparkle/formats';
 *
 * const objects = [];
 * for await (const o of store.listObjects({ glob: 'raw/*.csv' })) objects.push(o);
 * const plan = await fileFormats.planRead(store, objects, { columns: ['id'], settings: { delimiter: ';' } });
 * await fileFormats.write(store, 'clean/all.parquet', batches, { mode: 'overwrite', settings: { compression: 'zstd' } });
 * ```
 */
export const fileFormats: SparkleFileFormats= {
  formatOf: (key, explicit) => formatOf(key, explicit),
  planRead,
  write,
};

/** Re-exported for connectors that name formats in their config schemas. */
export type { FileFormat };
