/**
 * @sparkle/connector-local — local files for Sparkle (type `local`, alias `file`): CSV, JSON
 * lines, Arrow IPC and Parquet; paths, directories and globs under a base directory; atomic
 * writes. Importing this package registers the connection type.
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
import { provideLocalEngine, registerConnection } from '@sparkle/core';
import { LocalFileConnection } from './connection.js';

// Lets core load the local engine through this package's own dependency on it (see @sparkle/core provideLocalEngine).
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

registerConnection(['local', 'file'], LocalFileConnection, {
  packageName: '@sparkle/connector-local',
  capabilities: ['read', 'write', 'spark'],
});

export { LocalFileConnection, localConfigSchema, type LocalConfig } from './connection.js';
export { CsvParser, formatCsvField, formatCsvRecord, type CsvDialect } from './csv.js';
export { formatOf, type FileFormat, type CsvOptions } from './formats.js';
export { decimalToString, inferCsvSchema } from './values.js';
