/**
 * Kafka specifics against the real broker: SASL (PLAIN, SCRAM-SHA-256/512 on the SASL listener),
 * idempotent and transactional produce, ranges by timestamp and "last N", discovery, and bad
 * input — unreachable brokers, wrong credentials, unknown topics, deleted offsets, oversized
 * messages — each a typed error without the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type StreamMessage } from '@sparkle/core';
import { collectRows } from '@sparkle/testkit';
import '../src/index.js';
import type { KafkaConnection } from '../src/index.js';
import { brokers, saslBrokers, saslPassword, saslUser, uniqueTopic } from './broker.js';

const open = (config: Record<string, unknown>) => getConnection<KafkaConnection>('kafka', { config: { brokers: brokers.split(','), ...config }, dotenv: false, variables: {} });
const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const text = (b: Uint8Array | null | undefined) => (b === null || b === undefined ? null : new TextDecoder().decode(b));
const failure = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);

let admin: KafkaConnection;
beforeAll(async () => {
  admin = await open({});
});
afterAll(async () => {
  await admin.close();
});

describe('SASL', () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('authenticates with %s and produces, reads back', async (mechanism) => {
    await using kafka = await open({ brokers: [saslBrokers], sasl: { mechanism, username: saslUser, password: saslPassword } });
    const report = await kafka.check();
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const topic = uniqueTopic(`sasl_${mechanism.replace(/-/g, '_').toLowerCase()}`);
    await kafka.createTopic(topic, { partitions: 1 });
    await kafka.produce(topic, [{ key: 'k', value: mechanism }]);
    const back = await all(kafka.consumeRange(topic));
    expect(back.map((m) => text(m.value))).toEqual([mechanism]);
  });

  it('authenticates with OAUTHBEARER (an unsigned test JWT; the broker runs Kafka\'s unsecured validator)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none' })}.${b64({ sub: saslUser, iat: now, exp: now + 3600 })}.`;
    await using kafka = await open({ brokers: [saslBrokers], sasl: { mechanism: 'OAUTHBEARER', token } });
    const topic = uniqueTopic('sasl_oauth');
    await kafka.createTopic(topic, { partitions: 1 });
    await kafka.produce(topic, [{ value: 'oauth' }]);
    expect((await all(kafka.consumeRange(topic))).map((m) => text(m.value))).toEqual(['oauth']);
    expect(String(kafka)).not.toContain(token);
  });

  it('a wrong password is an AUTH error that does not print the password', async () => {
    await using kafka = await open({ brokers: [saslBrokers], sasl: { mechanism: 'SCRAM-SHA-512', username: saslUser, password: 'wrong-pass-123' }, retries: 0 });
    const e = await failure(kafka.describeTopic('anything'));
    expect(e).toBeInstanceOf(SparkleError);
    expect(e!.code).toBe('AUTHENTICATION_FAILED');
    expect(e!.retryable).toBe(false);
    expect(e!.message).not.toContain('wrong-pass-123');
    const report = await kafka.check();
    expect(report.ok).toBe(false);
  });

  it('SASL against the plaintext listener fails typed (mechanism/listener mismatch)', async () => {
    await using kafka = await open({ sasl: { mechanism: 'PLAIN', username: saslUser, password: saslPassword }, retries: 0, connectionTimeoutMs: 1000, requestTimeoutMs: 3000 });
    const e = await failure(kafka.describeTopic('anything'));
    expect(SparkleError.isInstance(e)).toBe(true);
    expect(e!.message).not.toContain(saslPassword);
  });
});

describe('bad input', () => {
  it('an unreachable broker is a retryable CONNECTION_FAILED error', async () => {
    await using kafka = await open({ brokers: ['127.0.0.1:1'], retries: 1, connectionTimeoutMs: 500 });
    const e = await failure(kafka.produce('orders', [{ value: 'x' }]));
    expect(e).toBeInstanceOf(SparkleError);
    expect(e!.code).toBe('CONNECTION_FAILED');
    expect(e!.retryable).toBe(true);
  });

  it('consuming an unknown topic names it and says it does not exist', async () => {
    const topic = uniqueTopic('missing');
    const e = await failure(all(admin.consumeRange(topic)));
    expect(e!.code).toBe('QUERY_FAILED');
    expect(e!.details).toMatchObject({ notFound: true });
    expect(e!.message).toContain(topic);
    expect(e!.message).toContain('does not exist');
    const sub = await failure(all(admin.subscribe(topic, { group: 'g', signal: AbortSignal.timeout(5000) })));
    expect(sub!.message).toContain('does not exist');
    // Reading never creates the topic (the broker auto-creates on produce only).
    expect((await admin.discover()).map((t) => t.name)).not.toContain(topic);
  });

  it('an oversized message is a non-retryable WRITE_FAILED error', async () => {
    const topic = uniqueTopic('big');
    await admin.createTopic(topic, { partitions: 1, configs: { 'max.message.bytes': '10000' } });
    const e = await failure(admin.produce(topic, [{ value: new Uint8Array(50_000) }]));
    expect(e!.code).toBe('WRITE_FAILED');
    expect(e!.retryable).toBe(false);
    expect(e!.details).toMatchObject({ driverCode: 'MESSAGE_TOO_LARGE' });
  });

  it('a partition the topic does not have is refused before anything is sent (kafkajs would drop it silently)', async () => {
    const topic = uniqueTopic('parts');
    await admin.createTopic(topic, { partitions: 2 });
    const e = await failure(admin.produce(topic, [{ value: 'ok', partition: '1' }, { value: 'x', partition: '7' }], { batchSize: 1 }));
    expect(e!.code).toBe('INVALID_ARGUMENT');
    expect(e!.message).toContain("partition '7'");
    expect(e!.message).toContain('partitions 0-1');
  });
});

describe('produce', () => {
  it('an idempotent producer delivers every record once, in order', async () => {
    const topic = uniqueTopic('idem');
    await admin.createTopic(topic, { partitions: 2 });
    const result = await admin.produce(
      topic,
      Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 10}`, value: String(i) })),
      { idempotent: true, batchSize: 64 },
    );
    expect(result.messages).toBe(500);
    const back = await all(admin.consumeRange(topic));
    expect(back.map((m) => Number(text(m.value))).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    for (const p of ['0', '1']) {
      const values = back.filter((m) => m.partition === p).map((m) => Number(text(m.value)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('a transaction commits as a whole, and an aborted one is never read', async () => {
    const topic = uniqueTopic('tx');
    await admin.createTopic(topic, { partitions: 1 });
    const committed = await admin.produce(topic, [{ value: 'a' }, { value: 'b' }], { transactionalId: `${topic}-tx` });
    expect(committed.messages).toBe(2);
    async function* failing() {
      yield { value: 'lost-1' };
      yield { value: 'lost-2' };
      throw new Error('source failed mid-way');
    }
    const e = await failure(admin.produce(topic, failing(), { transactionalId: `${topic}-tx`, batchSize: 1 }));
    expect(e).toBeInstanceOf(SparkleError);
    await admin.produce(topic, [{ value: 'c' }], { transactionalId: `${topic}-tx` });
    // The read ends although the log ends with a transaction marker, and skips the aborted records.
    expect((await all(admin.consumeRange(topic))).map((m) => text(m.value))).toEqual(['a', 'b', 'c']);
  });

  it('bounds memory: a large produce reports progress batch by batch', async () => {
    const topic = uniqueTopic('bulk');
    await admin.createTopic(topic, { partitions: 3 });
    const progress: number[] = [];
    async function* many() {
      for (let i = 0; i < 20_000; i++) yield { value: `v${i}` };
    }
    const result = await admin.produce(topic, many(), { batchSize: 2000, onProgress: (n) => progress.push(n) });
    expect(result.messages).toBe(20_000);
    expect(progress).toHaveLength(10);
    expect(progress.at(-1)).toBe(20_000);
    const described = await admin.describeTopic(topic);
    expect(described.partitions.reduce((n, p) => n + Number(p.latest), 0)).toBe(20_000);
  });
});

describe('subscriptions', () => {
  it('nack() fetches the message again; maxUnacked holds back deliveries until one is settled', async () => {
    const topic = uniqueTopic('nack');
    await admin.createTopic(topic, { partitions: 1 });
    await admin.produce(topic, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const seen: string[] = [];
    for await (const d of admin.subscribe(topic, { group: uniqueTopic('g'), from: 'earliest', maxUnacked: 1, signal: AbortSignal.timeout(20_000) })) {
      seen.push(text(d.value)!);
      if (seen.length === 1) await d.nack!();
      else await d.ack();
      if (seen.length === 4) break;
    }
    expect(seen).toEqual(['a', 'a', 'b', 'c']);
  });
});

describe('bounded reads', () => {
  const topic = uniqueTopic('ranges');
  const base = Date.UTC(2025, 0, 1);
  let ready: Promise<void>;
  beforeAll(() => {
    ready = prepare();
  });
  const prepare = async () => {
    await admin.createTopic(topic, { partitions: 2 });
    await admin.produce(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ partition: String(i % 2), key: `k${i}`, value: JSON.stringify({ i }), timestamp: new Date(base + i * 1000), headers: { seq: String(i) } })),
    );
  };

  it('starts at a timestamp (per partition, the first message at or after it)', async () => {
    await ready;
    const got = await all(admin.consumeRange(topic, { from: { timestamp: new Date(base + 15_000) } }));
    expect(got.map((m) => text(m.headers.seq)).sort()).toEqual(['15', '16', '17', '18', '19']);
    for (const m of got) expect(m.timestamp!.getTime()).toBeGreaterThanOrEqual(base + 15_000);
  });

  it('ends at a timestamp (exclusive)', async () => {
    await ready;
    const got = await all(admin.consumeRange(topic, { to: { timestamp: new Date(base + 4_000) } }));
    expect(got.map((m) => Number(text(m.headers.seq))).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
  });

  it('reads the last N messages of each partition', async () => {
    await ready;
    const got: StreamMessage[] = await all(admin.consumeRange(topic, { lastPerPartition: 2 }));
    expect(got.map((m) => [m.partition, m.position])).toEqual(expect.arrayContaining([['0', '8'], ['0', '9'], ['1', '8'], ['1', '9']]));
    expect(got).toHaveLength(4);
    const rows = await collectRows(await admin.readTable(topic, { options: { lastMessages: '3' } }));
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => Number(r.offset)).sort()).toEqual([7, 7, 8, 8, 9, 9]);
  });

  it('reads values as UTF-8 or JSON text; an invalid JSON value fails the read or lands in value_error', async () => {
    const topic = uniqueTopic('json');
    await admin.createTopic(topic, { partitions: 1 });
    await admin.produce(topic, [{ key: 'a', value: '{"id":1}' }, { key: 'b', value: '{broken' }, { key: 'c', value: null }]);
    const text3 = await collectRows(await admin.readTable(topic, { columns: ['key', 'value', 'offset'], options: { keyFormat: 'utf8', valueFormat: 'utf8' } }));
    expect(text3.map((r) => [r.key, r.value])).toEqual([['a', '{"id":1}'], ['b', '{broken'], ['c', null]]);
    const refused = await failure(admin.readTable(topic, { options: { valueFormat: 'json' } }).then((f) => collectRows(f)));
    expect(refused!.code).toBe('INVALID_ARGUMENT');
    expect(refused!.message).toContain(`topic ${topic} partition 0 position 1 is not valid JSON`);
    const kept = await collectRows(await admin.readTable(topic, { columns: ['key', 'value', 'value_error'], options: { keyFormat: 'utf8', valueFormat: 'json', onInvalidPayload: 'errorColumn' } }));
    expect(kept.map((r) => [r.key, r.value, r.value_error === null ? null : String(r.value_error).slice(0, 24)])).toEqual([
      ['a', '{"id":1}', null],
      ['b', null, 'value is not valid JSON '],
      ['c', null, null],
    ]);
  });

  it('a read of more partitions than the engine opens at once, with a tiny buffer, returns exactly what consumeRange returns', async () => {
    // 6 partitions (the local engine opens 4 at a time), 20-message buffers and 1 KiB fetches:
    // partitions not yet opened or not drained are paused and resumed on the shared consumer.
    const topic = uniqueTopic('shared');
    await admin.createTopic(topic, { partitions: 6 });
    await admin.produce(
      topic,
      Array.from({ length: 600 }, (_, i) => ({ partition: String(i % 6), key: i % 7 === 0 ? null : `k${i}`, value: i % 11 === 0 ? null : `v${i}`.repeat(5), headers: (i % 3 === 0 ? { seq: String(i), n: 'x' } : {}) as Record<string, string> })),
    );
    const small = await open({ consumer: { bufferMessages: 20, maxBytesPerPartition: 1024 } });
    try {
      const expected = (await all(small.consumeRange(topic))).map((m) => [Number(m.partition), Number(m.position), text(m.key), text(m.value), Object.entries(m.headers).map(([k, v]) => [k, text(v)])] as const);
      const frame = await small.readTable(topic, { fetchSize: 7 });
      const rows = (await collectRows(frame)).map((r) => [Number(r.partition), Number(r.offset), text(r.key as Uint8Array | null), text(r.value as Uint8Array | null), Array.from(r.headers as Iterable<{ key: string; value: Uint8Array }>, (h) => [h.key, text(h.value)])] as const);
      const order = (a: readonly [number, number, ...unknown[]], b: readonly [number, number, ...unknown[]]) => a[0] - b[0] || a[1] - b[1];
      expect(expected).toHaveLength(600);
      expect(rows.sort(order)).toEqual(expected.sort(order));
      // The read is re-runnable: a second run of the same frame reads the same rows.
      expect(await collectRows(frame)).toHaveLength(600);
      // maxMessages: one engine partition over all topic partitions, capped.
      expect(await collectRows(await small.readTable(topic, { options: { maxMessages: '45' } }))).toHaveLength(45);
    } finally {
      await small.close();
    }
  });

  it('an end beyond the log stops at the end ("until caught up")', async () => {
    await ready;
    const got = await all(admin.consumeRange(topic, { partitions: ['0'], to: { positions: { '0': '1000' } } }));
    expect(got).toHaveLength(10);
  });

  it('describes partitions with earliest and latest offsets, and discovers the topic', async () => {
    await ready;
    expect(await admin.describeTopic(topic)).toEqual({
      partitions: [
        { id: '0', earliest: '0', latest: '10' },
        { id: '1', earliest: '0', latest: '10' },
      ],
    });
    const found = (await admin.discover({ offsets: true, pattern: `^${topic}$` }))[0];
    expect(found).toMatchObject({ name: topic, partitions: 2, messages: 20 });
    expect(found!.columns.map((c) => c.name)).toEqual(['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'headers']);
    const sampled = (await admin.discover({ pattern: `^${topic}$`, sample: 3 }))[0]!;
    expect(sampled.sampled).toEqual({ messages: 6, notJson: 0 });
    expect(sampled.valueSchema?.map((c) => [c.name, c.type])).toEqual([['i', 'int64']]);
  });

  it('check() describes the configured topic (metadata only)', async () => {
    await ready;
    await using kafka = await open({ topic });
    const report = await kafka.check();
    expect(report.ok).toBe(true);
    expect(JSON.stringify(report)).toContain(`${topic}: 2 partition(s)`);
  });
});
