/**
 * Starts (or finds) the real Cassandra node once, before any test file runs
 * (tools/services/ensure-cassandra.sh), and creates the tests' keyspace.
 */
import { ensureService } from '@sparkle/testkit';
import cassandra from 'cassandra-driver';

export const KEYSPACE = 'sparkle_test_scylla';

export default async function setup(): Promise<void> {
  const env = await ensureService('cassandra', { timeoutMs: 900_000 });
  const client = new cassandra.Client({
    contactPoints: [env.SPARKLE_TEST_CASSANDRA_HOST!],
    protocolOptions: { port: Number(env.SPARKLE_TEST_CASSANDRA_PORT) },
    localDataCenter: env.SPARKLE_TEST_CASSANDRA_DC!,
    credentials: { username: env.SPARKLE_TEST_CASSANDRA_USER!, password: env.SPARKLE_TEST_CASSANDRA_PASSWORD! },
  });
  try {
    await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  } finally {
    await client.shutdown();
  }
}
