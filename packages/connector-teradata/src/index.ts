/**
 * `@sparkle/connector-teradata`: the `teradata` connection type. Importing this module
 * registers `teradata`. The native path needs the optional peer `teradatasql`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-teradata';
 *
 * await using td = await getConnection('teradata', { config: { host: 'td.internal', database: 'sales', user: 'etl', password: 'secret' } });
 * console.log(await td.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine } from '@sparkle/core';
import { TeradataConnection } from './connection.js';
import { meta } from './meta.js';

export { TeradataConnection, teradataConfigSchema, parseTeradataUrl, type TeradataConfig } from './connection.js';
export { teradataDialect, TERADATA_TYPE_NAMES } from './dialect.js';
export { TeradataSession, normalizeTeradataError, DEFAULT_BATCH_ROWS, DEFAULT_FETCH_ROWS, type TeradataConnectionLike, type TeradataCursorLike } from './session.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, TeradataConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
