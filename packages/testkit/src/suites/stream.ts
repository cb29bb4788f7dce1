/**
 * `testStream`: the conformance suite of the stream capability. Produce, then read back as a
 * bounded range exactly once and in order per partition with typed positions; consumer groups
 * that commit only what was acknowledged (the rest is redelivered to the next subscriber, also
 * after an abort); the table view through the local engine in Spark's Kafka layout; lineage with
 * STREAMING runs in OpenLineage-valid events.
 */
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, SparkleError, type StreamConsumer, type StreamDelivery, type StreamMessage, type StreamProducer, type SparkleConnection } from '@sparkle/core';
import type { StreamSubscription, LineageSubscribeOptions } from '@sparkle/core';
import { arrowToolkit } from '@sparkle/engine-local';
import { collectRows } from '../conformance.js';
import { lineageProblems, runEventOf } from '../lineage.js';
import { all, liveSuite, rejection, text, uniqueName, type CapabilitySuiteOptions } from './common.js';

/** Options of {@link testStream}. */
export interface StreamSuiteOptions extends CapabilitySuiteOptions {
  /**
   * Creates a topic with `partitions` partitions before the suite produces to it (Kafka admin
   * `createTopics`, a Kinesis stream with shards). Default: the first `produce` creates it.
   */
  createTopic?: (connection: SparkleConnection<object>, topic: string, partitions: number) => Promise<void>;
  /** Positions of the system, as text. Default: decimal integers (Kafka offsets, Kinesis and Event Hubs sequence numbers). */
  positionPattern?: RegExp;
  /**
   * Orders two positions of one partition (negative, 0, positive). Default: as integers. Systems
   * whose positions are not one number (Pulsar's `ledgerId:entryId` message ids) give their own.
   */
  comparePositions?: (a: string, b: string) => number;
  /** Longest a subscription check waits for its messages before failing. Default 10 000 ms. */
  subscribeTimeoutMs?: number;
  /**
   * Partitions of the suite's topics (what `createTopic` is asked for, and what `describeTopic`
   * must report). Partition ids are taken from `describeTopic` (Kinesis shard ids, Event Hubs
   * partition ids). Default 3.
   */
  partitions?: number;
  /**
   * The system is a queue (SQS, Service Bus queues): messages may have no position, a bounded
   * read leaves them in the queue, and an ack removes a message for every subscriber — so the
   * consumer-group checks each work on a queue of their own, and position-range reads are not
   * asked for. Default false.
   */
  queue?: boolean;
}

type Stream = SparkleConnection<object> & StreamProducer & StreamConsumer & { subscribe(topic: string, options: LineageSubscribeOptions): StreamSubscription };

/** Records per partition: 4, or more when there are few partitions, so every check has at least 12 messages (maxMessages 5, ten for lineage). */
const perPartition = (partitions: number) => Math.max(4, Math.ceil(12 / partitions));

/** The records the suite produces: explicit partitions (from `ids`, the described partition ids), keys, text and binary values, headers. */
function records(topic: string, ids: readonly string[]) {
  const out = [];
  for (let i = 0; i < ids.length * perPartition(ids.length); i++) {
    const partition = ids[i % ids.length]!;
    out.push({
      partition,
      key: `k${i}`,
      value: i % 2 ? new Uint8Array([0, 255, i]) : JSON.stringify({ i, topic }),
      headers: { seq: String(i), 'content-type': i % 2 ? 'application/octet-stream' : 'application/json' },
      timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
    });
  }
  return out;
}

const byPartition = (messages: readonly StreamMessage[]) => {
  const map = new Map<string, StreamMessage[]>();
  for (const m of messages) map.set(m.partition, [...(map.get(m.partition) ?? []), m]);
  return map;
};

const seqOf = (m: StreamMessage) => Number(text(m.headers.seq));

/**
 * Registers the stream suite for one connection type.
 * @example
 * ```ts
 * testStream({ type: 'memory_stream', config: { cluster: 'suite' }, createTopic: (c, t, n) => (c as MemoryStreamConnection).createTopic(t, n) });
 * ```
 */
export function testStream(options: StreamSuiteOptions): void {
  const live = liveSuite(options);
  const prefix = options.namePrefix ?? 'sparkle_ct';
  const positionPattern = options.positionPattern ?? /^\d+$/;
  const comparePositions = options.comparePositions ?? ((a: string, b: string) => (BigInt(a) > BigInt(b) ? 1 : BigInt(a) < BigInt(b) ? -1 : 0));
  const timeoutMs = options.subscribeTimeoutMs ?? 10_000;
  const PARTITIONS = options.partitions ?? 3;
  const PER_PARTITION = perPartition(PARTITIONS);
  const queue = options.queue ?? false;
  const topic = uniqueName(prefix);
  let produced = false;
  /** Partition ids as `describeTopic` reports them, in numeric-aware order. */
  let ids: string[] = [];
  const sortIds = (list: string[]) => [...list].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

  /** Creates `name`, learns its partition ids, and produces the suite's records to it. */
  const fill = async (stream: Stream, name: string) => {
    await options.createTopic?.(stream, name, PARTITIONS);
    ids = sortIds((await stream.describeTopic(name)).partitions.map((p) => p.id));
    const result = await stream.produce(name, records(name, ids));
    expect(result.messages).toBe(PARTITIONS * PER_PARTITION);
  };

  const ready = async (stream: Stream) => {
    if (produced) return;
    await fill(stream, topic);
    produced = true;
  };

  /** The topic a consuming check uses: the shared one, or for a queue (acks remove messages) a fresh one filled alike. */
  const consumable = async (stream: Stream, label: string) => {
    await ready(stream);
    if (!queue) return topic;
    const name = uniqueName(`${prefix}_${label}`);
    await fill(stream, name);
    return name;
  };

  /** Takes `count` deliveries from a subscription (bounded by the timeout), then leaves it. */
  const take = async (stream: Stream, group: string, count: number, extra: Partial<LineageSubscribeOptions> & { topic?: string } = {}) => {
    const { topic: from = topic, ...rest } = extra;
    const got: StreamDelivery[] = [];
    const signal = rest.signal ?? AbortSignal.timeout(timeoutMs);
    for await (const d of stream.subscribe(from, { group, from: 'earliest', ...rest, signal })) {
      got.push(d);
      if (got.length >= count) break;
    }
    return got;
  };

  describe(`${options.type} stream conformance`, () => {
    it('is detected as a stream producer and consumer that reads and writes', async (ctx) => {
      const stream = await live.open<Stream>(ctx);
      for (const c of ['stream_produce', 'stream_consume', 'read', 'write'] as const) expect(capabilitiesOf(stream), `capability ${c}`).toContain(c);
    });

    it('produces with keys, headers and explicit partitions; positions are typed', async (ctx) => {
      const stream = await live.open<Stream>(ctx);
      await ready(stream);
      const described = await stream.describeTopic(topic);
      expect(described.partitions).toHaveLength(PARTITIONS);
      expect(sortIds(described.partitions.map((p) => p.id))).toEqual(ids);
      for (const p of described.partitions) {
        if (p.latest !== undefined) expect(p.latest).toMatch(positionPattern);
        if (p.earliest !== undefined) expect(p.earliest).toMatch(positionPattern);
      }
    });

    it('consumes a bounded range exactly once, in order per partition', async (ctx) => {
      const stream = await live.open<Stream>(ctx);
      await ready(stream);
      const messages = await all(stream.consumeRange(topic, { from: 'earliest', to: 'latest' }));
      expect(messages).toHaveLength(PARTITIONS * PER_PARTITION);
      const sent = records(topic, ids);
      expect(new Set(messages.map(seqOf)).size).toBe(sent.length);
      for (const [partition, list] of byPartition(messages)) {
        const seqs = list.map(seqOf);
        expect(seqs, `partition ${partition} in produce order`).toEqual([...seqs].sort((a, b) => a - b));
        // A queue may have no positions (SQS standard queues); a stream always has them.
        if (queue && list.every((m) => m.position === undefined)) continue;
        const positions = list.map((m) => m.position!);
        for (const p of positions) expect(p).toMatch(positionPattern);
        for (let i = 1; i < positions.length; i++) expect(comparePositions(positions[i]!, positions[i - 1]!)).toBeGreaterThan(0);
      }
      for (const m of messages) {
        const r = sent[seqOf(m)]!;
        expect(m.topic).toBe(topic);
        expect(m.partition).toBe(r.partition);
        expect(text(m.key)).toBe(r.key);
        expect(m.value).toEqual(typeof r.value === 'string' ? new TextEncoder().encode(r.value) : r.value);
        expect(text(m.headers['content-type'])).toBe(r.headers['content-type']);
        if (m.timestamp) expect(m.timestamp.getTime()).toBe(r.timestamp.getTime());
      }
    });

    it(queue ? 'stops at maxMessages (a queue has no positions to read from)' : 'reads from given positions, and stops at maxMessages', async (ctx) => {
      const stream = await live.open<Stream>(ctx);
      await ready(stream);
      if (!queue) {
        const p = ids[Math.min(1, ids.length - 1)]!;
        const first = await all(stream.consumeRange(topic, { partitions: [p] }));
        const from = first[2]!.position!;
        const rest = await all(stream.consumeRange(topic, { from: { positions: { [p]: from } }, partitions: [p] }));
        expect(rest.map(seqOf)).toEqual(first.slice(2).map(seqOf));
        const until = await all(stream.consumeRange(topic, { partitions: [p], to: { positions: { [p]: from } } }));
        expect(until.map(seqOf)).toEqual(first.slice(0, 2).map(seqOf));
      }
      expect(await all(stream.consumeRange(topic, { maxMessages: 5 }))).toHaveLength(5);
    });

    it('commits a consumer group only after ack: unacked messages are redelivered after re-subscribe', async (ctx) => {
      const stream = await live.open<Stream>(ctx);
      const source = await consumable(stream, 'group');
      const group = uniqueName('group');
      const total = PARTITIONS * PER_PARTITION;
      const firstRound = await take(stream, group, total, { topic: source });
      expect(new Set(firstRound.map(seqOf)).size).toBe(total);
      // Ack the first delivery of each partition only.
      const acked = [...byPartition(firstRound).values()].map((list) => list[0]!);
      for (const d of acked) await (d as StreamDelivery).ack();
      const secondRound = await take(stream, group, total - acked.length, { topic: source });
      const ackedSeqs = new Set(acked.map(seqOf));
      expect(new Set(secondRound.map(seqOf))).toEqual(new Set(firstRound.map(seqOf).filter((s) => !ackedSeqs.has(s))));
      for (const [partition, list] of byPartition(secondRound)) {
        const seqs = list.map(seqOf);
        expect(seqs, `partition ${partition} redelivered in order`).toEqual([...seqs].sort((a, b) => a - b));
      }
      for (const d of secondRound) await d.ack();
      // Everything acked: a third subscriber sees only new messages.
      await stream.produce(source, [{ partition: ids[0]!, key: 'late', value: 'late', headers: { seq: String(total) } }]);
      const third = await take(stream, group, 1, { topic: source });
      expect(third.map(seqOf)).toEqual([total]);
      await third[0]!.ack();
    });

    it('an aborted subscription ends cleanly and its unacked message comes back', async (ctx) => {
      const stream = await live.open<Stream>(ctx);
      const source = await consumable(stream, 'abort');
      const group = uniqueName('abort');
      live.lineage.clear();
      const controller = new AbortController();
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([controller.signal, deadline]);
      const seen: StreamDelivery[] = [];
      const outcome = await rejection(
        (async () => {
          for await (const d of stream.subscribe(source, { group, from: 'earliest', signal, lineageEvery: 0 })) {
            seen.push(d);
            controller.abort(new Error('suite aborts'));
          }
        })(),
      );
      if (outcome !== undefined) expect((outcome as SparkleError).code).toMatch(/^(ABORTED|TIMEOUT)$/);
      expect(deadline.aborted, 'ended by the abort, not the deadline').toBe(false);
      expect(seen).toHaveLength(1);
      const types = live.lineage.events.map((e) => e.eventType);
      expect(types[0]).toBe('START');
      expect(['ABORT', 'FAIL']).toContain(types.at(-1));
      // It comes back to the next member of the group. Which partition a multi-partition system
      // serves first is not fixed (Kafka: fetch response order), so look for it among the redeliveries.
      let back: StreamDelivery | undefined;
      for await (const d of stream.subscribe(source, { group, from: 'earliest', signal: AbortSignal.timeout(timeoutMs) })) {
        if (seqOf(d) === seqOf(seen[0]!)) {
          back = d;
          break;
        }
      }
      expect(back, `message ${seqOf(seen[0]!)} redelivered`).toBeDefined();
    });

    it('reports a subscription to lineage as a STREAMING run: START, RUNNING, COMPLETE', async (ctx) => {
      const stream = await live.open<Stream>(ctx);
      const source = await consumable(stream, 'lineage');
      live.lineage.clear();
      const subscription = stream.subscribe(source, { group: uniqueName('lineage'), from: 'earliest', lineageEvery: 4, signal: AbortSignal.timeout(timeoutMs) });
      let n = 0;
      for await (const d of subscription) {
        await d.ack();
        if (++n === 10) {
          await subscription.running();
          break;
        }
      }
      expect(subscription.messages).toBe(10);
      const types = live.lineage.events.map((e) => e.eventType);
      expect(types).toEqual(['START', 'RUNNING', 'RUNNING', 'RUNNING', 'COMPLETE']);
      for (const e of live.lineage.events) expect(e.spec.processingType).toBe('STREAMING');
      expect(live.lineage.events.at(-1)!.stats?.rows).toBe(10);
      expect(live.lineage.events[0]!.spec.inputs).toEqual([stream.dataset(source)]);
      const complete = runEventOf(live.lineage.events.at(-1)!);
      expect(complete.job.facets?.jobType?.processingType).toBe('STREAMING');
      expect(lineageProblems(live.lineage.events)).toEqual([]);
    });

    describe('tables through the local engine', () => {
      it("reads a topic in Spark's Kafka layout", async (ctx) => {
        const stream = await live.open<Stream>(ctx);
        await ready(stream);
        const rows = await collectRows(await stream.readTable(topic, { options: { startingOffsets: 'earliest' } }));
        expect(rows.length).toBeGreaterThanOrEqual(PARTITIONS * PER_PARTITION);
        const columns = Object.keys(rows[0]!);
        expect(columns.slice(0, 4)).toEqual(['key', 'value', 'topic', 'partition']);
        expect(columns).toContain('timestamp');
        expect(columns).toContain('headers');
        expect(columns.some((c) => c === 'offset' || c === 'position')).toBe(true);
        const sent = records(topic, ids);
        const first = rows.find((r) => text(r.key as Uint8Array) === 'k0')!;
        expect(text(first.value as Uint8Array)).toBe(sent[0]!.value as string);
        expect(first.topic).toBe(topic);
        const projected = await collectRows(await stream.readTable(topic, { columns: ['key', 'partition'], options: { maxMessages: '3' } }));
        expect(projected).toHaveLength(3);
        expect(Object.keys(projected[0]!)).toEqual(['key', 'partition']);
        const where = await rejection(stream.readTable(topic, { where: 'partition = 1' }).then((f) => collectRows(f)));
        expect((where as SparkleError | undefined)?.code).toBe('UNSUPPORTED');
      });

      it('writes rows as records: key, value (structs as JSON), headers; only append modes', async (ctx) => {
        const stream = await live.open<Stream>(ctx);
        const target = uniqueName(`${prefix}_out`);
        await options.createTopic?.(stream, target, PARTITIONS);
        // A real struct-typed value column and Spark's list<struct<key, value>> headers.
        const schema = arrowToolkit.schema([
          { name: 'key', type: 'utf8' },
          { name: 'value', type: { struct: [{ name: 'id', type: 'int64' }, { name: 'tags', type: { list: 'utf8' } }] } },
          { name: 'headers', type: { list: { struct: [{ name: 'key', type: 'utf8' }, { name: 'value', type: 'binary' }] } } },
        ]);
        const rows = arrowToolkit.rowsToBatches(
          [
            { key: 'a', value: { id: 1n, tags: ['x', 'y'] }, headers: [{ key: 'h', value: new TextEncoder().encode('v1') }] },
            { key: 'b', value: { id: 2n, tags: [] }, headers: [] },
          ],
          { schema },
        );
        live.lineage.clear();
        const result = await stream.writeTable(rows, target, { mode: 'append' });
        expect(result.rows).toBe(2);
        expect(live.lineage.events.map((e) => [e.eventType, e.spec.processingType ?? 'BATCH'])).toEqual([
          ['START', 'BATCH'],
          ['COMPLETE', 'BATCH'],
        ]);
        expect(live.lineage.events[0]!.spec.outputs).toEqual([stream.dataset(target)]);
        expect(lineageProblems(live.lineage.events)).toEqual([]);
        const back = await all(stream.consumeRange(target));
        expect(back.map((m) => [text(m.key), JSON.parse(text(m.value)!)]).sort()).toEqual([
          ['a', { id: 1, tags: ['x', 'y'] }],
          ['b', { id: 2, tags: [] }],
        ]);
        expect(text(back.find((m) => text(m.key) === 'a')!.headers.h)).toBe('v1');
        const overwrite = await rejection(stream.writeTable([{ key: 'c', value: 'x' }], target, { mode: 'overwrite' }));
        expect((overwrite as SparkleError | undefined)?.code).toBe('UNSUPPORTED');
      });

      it('copies a topic into another through the local engine, every message once', async (ctx) => {
        const stream = await live.open<Stream>(ctx);
        await ready(stream);
        const target = uniqueName(`${prefix}_copy`);
        await options.createTopic?.(stream, target, PARTITIONS);
        // End each partition before anything produced after the suite's records (the group check's
        // late message): at the position of its (PER_PARTITION+1)-th message, exclusive.
        const ends: Record<string, string> = {};
        for (const [partition, list] of byPartition(await all(stream.consumeRange(topic)))) {
          if (list.length > PER_PARTITION && list[PER_PARTITION]!.position !== undefined) ends[partition] = list[PER_PARTITION]!.position!;
        }
        const frame = await stream.readTable(topic, { columns: ['key', 'value', 'headers'], options: Object.keys(ends).length ? { endingOffsets: JSON.stringify({ [topic]: ends }) } : {} });
        const result = await stream.writeTable(frame, target, { mode: 'append' });
        expect(result.rows).toBe(PARTITIONS * PER_PARTITION);
        const copied = await all(stream.consumeRange(target));
        expect(copied.map(seqOf).sort((a, b) => a - b)).toEqual(Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => i));
      });
    });
  });
}
