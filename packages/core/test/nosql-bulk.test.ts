/** upsertInBatches: the batching, per-item retry and failure reporting document stores share. */
import { describe, expect, it } from 'vitest';
import { upsertInBatches, type BulkItem } from '../src/index.js';

describe('upsertInBatches', () => {
  it('batches, retries retryable refusals, reports the rest with their input position', async () => {
    const sent: number[][] = [];
    let refusedOnce = false;
    const result = await upsertInBatches(
      [{ id: 1 }, { id: 2 }, { name: 'no key' }, { id: 4 }, { id: 5 }],
      {
        keyFields: ['id'],
        batchSize: 2,
        backoff: { baseMs: 1, maxMs: 1 },
        send: async (items) => {
          sent.push(items.map((i) => i.index));
          const failures = [];
          for (const item of items) {
            if (item.key === 2 && !refusedOnce) {
              refusedOnce = true;
              failures.push({ item, message: 'busy', retryable: true });
            }
            if (item.key === 5) failures.push({ item, message: 'bad value', retryable: false });
          }
          return failures;
        },
      },
    );
    expect(sent).toEqual([[0, 1], [1], [3, 4]]);
    expect(result.written).toBe(3);
    expect(result.failed).toEqual([
      { index: 2, message: "document has no key field 'id'", retryable: false },
      { index: 4, key: 5, message: 'bad value', retryable: false },
    ]);
  });

  it('a document whose item cannot be built fails alone; onWritten sees what was written', async () => {
    const written: unknown[] = [];
    const result = await upsertInBatches<BulkItem & { id: string }>([{ k: 'a' }, { k: 'b/c' }], {
      keyFields: ['k'],
      batchSize: 10,
      toItem: (doc, index, key) => {
        if (String(key).includes('/')) throw new Error('key has a slash');
        return { index, key, doc, id: String(key) };
      },
      onWritten: (items) => written.push(...items.map((i) => i.id)),
      send: async () => [],
    });
    expect(written).toEqual(['a']);
    expect(result).toEqual({ written: 1, failed: [{ index: 1, message: 'key has a slash', retryable: false }] });
  });

  it('concurrency keeps up to N batches in flight, started in input order, and counts every write', async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const release: Array<() => void> = [];
    const progress: number[] = [];
    const docs = Array.from({ length: 10 }, (_, id) => ({ id }));
    const done = upsertInBatches(docs, {
      keyFields: ['id'],
      batchSize: 2,
      concurrency: 3,
      onProgress: (n) => progress.push(n),
      send: async (items) => {
        started.push(items[0]!.index);
        peak = Math.max(peak, ++inFlight);
        await new Promise<void>((r) => release.push(r));
        inFlight--;
        return [];
      },
    });
    // Release batches one by one, newest first, as the client gets to them.
    while (started.length < 5 || release.length) {
      await new Promise((r) => setImmediate(r));
      release.pop()?.();
    }
    const result = await done;
    expect(peak).toBe(3);
    expect(started).toEqual([0, 2, 4, 6, 8]);
    expect(result).toEqual({ written: 10, failed: [] });
    expect(progress.at(-1)).toBe(10);
  });

  it('concurrency: a batch that fails whole fails the write after the batches in flight settled', async () => {
    let settled = 0;
    let started = 0;
    const docs = Array.from({ length: 6 }, (_, id) => ({ id }));
    await expect(
      upsertInBatches(docs, {
        keyFields: ['id'],
        batchSize: 1,
        concurrency: 4,
        send: async (items) => {
          started++;
          if (items[0]!.index === 1) throw new Error('connection lost');
          await new Promise((r) => setTimeout(r, 5));
          settled++;
          return [];
        },
      }),
    ).rejects.toThrow('connection lost');
    // Every other batch started was in flight with the failing one and finished before the throw; none started after.
    expect(started).toBeLessThan(6);
    expect(settled).toBe(started - 1);
  });
});
