/**
 * Pulsar specifics against the real standalone broker (token auth on): check() from admin
 * metadata, partitioned and non-persistent topics, publish/event time columns, ranges by time and
 * "last N", JSON payloads through core's decoding, negative acks and the dead-letter policy,
 * discovery, and bad input — unknown topics, a wrong token, invalid JSON, an oversized message, a
 * broker connection that dies mid-consume — each a typed error without the token.
 */
import { createServer, Socket as NetSocket, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type StreamDelivery } from '@sparkle/core';
import { collectRows } from '@sparkle/testkit';
import '../src/index.js';
import type { PulsarConnection, PulsarSubscribeOptions } from '../src/index.js';
import { brokerConfig, token, uniqueTopic } from './broker.js';

const open = (config: Record<string, unknown> = {}) => getConnection<PulsarConnection>('pulsar', { config: { ...brokerConfig, ...config }, dotenv: false, variables: {} });
const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));
const text = (b: Uint8Array | null | undefined) => (b === null || b === undefined ? null : new TextDecoder().decode(b));
const failure = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
/** Polls `probe` until it holds, bounded by `ms` (a wait for the broker, not a timed assertion). */
const until = async (probe: () => Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('the broker did not reach the expected state in time');
    await new Promise((r) => setTimeout(r, 100));
  }
};

let pulsar: PulsarConnection;
beforeAll(async () => {
  pulsar = await open();
});
afterAll(async () => {
  await pulsar.close();
});

describe('check() and metadata', () => {
  it('authenticates with the token and describes the topic from admin stats, consuming nothing', async () => {
    const topic = uniqueTopic('check');
    await pulsar.createTopic(topic, { partitions: 2 });
    await pulsar.produce(topic, [{ value: 'x' }]);
    await using conn = await open({ topic });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const text = JSON.stringify(report);
    expect(text).toContain('public/default found');
    expect(text).toContain('2 partition(s)');
    expect(text).not.toContain(token);
    // Still one unread message: check() read nothing.
    expect(await all(pulsar.consumeRange(topic))).toHaveLength(1);
  });

  it('a namespace that does not exist fails check() naming it', async () => {
    await using conn = await open({ namespace: 'nope_ns' });
    const report = await conn.check();
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).toContain("public/nope_ns' does not exist");
  });

  it('discovers topics of the namespace with partitions, persistent and non-persistent', async () => {
    const partitioned = uniqueTopic('disc_p');
    const single = uniqueTopic('disc_s');
    const volatile = `non-persistent://public/default/${uniqueTopic('disc_np')}`;
    await pulsar.createTopic(partitioned, { partitions: 3 });
    await pulsar.createTopic(single);
    await pulsar.createTopic(volatile, { partitions: 2 });
    const found = await pulsar.discover({ pattern: 'disc_', stats: true });
    const byName = new Map(found.map((t) => [t.name, t]));
    expect(byName.get(`persistent://public/default/${partitioned}`)?.partitions).toBe(3);
    expect(byName.get(`persistent://public/default/${single}`)?.partitions).toBe(0);
    expect(byName.get(volatile)).toMatchObject({ persistent: false, partitions: 2 });
    expect(found.some((t) => t.name.includes('-partition-'))).toBe(false);
    expect(byName.get(`persistent://public/default/${partitioned}`)?.columns.map((c) => c.name)).toContain('publishTime');
  });
});

describe('reads', () => {
  it('plans one engine partition per topic partition, and a non-partitioned topic as one', async () => {
    const topic = uniqueTopic('plan');
    await pulsar.createTopic(topic, { partitions: 4 });
    expect((await pulsar.nativeRead(topic, {})).partitions).toHaveLength(4);
    const single = uniqueTopic('plan_single');
    await pulsar.createTopic(single);
    await pulsar.produce(single, [{ value: 'a' }, { value: 'b' }]);
    expect((await pulsar.nativeRead(single, {})).partitions).toHaveLength(1);
    const rows = await collectRows(await pulsar.readTable(single, {}));
    expect(rows.map((r) => [text(r.value as Uint8Array), r.partition])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
  });

  it('keeps the producer event time and the broker publish time in their own columns', async () => {
    const topic = uniqueTopic('times');
    const eventTime = new Date(Date.UTC(2020, 5, 1, 12, 0, 0));
    const before = Date.now();
    await pulsar.produce(topic, [{ key: 'k', value: 'v', timestamp: eventTime, headers: { origin: 'test' } }, { value: 'no event time' }]);
    const rows = await collectRows(await pulsar.readTable(topic, {}));
    expect(rows).toHaveLength(2);
    expect(ms(rows[0]!.eventTime)).toBe(eventTime.getTime());
    expect(ms(rows[0]!.timestamp)).toBe(eventTime.getTime());
    expect(ms(rows[0]!.publishTime)).toBeGreaterThanOrEqual(before - 5000);
    expect(rows[1]!.eventTime).toBeNull();
    expect(ms(rows[1]!.timestamp)).toBe(ms(rows[1]!.publishTime));
    expect(Array.from(rows[0]!.headers as Iterable<{ key: string; value: Uint8Array }>, (h) => [h.key, text(h.value)])).toEqual([['origin', 'test']]);
    expect(rows[0]!.position).toMatch(/^\d+:\d+$/);
  });

  it('reads from a publish time, the last N of each partition, and stops at an end position', async () => {
    const topic = uniqueTopic('ranges');
    await pulsar.createTopic(topic, { partitions: 1 });
    await pulsar.produce(topic, Array.from({ length: 5 }, (_, i) => ({ value: `old-${i}` })));
    const boundary = (await pulsar.describeTopic(topic)).partitions[0]!.latest!;
    const cut = new Date(Date.now() + 5);
    await new Promise((r) => setTimeout(r, 20));
    await pulsar.produce(topic, Array.from({ length: 5 }, (_, i) => ({ value: `new-${i}` })));
    expect((await all(pulsar.consumeRange(topic, { from: { timestamp: cut } }))).map((m) => text(m.value))).toEqual(['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
    expect((await all(pulsar.consumeRange(topic, { lastPerPartition: 3 }))).map((m) => text(m.value))).toEqual(['new-2', 'new-3', 'new-4']);
    expect((await all(pulsar.consumeRange(topic, { to: { positions: { '0': boundary } } }))).map((m) => text(m.value))).toEqual(['old-0', 'old-1', 'old-2', 'old-3', 'old-4']);
    const last2 = await collectRows(await pulsar.readTable(topic, { options: { lastMessages: '2' } }));
    expect(last2.map((r) => text(r.value as Uint8Array))).toEqual(['new-3', 'new-4']);
  });

  it('an empty topic reads as no rows without waiting', async () => {
    const topic = uniqueTopic('empty');
    await pulsar.createTopic(topic, { partitions: 2 });
    expect(await all(pulsar.consumeRange(topic))).toEqual([]);
  });

  it('decodes JSON values through the read options; invalid JSON fails or goes to value_error, never dropped', async () => {
    const topic = uniqueTopic('json');
    await pulsar.produce(topic, [{ value: '{"id":1}' }, { value: 'not json {' }, { value: '{"id":3}' }]);
    const refused = await failure(pulsar.readTable(topic, { options: { valueFormat: 'json' } }).then((f) => collectRows(f)));
    expect(refused).toBeInstanceOf(SparkleError);
    expect(refused!.message).toMatch(/position \d+:\d+/);
    const rows = await collectRows(await pulsar.readTable(topic, { options: { valueFormat: 'json', onInvalidPayload: 'errorColumn' } }));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.value)).toEqual(['{"id":1}', null, '{"id":3}']);
    expect(rows[1]!.value_error).toMatch(/JSON/i);
  });
});

describe('produce', () => {
  it('keeps at most maxPendingMessages sends waiting for receipts (backpressure), then every record is there once', async () => {
    const topic = uniqueTopic('bounded');
    let pulled = 0;
    let acked = 0;
    let maxAhead = 0;
    async function* records() {
      for (let i = 0; i < 60; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - acked);
        yield { key: `k${i}`, value: `r${i}` };
      }
    }
    const result = await pulsar.produce(topic, records(), { batchSize: 5, onProgress: (messages) => (acked = messages) });
    expect(result.messages).toBe(60);
    expect(result.positions?.['0']).toMatch(/^\d+:\d+$/);
    // Five sends wait for receipts, plus the record just read from the source.
    expect(maxAhead).toBeLessThanOrEqual(6);
    expect((await all(pulsar.consumeRange(topic))).map((m) => text(m.value))).toEqual(Array.from({ length: 60 }, (_, i) => `r${i}`));
  });
});

describe('subscriptions', () => {
  it('a nack redelivers; after maxRedeliverCount the message moves to the dead-letter topic', async () => {
    const topic = uniqueTopic('dlq');
    const deadLetterTopic = `${topic}-dead`;
    await pulsar.createTopic(topic);
    await pulsar.produce(topic, [{ key: 'poison', value: 'bad' }]);
    const options: PulsarSubscribeOptions = { group: 'dlq-sub', from: 'earliest', subscriptionType: 'Shared', maxRedeliverCount: 1, deadLetterTopic, signal: AbortSignal.timeout(20_000) };
    await using conn = await open({ consumer: { negativeAckRedeliveryDelayMs: 100 } });
    const seen: StreamDelivery[] = [];
    const stop = new AbortController();
    const consuming = (async () => {
      for await (const d of conn.subscribe(topic, { ...options, signal: AbortSignal.any([stop.signal, options.signal!]) })) {
        seen.push(d);
        await d.nack!();
      }
    })().catch((e: unknown) => e);
    // The broker's client moves it once the redelivery count is exceeded, while the consumer is attached.
    await until(async () => (await all(conn.consumeRange(deadLetterTopic))).length > 0, 20_000);
    stop.abort();
    await consuming;
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen.map((d) => text(d.value)))).toEqual(new Set(['bad']));
    const dead = await all(conn.consumeRange(deadLetterTopic));
    expect(dead.map((m) => [text(m.key), text(m.value)])).toEqual([['poison', 'bad']]);
  });

  it('a non-persistent topic delivers to a connected subscriber', async () => {
    const topic = `non-persistent://public/default/${uniqueTopic('np')}`;
    await pulsar.createTopic(topic, { partitions: 1 });
    const iterator = pulsar.subscribe(topic, { group: 'np-sub', signal: AbortSignal.timeout(20_000) })[Symbol.asyncIterator]();
    const first = iterator.next();
    // Produce once the subscriber is attached (non-persistent messages reach connected consumers only).
    await until(async () => {
      const stats = await (pulsar as unknown as { admin(): { stats(t: unknown, p: boolean): Promise<{ subscriptions?: Record<string, { consumers?: unknown[] }> }> } })
        .admin()
        .stats({ persistence: 'non-persistent', tenant: 'public', namespace: 'default', local: topic.split('/').pop()! }, true);
      return (stats.subscriptions?.['np-sub']?.consumers?.length ?? 0) > 0;
    });
    await pulsar.produce(topic, [{ value: 'fleeting' }]);
    const got = await first;
    expect(text((got.value as StreamDelivery).value)).toBe('fleeting');
    await (got.value as StreamDelivery).ack();
    await iterator.return?.();
  });
});

describe('bad input', () => {
  it('an unknown topic is a QueryError with notFound, for reads, describe and subscriptions', async () => {
    const name = uniqueTopic('missing');
    for (const attempt of [() => pulsar.describeTopic(name), () => all(pulsar.consumeRange(name)), () => all(pulsar.subscribe(name, { group: 'g' }))]) {
      const e = await failure(attempt());
      expect(e).toBeInstanceOf(SparkleError);
      expect(e!.code).toBe('QUERY_FAILED');
      expect(e!.details?.notFound).toBe(true);
      expect(e!.message).toContain(name);
    }
    const ns = await failure(all(pulsar.consumeRange('persistent://public/no_such_ns/t')));
    expect(ns!.details?.notFound).toBe(true);
  });

  it('a wrong token is an AUTH error that does not print the token, for admin calls and WebSockets', async () => {
    const wrong = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.wrong-signature-value';
    await using conn = await open({ token: wrong });
    const describe = await failure(conn.describeTopic('anything'));
    expect(describe!.code).toBe('AUTHENTICATION_FAILED');
    expect(describe!.retryable).toBe(false);
    const produce = await failure(conn.produce('anything', [{ value: 'x' }]));
    expect(produce!.code).toBe('AUTHENTICATION_FAILED');
    const report = await conn.check();
    expect(report.ok).toBe(false);
    for (const text of [describe!.message, produce!.message, JSON.stringify(report), String(describe!.stack)]) expect(text).not.toContain(wrong);
    await using none = await open({ token: undefined });
    expect((await failure(none.describeTopic('anything')))!.code).toBe('AUTHENTICATION_FAILED');
  });

  it('an oversized message is a non-retryable WriteError marked tooLarge', async () => {
    const topic = uniqueTopic('big');
    await pulsar.createTopic(topic);
    const e = await failure(pulsar.produce(topic, [{ value: 'small' }, { value: new Uint8Array(2 * 1024 * 1024) }]));
    expect(e).toBeInstanceOf(SparkleError);
    expect(e!.code).toBe('WRITE_FAILED');
    expect(e!.retryable).toBe(false);
    expect(e!.details?.tooLarge).toBe(true);
  });

  it('a record naming a partition the topic does not have is refused before anything is sent', async () => {
    const topic = uniqueTopic('badpart');
    await pulsar.createTopic(topic, { partitions: 2 });
    const e = await failure(pulsar.produce(topic, [{ value: 'x', partition: '5' }]));
    expect(e!.code).toBe('INVALID_ARGUMENT');
    expect(await all(pulsar.consumeRange(topic))).toEqual([]);
  });

  it('a broker connection lost mid-consume is a retryable ConnectionFailedError; re-subscribing loses nothing unacked and repeats only acks in flight', async () => {
    const topic = uniqueTopic('gone');
    await pulsar.createTopic(topic);
    await pulsar.produce(topic, Array.from({ length: 6 }, (_, i) => ({ value: `m${i}` })));
    // A TCP proxy in front of the broker's web port: cutting it is the broker going away for this client.
    const target = new URL(brokerConfig.webServiceUrl);
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = new NetSocket();
      upstream.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    try {
      await using viaProxy = await open({ webServiceUrl: `http://127.0.0.1:${port}` });
      const acked: string[] = [];
      const e = await failure(
        (async () => {
          for await (const d of viaProxy.subscribe(topic, { group: 'survivor', from: 'earliest', signal: AbortSignal.timeout(20_000) })) {
            await d.ack();
            acked.push(text(d.value)!);
            if (acked.length === 3) {
              // The broker goes away: no new connections, and the open ones cut.
              proxy.close();
              for (const s of sockets) s.destroy();
            }
          }
        })(),
      );
      expect(e).toBeInstanceOf(SparkleError);
      expect(e!.code).toBe('CONNECTION_FAILED');
      expect(e!.retryable).toBe(true);
      expect(acked).toEqual(['m0', 'm1', 'm2']);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => proxy.close(r)).catch(() => undefined);
    }
    // Resume directly: nothing unacknowledged is lost, in order. An ack still in flight when the
    // connection died may not have reached the broker (the WebSocket API sends no ack receipt), so
    // the last acked messages may come again: at-least-once, duplicates only of acked ones.
    const rest: string[] = [];
    for await (const d of pulsar.subscribe(topic, { group: 'survivor', from: 'earliest', signal: AbortSignal.timeout(20_000) })) {
      rest.push(text(d.value)!);
      await d.ack();
      if (rest.includes('m5')) break;
    }
    expect(rest.slice(-3)).toEqual(['m3', 'm4', 'm5']);
    for (const again of rest.slice(0, -3)) expect(['m0', 'm1', 'm2']).toContain(again);
    expect(rest).toEqual([...rest].sort());
  });
});
