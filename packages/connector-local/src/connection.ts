/**
 * The `local` (alias `file`) connection: the filesystem as the first object store. Files under a
 * base directory — CSV, JSON lines, Arrow IPC and Parquet, through `@sparkle/formats` — read as
 * one partition per file (paths, directories or globs) and written atomically. Under Spark it
 * describes the matching Spark file source with `file://` paths (core's `CloudStorageConnection`).
 */
import { z } from 'zod';
import { InvalidArgumentError, type ConnectionInit } from '@sparkle/core';
import { DEFAULT_BATCH_SIZE } from '@sparkle/engine-local';
import { csvSettings, formatOf, isGlob, type FileFormat } from '@sparkle/formats';
import { FileStoreConnection } from './file-store.js';

/** Config of a `local` connection; every setting is optional, so it works with no config file. */
export const localConfigSchema = z.looseObject({
  /** Directory every path resolves against; paths may not leave it, through `..` or symbolic links. Default: the working directory. */
  basePath: z.string().min(1).optional(),
  /** Format for every path; default: from each file's extension. */
  format: z.enum(['csv', 'jsonl', 'arrow', 'parquet']).optional(),
  csv: z
    .object({
      header: z.boolean().default(true),
      delimiter: z.string().length(1).optional(),
      quote: z.string().length(1).default('"'),
      /** Unquoted text read as null besides the empty field (e.g. `NULL`, `\\N`). */
      nullValue: z.string().optional(),
      /** Infer Int64/Float64/Bool/Date/Timestamp columns (Spark's `inferSchema`); else all text. */
      inferSchema: z.boolean().default(true),
    })
    .prefault({}),
  parquet: z
    .object({
      compression: z.enum(['snappy', 'zstd', 'gzip', 'none']).default('snappy'),
      /** Maximum rows per row group; when unset, row groups are sized by `rowGroupBytes`. */
      rowGroupSize: z.number().int().positive().optional(),
      /** Target Arrow bytes per row group (bounds the writer's memory); default 128 MiB. */
      rowGroupBytes: z.number().int().positive().optional(),
    })
    .prefault({}),
  /** Rows per Arrow batch on read. */
  batchSize: z.number().int().positive().default(DEFAULT_BATCH_SIZE),
  /** Rows looked at to settle the schema of CSV and JSON lines files. */
  samplingRows: z.number().int().positive().default(10_000),
});

export type LocalConfig = z.output<typeof localConfigSchema>;

/**
 * Files on the local filesystem, as an object store and as tables in files.
 *
 * @example
 * ```ts
 * await using files = await getConnection('local', { config: { basePath: './data' } });
 * const frame = await files.readTable<LocalFrame>('raw/2024-*.csv');   // one partition per file
 * await files.writeTable(frame, 'clean/all.parquet', { mode: 'overwrite' });
 * for await (const o of files.listObjects({ glob: 'clean/**' })) console.log(o.key, o.size);
 * ```
 */
export class LocalFileConnection extends FileStoreConnection<LocalConfig> {
  static override schema = localConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Local filesystem: CSV, JSON lines, Arrow IPC and Parquet files, paths and globs';

  constructor(init: ConnectionInit) {
    super(init);
  }

  protected formatFor(key: string, options?: { options?: Record<string, string> }): FileFormat {
    try {
      // A glob's extension is read with its braces dropped (`*.{csv}` → `*.`) only when it has one.
      return formatOf(isGlob(key) ? key.replace(/\{[^}]*\}/g, '') : key, options?.options?.format ?? this.config.format);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message, { connector: this.type });
    }
  }

  protected settingsFor(format: FileFormat, key: string, options?: { options?: Record<string, string> }): Record<string, unknown> {
    const o = options?.options ?? {};
    if (format === 'parquet') return { ...this.config.parquet, ...pick(o, ['compression', 'rowGroupSize', 'rowGroupBytes']) };
    if (format === 'csv') {
      const c = this.config.csv;
      return {
        samplingRows: this.config.samplingRows,
        header: o.header ?? c.header,
        ...(o.delimiter ?? o.sep ?? c.delimiter ? { delimiter: o.delimiter ?? o.sep ?? c.delimiter } : {}),
        quote: o.quote ?? c.quote,
        ...(o.nullValue ?? c.nullValue ? { nullValue: o.nullValue ?? c.nullValue } : {}),
        inferSchema: o.inferSchema ?? c.inferSchema,
      };
    }
    return { samplingRows: this.config.samplingRows };
  }

  /** Spark's CSV options from the `csv` section (so Spark and the local engine read a file alike), Parquet's codec on write. */
  protected override sparkFormatOptions(format: string, key: string, options: { options?: Record<string, string> }, direction: 'read' | 'write'): Record<string, string> {
    const o: Record<string, string> = {};
    if (format === 'csv') {
      const csv = csvSettings(key, this.settingsFor('csv', key, options));
      Object.assign(o, { header: String(csv.header), sep: csv.delimiter, quote: csv.quote });
      if (direction === 'read') {
        o.inferSchema = String(csv.inferSchema);
        if (csv.nullValue !== undefined) o.nullValue = csv.nullValue;
      }
    }
    if (format === 'parquet' && direction === 'write') o.compression = this.config.parquet.compression;
    const { format: _f, ...rest } = options.options ?? {};
    return { ...o, ...rest };
  }
}

function pick(options: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => options[n] !== undefined).map((n) => [n, options[n]!]));
}
