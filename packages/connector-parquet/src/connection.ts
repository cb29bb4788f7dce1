/**
 * The `parquet` connection: the `local` filesystem store fixed to the Parquet format. Same keys,
 * same confinement to `basePath` (symlinks included), same atomic writes and the same format
 * layer (`@sparkle/formats`) as `local`; only the config is Parquet's own and flat.
 */
import { z } from 'zod';
import { InvalidArgumentError, type ConnectionInit } from '@sparkle/core';
import { FileStoreConnection } from '@sparkle/connector-local';
import { extensionOf, type FileFormat } from '@sparkle/formats';

/** Config of a `parquet` connection; every setting is optional, so it works with no config file. */
export const parquetConfigSchema = z.looseObject({
  /** Directory paths resolve against; paths may not leave it, through `..` or symbolic links. Default: the working directory. */
  basePath: z.string().min(1).optional(),
  /** Compression codec for writes (Spark's names). */
  compression: z.enum(['snappy', 'zstd', 'gzip', 'none']).default('snappy'),
  /** Maximum rows per row group on write; when unset, row groups are sized by `rowGroupBytes`. */
  rowGroupSize: z.number().int().positive().optional(),
  /** Target Arrow bytes per row group on write (bounds the writer's memory); default 128 MiB. */
  rowGroupBytes: z.number().int().positive().optional(),
  /** Rows per Arrow batch on read. */
  batchSize: z.number().int().positive().optional(),
});

export type ParquetConfig = z.output<typeof parquetConfigSchema>;

/**
 * A Parquet file source and sink: the filesystem store of `local`, with every key read and
 * written as Parquet.
 *
 * @example
 * ```ts
 * await using files = await getConnection('parquet', { config: { basePath: './out', compression: 'zstd' } });
 * await files.writeTable(frame, 'orders.parquet', { mode: 'overwrite' });
 * const back = await files.readTable<LocalFrame>('orders.parquet', { columns: ['id', 'amount'] });
 * ```
 */
export class ParquetConnection extends FileStoreConnection<ParquetConfig> {
  static override schema = parquetConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'Parquet files on the local filesystem (parquet-wasm; Spark parquet source)';

  constructor(init: ConnectionInit) {
    super(init);
  }

  protected formatFor(_key: string, options?: { options?: Record<string, string> }): FileFormat {
    const explicit = options?.options?.format;
    if (explicit && explicit !== 'parquet') {
      throw new InvalidArgumentError(`A parquet connection reads and writes Parquet only (format '${explicit}' asked for); use a local connection for other formats`, { connector: this.type });
    }
    return 'parquet';
  }

  protected settingsFor(_format: FileFormat, _key: string, options?: { options?: Record<string, string> }): Record<string, unknown> {
    const o = options?.options ?? {};
    return {
      compression: o.compression ?? this.config.compression,
      ...(o.rowGroupSize ?? this.config.rowGroupSize ? { rowGroupSize: o.rowGroupSize ?? this.config.rowGroupSize } : {}),
      ...(o.rowGroupBytes ?? this.config.rowGroupBytes ? { rowGroupBytes: o.rowGroupBytes ?? this.config.rowGroupBytes } : {}),
      ...(this.config.batchSize ? { batchSize: this.config.batchSize } : {}),
    };
  }

  /** A directory's visible `.parquet` files (Spark's part-file layout), not its other files. */
  protected override acceptsDirectoryEntry(key: string, relative: string): boolean {
    return super.acceptsDirectoryEntry(key, relative) && (extensionOf(key) === '.parquet' || extensionOf(key) === '.parq');
  }

  /** The call's options as given; the configured codec on write. */
  protected override sparkFormatOptions(_format: string, _key: string, options: { options?: Record<string, string> }, direction: 'read' | 'write'): Record<string, string> {
    const { format: _f, ...rest } = options.options ?? {};
    return direction === 'write' ? { compression: this.config.compression, ...rest } : rest;
  }
}
