/**
 * `@sparkle/connector-vertica`: the `vertica` connection type. Importing this module
 * registers `vertica`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-vertica';
 *
 * await using v = await getConnection('vertica', { config: { host: 'vertica.internal', database: 'analytics', user: 'dbadmin', password: 'secret' } });
 * console.log(await v.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine } from '@sparkle/core';
import { VerticaConnection } from './connection.js';
import { meta } from './meta.js';

export { VerticaConnection } from './connection.js';
export { verticaDialect, VERTICA_TYPE_NAMES } from './dialect.js';
export { VerticaSession, describeVerticaField, VERTICA_TYPE_IDS, DEFAULT_FETCH_ROWS, type VerticaClientLike, type VerticaField } from './session.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, VerticaConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
