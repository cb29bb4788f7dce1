/**
 * `@sparkle/connector-oracle`: the `oracle` connection type (Oracle Database 11g+).
 * Importing this module registers `oracle`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-oracle';
 *
 * await using ora = await getConnection('oracle', { config: { url: 'jdbc:oracle:thin:@//127.0.0.1:1521/FREEPDB1', user: 'app', password: 'secret' } });
 * console.log(await ora.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine } from '@sparkle/core';
import { OracleConnection } from './connection.js';
import { meta } from './meta.js';

export { OracleConnection, oracleConfigSchema, type OracleConfig } from './connection.js';
export { oracleDialect, oracleNameParts, ORACLE_TYPE_NAMES } from './dialect.js';
export { OracleSession, oracleTimestampToMs, DEFAULT_BATCH_ROWS, DEFAULT_FETCH_ROWS, type OracleDriverConnection, type OracleResultSet, type OracleDriverConstants } from './session.js';
export { arrowTypeOfOracle, arrowFieldOfOracle, type OracleColumn } from './types.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, OracleConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
