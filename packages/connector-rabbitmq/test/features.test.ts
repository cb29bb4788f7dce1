/**
 * RabbitMQ specifics against the real broker: publishing to exchanges with confirms, AMQP
 * properties and headers into Arrow, peek versus remove reads, nack and dead-lettering, late
 * acks within the grace period, discovery of named queues, the Spark refusal, and bad input —
 * wrong password, unknown vhost, missing queue or exchange, unroutable messages, an unreachable
 * broker — each a typed error without the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type StreamMessage } from '@sparkle/core';
import { collectRows } from '@sparkle/testkit';
import '../src/index.js';
import type { RabbitMQConnection, RabbitMQDelivery } from '../src/index.js';

const url = () => process.env.SPARKLE_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const open = (config: Record<string, unknown> = {}) => getConnection<RabbitMQConnection>('rabbitmq', { config: { url: url(), ...config }, dotenv: false, variables: {} });
const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const text = (b: Uint8Array | null | undefined) => (b === null || b === undefined ? null : new TextDecoder().decode(b));
const failure = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
/** Retries `check` (up to 100 polls) until it passes: the broker applies acks and dead-lettering asynchronously. */
const eventually = async (check: () => Promise<void>) => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};
const unique = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;

let mq: RabbitMQConnection;
const created: string[] = [];
const queue = async (prefix: string, args?: Record<string, unknown>) => {
  const name = unique(prefix);
  await mq.createQueue(name, { durable: false, ...(args ? { arguments: args } : {}) });
  created.push(name);
  return name;
};
beforeAll(async () => {
  mq = await open();
});
afterAll(async () => {
  for (const q of created) await mq.deleteQueue(q).catch(() => undefined);
  await mq.close();
});

describe('publish', () => {
  it('to a queue: key, headers, AMQP properties and timestamp come back; partition 0, no position', async () => {
    const q = await queue('props');
    await mq.produce(q, [
      { key: 'k1', value: '{"id":1}', headers: { tenant: 'acme', 'amqp.content-type': 'application/json', 'amqp.message-id': 'm-1', 'amqp.priority': '3' }, timestamp: new Date(Date.UTC(2025, 0, 1, 12)) },
    ]);
    const [m] = (await all(mq.consumeRange(q))) as StreamMessage[];
    expect(m).toMatchObject({ topic: q, partition: '0' });
    expect(m!.position).toBeUndefined();
    expect(text(m!.key)).toBe('k1');
    expect(text(m!.value)).toBe('{"id":1}');
    expect(text(m!.headers.tenant)).toBe('acme');
    expect(text(m!.headers['amqp.content-type'])).toBe('application/json');
    expect(text(m!.headers['amqp.message-id'])).toBe('m-1');
    expect(text(m!.headers['amqp.priority'])).toBe('3');
    expect(text(m!.headers['amqp.routing-key'])).toBe(q);
    expect(m!.headers['x-message-key']).toBeUndefined();
    expect(m!.timestamp?.toISOString()).toBe('2025-01-01T12:00:00.000Z');
  });

  it('to an exchange: a fixed routing key, or each record key as the routing key', async () => {
    const a = await queue('route_a');
    const b = await queue('route_b');
    const channel = await (await (mq as unknown as { connection(): Promise<import('amqplib').ChannelModel> }).connection()).createChannel();
    const exchange = unique('ex');
    await channel.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
    await channel.bindQueue(a, exchange, 'a');
    await channel.bindQueue(b, exchange, 'b');
    await mq.produce(`exchange:${exchange}/a`, [{ value: 'fixed' }]);
    await mq.produce(`exchange:${exchange}`, [{ key: 'a', value: 'to-a' }, { key: 'b', value: 'to-b' }]);
    expect((await all(mq.consumeRange(a))).map((m) => text(m.value))).toEqual(['fixed', 'to-a']);
    expect((await all(mq.consumeRange(b))).map((m) => text(m.value))).toEqual(['to-b']);
    const unroutable = await failure(mq.produce(`exchange:${exchange}/nobody`, [{ value: 'lost' }]));
    expect(unroutable!.code).toBe('WRITE_FAILED');
    expect(unroutable!.details).toMatchObject({ unroutable: true, routingKey: 'nobody' });
    await channel.deleteExchange(exchange);
    await channel.close();
  });

  it('a large publish waits for confirms batch by batch and reports progress', async () => {
    const q = await queue('bulk');
    const progress: number[] = [];
    async function* many() {
      for (let i = 0; i < 5000; i++) yield { value: `v${i}` };
    }
    const result = await mq.produce(q, many(), { batchSize: 1000, onProgress: (n) => progress.push(n) });
    expect(result.messages).toBe(5000);
    expect(progress).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect((await mq.describeQueue(q)).messageCount).toBe(5000);
  });
});

describe('bounded reads', () => {
  it('peek leaves the queue as it was; remove drains it; maxMessages caps both', async () => {
    const q = await queue('peek');
    await mq.produce(q, Array.from({ length: 6 }, (_, i) => ({ value: `m${i}` })));
    expect((await all(mq.consumeRange(q, { maxMessages: 2 }))).map((m) => text(m.value))).toEqual(['m0', 'm1']);
    expect((await mq.describeQueue(q)).messageCount).toBe(6);
    const removed = await all(mq.consumeRange(q, { mode: 'remove', maxMessages: 4 }));
    expect(removed.map((m) => text(m.value))).toEqual(['m0', 'm1', 'm2', 'm3']);
    await eventually(async () => expect((await mq.describeQueue(q)).messageCount).toBe(2));
    expect((await all(mq.consumeRange(q))).map((m) => text(m.value))).toEqual(['m4', 'm5']);
  });

  it('reads into Arrow with the headers list; positions and timestamps cannot be asked for', async () => {
    const q = await queue('arrow');
    await mq.produce(q, [{ key: 'a', value: 'x', headers: { h: 'v' } }]);
    const rows = await collectRows(await mq.readTable(q));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ topic: q, partition: 0, offset: null });
    const headers = [...(rows[0]!.headers as Iterable<{ key: string; value: Uint8Array }>)].map((h) => [h.key, text(h.value)]);
    expect(headers).toEqual(expect.arrayContaining([['h', 'v'], ['amqp.routing-key', q]]));
    const e = await failure(all(mq.consumeRange(q, { from: { timestamp: new Date() } })));
    expect(e!.code).toBe('UNSUPPORTED');
  });
});

describe('subscriptions', () => {
  it('nack requeues, deadLetter routes to the dead-letter exchange', async () => {
    const dead = await queue('dead');
    const q = await queue('work', { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead });
    await mq.produce(q, [{ value: 'retry-me' }, { value: 'poison' }]);
    const seen: string[] = [];
    for await (const d of mq.subscribe(q, { group: 'workers', signal: AbortSignal.timeout(10_000) })) {
      const delivery = d as RabbitMQDelivery;
      const v = text(delivery.value)!;
      seen.push(v);
      if (v === 'poison') await delivery.deadLetter();
      else if (seen.filter((s) => s === 'retry-me').length === 1) await delivery.nack!();
      else {
        await delivery.ack();
        break;
      }
    }
    expect(seen).toEqual(['retry-me', 'poison', 'retry-me']);
    await eventually(async () => expect((await all(mq.consumeRange(dead))).map((m) => text(m.value))).toEqual(['poison']));
    await eventually(async () => expect((await mq.describeQueue(q)).messageCount).toBe(0));
  });

  it('an ack after the loop ended still counts; re-subscribing gives the unsettled rest back', async () => {
    const q = await queue('grace');
    await mq.produce(q, [{ value: 'a' }, { value: 'b' }]);
    const got: RabbitMQDelivery[] = [];
    for await (const d of mq.subscribe(q, { group: 'g', signal: AbortSignal.timeout(10_000) })) {
      got.push(d as RabbitMQDelivery);
      if (got.length === 2) break;
    }
    await got[0]!.ack();
    // A new subscription to the queue closes the old channel first: 'b' (never acked) comes back, 'a' does not.
    const again: RabbitMQDelivery[] = [];
    for await (const d of mq.subscribe(q, { group: 'g', signal: AbortSignal.timeout(10_000) })) {
      again.push(d as RabbitMQDelivery);
      break;
    }
    expect(again.map((d) => text(d.value))).toEqual(['b']);
    expect(text(again[0]!.headers['amqp.redelivered'])).toBe('true');
    const late = await failure(got[1]!.ack());
    expect(late!.code).toBe('INVALID_ARGUMENT');
    await again[0]!.ack();
    await eventually(async () => expect((await mq.describeQueue(q)).messageCount).toBe(0));
  });
});

describe('metadata and Spark', () => {
  it('discover reports named queues with counts, and missing ones as missing', async () => {
    const q = await queue('disc');
    await mq.produce(q, [{ value: '1' }, { value: '2' }]);
    const missing = unique('nope');
    const found = await mq.discover({ queues: [q, missing] });
    expect(found).toEqual([
      expect.objectContaining({ name: q, messages: 2, consumers: 0 }),
      expect.objectContaining({ name: missing, missing: true }),
    ]);
  });

  it('check() connects, authenticates and describes the configured queue', async () => {
    const q = await queue('health');
    await using conn = await open({ queue: q });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report)).toBe(true);
    expect(JSON.stringify(report)).toContain(`${q}: 0 message(s)`);
  });

  it('Spark refuses with UNSUPPORTED naming the local path', async () => {
    for (const call of [() => mq.sparkRead('orders', {}), () => mq.sparkWrite('orders', { mode: 'append' })]) {
      expect(call).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
      expect(call).toThrow(/without 'spark'/);
    }
  });
});

describe('bad input', () => {
  it('a wrong password is AUTHENTICATION_FAILED and does not print the password', async () => {
    await using conn = await open({ url: 'amqp://guest:wrong-pass-987@127.0.0.1:5672' });
    const e = await failure(conn.describeQueue('orders'));
    expect(e!.code).toBe('AUTHENTICATION_FAILED');
    expect(e!.message).not.toContain('wrong-pass-987');
    expect((await conn.check()).ok).toBe(false);
  });

  it('an unknown vhost is AUTHENTICATION_FAILED (the user may not open it)', async () => {
    await using conn = await open({ url: 'amqp://guest:guest@127.0.0.1:5672/no-such-vhost' });
    const e = await failure(conn.describeQueue('orders'));
    expect(e!.code).toBe('AUTHENTICATION_FAILED');
  });

  it('a missing queue: consume, subscribe and publish each say it does not exist', async () => {
    const q = unique('missing');
    for (const e of [
      await failure(all(mq.consumeRange(q))),
      await failure(all(mq.subscribe(q, { group: 'g', signal: AbortSignal.timeout(5000) }))),
      await failure(mq.produce(q, [{ value: 'x' }])),
    ]) {
      expect(e).toBeInstanceOf(SparkleError);
      expect(e!.details).toMatchObject({ notFound: true });
      expect(e!.message).toContain(q);
    }
    // The connection stays usable after the channel errors.
    expect((await mq.discover({ queues: [] })).length).toBe(0);
  });

  it('a missing exchange is a typed WRITE_FAILED error', async () => {
    const e = await failure(mq.produce(`exchange:${unique('nox')}`, [{ value: 'x' }]));
    expect(e!.code).toBe('WRITE_FAILED');
    expect(e!.details).toMatchObject({ notFound: true });
  });

  it('an unreachable broker is a retryable CONNECTION_FAILED error', async () => {
    await using conn = await open({ url: 'amqp://guest:guest@127.0.0.1:1' });
    const e = await failure(conn.produce('orders', [{ value: 'x' }]));
    expect(e!.code).toBe('CONNECTION_FAILED');
    expect(e!.retryable).toBe(true);
  });

  it('a partition other than 0 is refused', async () => {
    const q = await queue('part');
    const e = await failure(mq.produce(q, [{ value: 'x', partition: '2' }]));
    expect(e!.code).toBe('INVALID_ARGUMENT');
  });
});
