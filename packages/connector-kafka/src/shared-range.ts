/**
 * The batch-level reader behind a local-engine read of a topic. kafkajs cannot assign partitions
 * by hand, so every consumer joins a group; one consumer per engine partition paid that join once
 * per topic partition. Here one consumer (one throwaway group `<clientId>-range-<uuid>`, nothing
 * ever committed) reads every partition of the plan, and each engine partition takes the fetched
 * message arrays of its own topic partition, as kafkajs handed them (no per-message object).
 *
 * Memory stays bounded: a partition whose taken-but-unread messages reach `bufferMessages` is
 * paused (not blocked inside `eachBatch`, which would stall the other partitions sharing the
 * consumer) and resumed at its next offset once its reader drained half of them. When no engine
 * partition is open any more the consumer leaves; a later open joins again and resumes each
 * partition where it was.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { PartitionRange, RangeSettings } from './range.js';

/** Messages of one partition, in offset order, all inside the partition's range. */
export interface PartitionChunk {
  partition: number;
  messages: KafkaMessage[];
}

interface PartitionState {
  end: bigint;
  /** The next offset to take (everything before it was taken, or was a transaction marker). */
  next: bigint;
  chunks: KafkaMessage[][];
  queued: number;
  done: boolean;
  paused: boolean;
}

export type SharedRangeSettings = Omit<RangeSettings, 'maxMessages' | 'signal'>;

/**
 * Reads `ranges` of `topic` once with one consumer, for any number of readers of disjoint
 * partition sets.
 * @example
 * ```ts
 * const reader = new SharedRangeReader(kafka, 'orders', [{ partition: 0, start: 0n, end: 10n }], settings);
 * for await (const { messages } of reader.chunks([0])) console.log(messages.length);
 * ```
 */
export class SharedRangeReader {
  readonly #kafka: Kafka;
  readonly #topic: string;
  readonly #settings: SharedRangeSettings;
  readonly #states = new Map<number, PartitionState>();
  readonly #waiters = new Set<() => void>();
  #consumer: Consumer | undefined;
  #started: Promise<void> | undefined;
  #open = 0;
  #failure: { error: unknown } | undefined;

  constructor(kafka: Kafka, topic: string, ranges: PartitionRange[], settings: SharedRangeSettings) {
    this.#kafka = kafka;
    this.#topic = topic;
    this.#settings = settings;
    for (const r of ranges) this.#states.set(r.partition, { end: r.end, next: r.start, chunks: [], queued: 0, done: r.start >= r.end, paused: false });
  }

  #wakeAll(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  #finish(partition: number, state: PartitionState): void {
    if (state.done) return;
    state.done = true;
    this.#consumer?.pause([{ topic: this.#topic, partitions: [partition] }]);
    this.#wakeAll();
  }

  /** Connects, joins and starts fetching (once per open period). */
  #start(): Promise<void> {
    this.#started ??= this.#run().catch((error: unknown) => {
      this.#failure ??= { error };
      this.#wakeAll();
    });
    return this.#started;
  }

  async #run(): Promise<void> {
    const topic = this.#topic;
    const settings = this.#settings;
    const states = this.#states;
    const consumer = this.#kafka.consumer({
      groupId: `${settings.clientId}-range-${randomUUID()}`,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      retry: { retries: 3 },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts itself after a retryable crash (a broker that came back); only a final one ends the read.
      if (event.payload.restart || this.#consumer !== consumer) return;
      this.#failure ??= { error: event.payload.error };
      this.#wakeAll();
    });
    // Every fetched batch ends here, also one that held only transaction markers (kafkajs does not
    // hand those to eachBatch): a partition is done once a batch reached its end offset.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { partition, lastOffset } = event.payload;
      const state = states.get(partition);
      if (!state || state.done) return;
      if (lastOffset !== null && lastOffset !== undefined && BigInt(lastOffset) >= state.end - 1n && state.next >= state.end - 1n) state.next = state.end;
      if (state.next >= state.end) this.#finish(partition, state);
    });
    // Seek on every join (the first, and one after kafkajs restarted the consumer): each
    // partition resumes where this read is; pause the partitions outside the plan, the finished
    // ones and those whose reader is behind, before the first fetch.
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      for (const [partition, state] of states) {
        consumer.seek({ topic, partition, offset: String(state.next < state.end ? state.next : state.end) });
      }
      const assigned = (event.payload.memberAssignment as Record<string, number[]> | undefined)?.[topic] ?? [];
      const idle = assigned.filter((p) => {
        const state = states.get(p);
        if (state && !state.done && state.queued >= settings.bufferMessages) state.paused = true;
        return !state || state.done || state.paused;
      });
      if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isStale, pause }) => {
        const partition = batch.partition;
        const state = states.get(partition);
        if (!state || state.done) {
          pause();
          return;
        }
        if (isStale() || batch.messages.length === 0) return;
        const { messages } = batch;
        let taken: KafkaMessage[];
        // The common case: the whole batch lies inside [next, end) (two BigInts, not one per message).
        if (BigInt(messages[0]!.offset) >= state.next && BigInt(messages.at(-1)!.offset) < state.end) taken = messages;
        else {
          taken = [];
          for (const m of messages) {
            const offset = BigInt(m.offset);
            if (offset < state.next) continue; // fetched before the seek landed, or taken already
            if (offset >= state.end) break;
            taken.push(m);
          }
        }
        if (taken.length > 0) {
          const last = taken.at(-1)!.offset;
          state.chunks.push(taken);
          state.queued += taken.length;
          state.next = BigInt(last) + 1n;
          // Once per batch: kafkajs turns each resolved offset into a Long.
          resolveOffset(last);
          this.#wakeAll();
        }
        if (state.next >= state.end) this.#finish(partition, state);
        else if (state.queued >= settings.bufferMessages && !state.paused) {
          state.paused = true;
          pause();
        }
      },
    });
  }

  /** Resumes a paused partition at the offset its reader needs next. */
  #resume(partition: number, state: PartitionState): void {
    state.paused = false;
    const consumer = this.#consumer;
    if (!consumer || state.done) return;
    consumer.seek({ topic: this.#topic, partition, offset: String(state.next) });
    consumer.resume([{ topic: this.#topic, partitions: [partition] }]);
  }

  async #stop(): Promise<void> {
    const consumer = this.#consumer;
    const started = this.#started;
    this.#consumer = undefined;
    this.#started = undefined;
    await started;
    try {
      await consumer?.disconnect();
    } catch {
      // Leaving a throwaway group: nothing to keep.
    }
  }

  /**
   * The messages of `partitions` as the consumer fetches them (interleaved across them), until
   * each reached its end. Ends early when the caller stops iterating.
   */
  async *chunks(partitions: number[], signal?: AbortSignal): AsyncGenerator<PartitionChunk> {
    const mine = partitions.flatMap((p) => {
      const state = this.#states.get(p);
      return state ? [[p, state] as const] : [];
    });
    const onAbort = () => this.#wakeAll();
    signal?.addEventListener('abort', onAbort);
    this.#open++;
    try {
      const finished = () => mine.every(([, s]) => s.done && s.chunks.length === 0);
      if (finished()) return;
      void this.#start();
      for (;;) {
        if (this.#failure) throw this.#settings.fail(this.#failure.error);
        signal?.throwIfAborted();
        let yielded = false;
        for (const [partition, state] of mine) {
          const messages = state.chunks.shift();
          if (!messages) continue;
          state.queued -= messages.length;
          if (state.paused && state.queued <= this.#settings.bufferMessages / 2) this.#resume(partition, state);
          yielded = true;
          yield { partition, messages };
        }
        if (yielded) continue;
        if (finished()) return;
        await new Promise<void>((resolve) => this.#waiters.add(resolve));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (--this.#open === 0) await this.#stop();
    }
  }
}
