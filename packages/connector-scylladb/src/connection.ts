/**
 * `ScyllaDBConnection`: ScyllaDB speaks CQL on the same native protocol as Apache Cassandra, and
 * the same `cassandra-driver` and Spark Cassandra connector serve it. So this class IS the
 * Cassandra connection (`@sparkle/connector-cassandra`): only its name, description and lineage
 * namespace differ. Every behaviour (typed filters to CQL, token ranges, prepared upserts,
 * typed errors) is documented and tested there.
 */
import { CassandraConnection } from '@sparkle/connector-cassandra';

/**
 * The `scylladb` connection (alias `scylla`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-scylladb';
 *
 * await using conn = await getConnection('scylladb', {
 *   config: { contactPoints: ['scylla-1.internal'], localDataCenter: 'dc1', keyspace: 'shop', username: 'app', password: '${SCYLLA_PASSWORD}' },
 * });
 * console.log(await conn.listCollections());
 * ```
 */
export class ScyllaDBConnection extends CassandraConnection {
  static override description = 'ScyllaDB (CQL native protocol, cassandra-driver)';
  static override lineageScheme = 'scylladb';
  static override productName = 'ScyllaDB';
}
