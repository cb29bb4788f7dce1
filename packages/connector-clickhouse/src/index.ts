/**
 * `@sparkle/connector-clickhouse`: the `clickhouse` connection type. Importing it registers
 * `clickhouse`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-clickhouse';
 *
 * await using ch = await getConnection('clickhouse', { config: { host: '127.0.0.1', database: 'default' } });
 * console.log(await ch.test());
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection } from '@sparkle/core';
import { ClickHouseConnection } from './connection.js';
import { meta } from './meta.js';

export { ClickHouseConnection, featuresOf } from './connection.js';
export { ClickHouseSession, DEFAULT_BLOCK_ROWS } from './session.js';
export { decodeNative, encodeNativeBlock, StreamedServerError, UnsupportedColumnError } from './native.js';
export { bindParams, chLiteral, clickhouseDialect, quoteChParts } from './sql.js';
export { arrowFieldOfCh, arrowTypeOfCh, chTypeForField, parseChType, sparkTypeOfCh, type ChType, type ServerFeatures } from './types.js';

// Lets core load the local engine through this package's own dependency on it (see @sparkle/core provideLocalEngine).
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, ClickHouseConnection);
