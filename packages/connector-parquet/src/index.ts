/**
 * @sparkle/connector-parquet — Parquet files for Sparkle: streaming reads and atomic writes
 * through parquet-wasm in the local engine, and Spark's `parquet` data source under Spark.
 * Importing this package registers the `parquet` connection type.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-parquet';
 *
 * await using files = await getConnection('parquet', { config: { basePath: './out' } });
 * await files.writeTable([{ id: 1, name: 'a' }], 'people.parquet', { mode: 'overwrite' });
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection } from '@sparkle/core';
import { ParquetConnection } from './connection.js';

// Lets core load the local engine through this package's own dependency on it (see @sparkle/core provideLocalEngine).
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

registerConnection(['parquet'], ParquetConnection, {
  packageName: '@sparkle/connector-parquet',
  capabilities: ['read', 'write', 'spark'],
});

export { ParquetConnection, parquetConfigSchema, probeDirectory, type ParquetConfig } from './connection.js';
export {
  readParquetBatches,
  writeParquet,
  parquetInfo,
  loadParquetWasm,
  type ParquetCompression,
  type ReadParquetOptions,
  type WriteParquetOptions,
  type WriteParquetResult,
  type ParquetFileInfo,
} from './codec.js';
