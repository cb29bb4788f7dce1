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
import { registerConnection } from '@sparkle/core';
import { SqlServerConnection } from './connection.js';

export { SqlServerConnection, sqlServerConfigSchema, type SqlServerConfig } from './connection.js';
export { sqlServerDialect, SQLSERVER_TYPE_NAMES, quoteBrackets, spRename, nString } from './dialect.js';
export { SqlServerSession, DEFAULT_BATCH_ROWS, DEFAULT_FETCH_ROWS, type MssqlModule, type MssqlPool, type MssqlRequest, type MssqlTransaction, type MssqlTable } from './session.js';
export { arrowTypeOfMssql, arrowFieldOfMssql, type MssqlColumn } from './types.js';

registerConnection(['sqlserver', 'mssql'], SqlServerConnection, {
  packageName: '@sparkle/connector-sqlserver',
  capabilities: ['read', 'write', 'query', 'discover', 'spark'],
});
