/**
 * @sparkle/connector-local — local files for Sparkle (type `local`, alias `file`): the
 * filesystem as an object store (list, stat, ranged get, atomic put, delete, copy, rename) and
 * CSV, JSON lines, Arrow IPC and Parquet tables in files through `@sparkle/formats`; paths,
 * directories and globs confined to a base directory, symlinks included; atomic writes.
 * Importing this package registers the connection type.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-local';
 *
 * await using files = await getConnection('file', { config: { basePath: './data' } });
 * const frame = await files.readTable('raw/*.csv');
 * ```
 * @packageDocumentation
 */
import { provideFileFormats, provideLocalEngine, registerConnection } from '@sparkle/core';
import { LocalFileConnection } from './connection.js';

// Lets core load the local engine through this package's own dependency on it (see @sparkle/core provideLocalEngine).
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
// Hands core's cloud-storage base the file formats through this package's own dependency on them.
provideFileFormats(() => import('@sparkle/formats').then((m) => m.fileFormats));

registerConnection(['local', 'file'], LocalFileConnection, {
  packageName: '@sparkle/connector-local',
  capabilities: ['read', 'write', 'spark', 'object_store'],
});

export { LocalFileConnection, localConfigSchema, type LocalConfig } from './connection.js';
export { FileStoreConnection, probeDirectory, type FileStoreConfig } from './file-store.js';
export { lexicalPath, assertRealInside } from './confine.js';
// The format helpers moved to @sparkle/formats; re-exported for existing imports.
export { formatCsvField, formatCsvRecord, formatOf, decimalToString, inferCsvSchema, type CsvDialect, type FileFormat } from '@sparkle/formats';
