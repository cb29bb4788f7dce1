/**
 * Bounded reads with kafkajs. kafkajs has no manual partition assignment, so a range read is a
 * consumer of a throwaway group (`<clientId>-range-<uuid>`, nothing ever committed) that seeks
 * each partition to its start and stops when every partition reached its end offset (exclusive,
 * fixed before the read starts: a read "until caught up" ends even while producers write).
 * Messages wait in a bounded buffer; when it is full the fetch loop waits (heartbeating), so
 * memory is bounded by the buffer, not by the range.
 */
import { randomUUID } from 'node:crypto';
import type { StreamMessage } from '@sparkle/core';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';

/** One partition of a range: offsets `[start, end)`. */
export interface PartitionRange {
  partition: number;
  start: bigint;
  end: bigint;
}

export interface RangeSettings {
  clientId: string;
  maxWaitTimeMs: number;
  maxBytesPerPartition: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  bufferMessages: number;
  maxMessages?: number;
  signal?: AbortSignal;
  /** Turns a kafkajs failure into the typed error to throw. */
  fail: (error: unknown) => Error;
}

/** A kafkajs message as a stream message (headers as bytes; a header list keeps its last value). */
export function toStreamMessage(topic: string, partition: number, m: KafkaMessage): StreamMessage {
  const headers: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last === undefined) continue;
    headers[name] = typeof last === 'string' ? new TextEncoder().encode(last) : new Uint8Array(last.buffer, last.byteOffset, last.byteLength);
  }
  const bytes = (b: Buffer | null | undefined) => (b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : null);
  return {
    topic,
    partition: String(partition),
    position: m.offset,
    key: bytes(m.key),
    value: bytes(m.value),
    headers,
    timestamp: new Date(Number(m.timestamp)),
  };
}

/**
 * Reads `ranges` of `topic` once, in offset order per partition.
 * @example
 * ```ts
 * for await (const m of readRange(kafka, 'orders', [{ partition: 0, start: 0n, end: 10n }], settings)) console.log(m.position);
 * ```
 */
export async function* readRange(kafka: Kafka, topic: string, ranges: PartitionRange[], settings: RangeSettings): AsyncGenerator<StreamMessage> {
  const active = ranges.filter((r) => r.start < r.end);
  if (active.length === 0 || settings.maxMessages === 0) return;
  const ends = new Map(active.map((r) => [r.partition, r.end]));
  const next = new Map(active.map((r) => [r.partition, r.start]));
  const remaining = new Set(active.map((r) => r.partition));
  const queue: StreamMessage[] = [];
  let failure: { error: unknown } | undefined;
  let stopped = false;
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

  const consumer: Consumer = kafka.consumer({
    groupId: `${settings.clientId}-range-${randomUUID()}`,
    maxWaitTimeInMs: settings.maxWaitTimeMs,
    maxBytesPerPartition: settings.maxBytesPerPartition,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    allowAutoTopicCreation: false,
    retry: { retries: 3 },
  });
  const finishPartition = (partition: number) => {
    if (!remaining.delete(partition)) return;
    consumer.pause([{ topic, partitions: [partition] }]);
    if (remaining.size === 0) wakeReader();
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
  // Every fetched batch ends here, also one that held only transaction markers (kafkajs does not
  // hand those to eachBatch): a partition is done once a batch reached its end offset.
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const { partition, lastOffset } = event.payload;
    const end = ends.get(partition);
    if (end !== undefined && lastOffset !== null && lastOffset !== undefined && BigInt(lastOffset) >= end - 1n && (next.get(partition) ?? 0n) >= end - 1n) {
      // Everything before the end was queued, or was a marker: nothing of the range is left.
      next.set(partition, end);
    }
    if (end !== undefined && (next.get(partition) ?? 0n) >= end) finishPartition(partition);
  });

  // Seek on every join (the first, and one after kafkajs restarted the consumer, e.g. while a
  // fresh broker's group coordinator was not ready): each partition resumes where this read is.
  // The seek is stored by kafkajs and applied before the next fetch.
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    for (const r of ranges) {
      const at = next.get(r.partition) ?? r.end;
      consumer.seek({ topic, partition: r.partition, offset: String(at < r.end ? at : r.end) });
    }
    // The throwaway group is assigned every partition: pause the ones outside the range (and the
    // finished ones) before the first fetch, so their messages are not fetched and decoded only
    // to be dropped (with one engine partition per topic partition, that was most of a fetch).
    const assigned = (event.payload.memberAssignment as Record<string, number[]> | undefined)?.[topic] ?? [];
    const idle = assigned.filter((p) => !remaining.has(p));
    if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
  });

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }) => {
        const partition = batch.partition;
        const end = ends.get(partition);
        if (end === undefined) {
          // A partition outside the range (the group is assigned all of them).
          pause();
          return;
        }
        // Resolved once per batch (and before any early return), not per message: kafkajs turns
        // each resolved offset into a Long, which costs more than the message itself.
        let lastQueued: string | undefined;
        const resolveQueued = () => {
          if (lastQueued !== undefined) resolveOffset(lastQueued);
          lastQueued = undefined;
        };
        let nextOffset = next.get(partition)!;
        // Whether the batch went stale (a seek, a rebalance) can only change while this loop
        // awaits: checked before it and after every wait, not per message (a map look-up each).
        if (stopped || !isRunning() || isStale()) return;
        for (const m of batch.messages) {
          if (stopped) return resolveQueued();
          const offset = BigInt(m.offset);
          // Below the start (fetched before the seek landed) or seen already: skip.
          if (offset < nextOffset) continue;
          if (offset >= end) break;
          if (queue.length >= settings.bufferMessages) {
            resolveQueued();
            // Full: wait until the reader drained half of the buffer (woken once, not per message).
            while (queue.length >= settings.bufferMessages / 2 && !stopped) {
              await new Promise<void>((resolve) => {
                roomWake = resolve;
                setTimeout(resolve, 1000).unref();
              });
              await heartbeat();
            }
            if (!isRunning() || isStale()) return resolveQueued();
          }
          if (stopped) return resolveQueued();
          queue.push(toStreamMessage(topic, partition, m));
          nextOffset = offset + 1n;
          next.set(partition, nextOffset);
          lastQueued = m.offset;
          if (queue.length === 1) wakeReader();
        }
        resolveQueued();
      },
    });

    let delivered = 0;
    for (;;) {
      if (failure) throw settings.fail(failure.error);
      settings.signal?.throwIfAborted();
      const m = queue.shift();
      if (m) {
        // The fetcher waits for half the buffer to drain: wake it only then.
        if (roomWake && queue.length < settings.bufferMessages / 2) wakeFetcher();
        yield m;
        if (settings.maxMessages !== undefined && ++delivered >= settings.maxMessages) return;
        continue;
      }
      if (remaining.size === 0) return;
      await new Promise<void>((resolve) => {
        readerWake = resolve;
      });
    }
  } catch (error) {
    if (settings.signal?.aborted) throw settings.signal.reason;
    throw settings.fail(error);
  } finally {
    stopped = true;
    wakeFetcher();
    settings.signal?.removeEventListener('abort', onAbort);
    try {
      await consumer.disconnect();
    } catch {
      // Leaving a throwaway group: nothing to keep.
    }
  }
}
