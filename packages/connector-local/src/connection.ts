/**
 * The `local` (alias `file`) connection: files under a base directory — CSV, JSON lines, Arrow
 * IPC and Parquet — read as one partition per file (paths, directories or globs) and written
 * atomically. Under Spark it describes the matching Spark file source with `file://` paths.
 */
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  fileDataset,
  InvalidArgumentError,
  QueryError,
  SparkleConnection,
  SparkleError,
  UnsupportedOperationError,
  type DatasetRef,
  type NativePartition,
  type NativeReadPlan,
  type NativeSource,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkSource,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { DEFAULT_BATCH_SIZE, expandGlob, hasGlob, resolveInside, writeAtomically } from '@sparkle/engine-local';
import { parquetInfo, probeDirectory, readParquetBatches, writeParquet } from '@sparkle/connector-parquet';
import type { RecordBatch, Schema } from 'apache-arrow';
import {
  arrowSchema,
  csvDialectFor,
  formatOf,
  readArrow,
  readCsv,
  readJsonl,
  sampleCsvSchema,
  sampleJsonlSchema,
  writeArrow,
  writeCsv,
  writeJsonl,
  type CsvOptions,
  type FileFormat,
} from './formats.js';

/** Config of a `local` connection. */
export const localConfigSchema = z.looseObject({
  /** Directory every path resolves against; paths may not leave it. */
  basePath: z.string().min(1).default('.'),
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
      rowGroupSize: z.number().int().positive().optional(),
    })
    .prefault({}),
  /** Rows per Arrow batch on read. */
  batchSize: z.number().int().positive().default(DEFAULT_BATCH_SIZE),
  /** Rows looked at to settle the schema of CSV and JSON lines files. */
  samplingRows: z.number().int().positive().default(10_000),
});

export type LocalConfig = z.output<typeof localConfigSchema>;

const SPARK_FORMAT: Record<FileFormat, string> = { csv: 'csv', jsonl: 'json', arrow: 'arrow', parquet: 'parquet' };

/**
 * Files on the local filesystem.
 *
 * @example
 * ```ts
 * await using files = await getConnection('local', { config: { basePath: './data' } });
 * const frame = await files.readTable<LocalFrame>('raw/2024-*.csv');   // one partition per file
 * await files.writeTable(frame, 'clean/all.parquet', { mode: 'overwrite' });
 * ```
 */
export class LocalFileConnection extends SparkleConnection<LocalConfig> implements NativeSource, SparkSource {
  static override schema = localConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Local filesystem: CSV, JSON lines, Arrow IPC and Parquet files, paths and globs';

  constructor(init: ConstructorParameters<typeof SparkleConnection>[0]) {
    super(init as never);
  }

  get basePath(): string {
    return resolve(this.config.basePath);
  }

  /** Absolute path of a table name (file, directory or glob); refuses paths outside `basePath`. */
  resolvePath(table: string): string {
    return resolveInside(this.basePath, table, this.type);
  }

  /** OpenLineage file naming: namespace `file`, name the absolute path. */
  override dataset(name: string): DatasetRef {
    try {
      return fileDataset(this.resolvePath(name));
    } catch {
      return { namespace: 'file', name };
    }
  }

  #format(path: string, options?: { options?: Record<string, string> }): FileFormat {
    try {
      return formatOf(path, options?.options?.format ?? this.config.format);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message, { connector: this.type });
    }
  }

  #csv(path: string, options?: { options?: Record<string, string> }): CsvOptions {
    const c = this.config.csv;
    const o = options?.options ?? {};
    const csv: CsvOptions = {
      header: o.header !== undefined ? o.header === 'true' : c.header,
      delimiter: o.delimiter ?? o.sep ?? c.delimiter ?? ',',
      quote: o.quote ?? c.quote,
      nullValue: o.nullValue ?? c.nullValue,
      inferSchema: o.inferSchema !== undefined ? o.inferSchema === 'true' : c.inferSchema,
    };
    return csvDialectFor(path, csv, Boolean(o.delimiter ?? o.sep ?? c.delimiter));
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    const path = this.resolvePath(table);
    const format = this.#format(hasGlob(table) ? table.replace(/\{[^}]*\}/g, '') : path, options);
    const o: Record<string, string> = {};
    if (format === 'csv') {
      const csv = this.#csv(path, options);
      Object.assign(o, { header: String(csv.header), sep: csv.delimiter, quote: csv.quote, inferSchema: String(csv.inferSchema) });
      if (csv.nullValue !== undefined) o.nullValue = csv.nullValue;
    }
    const { format: _f, ...rest } = options.options ?? {};
    return { format: SPARK_FORMAT[format], options: { ...o, ...rest }, paths: [pathToFileURL(path).href], secretOptions: [] };
  }

  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const path = this.resolvePath(table);
    const format = this.#format(path, options);
    const o: Record<string, string> = {};
    if (format === 'csv') {
      const csv = this.#csv(path, options);
      Object.assign(o, { header: String(csv.header), sep: csv.delimiter, quote: csv.quote });
    }
    if (format === 'parquet') o.compression = this.config.parquet.compression;
    const { format: _f, ...rest } = options.options ?? {};
    return {
      format: SPARK_FORMAT[format],
      options: { ...o, ...rest },
      mode: options.mode ?? 'errorIfExists',
      path: pathToFileURL(path).href,
      ...(options.partitionBy?.length ? { partitionBy: options.partitionBy } : {}),
      secretOptions: [],
    };
  }

  // -------------------------------------------------------------------------------------------
  // Native reads
  // -------------------------------------------------------------------------------------------

  /** The files a table name stands for (sorted); fails when nothing matches. */
  async files(table: string): Promise<string[]> {
    const path = this.resolvePath(table);
    const files = await expandGlob(path, this.basePath);
    if (files.length === 0) throw new QueryError(`No file matches '${table}' under ${this.basePath}`, { connector: this.type, details: { path } });
    return files;
  }

  async nativeRead(table: string, options: ReadTableOptions = {}): Promise<NativeReadPlan> {
    if (options.where || options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(
        'Files cannot push down where/predicates/partitionColumn: read the files and filter, or load them into a database first',
        { connector: this.type },
      );
    }
    const files = await this.files(table);
    const formats = files.map((f) => this.#format(f, options));
    if (new Set(formats).size > 1) {
      throw new InvalidArgumentError(`'${table}' matches files of different formats (${[...new Set(formats)].join(', ')}); narrow the pattern`, { connector: this.type });
    }
    const format = formats[0]!;
    const batchSize = options.fetchSize ?? this.config.batchSize;
    const columns = options.columns;
    const first = files[0]!;
    // One schema for every file, settled up front, so all partitions produce the same columns.
    let schema: Schema;
    let estimatedRows: number | undefined;
    try {
      switch (format) {
        case 'csv':
          schema = await sampleCsvSchema(first, this.#csv(first, options), this.config.samplingRows, options.signal);
          break;
        case 'jsonl':
          schema = await sampleJsonlSchema(first, this.config.samplingRows, options.signal);
          break;
        case 'arrow':
          schema = await arrowSchema(first);
          break;
        case 'parquet': {
          const infos = await Promise.all(files.map((f) => parquetInfo(f)));
          schema = infos[0]!.schema;
          estimatedRows = infos.reduce((n, i) => n + i.rows, 0);
          break;
        }
      }
    } catch (error) {
      throw this.wrapError(error, `read ${first}`);
    }
    const partitions: NativePartition[] = files.map((file) => ({
      description: file,
      open: (signal: AbortSignal) => {
        switch (format) {
          case 'csv':
            return readCsv(file, schema, this.#csv(file, options), { batchSize, columns, signal });
          case 'jsonl':
            return readJsonl(file, schema, { batchSize, columns, signal });
          case 'arrow':
            return readArrow(file, { columns, signal });
          case 'parquet':
            return readParquetBatches(file, { columns, batchSize, signal });
        }
      },
    }));
    return { partitions, schema: columns?.length ? schema.select(columns) : schema, ...(estimatedRows !== undefined ? { estimatedRows } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // Native writes
  // -------------------------------------------------------------------------------------------

  /**
   * Writes one file atomically (temp file + rename). `append` is supported for CSV and JSON
   * lines (the file is copied, appended to, and swapped in); Arrow and Parquet files are
   * replaced or created whole.
   */
  async nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (hasGlob(table)) throw new InvalidArgumentError(`Cannot write to a glob ('${table}')`, { connector: this.type });
    const path = this.resolvePath(table);
    const format = this.#format(path, options);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new InvalidArgumentError(`'${table}' is a directory; write to a file path`, { connector: this.type });
    if (existing && mode === 'errorIfExists') {
      throw new SparkleError('TABLE_EXISTS', `${path} already exists (mode 'errorIfExists'); use mode 'overwrite', 'append' or 'ignore'`, { connector: this.type });
    }
    if (existing && mode === 'ignore') return { table, mode, rows: 0, written: false };
    if (mode === 'append' && (format === 'arrow' || format === 'parquet')) {
      throw new UnsupportedOperationError(`Append is supported for CSV and JSON lines files only; a ${format} file can be overwritten or created`, { connector: this.type });
    }
    const atomicMode = mode === 'append' ? 'append' : existing ? 'overwrite' : 'create';
    const onRows = context.onRows;
    try {
      if (format === 'parquet') {
        const r = await writeParquet(path, batches, {
          compression: this.config.parquet.compression,
          rowGroupSize: this.config.parquet.rowGroupSize,
          mode: atomicMode === 'append' ? 'overwrite' : atomicMode,
          signal: context.signal,
          onRows,
          connector: this.type,
        });
        return { table, mode, rows: r.rows, bytes: r.bytes, written: true };
      }
      const stats = await writeAtomically(
        path,
        async (handle) => {
          switch (format) {
            case 'csv': {
              const csv = this.#csv(path, options);
              const appendingToData = atomicMode === 'append' && (existing?.size ?? 0) > 0;
              return writeCsv(handle, batches, csv, { header: csv.header && !appendingToData, onRows });
            }
            case 'jsonl':
              return writeJsonl(handle, batches, { onRows });
            default:
              return writeArrow(handle, batches, { stream: extname(path).toLowerCase() === '.arrows', onRows });
          }
        },
        { mode: atomicMode, signal: context.signal, connector: this.type },
      );
      return { table, mode, rows: stats.rows, bytes: stats.bytes, written: true };
    } catch (error) {
      throw this.wrapError(error, `write ${path}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Health
  // -------------------------------------------------------------------------------------------

  protected override async checkProbe(): Promise<string> {
    this.assertOpen();
    return probeDirectory(this.basePath);
  }
}
