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
import { registerConnection, provideLocalEngine, type ConnectionClass } from '@sparkle/core';
import { SQLiteConnection } from './connection.js';
import { meta } from './meta.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, SQLiteConnection as unknown as ConnectionClass);


// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it. This package depends on it, so it tells core how to load it — lazily, and only when
// nobody has provided an engine yet.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

export { SQLiteConnection, sqliteConfigSchema, type SqliteConfig } from './connection.js';
export { sqliteDialect } from './dialect.js';
export { arrowTypeForDeclared } from './session.js';
