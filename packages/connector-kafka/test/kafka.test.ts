/**
 * The shared suites against the real Kafka broker (KRaft, tools/services/ensure-kafka.sh):
 * testConnector (registration, schema, redaction, lifecycle, health tiers) and testStream
 * (produce, bounded reads, consumer groups with commit-after-ack, tables through the local engine).
 */
import { testConnector, testStream } from '@sparkle/testkit';
import { KafkaConnection } from '../src/index.js';
import { brokers } from './broker.js';

testConnector({
  type: 'kafka',
  aliases: [],
  connectionClass: KafkaConnection,
  validConfig: { brokers: ['127.0.0.1:9092'], sasl: { mechanism: 'SCRAM-SHA-512', username: 'app', password: 'example-secret' } },
  secretFields: ['sasl.password'],
  invalidConfigs: [
    { name: 'no brokers', config: { clientId: 'x' }, path: 'brokers' },
    { name: 'a broker without a port', config: { brokers: ['localhost'] }, path: 'brokers' },
    { name: 'an unknown SASL mechanism', config: { brokers: ['127.0.0.1:9092'], sasl: { mechanism: 'GSSAPI', username: 'u', password: 'p' } }, path: 'sasl' },
  ],
  sparkSecretOptions: ['kafka.sasl.jaas.config'],
  sparkWriteMode: 'append',
  // Topics are streams, not tables: the table round trips (overwrite, ignore, predicates) do not
  // apply. testStream below covers reads and writes of topics through the local engine.
  capabilities: { read: false, write: false, query: false, discover: false, spark: true, health: true },
  service: async () => ({ config: { brokers: brokers.split(','), topic: '__consumer_offsets' } }),
  serviceRequired: true,
  unreachableConfig: { brokers: ['127.0.0.1:1'], retries: 0 },
});

testStream({
  type: 'kafka',
  config: { brokers: brokers.split(','), clientId: 'sparkle-suite' },
  createTopic: async (connection, topic, partitions) => {
    await (connection as unknown as KafkaConnection).createTopic(topic, { partitions });
  },
  subscribeTimeoutMs: 20_000,
});
