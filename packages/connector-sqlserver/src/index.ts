/**
 * `@sparkle/connector-sqlserver`: the `sqlserver` connection type (alias `mssql`) for
 * Microsoft SQL Server 2012+. Importing this module registers both names.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-sqlserver';
 *
 * await using db = await getConnection('sqlserver', { config: { host: '127.0.0.1', database: 'shop', user: 'sa', password: 'secret', trustServerCertificate: true } });
 * console.log(await db.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine } from '@sparkle/core';
import { SqlServerConnection } from './connection.js';
import { meta } from './meta.js';

export { SqlServerConnection, sqlServerConfigSchema, type SqlServerConfig } from './connection.js';
export { sqlServerDialect, SQLSERVER_TYPE_NAMES, quoteBrackets, spRename, nString } from './dialect.js';
export { SqlServerSession, DEFAULT_BATCH_ROWS, DEFAULT_FETCH_ROWS, type MssqlModule, type MssqlPool, type MssqlRequest, type MssqlTransaction, type MssqlTable } from './session.js';
export { arrowTypeOfMssql, arrowFieldOfMssql, type MssqlColumn } from './types.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, SqlServerConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
