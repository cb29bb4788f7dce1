/**
 * The file-format layer object stores share: CSV, JSON lines, Arrow IPC and Parquet are read and
 * written once, over any {@link ObjectStore}, so S3, ADLS, GCS, HDFS, SFTP and the local
 * filesystem differ only in how they move bytes. Core states the contract; the implementation
 * ships in its own package (it needs apache-arrow and a Parquet codec) and is handed to core by
 * the connector packages that depend on it, as the local engine is (see `provideFileFormats`).
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { NativeReadPlan, ReadTableOptions, WriteTableOptions } from '../engine.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';
import { providedSlot } from '../util/provided.js';

/** A format name; extensions map to them (`.csv`, `.jsonl`/`.ndjson`, `.arrow`/`.feather`, `.parquet`). */
export type FileFormatName = 'csv' | 'jsonl' | 'arrow' | 'parquet' | (string & {});

/** Per-format read/write settings; connectors pass their config's format section through. */
export interface FileFormatOptions {
  format?: FileFormatName;
  /** CSV: header, delimiter, quote, nullValue …; Parquet: compression, rowGroupBytes … */
  settings?: Record<string, unknown>;
}

/** Reads and writes files in formats over any object store. */
export interface FileFormats {
  /** The format of a key: the explicit one, or by extension; `InvalidArgumentError` naming the key when unknown. */
  formatOf(key: string, explicit?: FileFormatName): FileFormatName;
  /** A read plan with one partition per file (or per Parquet row group), columns projected. */
  planRead(store: ObjectStore, objects: readonly ObjectInfo[], options: ReadTableOptions & FileFormatOptions): Promise<NativeReadPlan>;
  /**
   * Writes batches as one object, whole or not at all: streamed to a temporary key and then
   * renamed where the store renames atomically, else uploaded in one (multipart) put.
   * `CloudStorageConnection` has already settled `errorIfExists` and `ignore` by a stat; for
   * them it sets `options.options.ifNoneMatch = '*'`, which the final put should pass on so a
   * store with conditional puts also refuses a writer that raced in. `overwrite` and `append`
   * are the formats' to honour. `onRows` reports progress as batches are encoded.
   */
  write(
    store: ObjectStore,
    key: string,
    batches: AsyncIterable<RecordBatch>,
    options: WriteTableOptions & FileFormatOptions & { schema?: Schema; onRows?: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }>;
}

const fileFormatsSlot = providedSlot<FileFormats>({
  key: 'sparkle.file-formats',
  what: 'file formats',
  packageName: '@sparkle/formats',
  exportName: 'fileFormats',
});

/**
 * Offers a loader for the file formats unless one is set. Object-store connector packages call
 * this on import (they depend on `@sparkle/formats`; core does not).
 * @example
 * ```ts
 * provideFileFormats(() => import('@sparkle/formats').then((m) => m.fileFormats));
 * ```
 */
export function provideFileFormats(loader: () => Promise<FileFormats>): void {
  fileFormatsSlot.provide(loader);
}

/** Sets the file formats (or a loader), replacing any earlier one: tests and embedders. */
export function setFileFormats(formats: FileFormats | (() => Promise<FileFormats>)): void {
  fileFormatsSlot.set(formats);
}

/** True when file formats or a loader for them have been set. */
export function hasFileFormats(): boolean {
  return fileFormatsSlot.has();
}

/** The file formats, importing `@sparkle/formats` (export `fileFormats`) on first use when none was provided. */
export async function getFileFormats(): Promise<FileFormats> {
  return fileFormatsSlot.get();
}
