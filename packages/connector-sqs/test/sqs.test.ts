/**
 * The sqs connection against a real SQS API: the moto server (tools/services/ensure-moto.sh,
 * started by the global setup). Conformance, the stream suite in queue mode, FIFO, batching
 * limits, visibility and typed errors.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getConnection, type SparkleError } from '@sparkle/core';
import { testConnector, testStream } from '@sparkle/testkit';
import { SqsConnection } from '../src/index.js';

const endpoint = process.env.SPARKLE_TEST_AWS_ENDPOINT ?? 'http://127.0.0.1:4566';
const region = process.env.SPARKLE_TEST_AWS_REGION ?? 'us-east-1';
const credentials = { accessKeyId: 'AKIAMOTOSPARKLE', secretAccessKey: 'moto-secret-never-printed' };
/** Each test file uses its own queue names: moto's state is shared by every test process. */
const run = `${process.pid}_${Date.now().toString(36)}`;
const base = { region, endpoint, credentials, readWaitSeconds: 1, waitTimeSeconds: 1 };

const open = (extra: Record<string, unknown> = {}) => getConnection<SqsConnection>('sqs', { config: { ...base, ...extra }, dotenv: false, variables: {} });
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : b);
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

testConnector({
  type: 'sqs',
  aliases: ['aws_sqs'],
  connectionClass: SqsConnection,
  validConfig: { ...base, queue: `sqs_conf_${run}`, credentials: { ...credentials, sessionToken: 'session-token-never-printed' } },
  secretFields: ['credentials.secretAccessKey', 'credentials.sessionToken'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { ...base, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 },
});

// The stream capability suite against moto, in queue mode (one partition, positions only on FIFO queues).
testStream({
  type: 'sqs',
  config: base,
  namePrefix: `sqs_ct_${process.pid}`,
  partitions: 1,
  queue: true,
  createTopic: async (conn, topic) => {
    await (conn as SqsConnection).createQueue(topic);
  },
});

describe('sqs against moto', () => {
  it('check() describes the configured queue; a missing queue is a typed error naming the fix', async () => {
    await using admin = await open();
    const queue = `sqs_check_${run}`;
    await admin.createQueue(queue);
    await using conn = await open({ queue });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toContain(`${queue}: 1 partition(s)`);
    const missing = (await conn.describeTopic(`sqs_missing_${run}`).catch((e: unknown) => e)) as SparkleError;
    expect(missing.code).toBe('QUERY_FAILED');
    expect(missing.message).toMatch(/does not exist.*createQueues: true/);
    expect(missing.retryable).toBe(false);
  });

  it('describes a queue with its approximate counts', async () => {
    await using conn = await open();
    const queue = `sqs_describe_${run}`;
    await conn.createQueue(queue);
    await conn.produce(queue, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const attributes = await conn.describeQueue(queue);
    expect(attributes.ApproximateNumberOfMessages).toBe('3');
    // A bounded read is a peek: the messages are still there afterwards.
    expect(await all(conn.consumeRange(queue))).toHaveLength(3);
    expect((await conn.describeQueue(queue)).ApproximateNumberOfMessages).toBe('3');
  });

  it('creates a missing queue on produce only when createQueues is set', async () => {
    await using conn = await open({ createQueues: true });
    const queue = `sqs_created_${run}`;
    const result = await conn.produce(queue, [{ value: 'x' }]);
    expect(result.messages).toBe(1);
    expect((await conn.describeQueue(queue)).ApproximateNumberOfMessages).toBe('1');
  });

  it('sends more records than one batch, in groups of at most 10, every record once', async () => {
    await using conn = await open();
    const queue = `sqs_batches_${run}`;
    await conn.createQueue(queue);
    const progress: number[] = [];
    const result = await conn.produce(
      queue,
      (async function* () {
        for (let i = 0; i < 37; i++) yield { key: `k${i}`, value: JSON.stringify({ i }) };
      })(),
      { onProgress: (messages) => progress.push(messages) },
    );
    expect(result.messages).toBe(37);
    expect(progress).toEqual([10, 20, 30, 37]);
    const back = await all(conn.consumeRange(queue));
    expect(back.map((m) => JSON.parse(text(m.value)!).i).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect(back.every((m) => text(m.key) === `k${JSON.parse(text(m.value)!).i}`)).toBe(true);
  });

  it('splits batches by the 256 KiB limit and refuses an oversized message with a typed error', async () => {
    await using conn = await open();
    const queue = `sqs_sizes_${run}`;
    await conn.createQueue(queue);
    const big = 'x'.repeat(100 * 1024);
    const result = await conn.produce(queue, [{ value: big }, { value: big }, { value: big }]);
    expect(result.messages).toBe(3);
    const back = await all(conn.consumeRange(queue));
    expect(back.map((m) => m.value!.byteLength)).toEqual([big.length, big.length, big.length]);
    const tooBig = (await conn.produce(queue, [{ value: 'y' }, { value: 'z'.repeat(257 * 1024) }]).catch((e: unknown) => e)) as SparkleError;
    expect(tooBig.code).toBe('INVALID_ARGUMENT');
    expect(tooBig.message).toMatch(/record 1 is \d+ bytes.*256 KiB/);
  });

  it('keeps binary values, null values, binary headers and the record timestamp', async () => {
    await using conn = await open();
    const queue = `sqs_binary_${run}`;
    await conn.createQueue(queue);
    const at = new Date(Date.UTC(2024, 5, 1));
    await conn.produce(queue, [
      { key: new Uint8Array([1, 2]), value: new Uint8Array([0, 255, 7]), headers: { raw: new Uint8Array([0, 1]) }, timestamp: at },
      { value: null },
    ]);
    const [a, b] = await all(conn.consumeRange(queue));
    expect(a!.value).toEqual(new Uint8Array([0, 255, 7]));
    expect(a!.key).toEqual(new Uint8Array([1, 2]));
    expect(a!.headers.raw).toEqual(new Uint8Array([0, 1]));
    expect(a!.timestamp).toEqual(at);
    expect(a!.position).toBeUndefined();
    expect(b!.value).toBeNull();
    expect(b!.key).toBeNull();
    expect(b!.timestamp).toBeInstanceOf(Date);
  });

  it('FIFO: group id from orderingKey or key, generated deduplication ids, sequence numbers as positions', async () => {
    await using conn = await open();
    const queue = `sqs_fifo_${run}.fifo`;
    await conn.createQueue(queue);
    const result = await conn.produce(queue, [
      { orderingKey: 'g1', value: 'a' },
      { key: 'g2', value: 'b' },
      { value: 'c' },
      { orderingKey: 'g1', value: 'a' }, // same body: a distinct generated deduplication id keeps it
    ]);
    expect(result.positions?.['0']).toMatch(/^\d+$/);
    const back = await all(conn.consumeRange(queue));
    expect(back.map((m) => text(m.value))).toEqual(['a', 'b', 'c', 'a']);
    // moto draws FIFO sequence numbers at random (AWS increases them per group): only their form is checked.
    for (const m of back) expect(m.position).toMatch(/^\d+$/);
    const standard = (await conn.produce(`sqs_describe_${run}`, [{ orderingKey: 'g', value: 'x' }]).catch((e: unknown) => e)) as SparkleError;
    expect(standard.code).toBe('INVALID_ARGUMENT');
    expect(standard.message).toMatch(/FIFO queue/);
  });

  it("boundedRead 'delete' drains what it read; maxMessages leaves the rest", async () => {
    await using conn = await open({ boundedRead: 'delete' });
    const queue = `sqs_drain_${run}`;
    await conn.createQueue(queue);
    await conn.produce(queue, Array.from({ length: 15 }, (_, i) => ({ value: String(i) })));
    expect(await all(conn.consumeRange(queue, { maxMessages: 12 }))).toHaveLength(12);
    expect((await conn.describeQueue(queue)).ApproximateNumberOfMessages).toBe('3');
    expect(await all(conn.consumeRange(queue))).toHaveLength(3);
    expect(await all(conn.consumeRange(queue))).toHaveLength(0);
  });

  it('refuses positions and timestamps for a queue', async () => {
    await using conn = await open();
    const err = (await all(conn.consumeRange(`sqs_describe_${run}`, { from: { positions: { '0': '1' } } })).catch((e: unknown) => e)) as SparkleError;
    expect(err.code).toBe('UNSUPPORTED');
  });

  it('extends the visibility of a held message, so nobody else receives it; nack returns it', async () => {
    await using conn = await open({ visibilityTimeout: 1 });
    const queue = `sqs_visibility_${run}`;
    await conn.createQueue(queue);
    await conn.produce(queue, [{ value: 'held' }]);
    for await (const d of conn.subscribe(queue, { group: 'g', signal: AbortSignal.timeout(20_000) })) {
      // Held past three visibility timeouts: without the extension a second receiver would get it.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await using other = await open();
      expect(await all(other.consumeRange(queue))).toHaveLength(0);
      await d.nack!();
      expect((await all(other.consumeRange(queue))).map((m) => text(m.value))).toEqual(['held']);
      break;
    }
  });

  it('wrong credentials against a service that checks them, and an unreachable endpoint, are typed and secret-free', async () => {
    await using conn = await open({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const err = (await conn.describeTopic('q').catch((e: unknown) => e)) as SparkleError;
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.retryable).toBe(true);
    for (const shown of [err.message, inspect(err, { depth: 5 }), JSON.stringify(err), String(conn), inspect(conn, { depth: 5 })]) {
      expect(shown).not.toContain(credentials.secretAccessKey);
    }
  });

  it('has no Spark source: with a Spark engine it refuses clearly', async () => {
    await using conn = await open();
    expect('sparkRead' in conn).toBe(false);
  });
});
