/**
 * `@sparkle/connector-neo4j`: the `neo4j` connection type. Importing this module registers it
 * (idempotently); core's plugin discovery imports it on demand.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-neo4j';
 *
 * await using conn = await getConnection('neo4j', { env: 'dev' });
 * console.log(await conn.test());
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection, type ConnectionClass } from '@sparkle/core';
import { Neo4jConnection } from './connection.js';
import { meta } from './meta.js';

export { Neo4jConnection, sparkTypeOfNeo4j, type CypherQuery } from './connection.js';
export { neo4jConfigSchema, type Neo4jConfig } from './config.js';
export { filterToCypher, quoteLabel, quoteProperty } from './cypher.js';
export { neo4jError, isRetryableNeo4jError } from './errors.js';
export { toProperties, fromProperties } from './values.js';

registerConnection(meta, Neo4jConnection as unknown as ConnectionClass);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
