/**
 * SendMessageBatch groups and per-entry retries, kept apart from the SDK so the retry rules are
 * tested on their own: a group holds at most 10 entries and 256 KiB of payload (body plus
 * attribute names, types and values, as SQS counts it); entries SQS failed with a server fault
 * (or throttling) are sent again, alone, with their original id, so a FIFO deduplication id is
 * reused; an entry failed as the sender's fault is a typed, non-retryable error naming it.
 */
import { SparkleError, WriteError } from '@sparkle/core';

/** SQS limits: entries per SendMessageBatch and bytes per batch (and per message). */
export const SQS_MAX_BATCH_ENTRIES = 10;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;

/** One message ready to send; `size` is what SQS counts against the 256 KiB limit. */
export interface OutgoingEntry {
  /** Batch entry id (unique within a request), kept across retries. */
  id: string;
  /** Index of the record in the produce call, for error messages. */
  index: number;
  size: number;
  /** The request entry itself (opaque here). */
  entry: unknown;
}

/** What one SendMessageBatch returned, reduced to what the retry loop needs. */
export interface BatchOutcome {
  successful: Array<{ id: string; sequenceNumber?: string }>;
  failed: Array<{ id: string; code?: string; message?: string; senderFault?: boolean }>;
}

/** Groups entries into SendMessageBatch requests within both limits, keeping their order. */
export function* batchesOf(entries: Iterable<OutgoingEntry>, maxEntries = SQS_MAX_BATCH_ENTRIES): Generator<OutgoingEntry[]> {
  let batch: OutgoingEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (batch.length && (batch.length >= maxEntries || bytes + e.size > SQS_MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(e);
    bytes += e.size;
  }
  if (batch.length) yield batch;
}

/** Failures SQS names that are worth a retry even when flagged as the sender's. */
const RETRYABLE_CODES = /Throttl|RequestThrottled|ServiceUnavailable|InternalError|KmsThrottled|KMS\.Throttling/i;

/** Options of {@link sendWithRetries}. */
export interface RetryOptions {
  connector: string;
  queue: string;
  /** Attempts per entry (the first send included). Default 4. */
  attempts?: number;
  /** Waits between attempts; tests pass a no-op. Default: 100 ms doubling, capped at 2 s. */
  sleep?: (attempt: number) => Promise<void>;
  signal?: AbortSignal;
}

const defaultSleep = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** (attempt - 1))));

/**
 * Sends one group, retrying the entries that failed retryably until they succeed or run out of
 * attempts. Resolves with the sequence numbers SQS gave (FIFO queues), in entry order.
 */
export async function sendWithRetries(
  group: OutgoingEntry[],
  send: (entries: OutgoingEntry[]) => Promise<BatchOutcome>,
  options: RetryOptions,
): Promise<Map<string, string | undefined>> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  const done = new Map<string, string | undefined>();
  let pending = group;
  for (let attempt = 1; pending.length; attempt++) {
    const outcome = await send(pending);
    for (const s of outcome.successful) done.set(s.id, s.sequenceNumber);
    const byId = new Map(pending.map((e) => [e.id, e]));
    const retry: OutgoingEntry[] = [];
    for (const f of outcome.failed) {
      const entry = byId.get(f.id);
      const index = entry ? `record ${entry.index}` : `entry ${f.id}`;
      const retryable = !f.senderFault || RETRYABLE_CODES.test(f.code ?? '');
      if (!retryable) {
        throw new WriteError(`SQS refused ${index} of the produce to '${options.queue}': ${f.code ?? 'error'}: ${f.message ?? 'no message'}`, {
          connector: options.connector,
          details: { queue: options.queue, record: entry?.index, code: f.code },
        });
      }
      if (attempt >= attempts) {
        throw new WriteError(`SQS kept failing ${index} of the produce to '${options.queue}' after ${attempts} attempts: ${f.code ?? 'error'}: ${f.message ?? ''}`, {
          connector: options.connector,
          retryable: true,
          details: { queue: options.queue, record: entry?.index, code: f.code, attempts },
        });
      }
      if (entry) retry.push(entry);
    }
    // An entry in neither list would be lost silently: treat it as failed.
    const answered = new Set([...outcome.successful.map((s) => s.id), ...outcome.failed.map((f) => f.id)]);
    const missing = pending.filter((e) => !answered.has(e.id));
    if (missing.length) {
      throw new WriteError(`SQS answered nothing for ${missing.length} entr${missing.length === 1 ? 'y' : 'ies'} of the produce to '${options.queue}' (records ${missing.map((e) => e.index).join(', ')})`, {
        connector: options.connector,
        retryable: true,
      });
    }
    pending = retry;
    if (pending.length) {
      if (options.signal?.aborted) throw SparkleError.isInstance(options.signal.reason) ? options.signal.reason : new WriteError(`produce to '${options.queue}' was aborted during a retry`, { connector: options.connector });
      await sleep(attempt);
    }
  }
  return done;
}
