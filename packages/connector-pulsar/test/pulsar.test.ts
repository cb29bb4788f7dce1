/**
 * The shared suites against the real Pulsar standalone broker (tools/services/ensure-pulsar.sh,
 * token auth on): testConnector (registration, schema, redaction, lifecycle, health tiers) and
 * testStream (produce, bounded reads over the WebSocket reader, subscriptions that acknowledge
 * only what the caller acked, tables through the local engine).
 */
import { getConnection } from '@sparkle/core';
import { testConnector, testStream } from '@sparkle/testkit';
import { comparePositions, PulsarConnection } from '../src/index.js';
import { brokerConfig } from './broker.js';

testConnector({
  type: 'pulsar',
  aliases: ['apache_pulsar'],
  connectionClass: PulsarConnection,
  validConfig: { webServiceUrl: 'https://pulsar.example:8443', serviceUrl: 'pulsar+ssl://pulsar.example:6651', token: 'example-secret-jwt' },
  secretFields: ['token'],
  invalidConfigs: [
    { name: 'no web service URL', config: { serviceUrl: 'pulsar://127.0.0.1:6650' }, path: 'webServiceUrl' },
    { name: 'a service URL that is not pulsar://', config: { webServiceUrl: 'http://127.0.0.1:8080', serviceUrl: 'http://127.0.0.1:6650' }, path: 'serviceUrl' },
    { name: 'an unknown subscription type', config: { webServiceUrl: 'http://127.0.0.1:8080', consumer: { subscriptionType: 'Broadcast' } }, path: 'consumer.subscriptionType' },
  ],
  sparkSecretOptions: ['pulsar.client.authParams', 'pulsar.admin.authParams'],
  sparkWriteMode: 'append',
  // Topics are streams, not tables: testStream below covers reads and writes of topics.
  capabilities: { read: false, write: false, query: false, discover: false, spark: true, health: true },
  service: async () => {
    // The health probe describes this topic: make sure it exists on the (fresh) broker.
    const topic = 'persistent://public/default/sparkle_health';
    await using admin = await getConnection<PulsarConnection>('pulsar', { config: brokerConfig, dotenv: false, variables: {} });
    await admin.createTopic(topic);
    return { config: { ...brokerConfig, topic } };
  },
  serviceRequired: true,
  unreachableConfig: { webServiceUrl: 'http://127.0.0.1:1', requestTimeoutMs: 500 },
});

testStream({
  type: 'pulsar',
  config: brokerConfig,
  createTopic: async (connection, topic, partitions) => {
    await (connection as unknown as PulsarConnection).createTopic(topic, { partitions });
  },
  positionPattern: /^\d+:\d+(:\d+)?$/,
  comparePositions,
  subscribeTimeoutMs: 20_000,
});
