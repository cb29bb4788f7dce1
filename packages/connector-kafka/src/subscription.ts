/**
 * Unbounded consumption with a consumer group, committing only what the caller acknowledged
 * (at-least-once). kafkajs pushes batches; they wait in a bounded queue until the iterator hands
 * them out. Per partition the committed offset advances over the contiguous run of acknowledged
 * offsets (an ack after a gap is remembered until the gap is acknowledged). An ack that arrives
 * after the consumer left the group (the loop ended) is committed by a short-lived member of the
 * same group ({@link commitWithoutMembers}).
 */
import type { StreamDelivery } from '@sparkle/core';
import type { Consumer, Kafka } from 'kafkajs';
import { toStreamMessage } from './range.js';

export interface SubscriptionSettings {
  group: string;
  from: 'earliest' | 'latest';
  maxUnacked?: number;
  bufferMessages: number;
  maxWaitTimeMs: number;
  maxBytesPerPartition: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  signal?: AbortSignal;
  fail: (error: unknown) => Error;
}

/** Acknowledgement bookkeeping of one partition. */
interface PartitionAcks {
  /** The next offset to commit (everything below is acknowledged or was committed before). */
  base: bigint | undefined;
  acked: Set<bigint>;
  committed: bigint | undefined;
}

/**
 * Deliveries of `topic` for group `settings.group`; leaving the loop (break, abort) leaves the group.
 * @example
 * ```ts
 * for await (const d of subscribeTopic(kafka, 'orders', settings)) { await handle(d); await d.ack(); }
 * ```
 */
export async function* subscribeTopic(kafka: Kafka, topic: string, settings: SubscriptionSettings): AsyncGenerator<StreamDelivery> {
  const consumer: Consumer = kafka.consumer({
    groupId: settings.group,
    maxWaitTimeInMs: settings.maxWaitTimeMs,
    maxBytesPerPartition: settings.maxBytesPerPartition,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    retry: { retries: 3 },
  });
  const acks = new Map<number, PartitionAcks>();
  const queue: StreamDelivery[] = [];
  let unacked = 0;
  let running = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let readerWake: (() => void) | undefined;
  let roomWake: (() => void) | undefined;
  const wakeReader = () => {
    const w = readerWake;
    readerWake = undefined;
    w?.();
  };
  const wakeFetcher = () => {
    const w = roomWake;
    roomWake = undefined;
    w?.();
  };
  const limit = () => Math.min(settings.bufferMessages, settings.maxUnacked ?? Infinity);

  /** Commits the partition's contiguous acknowledged run: through the member while it runs, else through admin. */
  const commit = async (partition: number, state: PartitionAcks) => {
    if (state.base === undefined || state.base === state.committed) return;
    const offset = String(state.base);
    state.committed = state.base;
    if (running) await consumer.commitOffsets([{ topic, partition, offset }]);
    else await commitWithoutMembers(kafka, settings.group, topic, [{ partition, offset }], settings.maxWaitTimeMs);
  };

  const onAbort = () => {
    stopped = true;
    wakeReader();
    wakeFetcher();
  };
  settings.signal?.addEventListener('abort', onAbort);
  consumer.on(consumer.events.CRASH, (event) => {
    // kafkajs restarts itself after a retryable crash (a broker that came back); only a final one ends the read.
    if (event.payload.restart) return;
    failure ??= { error: event.payload.error };
    wakeReader();
  });
  // A rebalance hands partitions out again from their committed offsets: forget what this member tracked.
  consumer.on(consumer.events.GROUP_JOIN, () => acks.clear());

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: settings.from === 'earliest' });
    running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const partition = batch.partition;
        for (const m of batch.messages) {
          if (stopped || !isRunning() || isStale()) return;
          while ((queue.length >= settings.bufferMessages || unacked >= limit()) && !stopped) {
            await new Promise<void>((resolve) => {
              roomWake = resolve;
              setTimeout(resolve, 1000).unref();
            });
            await heartbeat();
          }
          if (stopped || !isRunning() || isStale()) return;
          const offset = BigInt(m.offset);
          let state = acks.get(partition);
          if (!state) acks.set(partition, (state = { base: offset, acked: new Set(), committed: undefined }));
          const tracked = state;
          let settled = false;
          unacked++;
          const settle = () => {
            if (settled) return false;
            settled = true;
            unacked--;
            wakeFetcher();
            return true;
          };
          queue.push({
            ...toStreamMessage(topic, partition, m),
            ack: async () => {
              if (!settle() || tracked.base === undefined || offset < tracked.base) return;
              tracked.acked.add(offset);
              while (tracked.acked.delete(tracked.base!)) tracked.base = tracked.base! + 1n;
              await commit(partition, tracked);
            },
            nack: async () => {
              // Fetch again from this offset (later messages of the partition come again too: at-least-once).
              if (settle() && running) consumer.seek({ topic, partition, offset: String(offset) });
            },
          });
          resolveOffset(m.offset);
          wakeReader();
        }
      },
    });
    for (;;) {
      if (failure) throw settings.fail(failure.error);
      if (stopped || settings.signal?.aborted) return;
      const d = queue.shift();
      if (d) {
        wakeFetcher();
        yield d;
        continue;
      }
      await new Promise<void>((resolve) => {
        readerWake = resolve;
      });
    }
  } finally {
    stopped = true;
    wakeFetcher();
    settings.signal?.removeEventListener('abort', onAbort);
    try {
      await consumer.disconnect();
    } finally {
      running = false;
    }
  }
}

/**
 * Commits offsets of a group that has no running member: a short-lived member joins, seeks with
 * auto-commit on (which commits the sought offsets) and leaves after its first fetch. This is
 * kafkajs' own `admin.setOffsets` recipe, with a short fetch wait so it takes a join, not the
 * default 5 s fetch wait.
 */
export async function commitWithoutMembers(kafka: Kafka, group: string, topic: string, partitions: Array<{ partition: number; offset: string }>, maxWaitTimeMs: number): Promise<void> {
  const member = kafka.consumer({ groupId: group, maxWaitTimeInMs: Math.min(maxWaitTimeMs, 100), retry: { retries: 3 } });
  await member.connect();
  try {
    await member.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      member.on(member.events.FETCH, () => void member.stop().then(resolve, reject));
      member.on(member.events.CRASH, (event) => reject(event.payload.error));
      member.run({ eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
      member.pause([{ topic }]);
      for (const p of partitions) member.seek({ topic, partition: p.partition, offset: p.offset });
    });
  } finally {
    await member.disconnect();
  }
}
