// The shared suites against the REAL Neo4j started by tools/services/ensure-neo4j.sh (neo4j-harness, Bolt).
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { Neo4jConnection } from '../src/index.js';
import { liveConfig } from './live-config.js';

testConnector({
  type: 'neo4j',
  aliases: [],
  connectionClass: Neo4jConnection,
  validConfig: { uri: 'neo4j+s://graph.example:7687', username: 'app', password: 'example-secret-pw', database: 'shop' },
  invalidConfigs: [
    { name: 'an http uri', config: { uri: 'http://graph.example:7474' }, path: 'uri' },
    { name: 'a hostile key property', config: { keyProperty: 'id`) DETACH DELETE n //' }, path: 'keyProperty' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: ['authentication.basic.password'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { uri: 'bolt://127.0.0.1:1', connectTimeoutMs: 2000 },
});

// Cypher expresses every filter operator; nested fields are dotted property keys.
testDocumentStore({ type: 'neo4j', config: liveConfig(), failingDocument: { name: 'no key' } });
