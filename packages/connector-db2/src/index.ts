/**
 * `@sparkle/connector-db2`: the `db2` connection type (IBM Db2). Importing this module
 * registers `db2`. The native path needs the optional peer `ibm_db`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-db2';
 *
 * await using db2 = await getConnection('db2', { config: { host: 'db2.internal', database: 'SAMPLE', user: 'db2inst1', password: 'secret' } });
 * console.log(await db2.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine } from '@sparkle/core';
import { Db2Connection } from './connection.js';
import { meta } from './meta.js';

export { Db2Connection } from './connection.js';
export { db2Dialect, db2NameParts, db2Rename, DB2_TYPE_NAMES } from './dialect.js';
export { Db2Session, normalizeDb2Error, DEFAULT_BATCH_ROWS, DEFAULT_FETCH_ROWS, type Db2ConnectionLike, type Db2Result } from './session.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, Db2Connection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
