/**
 * Runs read partitions in parallel and merges their batches into one stream.
 *
 * - At most `concurrency` partitions are open at once; the next starts when one finishes.
 * - Backpressure: a partition that has `maxBufferedPerPartition` batches waiting for the
 *   consumer pauses until the consumer takes one, so memory stays bounded by
 *   concurrency × buffer × batch size whatever the source speed.
 * - The first error aborts every other partition (through the signal they were opened with)
 *   and is rethrown to the consumer; a consumer that stops early (break, return) aborts them too.
 */
import type { RecordBatch } from 'apache-arrow';
import type { NativePartition } from '@sparkle/core';
import { abortError, SparkleError } from '@sparkle/core';

export interface MergeOptions {
  concurrency: number;
  /** Batches a partition may have waiting before it pauses. Default 2. */
  maxBufferedPerPartition?: number;
  signal?: AbortSignal;
  /** Called when a partition has been fully read. */
  onPartitionDone?: (index: number) => void;
  /** How long to wait for aborted partitions to close their sources before returning. Default 2 s. */
  closeGraceMs?: number;
  /** Wraps a partition failure (adds the partition description, classifies driver errors). */
  wrapError?: (error: unknown, partition: NativePartition) => unknown;
}

interface Slot {
  pending: number;
  wake?: () => void;
}

/** A stop request from the consumer, distinguishable from real failures. */
class ConsumerStopped extends Error {
  constructor() {
    super('consumer stopped reading');
  }
}

/**
 * Merges the batches of `partitions` (in arrival order) into one async stream.
 *
 * @example
 * ```ts
 * for await (const batch of mergePartitions(plan.partitions, { concurrency: 4 })) total += batch.numRows;
 * ```
 */
export async function* mergePartitions(partitions: readonly NativePartition[], options: MergeOptions): AsyncGenerator<RecordBatch> {
  const limit = Math.max(1, Math.min(partitions.length, Math.floor(options.concurrency) || 1));
  const maxBuffered = Math.max(1, options.maxBufferedPerPartition ?? 2);
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = () => controller.abort(outer!.reason);
  if (outer?.aborted) throw abortError(outer, 'read');
  outer?.addEventListener('abort', onOuterAbort, { once: true });

  const queue: Array<{ batch: RecordBatch; slot: Slot }> = [];
  let failure: { error: unknown } | undefined;
  let running = 0;
  let nextIndex = 0;
  let wakeConsumer: (() => void) | undefined;
  const notify = () => {
    const w = wakeConsumer;
    wakeConsumer = undefined;
    w?.();
  };

  const fail = (error: unknown) => {
    if (!failure) {
      failure = { error };
      controller.abort(error);
    }
    notify();
  };

  /** Resolves when `slot` may push again, or when the read is aborted. */
  const waitForRoom = (slot: Slot) =>
    new Promise<void>((resolve) => {
      const signal = controller.signal;
      if (slot.pending < maxBuffered || signal.aborted) return resolve();
      const done = () => {
        signal.removeEventListener('abort', done);
        slot.wake = undefined;
        resolve();
      };
      slot.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });

  /** `iterator.next()` raced against the abort signal, so a source that ignores the signal cannot hang us. */
  const nextOrAbort = <T>(iterator: AsyncIterator<T>): Promise<IteratorResult<T>> => {
    const signal = controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      iterator.next().then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  };

  const worker = async (): Promise<void> => {
    while (!controller.signal.aborted && nextIndex < partitions.length) {
      const index = nextIndex++;
      const partition = partitions[index]!;
      const slot: Slot = { pending: 0 };
      let iterator: AsyncIterator<RecordBatch> | undefined;
      let finished = false;
      try {
        iterator = partition.open(controller.signal)[Symbol.asyncIterator]();
        for (;;) {
          const r = await nextOrAbort(iterator);
          if (r.done) {
            finished = true;
            break;
          }
          slot.pending++;
          queue.push({ batch: r.value, slot });
          notify();
          await waitForRoom(slot);
          if (controller.signal.aborted) break;
        }
        if (finished) options.onPartitionDone?.(index);
      } catch (error) {
        if (!controller.signal.aborted) fail(options.wrapError ? options.wrapError(error, partition) : error);
      } finally {
        // Let the source release its connection; do not wait on a source that ignored the abort.
        if (!finished && iterator?.return) closing.push(Promise.resolve(iterator.return()).catch(() => undefined));
      }
    }
  };

  const workers: Promise<void>[] = [];
  /** Partition iterators being closed after an abort; awaited (briefly) so connections are released before we return. */
  const closing: Promise<unknown>[] = [];
  const startWorker = () => {
    running++;
    workers.push(
      worker().finally(() => {
        running--;
        notify();
      }),
    );
  };
  for (let i = 0; i < limit; i++) startWorker();

  try {
    for (;;) {
      if (failure) throw failure.error;
      if (outer?.aborted) throw abortError(outer, 'read');
      const item = queue.shift();
      if (item) {
        item.slot.pending--;
        item.slot.wake?.();
        yield item.batch;
        continue;
      }
      if (running === 0) break;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
    if (failure) throw (failure as { error: unknown }).error;
    if (outer?.aborted) throw abortError(outer, 'read');
  } finally {
    if (!controller.signal.aborted) controller.abort(outer?.aborted ? outer.reason : new ConsumerStopped());
    outer?.removeEventListener('abort', onOuterAbort);
    await Promise.allSettled(workers);
    queue.length = 0;
    if (closing.length) await settleWithin(closing, options.closeGraceMs ?? 2_000);
  }
}

/** Waits for `promises` to settle, but no longer than `ms` (a source that ignores aborts cannot hang the caller). */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
  await Promise.race([Promise.allSettled(promises), deadline]);
  clearTimeout(timer);
}

/** True when `error` is the internal marker of a consumer that stopped early. */
export function isConsumerStop(error: unknown): boolean {
  return error instanceof ConsumerStopped;
}

/** An outer abort surfaces as a typed Sparkle error (ABORTED or TIMEOUT). */
export function readAbortError(signal: AbortSignal, connector?: string): SparkleError {
  return abortError(signal, 'read', connector);
}
