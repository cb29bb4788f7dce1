/**
 * `@sparkle/connector-presto`: the `presto` connection type, and the Presto-protocol base
 * (`PrestoFamilyConnection`, `StatementClient`) that `@sparkle/connector-trino` builds on.
 * Importing this module registers `presto`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-presto';
 *
 * await using presto = await getConnection('presto', { config: { url: 'jdbc:presto://127.0.0.1:8080/memory/default', user: 'me' } });
 * console.log(await presto.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine } from '@sparkle/core';
import { PrestoConnection } from './connection.js';
import { meta } from './meta.js';

export { PrestoConnection, PrestoFamilyConnection, prestoConfigSchema, type PrestoConfig, type PrestoProtocol } from './connection.js';
export { StatementClient, StatementFailure, type StatementClientOptions, type StatementColumn, type StatementError, type StatementResponse } from './client.js';
export { prestoFamilyDialect, PRESTO_TYPE_NAMES, TRINO_TYPE_NAMES, literal, stringLiteral, inlineParams } from './dialect.js';
export { PrestoSession, DEFAULT_INSERT_ROWS, MAX_STATEMENT_CHARS } from './session.js';
export { mapType, mapColumns, timestampTextToMs, type CellConverter } from './types.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, PrestoConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
