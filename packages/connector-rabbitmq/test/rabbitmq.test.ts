/**
 * The shared suites against the real RabbitMQ broker (Debian's rabbitmq-server, started by
 * tools/services/ensure-rabbitmq.sh): testConnector (registration, schema, redaction,
 * lifecycle, health tiers) and testStream in queue mode (one partition, no positions; the
 * consuming checks each on a queue of their own).
 */
import { testConnector, testStream } from '@sparkle/testkit';
import { RabbitMQConnection } from '../src/index.js';

const url = () => process.env.SPARKLE_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

testConnector({
  type: 'rabbitmq',
  aliases: [],
  connectionClass: RabbitMQConnection,
  validConfig: { host: '127.0.0.1', port: 5672, username: 'app', password: 'example-secret', queue: 'orders' },
  secretFields: ['password'],
  invalidConfigs: [
    { name: 'neither url nor host', config: { queue: 'orders' }, path: 'url' },
    { name: 'a url that is not AMQP', config: { url: 'http://127.0.0.1:5672' }, path: 'url' },
    { name: 'an unknown bounded read mode', config: { host: 'h', boundedRead: 'drain' }, path: 'boundedRead' },
  ],
  // Queues are not tables (no overwrite, no predicates); testStream below reads and writes
  // queues through the local engine. Spark has no RabbitMQ source: sparkRead/sparkWrite refuse
  // (checked in features.test.ts).
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  service: async () => {
    const probe = new RabbitMQConnection({ type: 'rabbitmq', config: { url: url() } });
    const queue = `sparkle_ct_health_${process.pid}`;
    await probe.createQueue(queue, { durable: false });
    await probe.close();
    return { config: { url: url(), queue } };
  },
  serviceRequired: true,
  unreachableConfig: { host: '127.0.0.1', port: 1, connectionTimeoutMs: 1000 },
});

testStream({
  type: 'rabbitmq',
  config: { url: url(), ackGraceMs: 30_000 },
  queue: true,
  partitions: 1,
  createTopic: async (connection, queue) => {
    await (connection as unknown as RabbitMQConnection).createQueue(queue, { durable: false });
  },
  subscribeTimeoutMs: 15_000,
});
