/**
 * @sparkle/connector-sqlite — SQLite for Sparkle. Importing it registers the `sqlite` type;
 * core also finds it through plugin discovery when installed.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-sqlite';
 *
 * await using db = await getConnection('sqlite', { config: { path: './demo.db' } });
 * console.log(await db.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, type ConnectionClass } from '@sparkle/core';
import { SQLiteConnection } from './connection.js';

registerConnection('sqlite', SQLiteConnection as unknown as ConnectionClass, { packageName: '@sparkle/connector-sqlite', family: 'jdbc' });

export { SQLiteConnection, sqliteConfigSchema, type SqliteConfig } from './connection.js';
export { sqliteDialect } from './dialect.js';
export { arrowTypeForDeclared } from './session.js';
