// ScyllaDB's suites. No ScyllaDB server runs here: the same CQL suites run against the REAL
// Apache Cassandra node (tools/services/ensure-cassandra.sh) as ScyllaDB's CQL stand-in, and
// against a real ScyllaDB only when SPARKLE_TEST_SCYLLADB_HOST is set (opt-in live suite).
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { CassandraConnection } from '@sparkle/connector-cassandra';
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { ScyllaDBConnection } from '../src/index.js';
import { liveConfig } from './live-config.js';

testConnector({
  type: 'scylladb',
  aliases: ['scylla'],
  connectionClass: ScyllaDBConnection,
  validConfig: { contactPoints: ['scylla-1.example'], localDataCenter: 'dc1', keyspace: 'shop', username: 'app', password: 'example-secret-pw' },
  invalidConfigs: [{ name: 'a port out of range', config: { port: 0 }, path: 'port' }],
  secretFields: ['password'],
  sparkSecretOptions: ['spark.cassandra.auth.password'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { contactPoints: ['127.0.0.1:1'], keyspace: 'shop', connectTimeoutMs: 2000 },
});

const suite = {
  unsupportedOps: ['ne', 'nin', 'exists', 'prefix', 'or', 'not'],
  unsupportedCases: ['eq null (null or missing)', 'nested field'],
  declaredSchema: 'CQL tables declare their columns (created from the first batch when missing)',
  failingDocument: { name: 'no key' },
};

// Against Apache Cassandra as the CQL stand-in.
testDocumentStore({ type: 'scylladb', config: liveConfig({ allowFiltering: true }), ...suite });

// Against a real ScyllaDB, opt-in.
const scylla = process.env.SPARKLE_TEST_SCYLLADB_HOST;
testDocumentStore({
  type: 'scylladb',
  namePrefix: 'sparkle_ct_live',
  service: async () =>
    scylla
      ? {
          config: {
            contactPoints: scylla,
            localDataCenter: process.env.SPARKLE_TEST_SCYLLADB_DC ?? 'datacenter1',
            keyspace: process.env.SPARKLE_TEST_SCYLLADB_KEYSPACE ?? 'sparkle_test',
            ...(process.env.SPARKLE_TEST_SCYLLADB_USER ? { username: process.env.SPARKLE_TEST_SCYLLADB_USER, password: process.env.SPARKLE_TEST_SCYLLADB_PASSWORD } : {}),
            allowFiltering: true,
          },
        }
      : { skip: 'SPARKLE_TEST_SCYLLADB_HOST is not set (opt-in live suite against a real ScyllaDB)' },
  ...suite,
});

describe('scylladb', () => {
  it('is the Cassandra connection under another name: same class behaviour, own lineage namespace and Spark format', async () => {
    await using conn = await getConnection<ScyllaDBConnection>('scylla', { config: { contactPoints: 'scylla-1.example:19042', keyspace: 'shop' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf(ScyllaDBConnection);
    expect(conn).toBeInstanceOf(CassandraConnection);
    expect(conn.type).toBe('scylladb');
    expect(conn.dataset('orders')).toEqual({ namespace: 'scylladb://scylla-1.example:19042', name: 'shop.orders' });
    expect(conn.sparkRead('orders', {}).format).toBe('org.apache.spark.sql.cassandra');
  });
});
