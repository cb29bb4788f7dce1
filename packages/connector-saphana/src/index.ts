/**
 * `@sparkle/connector-saphana`: the `saphana` connection type (alias `hana`) for SAP HANA.
 * Importing this module registers both names.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-saphana';
 *
 * await using hana = await getConnection('saphana', { config: { host: 'hana.internal', port: 39015, database: 'HXE', user: 'SYSTEM', password: 'secret' } });
 * console.log(await hana.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine } from '@sparkle/core';
import { SapHanaConnection } from './connection.js';
import { meta } from './meta.js';

export { SapHanaConnection } from './connection.js';
export { hanaDialect, hanaNameParts, hanaRename, HANA_TYPE_NAMES } from './dialect.js';
export { HanaSession, describeHanaColumn, HANA_TYPE_CODES, DEFAULT_BATCH_ROWS, DEFAULT_FETCH_ROWS, type HanaClientLike, type HanaResultSet, type HanaStatement, type HanaColumnMetadata } from './session.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, SapHanaConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
