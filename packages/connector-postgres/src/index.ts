/**
 * @sparkle/connector-postgres — PostgreSQL for Sparkle. Importing it registers the `postgres`
 * type (alias `postgresql`); core also finds it through plugin discovery when installed.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-postgres';
 *
 * await using pg = await getConnection('postgres', { env: 'prod' });
 * if (!(await pg.test())) throw new Error('Connection failed');
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine, type ConnectionClass } from '@sparkle/core';
import { PostgreSQLConnection } from './connection.js';
import { meta } from './meta.js';

// The cast works around ConnectionClass expecting a constructor of the loosest config type.
// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, PostgreSQLConnection as unknown as ConnectionClass);


// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it. This package depends on it, so it tells core how to load it — lazily, and only when
// nobody has provided an engine yet.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

export { PostgreSQLConnection, postgresDialect } from './connection.js';
export { pgClientSettings, searchPathSql, sslSettings, type PgClientSettings } from './settings.js';
export { inlineParams, pgLiteral } from './params.js';
export { columnFor, numericTypmod, PgOid, type ColumnKind, type PgColumn } from './pg-types.js';
export { CopyBinaryDecoder, arrowSchemaFor, arrowTypeFor } from './copy-decoder.js';
export { CopyBinaryEncoder, type TargetColumn } from './copy-encoder.js';
