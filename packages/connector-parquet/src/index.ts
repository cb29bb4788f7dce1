/**
 * @sparkle/connector-parquet — Parquet files for Sparkle (type `parquet`): the `local`
 * filesystem store of `@sparkle/connector-local` fixed to the Parquet format, so both share keys,
 * confinement to `basePath`, atomic writes and the format layer of `@sparkle/formats`; Spark's
 * `parquet` data source under Spark. Importing this package registers the `parquet` connection
 * type (and, through its dependency, `local`/`file`).
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
import { provideFileFormats, provideLocalEngine, registerConnection } from '@sparkle/core';
import { ParquetConnection } from './connection.js';

// Lets core load the local engine through this package's own dependency on it (see @sparkle/core provideLocalEngine).
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
// Hands core's cloud-storage base the file formats through this package's own dependency on them.
provideFileFormats(() => import('@sparkle/formats').then((m) => m.fileFormats));

registerConnection(['parquet'], ParquetConnection, {
  packageName: '@sparkle/connector-parquet',
  capabilities: ['read', 'write', 'spark', 'object_store'],
});

export { ParquetConnection, parquetConfigSchema, type ParquetConfig } from './connection.js';
export { probeDirectory } from '@sparkle/connector-local';
// The codec moved to @sparkle/formats; re-exported for existing imports.
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
} from '@sparkle/formats';
