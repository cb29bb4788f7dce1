/**
 * Sending records to an HTTP API in batches: a fixed number of requests in flight, one
 * idempotency key per batch (the same key on every retry of that batch, so a server that
 * de-duplicates applies it once), and on failure a `WriteError` that names the failed batch and
 * how many records landed before it — nothing is lost without being reported.
 */
import { randomUUID } from 'node:crypto';
import { defaultRetryOn, SparkleError, WriteError, type HttpRetryContext } from '@sparkle/core';

/** One batch handed to `send`. */
export interface OutgoingBatch<T> {
  /** 1-based. */
  number: number;
  /** 0-based index of the batch's first record in the whole write. */
  firstRecord: number;
  records: T[];
  /** `<write id>-<batch number>` when keys are enabled. */
  idempotencyKey: string | undefined;
}

export interface SendBatchesOptions<T> {
  connector: string;
  /** What is written (endpoint), for the error message. */
  target: string;
  records: AsyncIterable<T>;
  /** Records per batch (≥ 1). */
  batchSize: number;
  /** Batches in flight at once (≥ 1). */
  concurrency: number;
  /** Make an idempotency key per batch. */
  idempotencyKeys: boolean;
  /** Sends one batch; rejects when it could not be delivered after the client's retries. */
  send: (batch: OutgoingBatch<T>) => Promise<void>;
  /**
   * Called with a batch that could not be delivered, before the write fails. Resolving sets the
   * batch aside (a dead-letter file) and the write goes on; rejecting, or no handler, fails it.
   */
  setAside?: (batch: OutgoingBatch<T>, error: unknown) => Promise<void>;
  /** Called as each batch lands. */
  onBatch?: (batch: OutgoingBatch<T>) => void;
  signal?: AbortSignal;
}

export interface SendBatchesResult {
  /** Records delivered. */
  records: number;
  batches: number;
  /** Records that were set aside by `setAside` instead of delivered. */
  setAside: number;
}

/**
 * Sends `records` in batches. With more than one batch in flight, later batches may land before
 * an earlier one fails; the error lists them so a resend can skip them.
 *
 * @example
 * ```ts
 * await sendBatches({ connector: 'rest', target: 'POST /items', records, batchSize: 100, concurrency: 4, idempotencyKeys: true,
 *   send: (b) => http.request({ method: 'POST', path: '/items', json: b.records, headers: { 'idempotency-key': b.idempotencyKey! } }).then((r) => r.discard()) });
 * ```
 */
export async function sendBatches<T>(options: SendBatchesOptions<T>): Promise<SendBatchesResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const writeId = randomUUID();
  const inFlight = new Set<Promise<void>>();
  const landed: OutgoingBatch<T>[] = [];
  let setAside = 0;
  let failure: { batch: OutgoingBatch<T>; error: unknown } | undefined;
  let number = 0;
  let total = 0;

  const launch = (records: T[]) => {
    number++;
    const batch: OutgoingBatch<T> = { number, firstRecord: total, records, idempotencyKey: options.idempotencyKeys ? `${writeId}-${number}` : undefined };
    total += records.length;
    const deliver = options.setAside
      ? options.send(batch).then(
          () => true,
          (error: unknown) => options.setAside!(batch, error).then(() => false, () => Promise.reject(error)),
        )
      : options.send(batch).then(() => true);
    const task = deliver.then(
      (delivered) => {
        if (!delivered) {
          setAside += batch.records.length;
          return;
        }
        landed.push(batch);
        options.onBatch?.(batch);
      },
      (error: unknown) => {
        // The first failure (by batch number) is the one reported.
        if (!failure || batch.number < failure.batch.number) failure = { batch, error };
      },
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  let pending: T[] = [];
  for await (const record of options.records) {
    options.signal?.throwIfAborted();
    pending.push(record);
    if (pending.length < batchSize) continue;
    launch(pending);
    pending = [];
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
  }
  if (!failure && pending.length) launch(pending);
  await Promise.all(inFlight);

  if (failure) throw batchFailure(options, failure.batch, failure.error, landed);
  return { records: landed.reduce((n, b) => n + b.records.length, 0), batches: landed.length, setAside };
}

function batchFailure<T>(options: SendBatchesOptions<T>, failed: OutgoingBatch<T>, error: unknown, landed: OutgoingBatch<T>[]): WriteError {
  const written = landed.reduce((n, b) => n + b.records.length, 0);
  const before = landed.filter((b) => b.number < failed.number).reduce((n, b) => n + b.records.length, 0);
  const after = landed.filter((b) => b.number > failed.number).map((b) => b.number).sort((a, b) => a - b);
  const range = `records ${failed.firstRecord + 1}–${failed.firstRecord + failed.records.length}`;
  const why = error instanceof Error ? error.message : String(error);
  const afterText = after.length ? `; batches ${after.join(', ')} after it also landed` : '';
  return new WriteError(
    `${options.target}: batch ${failed.number} (${range}) was not delivered: ${why}. ` +
      `${before} record(s) in the batches before it were written${afterText} (${written} in all); resend from record ${failed.firstRecord + 1}` +
      (failed.idempotencyKey ? ` (idempotency key ${failed.idempotencyKey})` : ''),
    {
      connector: options.connector,
      cause: error,
      retryable: SparkleError.isInstance(error) ? error.retryable : false,
      details: {
        failedBatch: failed.number,
        failedRecords: failed.records.length,
        firstFailedRecord: failed.firstRecord,
        writtenBefore: before,
        written,
        landedAfter: after,
        committed: written > 0,
        ...(failed.idempotencyKey ? { idempotencyKey: failed.idempotencyKey } : {}),
      },
    },
  );
}

/**
 * Retry rule for deliveries (POST/PUT of records or events): the client's default (idempotent
 * requests, or any request with an idempotency key, retry transient failures; every request
 * retries 429), plus 503 for any method — RFC 9110 defines 503 as the server not handling the
 * request, so sending it again cannot apply it twice.
 */
export function deliveryRetryOn(context: HttpRetryContext): boolean {
  return context.status === 503 || defaultRetryOn(context);
}
