/**
 * The servicebus connection driving the REAL `@azure/service-bus` client against testkit's
 * in-process AMQP 1.0 fake: conformance, the stream suite in queue mode, peeked reads,
 * dead-lettering hooks, wrong keys. The live suite is live.test.ts.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, type SparkleError } from '@sparkle/core';
import { AmqpBrokerFake, testConnector, testStream } from '@sparkle/testkit';
import { ServicebusConnection } from '../src/index.js';

let broker: AmqpBrokerFake | undefined;
const brokerReady = AmqpBrokerFake.start().then((b) => (broker = b));
afterAll(async () => broker?.close());

const FAKE_KEY = 'c2VjcmV0LWtleS1uZXZlci1wcmludGVk';
const retry = { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 10_000 };

testConnector({
  type: 'servicebus',
  aliases: ['azure_servicebus'],
  connectionClass: ServicebusConnection,
  validConfig: { connectionString: `Endpoint=sb://sparkle-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${FAKE_KEY}`, queue: 'orders', retry },
  secretFields: ['connectionString'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { connectionString: `Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=${FAKE_KEY};UseDevelopmentEmulator=true`, queue: 'x', retry },
});

testStream({
  type: 'servicebus',
  service: async () => ({ config: { connectionString: (await brokerReady).connectionString(), retry, maxWaitTimeInMs: 300 } }),
  namePrefix: `sb_ct_${process.pid}`,
  partitions: 1,
  queue: true,
  createTopic: async (_conn, topic) => (await brokerReady).createQueue(topic),
});

describe('servicebus against the AMQP fake', () => {
  let fake: AmqpBrokerFake;
  beforeAll(async () => {
    fake = await brokerReady;
  });
  const open = (extra: Record<string, unknown> = {}) =>
    getConnection<ServicebusConnection>('servicebus', { config: { connectionString: fake.connectionString(), retry, maxWaitTimeInMs: 300, ...extra }, dotenv: false, variables: {} });
  const all = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };
  const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : b);

  it('check() authenticates and peeks the configured queue', async () => {
    fake.createQueue('sb_check');
    await using conn = await open({ queue: 'sb_check' });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toBe('sb_check: 1 partition(s)');
  });

  it('a wrong key is AUTHENTICATION_FAILED without the key; an unknown queue is QUERY_FAILED', async () => {
    fake.createQueue('sb_auth');
    const wrongKey = 'd3Jvbmcta2V5LW5ldmVyLXByaW50ZWQ=';
    await using conn = await getConnection<ServicebusConnection>('servicebus', { config: { connectionString: fake.connectionString(undefined, wrongKey), retry }, dotenv: false, variables: {} });
    const err = (await conn.produce('sb_auth', [{ value: 'x' }]).catch((e: unknown) => e)) as SparkleError;
    expect(err.code).toBe('AUTHENTICATION_FAILED');
    for (const shown of [err.message, inspect(err, { depth: 6 }), JSON.stringify(err), String(conn), inspect(conn, { depth: 6 })]) expect(shown).not.toContain(wrongKey);
    await using good = await open();
    const missing = (await good.describeTopic('sb_nope').catch((e: unknown) => e)) as SparkleError;
    expect(missing.code).toBe('QUERY_FAILED');
  });

  it('bounded reads peek: nothing is locked or removed, sequence numbers bound the range', async () => {
    fake.createQueue('sb_peek');
    await using conn = await open();
    await conn.produce('sb_peek', [{ value: 'a', key: 'k1' }, { value: null, headers: { raw: new Uint8Array([0, 255]) } }, { value: 'c' }]);
    const first = await all(conn.consumeRange('sb_peek'));
    expect(first.map((m) => text(m.value))).toEqual(['a', null, 'c']);
    expect(text(first[0]!.key)).toBe('k1');
    expect(first[1]!.headers.raw).toEqual(new Uint8Array([0, 255]));
    expect((await all(conn.consumeRange('sb_peek', { from: { positions: { '0': first[1]!.position! } } }))).map((m) => text(m.value))).toEqual([null, 'c']);
    expect((await all(conn.consumeRange('sb_peek', { to: { positions: { '0': first[2]!.position! } } }))).length).toBe(2);
    expect(fake.queues.get('sb_peek')!.messages).toHaveLength(3);
    const byTime = (await all(conn.consumeRange('sb_peek', { from: { timestamp: new Date() } })).catch((e: unknown) => e)) as SparkleError;
    expect(byTime.code).toBe('UNSUPPORTED');
  });

  it('a delivery can be dead-lettered or abandoned (nack) and comes back', async () => {
    fake.createQueue('sb_settle');
    await using conn = await open();
    await conn.produce('sb_settle', [{ value: 'one' }, { value: 'two' }]);
    for await (const d of conn.subscribe('sb_settle', { group: 'g', signal: AbortSignal.timeout(10_000) })) {
      if (text(d.value) === 'one') await d.nack!();
      else {
        await (d as unknown as { deadLetter(reason: string): Promise<void> }).deadLetter('poison');
        break;
      }
    }
    // 'one' was abandoned (still there), 'two' left the queue for the dead-letter sub-queue.
    expect(fake.queues.get('sb_settle')!.messages).toHaveLength(1);
    expect(fake.queues.get('sb_settle')!.deadLetters).toHaveLength(1);
  });
});
