/**
 * The batching loop every document store's `upsertDocuments` shares: documents are checked for
 * their key fields, grouped `batchSize` at a time, sent by the connector's `send`, and items
 * the server refused with a retryable error are sent again with backoff up to `itemRetries`
 * times. What a connector supplies is only the item it builds for a document and the call that
 * writes a batch (reporting per-item failures, or throwing for a batch that failed whole).
 */
import type { BulkItemError, BulkWriteResult, Document, DocumentKey, UpsertDocumentsOptions } from '../capabilities/document.js';

/** One document on its way to the store: its input position and key. */
export interface BulkItem {
  index: number;
  key: DocumentKey;
  doc: Document;
}

/** An item the store refused in a batch. */
export interface BulkItemFailure<T extends BulkItem> {
  item: T;
  message: string;
  retryable: boolean;
}

/** How {@link upsertInBatches} writes. */
export interface UpsertInBatchesOptions<T extends BulkItem> {
  keyFields: readonly string[];
  batchSize: number;
  /**
   * Batches in flight at once (default 1: each batch waits for the previous one). Above 1 a
   * connector whose client pipelines on one connection (Redis) keeps the server busy instead of
   * waiting a round trip per batch; batches still start in input order.
   */
  concurrency?: number;
  /** Times an item refused with a retryable error is sent again (default 3). */
  itemRetries?: number;
  /** Backoff between retries: `baseMs × 2^attempt`, at most `maxMs` (default 100 / 5000). */
  backoff?: { baseMs: number; maxMs: number };
  signal?: AbortSignal;
  onProgress?: UpsertDocumentsOptions['onProgress'];
  /** The item for a document that has its key fields (default `{ index, key, doc }`); an error it throws fails that document alone. */
  toItem?(doc: Document, index: number, key: DocumentKey): T;
  /** Writes a batch; returns the items refused. `written` is what was written before it (for a whole-batch error's message). */
  send(items: T[], written: number): Promise<Array<BulkItemFailure<T>>>;
  /** Called with the items of a batch that were written. */
  onWritten?(items: T[]): void;
}

/** The key of `doc` under `keyFields`: the value for one field, an object for several. */
export function documentKeyOf(doc: Document, keyFields: readonly string[]): DocumentKey {
  return (keyFields.length === 1 ? doc[keyFields[0]!] : Object.fromEntries(keyFields.map((f) => [f, doc[f]]))) as DocumentKey;
}

/**
 * Writes documents in batches with per-item retries; a document without its key fields and an
 * item refused for good are reported in `failed`, with their input position.
 *
 * @example
 * ```ts
 * const result = await upsertInBatches(docs, {
 *   keyFields: ['_id'],
 *   batchSize: 500,
 *   send: async (items) => [], // write items; return the ones the server refused
 * });
 * ```
 */
export async function upsertInBatches<T extends BulkItem = BulkItem>(
  documents: Iterable<Document> | AsyncIterable<Document>,
  options: UpsertInBatchesOptions<T>,
): Promise<BulkWriteResult> {
  const retries = options.itemRetries ?? 3;
  const { baseMs, maxMs } = options.backoff ?? { baseMs: 100, maxMs: 5000 };
  const toItem = options.toItem ?? ((doc: Document, index: number, key: DocumentKey) => ({ index, key, doc }) as T);
  const failed: BulkItemError[] = [];
  let written = 0;
  let index = 0;
  let batch: T[] = [];

  const send = async (items: T[]) => {
    let pending = items;
    for (let attempt = 0; pending.length; attempt++) {
      options.signal?.throwIfAborted();
      const errors = await options.send(pending, written);
      const refused = new Set(errors.map((e) => e.item));
      const done = pending.filter((item) => !refused.has(item));
      written += done.length;
      options.onWritten?.(done);
      const retry = errors.filter((e) => e.retryable && attempt < retries);
      for (const e of errors) if (!retry.includes(e)) failed.push({ index: e.item.index, key: e.item.key, message: e.message, retryable: e.retryable });
      pending = retry.map((e) => e.item);
      if (pending.length) await new Promise((r) => setTimeout(r, Math.min(baseMs * 2 ** attempt, maxMs)));
    }
    options.onProgress?.(written);
  };

  // Batches in flight; the first error of any of them fails the write once the others settled.
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const settle = async (until: number) => {
    while (inFlight.size > until) await Promise.race(inFlight);
    if (failure) {
      await Promise.all(inFlight);
      throw failure.error;
    }
  };
  const flush = async () => {
    const items = batch;
    batch = [];
    const running: Promise<void> = send(items)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
    await settle(concurrency - 1);
  };

  for await (const doc of documents as AsyncIterable<Document>) {
    options.signal?.throwIfAborted();
    const i = index++;
    const missing = options.keyFields.filter((f) => doc[f] === undefined || doc[f] === null);
    if (missing.length) {
      failed.push({ index: i, message: `document has no key field ${missing.map((f) => `'${f}'`).join(', ')}`, retryable: false });
      continue;
    }
    let item: T;
    try {
      item = toItem(doc, i, documentKeyOf(doc, options.keyFields));
    } catch (error) {
      failed.push({ index: i, message: error instanceof Error ? error.message : String(error), retryable: false });
      continue;
    }
    batch.push(item);
    if (batch.length >= options.batchSize) await flush();
  }
  const last = batch.length;
  if (last) await flush();
  await settle(0);
  if (!last) options.onProgress?.(written);
  return { written, failed };
}
