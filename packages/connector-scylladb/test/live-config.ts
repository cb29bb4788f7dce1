/** The config of the real Cassandra node (ScyllaDB's CQL stand-in) the global setup started (tools/services/ensure-cassandra.sh). */
export function liveConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const env = process.env;
  return {
    contactPoints: [env.SPARKLE_TEST_CASSANDRA_HOST ?? '127.0.0.1'],
    port: Number(env.SPARKLE_TEST_CASSANDRA_PORT ?? 9042),
    localDataCenter: env.SPARKLE_TEST_CASSANDRA_DC ?? 'datacenter1',
    keyspace: 'sparkle_test_scylla',
    username: env.SPARKLE_TEST_CASSANDRA_USER ?? 'cassandra',
    password: env.SPARKLE_TEST_CASSANDRA_PASSWORD ?? 'cassandra',
    ...extra,
  };
}
