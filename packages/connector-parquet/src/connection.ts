/**
 * The `parquet` connection: Parquet files under an optional base directory, read and written
 * natively through parquet-wasm, and described to Spark as its `parquet` data source.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  fileDataset,
  InvalidArgumentError,
  QueryError,
  SparkleConnection,
  SparkleError,
  UnsupportedOperationError,
  type ConnectionInit,
  type DatasetRef,
  type NativePartition,
  type NativeReadPlan,
  type NativeSource,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkSource,
  type SparkWriteSpec,
  type WriteMode,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { expandGlob, hasGlob, resolveInside } from '@sparkle/engine-local';
import type { RecordBatch } from 'apache-arrow';
import { parquetInfo, readParquetBatches, writeParquet } from './codec.js';

/** Config of a `parquet` connection. */
export const parquetConfigSchema = z.looseObject({
  /** Directory that relative paths resolve against; when set, paths may not leave it. Default: the working directory. */
  basePath: z.string().min(1).optional(),
  /** Compression codec for writes (Spark's names). */
  compression: z.enum(['snappy', 'zstd', 'gzip', 'none']).default('snappy'),
  /** Maximum rows per row group on write. */
  rowGroupSize: z.number().int().positive().optional(),
  /** Rows per Arrow batch on read. */
  batchSize: z.number().int().positive().optional(),
});

export type ParquetConfig = z.output<typeof parquetConfigSchema>;

/**
 * A Parquet file source and sink.
 *
 * @example
 * ```ts
 * await using files = await getConnection('parquet', { config: { basePath: './out', compression: 'zstd' } });
 * await files.writeTable(frame, 'orders.parquet', { mode: 'overwrite' });
 * const back = await files.readTable<LocalFrame>('orders.parquet', { columns: ['id', 'amount'] });
 * ```
 */
export class ParquetConnection extends SparkleConnection<ParquetConfig> implements NativeSource, SparkSource {
  static override schema = parquetConfigSchema;
  static override family = 'file_format';
  static override description = 'Parquet files (parquet-wasm; Spark parquet source)';

  constructor(init: ConnectionInit) {
    super(init as never);
  }

  /** The absolute base directory. */
  get basePath(): string {
    return resolve(this.config.basePath ?? process.cwd());
  }

  /** Absolute path of a table name (a file, directory or glob), confined to `basePath` when one is configured. */
  resolvePath(table: string): string {
    if (this.config.basePath) return resolveInside(this.basePath, table, this.type);
    if (typeof table !== 'string' || table.trim() === '' || table.includes('\0')) throw new InvalidArgumentError(`Invalid path ${JSON.stringify(table)}`, { connector: this.type });
    return resolve(table);
  }

  /** OpenLineage file naming: namespace `file`, name the absolute path. */
  override dataset(name: string): DatasetRef {
    try {
      return fileDataset(this.resolvePath(name));
    } catch {
      return { namespace: 'file', name };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    return { format: 'parquet', options: { ...(options.options ?? {}) }, paths: [pathToFileURL(this.resolvePath(table)).href], secretOptions: [] };
  }

  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    return {
      format: 'parquet',
      options: { compression: this.config.compression, ...(options.options ?? {}) },
      mode: options.mode ?? 'errorIfExists',
      path: pathToFileURL(this.resolvePath(table)).href,
      ...(options.partitionBy?.length ? { partitionBy: options.partitionBy } : {}),
      secretOptions: [],
    };
  }

  // -------------------------------------------------------------------------------------------
  // Native
  // -------------------------------------------------------------------------------------------

  /** The Parquet files a table name stands for: one file, the `.parquet` files of a directory, or a glob's matches. */
  async files(table: string): Promise<string[]> {
    const path = this.resolvePath(table);
    const matches = await expandGlob(path, this.basePath);
    const isDir = !hasGlob(table) && (await stat(path).then((s) => s.isDirectory(), () => false));
    const files = isDir ? matches.filter((f) => f.endsWith('.parquet')) : matches;
    if (files.length === 0) throw new QueryError(`No Parquet file matches '${table}' (${path})`, { connector: this.type, details: { path } });
    return files;
  }

  async nativeRead(table: string, options: ReadTableOptions = {}): Promise<NativeReadPlan> {
    if (options.where || options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(
        'Parquet files cannot push down where/predicates/partitionColumn: read the file and filter, or load it into a database first',
        { connector: this.type },
      );
    }
    const files = await this.files(table);
    const infos = await Promise.all(
      files.map((f) =>
        parquetInfo(f).catch((error: unknown) => {
          throw new QueryError(`Cannot read Parquet footer of ${f}: ${(error as Error).message ?? String(error)}`, { connector: this.type, cause: error });
        }),
      ),
    );
    const batchSize = options.fetchSize ?? this.config.batchSize;
    const columns = options.columns;
    const partitions: NativePartition[] = [];
    const wanted = options.numPartitions ?? 1;
    if (files.length === 1 && wanted > 1 && infos[0]!.rowGroups > 1) {
      // One file, several partitions: deal its row groups out round-robin.
      const groups = Math.min(wanted, infos[0]!.rowGroups);
      for (let p = 0; p < groups; p++) {
        const rowGroups = Array.from({ length: infos[0]!.rowGroups }, (_, i) => i).filter((i) => i % groups === p);
        partitions.push({
          description: `${files[0]} row groups ${rowGroups.join(',')}`,
          open: (signal) => readParquetBatches(files[0]!, { columns, batchSize, rowGroups, signal }),
        });
      }
    } else {
      for (const file of files) partitions.push({ description: file, open: (signal) => readParquetBatches(file, { columns, batchSize, signal }) });
    }
    const schema = columns?.length ? infos[0]!.schema.select(columns) : infos[0]!.schema;
    return { partitions, schema, estimatedRows: infos.reduce((n, i) => n + i.rows, 0) };
  }

  /** A Parquet file is written whole: the local engine cannot append to it (Spark appends new files to a directory). */
  override supportedWriteModes(_table: string): readonly WriteMode[] {
    return this.spark ? ['append', 'overwrite', 'errorIfExists', 'ignore'] : ['overwrite', 'errorIfExists', 'ignore'];
  }

  async nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (hasGlob(table)) throw new InvalidArgumentError(`Cannot write to a glob ('${table}')`, { connector: this.type });
    const path = this.resolvePath(table);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new InvalidArgumentError(`'${table}' is a directory; write to a .parquet file path`, { connector: this.type });
    if (existing && mode === 'errorIfExists') {
      throw new SparkleError('TABLE_EXISTS', `${path} already exists (mode 'errorIfExists'); use mode 'overwrite' or 'ignore'`, { connector: this.type });
    }
    if (existing && mode === 'ignore') return { table, mode, rows: 0, written: false };
    if (mode === 'append') {
      throw new UnsupportedOperationError(`A Parquet file cannot be appended to; use mode 'overwrite', or write a new file`, { connector: this.type });
    }
    const result = await writeParquet(path, batches, {
      compression: this.config.compression,
      rowGroupSize: this.config.rowGroupSize,
      mode: existing ? 'overwrite' : 'create',
      signal: context.signal,
      onRows: context.onRows,
      connector: this.type,
    });
    return { table, mode, rows: result.rows, bytes: result.bytes, written: true };
  }

  // -------------------------------------------------------------------------------------------
  // Health
  // -------------------------------------------------------------------------------------------

  protected override async checkProbe(): Promise<string> {
    this.assertOpen();
    return probeDirectory(this.basePath);
  }
}

/** Checks a base directory exists and can be read and written; the message says what was found. */
export async function probeDirectory(dir: string): Promise<string> {
  const s = await stat(dir).catch(() => undefined);
  if (!s) throw new QueryError(`basePath ${dir} does not exist`, { details: { path: dir } });
  if (!s.isDirectory()) throw new QueryError(`basePath ${dir} is not a directory`, { details: { path: dir } });
  await access(dir, constants.R_OK).catch((cause: unknown) => {
    throw new QueryError(`basePath ${dir} is not readable`, { cause });
  });
  const writable = await access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );
  return `${dir} is readable${writable ? ' and writable' : ' (read-only)'}`;
}
