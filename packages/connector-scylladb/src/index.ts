/**
 * `@sparkle/connector-scylladb`: the `scylladb` connection type (alias `scylla`), the Cassandra
 * connection under ScyllaDB's name. Importing this module registers it (idempotently); core's
 * plugin discovery imports it on demand.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-scylladb';
 *
 * await using conn = await getConnection('scylladb', { env: 'dev' });
 * console.log(await conn.test());
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection, type ConnectionClass } from '@sparkle/core';
import { cassandraConfigSchema, type CassandraConfig } from '@sparkle/connector-cassandra';
import { ScyllaDBConnection } from './connection.js';
import { meta } from './meta.js';

export { ScyllaDBConnection } from './connection.js';
/** The config schema: the Cassandra connection's. */
export const scylladbConfigSchema = cassandraConfigSchema;
export type ScyllaDBConfig = CassandraConfig;

registerConnection(meta, ScyllaDBConnection as unknown as ConnectionClass);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
