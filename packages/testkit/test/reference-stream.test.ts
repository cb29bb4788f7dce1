/** The stream suite against its in-memory reference (the suite testing itself), plus what only the reference can show. */
import { describe, expect, it } from 'vitest';
import { getConnection, registerConnection, SparkleError, type ColumnSpec, type ConsumeRangeOptions, type StreamMessage } from '@sparkle/core';
import { collectRows, MemoryStreamConnection, testStream } from '../src/index.js';

/** A stream with a system-specific column (as Pub/Sub adds message ids): filled from `extra`, null where a message has none. */
class ExtraColumnStream extends MemoryStreamConnection {
  protected override streamExtraColumns(): ColumnSpec[] {
    return [{ name: 'note', type: 'utf8' }];
  }

  override async *consumeRange(topic: string, options: ConsumeRangeOptions = {}): AsyncGenerator<StreamMessage> {
    for await (const m of super.consumeRange(topic, options)) yield m.position === '0' ? m : { ...m, extra: { note: `at ${m.position}` } };
  }
}
registerConnection('memory_stream_extra', ExtraColumnStream);

testStream({
  type: 'memory_stream',
  config: { cluster: 'suite-stream' },
  createTopic: (conn, topic, partitions) => (conn as MemoryStreamConnection).createTopic(topic, partitions),
});

describe('streamExtraColumns', () => {
  it('adds the columns after the standard ones, filled from each message\'s extra (null when absent)', async () => {
    await using stream = (await getConnection('memory_stream_extra', { config: { cluster: 'extra' }, dotenv: false, variables: {} })) as ExtraColumnStream;
    await stream.createTopic('noted', 1);
    await stream.produce('noted', ['a', 'b'].map((value) => ({ value })));
    const rows = await collectRows(await stream.readTable('noted'));
    expect(Object.keys(rows[0]!)).toEqual(['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'headers', 'note']);
    expect(rows.map((r) => r.note)).toEqual([null, 'at 1']);
    const projected = await collectRows(await stream.readTable('noted', { columns: ['note'] }));
    expect(projected).toEqual([{ note: null }, { note: 'at 1' }]);
  });
});

describe('memory_stream specifics', () => {
  const open = async () => (await getConnection('memory_stream', { config: { cluster: 'specifics' }, dotenv: false, variables: {} })) as MemoryStreamConnection;

  it('keeps keyed records of one key in one partition, in order', async () => {
    await using stream = await open();
    await stream.createTopic('keyed', 4);
    await stream.produce('keyed', Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 3}`, value: String(i) })));
    const seen = new Map<string, { partition: string; values: number[] }>();
    for await (const m of stream.consumeRange('keyed')) {
      const key = new TextDecoder().decode(m.key!);
      const entry = seen.get(key) ?? { partition: m.partition, values: [] };
      expect(m.partition).toBe(entry.partition);
      entry.values.push(Number(new TextDecoder().decode(m.value!)));
      seen.set(key, entry);
    }
    for (const { values } of seen.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
    expect([...seen.values()].reduce((n, e) => n + e.values.length, 0)).toBe(20);
  });

  it('commits across a gap only once the gap is acked', async () => {
    await using stream = await open();
    await stream.createTopic('gaps', 1);
    await stream.produce('gaps', ['a', 'b', 'c'].map((value) => ({ value })));
    const first = [];
    for await (const d of stream.subscribe('gaps', { group: 'g', from: 'earliest', signal: AbortSignal.timeout(5000) })) {
      first.push(d);
      if (first.length === 3) break;
    }
    await first[1]!.ack(); // b acked, a not: nothing is committed yet
    await first[2]!.ack();
    const second = [];
    for await (const d of stream.subscribe('gaps', { group: 'g', signal: AbortSignal.timeout(5000) })) {
      second.push(new TextDecoder().decode(d.value!));
      await d.ack(); // acking a commits a, b and c
      break;
    }
    expect(second).toEqual(['a']);
    await stream.produce('gaps', [{ value: 'd' }]);
    for await (const d of stream.subscribe('gaps', { group: 'g', signal: AbortSignal.timeout(5000) })) {
      expect(new TextDecoder().decode(d.value!)).toBe('d');
      break;
    }
  });

  it('refuses a second member of a group while the first is subscribed', async () => {
    await using stream = await open();
    await stream.createTopic('members', 1);
    await stream.produce('members', [{ value: 'x' }]);
    const controller = new AbortController();
    const first = stream.subscribe('members', { group: 'm', from: 'earliest', signal: controller.signal })[Symbol.asyncIterator]();
    await first.next();
    const error = await (async () => {
      for await (const _ of stream.subscribe('members', { group: 'm', signal: AbortSignal.timeout(2000) })) break;
    })().then(() => undefined, (e: unknown) => e);
    expect((error as SparkleError).code).toBe('INVALID_ARGUMENT');
    controller.abort();
    await first.return?.();
  });

  it('wakes a waiting subscriber when a message arrives', async () => {
    await using stream = await open();
    await stream.createTopic('wake', 2);
    const got = (async () => {
      for await (const d of stream.subscribe('wake', { group: 'w', signal: AbortSignal.timeout(5000) })) return new TextDecoder().decode(d.value!);
      return undefined;
    })();
    await new Promise((r) => setImmediate(r));
    await stream.produce('wake', [{ value: 'hello', partition: '1' }]);
    await expect(got).resolves.toBe('hello');
  });

  it('closing the connection ends a subscription waiting for messages', async () => {
    const stream = await open();
    await stream.createTopic('closing', 1);
    const ended = (async () => {
      let n = 0;
      for await (const _ of stream.subscribe('closing', { group: 'c', signal: AbortSignal.timeout(5000) })) n++;
      return n;
    })();
    await new Promise((r) => setImmediate(r));
    await stream.close();
    await expect(ended).resolves.toBe(0);
  });

  it('describes its health topic in the probe tier', async () => {
    await using stream = (await getConnection('memory_stream', { config: { cluster: 'specifics', healthTopic: 'health' }, dotenv: false, variables: {} })) as MemoryStreamConnection;
    await stream.createTopic('health', 2);
    const report = await stream.check();
    expect(report.ok).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')).toMatchObject({ status: 'ok', message: 'health: 2 partition(s)' });
    await using unnamed = await open();
    expect((await unnamed.check()).steps.find((s) => s.tier === 'probe')?.status).toBe('skipped');
  });

  it('refuses a record for a partition the topic does not have', async () => {
    await using stream = await open();
    await stream.createTopic('narrow', 1);
    const error = await stream.produce('narrow', [{ value: 'x', partition: '3' }]).then(() => undefined, (e: unknown) => e);
    expect((error as SparkleError).code).toBe('INVALID_ARGUMENT');
  });
});
