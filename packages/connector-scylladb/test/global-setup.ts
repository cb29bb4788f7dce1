/**
 * Starts (or finds) the real Cassandra node once, before any test file runs
 * (tools/services/ensure-cassandra.sh), creates the tests' keyspace, and drops it (with every
 * table the suites made) after the last test file.
 */
import { ensureService } from '@sparkle/testkit';
import cassandra from 'cassandra-driver';

export const KEYSPACE = 'sparkle_test_scylla';

export default async function setup(): Promise<() => Promise<void>> {
  const env = await ensureService('cassandra', { timeoutMs: 900_000 });
  const connect = () => new cassandra.Client({
    contactPoints: [env.SPARKLE_TEST_CASSANDRA_HOST!],
    protocolOptions: { port: Number(env.SPARKLE_TEST_CASSANDRA_PORT) },
    localDataCenter: env.SPARKLE_TEST_CASSANDRA_DC!,
    credentials: { username: env.SPARKLE_TEST_CASSANDRA_USER!, password: env.SPARKLE_TEST_CASSANDRA_PASSWORD! },
  });
  const client = connect();
  try {
    await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  } finally {
    await client.shutdown();
  }
  return async () => {
    const cleanup = connect();
    try {
      await cleanup.execute(`DROP KEYSPACE IF EXISTS ${KEYSPACE}`);
    } finally {
      await cleanup.shutdown();
    }
  };
}
