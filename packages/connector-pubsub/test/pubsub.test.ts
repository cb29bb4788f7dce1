/**
 * The pubsub connection against Google's own in-memory Pub/Sub fake, `pstest`
 * (tools/services/ensure-pubsub.sh, started by the global setup), through the real
 * @google-cloud/pubsub client over gRPC: conformance, the stream suite in queue mode, produce
 * batching and limits, peek vs remove reads, lease extension, dead letters, discovery and errors.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collectRows, testConnector, testStream } from '@sparkle/testkit';
import { getConnection, type SparkleError } from '@sparkle/core';
import { PubsubConnection, type PubsubDelivery } from '../src/index.js';

const emulatorHost = process.env.SPARKLE_TEST_PUBSUB_EMULATOR_HOST ?? '127.0.0.1:8085';
/** A project of this test file's own: pstest's state is shared by every test process. */
const projectId = `sparkle-${process.pid}-${Date.now().toString(36)}`;
// pstest answers an empty Pull after 500 ms and hands out everything available at once: one empty pull means caught up.
const base = { emulatorHost, projectId, emptyPullsToStop: 1 };
/** A key of the right shape, never valid anywhere: what testConnector checks is that it is never printed. */
const fakeKey = JSON.stringify({ type: 'service_account', project_id: projectId, client_email: 'sparkle@example.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nnot-a-real-key-never-printed\n-----END PRIVATE KEY-----\n' });

const open = (extra: Record<string, unknown> = {}) => getConnection<PubsubConnection>('pubsub', { config: { ...base, ...extra }, dotenv: false, variables: {} });
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : b);
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
let n = 0;
const unique = (label: string) => `${label}_${++n}`;
/** A topic and a subscription of the same name (the subscription exists before anything is published). */
async function topicWithSubscription(conn: PubsubConnection, name: string, options: Parameters<PubsubConnection['createSubscription']>[2] = {}) {
  await conn.createTopic(name);
  await conn.createSubscription(name, name, options);
}

testConnector({
  type: 'pubsub',
  aliases: ['google_pubsub'],
  connectionClass: PubsubConnection,
  validConfig: { ...base, credentials: { serviceAccountJson: fakeKey } },
  secretFields: ['credentials.serviceAccountJson'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: false, health: true },
  unreachableConfig: { emulatorHost: '127.0.0.1:1', projectId, timeoutMs: 2000 },
});

// The stream capability suite against pstest, in queue mode: one partition, no positions; each
// suite topic gets a subscription of the same name before the suite publishes to it.
testStream({
  type: 'pubsub',
  config: base,
  namePrefix: `ps_ct_${process.pid}`,
  partitions: 1,
  queue: true,
  createTopic: async (conn, topic) => {
    await topicWithSubscription(conn as PubsubConnection, topic);
  },
});

describe('pubsub against pstest', () => {
  it('check() describes the configured subscription; unknown names are typed errors naming the fix', async () => {
    await using admin = await open();
    const name = unique('check');
    await topicWithSubscription(admin, name);
    await using conn = await open({ subscription: name });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toContain(`${name}: 1 partition(s)`);
    const missing = (await conn.describeTopic(unique('nowhere')).catch((e: unknown) => e)) as SparkleError;
    expect(missing.code).toBe('QUERY_FAILED');
    expect(missing.retryable).toBe(false);
    expect(missing.message).toMatch(/neither a subscription nor a topic named .* does not exist in project/);
    const noTopic = (await conn.produce(unique('missing_topic'), [{ value: 'x' }]).catch((e: unknown) => e)) as SparkleError;
    expect(noTopic.code).toBe('QUERY_FAILED');
    expect(noTopic.message).toMatch(/topic 'missing_topic_\d+' does not exist.*createTopics: true/);
    expect(noTopic.details.grpcStatus).toBe('NOT_FOUND');
    // A read of a topic (not a subscription) says what reads take.
    const topicOnly = unique('topic_only');
    await admin.createTopic(topicOnly);
    const wrongKind = (await all(conn.consumeRange(topicOnly)).catch((e: unknown) => e)) as SparkleError;
    expect(wrongKind.code).toBe('INVALID_ARGUMENT');
    expect(wrongKind.message).toMatch(/is a Pub\/Sub topic, and reads take a subscription/);
    const noSub = (await all(conn.consumeRange(unique('no_sub'))).catch((e: unknown) => e)) as SparkleError;
    expect(noSub.message).toMatch(/subscription 'no_sub_\d+' does not exist/);
  });

  it('discover() lists topics and subscriptions with their topic and dead-letter policy', async () => {
    await using conn = await open();
    const name = unique('disc');
    await topicWithSubscription(conn, name);
    await conn.createTopic(`${name}_dead`);
    await conn.createSubscription(`${name}_dl`, name, { deadLetterTopic: `${name}_dead`, maxDeliveryAttempts: 5 });
    const found = await conn.discover({ pattern: `^${name}` });
    expect(found.map((r) => [r.kind, r.name, r.topic])).toEqual([
      ['subscription', name, name],
      ['subscription', `${name}_dl`, name],
      ['topic', name, undefined],
      ['topic', `${name}_dead`, undefined],
    ]);
    expect(found[1]!.deadLetter).toEqual({ topic: `${name}_dead`, maxDeliveryAttempts: 5 });
    expect(found[0]!.columns.map((c) => c.name)).toContain('message_id');
  });

  it('publishes in batches with bounded bytes in flight, every record once, with attributes and ordering keys', async () => {
    await using conn = await open({ batchMessages: 7 });
    const name = unique('batches');
    await topicWithSubscription(conn, name);
    const progress: number[] = [];
    let pulled = 0;
    let mostAhead = 0;
    const result = await conn.produce(
      name,
      (async function* () {
        for (let i = 0; i < 60; i++) {
          pulled++;
          yield { key: `k${i}`, value: JSON.stringify({ i }), headers: { source: 'web' }, ...(i % 2 ? { orderingKey: `o${i % 3}` } : {}) };
        }
      })(),
      {
        maxInFlightBytes: 200,
        onProgress: (messages) => {
          progress.push(messages);
          mostAhead = Math.max(mostAhead, pulled - messages);
        },
      },
    );
    expect(result.messages).toBe(60);
    // Backpressure: records are pulled from the iterator only as publishes complete (each is ~40
    // bytes with its attributes, so a 200-byte window holds a handful), never the whole input.
    expect(mostAhead).toBeLessThanOrEqual(8);
    expect(progress.at(-1)).toBe(60);
    // A 200-byte window holds only a few messages: progress was reported as each settled.
    expect(progress.length).toBeGreaterThan(10);
    const back = await all(conn.consumeRange(name));
    expect(back.map((m) => JSON.parse(text(m.value)!).i).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const m of back) {
      const i = JSON.parse(text(m.value)!).i as number;
      expect(text(m.key)).toBe(`k${i}`);
      expect(text(m.headers.source)).toBe('web');
      expect(Object.keys(m.headers)).toEqual(['source']);
      expect(m.extra?.ordering_key).toBe(i % 2 ? `o${i % 3}` : null);
      expect(m.extra?.message_id).toEqual(expect.any(String));
      expect(m.extra?.publish_time).toBeInstanceOf(Date);
      expect(m.position).toBeUndefined();
    }
  });

  it('keeps binary values and headers, null values and the record timestamp; orderingKeyFromKey', async () => {
    await using conn = await open({ orderingKeyFromKey: true });
    const name = unique('binary');
    await topicWithSubscription(conn, name);
    const at = new Date(Date.UTC(2024, 5, 1));
    await conn.produce(name, [
      { key: 'user-1', value: new Uint8Array([0, 255, 7]), headers: { raw: new Uint8Array([0, 1, 254]) }, timestamp: at },
      { value: null },
    ]);
    const back = await all(conn.consumeRange(name));
    const a = back.find((m) => m.value !== null)!;
    const b = back.find((m) => m.value === null)!;
    expect(a.value).toEqual(new Uint8Array([0, 255, 7]));
    expect(a.headers.raw).toEqual(new Uint8Array([0, 1, 254]));
    expect(a.timestamp).toEqual(at);
    expect(a.extra?.ordering_key).toBe('user-1');
    expect(b.key).toBeNull();
    expect(b.timestamp).toEqual(b.extra?.publish_time);
  });

  it('refuses an oversized message, too-large attributes and an empty message before sending anything', async () => {
    await using conn = await open();
    const name = unique('sizes');
    await topicWithSubscription(conn, name);
    const big = (await conn.produce(name, [{ value: 'ok' }, { value: new Uint8Array(10_000_001) }]).catch((e: unknown) => e)) as SparkleError;
    expect(big.code).toBe('INVALID_ARGUMENT');
    expect(big.message).toMatch(/record 1 is \d+ bytes.*10 MB/);
    const attribute = (await conn.produce(name, [{ value: 'x', headers: { h: 'v'.repeat(2000) } }]).catch((e: unknown) => e)) as SparkleError;
    expect(attribute.message).toMatch(/attribute 'h' is 2000 bytes/);
    const empty = (await conn.produce(name, [{ value: '' }]).catch((e: unknown) => e)) as SparkleError;
    expect(empty.message).toMatch(/neither data nor attributes/);
    // The first record of the failed batch was published before record 1 was refused.
    expect((await all(conn.consumeRange(name))).map((m) => text(m.value))).toEqual(['ok']);
  });

  it('an emulator without projectId uses a fixed project name instead of asking Application Default Credentials', async () => {
    await using conn = await getConnection<PubsubConnection>('pubsub', { config: { emulatorHost }, dotenv: false, variables: {} });
    expect(conn.projectId).toBe('sparkle-emulator');
    const name = unique(`noproject_${process.pid}`);
    await conn.createTopic(name);
    expect((await conn.describePubsubTopic(name)).name).toBe(`projects/sparkle-emulator/topics/${name}`);
    expect((await conn.check()).ok).toBe(true);
  });

  it("creates a missing topic on produce only with createTopics", async () => {
    await using conn = await open({ createTopics: true });
    const name = unique('created');
    expect((await conn.produce(name, [{ value: 'x' }])).messages).toBe(1);
    expect((await conn.describePubsubTopic(name)).name).toBe(`projects/${projectId}/topics/${name}`);
  });

  it("peek reads leave every message; 'remove' acknowledges what it read; maxMessages and last", async () => {
    await using conn = await open();
    const name = unique('peek');
    await topicWithSubscription(conn, name);
    await conn.produce(name, Array.from({ length: 15 }, (_, i) => ({ value: String(i) })));
    expect(await all(conn.consumeRange(name))).toHaveLength(15);
    expect(await all(conn.consumeRange(name))).toHaveLength(15);
    const last = await all(conn.consumeRange(name, { last: 3 }));
    expect(last.map((m) => text(m.value))).toEqual(['12', '13', '14']);
    expect(await all(conn.consumeRange(name, { maxMessages: 12, mode: 'remove' }))).toHaveLength(12);
    expect(await all(conn.consumeRange(name))).toHaveLength(3);
    expect(await all(conn.consumeRange(name, { mode: 'remove' }))).toHaveLength(3);
    expect(await all(conn.consumeRange(name))).toHaveLength(0);
    const err = (await all(conn.consumeRange(name, { from: { positions: { '0': '1' } } })).catch((e: unknown) => e)) as SparkleError;
    expect(err.code).toBe('UNSUPPORTED');
  });

  it('reads JSON values through the local engine with Pub/Sub columns; invalid JSON goes to an error column or fails', async () => {
    await using conn = await open();
    const name = unique('json');
    await topicWithSubscription(conn, name);
    await conn.produce(name, [{ value: '{"id":1}', orderingKey: 'a' }, { value: 'not json' }]);
    const rows = await collectRows(await conn.readTable(name, { options: { valueFormat: 'json', onInvalidPayload: 'errorColumn' } }));
    expect(Object.keys(rows[0]!)).toEqual(['key', 'value', 'value_error', 'topic', 'partition', 'position', 'timestamp', 'headers', 'message_id', 'publish_time', 'ordering_key', 'delivery_attempt']);
    const good = rows.find((r) => r.value !== null)!;
    expect(JSON.parse(good.value as string)).toEqual({ id: 1 });
    expect(good.ordering_key).toBe('a');
    expect(good.partition).toBe(0);
    const bad = rows.find((r) => r.value === null)!;
    expect(bad.value_error).toMatch(/not valid JSON/);
    const refused = (await conn.readTable(name, { options: { valueFormat: 'json' } }).then((f) => collectRows(f)).catch((e: unknown) => e)) as SparkleError;
    expect(refused.code).toBe('INVALID_ARGUMENT');
    expect(refused.message).toMatch(/not valid JSON.*onInvalidPayload 'errorColumn'/);
    // Both reads were peeks: the messages are still there.
    expect(await all(conn.consumeRange(name))).toHaveLength(2);
  });

  it('extends the lease of a held message past the subscription deadline; nack gives it back', async () => {
    await using conn = await open({ ackDeadlineSeconds: 2 });
    const name = unique('lease');
    await topicWithSubscription(conn, name, { ackDeadlineSeconds: 1 });
    await conn.produce(name, [{ value: 'held' }]);
    for await (const d of conn.subscribe(name, { group: 'g', signal: AbortSignal.timeout(20_000) })) {
      // Held past three subscription deadlines: without modifyAckDeadline another reader would get it.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await using other = await open();
      expect(await all(other.consumeRange(name))).toHaveLength(0);
      await d.nack!();
      expect((await all(other.consumeRange(name))).map((m) => text(m.value))).toEqual(['held']);
      break;
    }
  });

  it('dead-letters a message nacked maxDeliveryAttempts times, counting delivery attempts', async () => {
    await using conn = await open();
    const name = unique('dlq');
    const dead = `${name}_dead`;
    await conn.createTopic(name);
    await conn.createTopic(dead);
    await conn.createSubscription(dead, dead);
    await conn.createSubscription(name, name, { deadLetterTopic: dead, maxDeliveryAttempts: 5 });
    await conn.produce(name, [{ value: 'poison', headers: { reason: 'bad' } }]);
    const attempts: Array<number | undefined> = [];
    const stop = new AbortController();
    const deadline = AbortSignal.timeout(20_000);
    await (async () => {
      for await (const d of conn.subscribe(name, { group: 'g', signal: AbortSignal.any([stop.signal, deadline]) })) {
        attempts.push((d as PubsubDelivery).deliveryAttempt);
        await d.nack!();
        if (attempts.length === 5) stop.abort();
      }
    })().catch((e: unknown) => {
      if ((e as SparkleError).code !== 'ABORTED') throw e;
    });
    expect(deadline.aborted).toBe(false);
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    // pstest keeps re-publishing a dead-lettered message (its own ack of it is refused after a
    // nack), so the dead-letter subscription is read with maxMessages rather than until caught up.
    let deadLettered: Array<{ value: Uint8Array | null; headers: Record<string, Uint8Array> }> = [];
    for (let i = 0; i < 20 && deadLettered.length === 0; i++) deadLettered = await all(conn.consumeRange(dead, { maxMessages: 1 }));
    expect(deadLettered.map((m) => text(m.value))).toEqual(['poison']);
    expect(text(deadLettered[0]!.headers.reason)).toBe('bad');
    expect(await all(conn.consumeRange(name))).toHaveLength(0);
  });

  it('wrong credentials shape is a config error that never prints the key; an unreachable emulator is typed', async () => {
    const withKey = (key: string) => getConnection('pubsub', { config: { projectId, credentials: { serviceAccountJson: key } }, dotenv: false, variables: {} }).catch((e: unknown) => e);
    const secretKey = '-----BEGIN PRIVATE KEY-----\nsecret-material-never-printed\n';
    const user = (await withKey(JSON.stringify({ type: 'authorized_user', private_key: secretKey }))) as SparkleError;
    expect(user.code).toBe('CONFIG_INVALID');
    expect(user.message).toMatch(/serviceAccountJson.*'authorized_user' key, not a service-account key/);
    const notJson = (await withKey(`{ "private_key": "${secretKey.replace(/\n/g, '\\n')}", oops }`)) as SparkleError;
    expect(notJson.code).toBe('CONFIG_INVALID');
    expect(notJson.message).toMatch(/is not valid JSON/);
    const noEmail = (await withKey(JSON.stringify({ type: 'service_account', private_key: secretKey }))) as SparkleError;
    expect(noEmail.message).toMatch(/has no client_email/);
    for (const e of [user, notJson, noEmail]) {
      for (const shown of [e.message, inspect(e, { depth: 6 }), JSON.stringify(e)]) expect(shown).not.toContain('secret-material-never-printed');
    }
    await using down = await open({ emulatorHost: '127.0.0.1:1', timeoutMs: 1500 });
    const err = (await down.describeTopic('t').catch((e: unknown) => e)) as SparkleError;
    expect(['CONNECTION_FAILED', 'TIMEOUT']).toContain(err.code);
    expect(err.retryable).toBe(true);
  });

  it('has no Spark mapping: with a Spark engine it refuses (no sparkRead)', async () => {
    await using conn = await open();
    expect('sparkRead' in conn).toBe(false);
  });
});
