/**
 * The eventhub connection driving the REAL `@azure/event-hubs` clients against testkit's
 * in-process AMQP 1.0 fake (no Event Hubs emulator runs outside Docker): conformance, the stream
 * suite, batching, positions, wrong keys, Spark mappings. The live suite is live.test.ts.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, type SparkleError } from '@sparkle/core';
import { AmqpBrokerFake, testConnector, testStream } from '@sparkle/testkit';
import { EventhubConnection } from '../src/index.js';

let broker: AmqpBrokerFake | undefined;
const brokerReady = AmqpBrokerFake.start().then((b) => (broker = b));
afterAll(async () => broker?.close());

const FAKE_KEY = 'c2VjcmV0LWtleS1uZXZlci1wcmludGVk';
const liveLike = `Endpoint=sb://sparkle-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${FAKE_KEY}`;
const retry = { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 10_000 };

testConnector({
  type: 'eventhub',
  aliases: ['azure_eventhub'],
  connectionClass: EventhubConnection,
  validConfig: { connectionString: liveLike, eventHubName: 'orders', retry },
  secretFields: ['connectionString'],
  sparkSecretOptions: ['kafka.sasl.jaas.config'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { connectionString: `Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=${FAKE_KEY};UseDevelopmentEmulator=true`, eventHubName: 'x', retry },
});

testStream({
  type: 'eventhub',
  service: async () => ({ config: { connectionString: (await brokerReady).connectionString(), retry } }),
  namePrefix: `eh_ct_${process.pid}`,
  partitions: 3,
  createTopic: async (_conn, topic, partitions) => (await brokerReady).createEventHub(topic, partitions),
});

describe('eventhub against the AMQP fake', () => {
  let fake: AmqpBrokerFake;
  beforeAll(async () => {
    fake = await brokerReady;
  });
  const open = (extra: Record<string, unknown> = {}) => getConnection<EventhubConnection>('eventhub', { config: { connectionString: fake.connectionString(), retry, ...extra }, dotenv: false, variables: {} });
  const all = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };
  const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : b);

  it('check() authenticates through $cbs and describes the hub named by EntityPath', async () => {
    fake.createEventHub('eh_check', 2);
    await using conn = await getConnection<EventhubConnection>('eventhub', { config: { connectionString: fake.connectionString('eh_check'), retry }, dotenv: false, variables: {} });
    const before = fake.tokens.accepted;
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toBe('eh_check: 2 partition(s)');
    expect(fake.tokens.accepted).toBeGreaterThan(before);
  });

  it('a wrong key is a typed AUTHENTICATION_FAILED error without the key; an unknown hub is QUERY_FAILED', async () => {
    fake.createEventHub('eh_auth', 1);
    const wrongKey = 'd3Jvbmcta2V5LW5ldmVyLXByaW50ZWQ=';
    await using conn = await getConnection<EventhubConnection>('eventhub', { config: { connectionString: fake.connectionString(undefined, wrongKey), retry }, dotenv: false, variables: {} });
    const err = (await conn.describeTopic('eh_auth').catch((e: unknown) => e)) as SparkleError;
    expect(err.code).toBe('AUTHENTICATION_FAILED');
    for (const shown of [err.message, inspect(err, { depth: 6 }), JSON.stringify(err), String(conn), inspect(conn, { depth: 6 }), JSON.stringify(conn.toJSON())]) expect(shown).not.toContain(wrongKey);
    await using good = await open();
    const missing = (await good.describeTopic('eh_nope').catch((e: unknown) => e)) as SparkleError;
    expect(missing.code).toBe('QUERY_FAILED');
    expect(missing.message).toMatch(/not found/);
  });

  it('fills batches per route: explicit partitions, keys that share a partition, round-robin', async () => {
    fake.createEventHub('eh_routes', 4);
    await using conn = await open();
    const progress: number[] = [];
    const records = [
      ...Array.from({ length: 5 }, (_, i) => ({ partition: '2', value: `p${i}` })),
      ...Array.from({ length: 6 }, (_, i) => ({ key: 'same-key', value: `k${i}` })),
      ...Array.from({ length: 3 }, (_, i) => ({ value: `r${i}` })),
    ];
    const result = await conn.produce('eh_routes', records, { onProgress: (m) => progress.push(m) });
    expect(result.messages).toBe(14);
    expect(progress).toEqual([5, 11, 14]);
    const back = await all(conn.consumeRange('eh_routes'));
    expect(back).toHaveLength(14);
    expect(back.filter((m) => text(m.value)!.startsWith('p')).every((m) => m.partition === '2')).toBe(true);
    expect(new Set(back.filter((m) => text(m.value)!.startsWith('k')).map((m) => m.partition)).size).toBe(1);
    expect(back.filter((m) => text(m.value)!.startsWith('k')).every((m) => text(m.key) === 'same-key')).toBe(true);
  });

  it('reads from a sequence number, an enqueued time and latest; null values and binary headers survive', async () => {
    fake.createEventHub('eh_positions', 1);
    await using conn = await open();
    await conn.produce('eh_positions', [{ value: null, headers: { raw: new Uint8Array([0, 255]) } }, { value: 'b' }, { value: 'c' }]);
    const [first, second] = await all(conn.consumeRange('eh_positions'));
    expect(first!.value).toBeNull();
    expect(first!.headers.raw).toEqual(new Uint8Array([0, 255]));
    expect((await all(conn.consumeRange('eh_positions', { from: { positions: { '0': second!.position! } } }))).map((m) => text(m.value))).toEqual(['b', 'c']);
    expect(await all(conn.consumeRange('eh_positions', { from: 'latest' }))).toEqual([]);
    expect((await all(conn.consumeRange('eh_positions', { from: { timestamp: new Date(Date.now() - 60_000) } }))).length).toBe(3);
  });

  it("maps to Spark's Kafka endpoint by default and to the native eventhubs source on request", async () => {
    await using conn = await getConnection<EventhubConnection>('eventhub', { config: { connectionString: `${liveLike};EntityPath=orders` }, dotenv: false, variables: {} });
    expect(conn.sparkRead('orders', { options: { startingOffsets: 'earliest' } })).toEqual({
      format: 'kafka',
      options: {
        'kafka.bootstrap.servers': 'sparkle-ns.servicebus.windows.net:9093',
        'kafka.security.protocol': 'SASL_SSL',
        'kafka.sasl.mechanism': 'PLAIN',
        'kafka.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="${liveLike}";`,
        subscribe: 'orders',
        startingOffsets: 'earliest',
      },
      secretOptions: ['kafka.sasl.jaas.config'],
    });
    expect(conn.sparkWrite('orders', { mode: 'append' }).options.topic).toBe('orders');
    await using native = await getConnection<EventhubConnection>('eventhub', { config: { connectionString: liveLike, sparkMapping: 'eventhubs', consumerGroup: 'spark' }, dotenv: false, variables: {} });
    expect(native.sparkRead('orders', {})).toEqual({
      format: 'eventhubs',
      options: { 'eventhubs.connectionString': `${liveLike};EntityPath=orders`, 'eventhubs.consumerGroup': 'spark' },
      secretOptions: ['eventhubs.connectionString'],
    });
  });

  it('refuses a config with neither a connection string nor namespace + credential', async () => {
    const err = (await getConnection('eventhub', { config: { eventHubName: 'x' }, dotenv: false, variables: {} }).catch((e: unknown) => e)) as SparkleError;
    expect(err.code).toBe('CONFIG_INVALID');
  });
});
