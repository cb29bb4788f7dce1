// The shared suites against the REAL Cassandra node started by tools/services/ensure-cassandra.sh.
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { CassandraConnection } from '../src/index.js';
import { liveConfig } from './live-config.js';

// Registration, config schema, redaction, Spark specs, failing health, lifecycle.
testConnector({
  type: 'cassandra',
  aliases: [],
  connectionClass: CassandraConnection,
  validConfig: { contactPoints: ['db1.example', 'db2.example:9142'], localDataCenter: 'dc1', keyspace: 'shop', username: 'app', password: 'example-secret-pw' },
  invalidConfigs: [
    { name: 'a port out of range', config: { port: 70000 }, path: 'port' },
    { name: 'an unknown consistency', config: { consistency: 'MOST' }, path: 'consistency' },
    { name: 'a hostile keyspace name', config: { keyspace: 'shop"; DROP' }, path: 'keyspace' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: ['spark.cassandra.auth.password'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { contactPoints: ['127.0.0.1:1'], keyspace: 'shop', connectTimeoutMs: 2000 },
});

// The document capability suite. CQL WHERE has AND only and no null comparisons or UDT fields;
// non-key filters run because this config opts in to ALLOW FILTERING.
testDocumentStore({
  type: 'cassandra',
  config: liveConfig({ allowFiltering: true }),
  unsupportedOps: ['ne', 'nin', 'exists', 'prefix', 'or', 'not'],
  unsupportedCases: ['eq null (null or missing)', 'nested field'],
  declaredSchema: 'Cassandra tables declare their columns (created from the first batch when missing)',
  failingDocument: { name: 'no key' },
});
