/** The SendMessageBatch grouping and per-entry retry rules, against a scripted send (no server needed). */
import { describe, expect, it } from 'vitest';
import type { SparkleError } from '@sparkle/core';
import { batchesOf, sendWithRetries, SQS_MAX_BATCH_BYTES, type BatchOutcome, type OutgoingEntry } from '../src/batching.js';

const entry = (index: number, size = 10): OutgoingEntry => ({ id: String(index), index, size, entry: { Id: String(index) } });
const noSleep = async () => undefined;

describe('batchesOf', () => {
  it('groups at most 10 entries and 256 KiB, in order', () => {
    const sizes = [...batchesOf(Array.from({ length: 23 }, (_, i) => entry(i)))].map((b) => b.map((e) => e.index));
    expect(sizes.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(sizes.flat()).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const big = [...batchesOf([entry(0, 100_000), entry(1, 100_000), entry(2, 100_000), entry(3, 10)])];
    expect(big.map((b) => b.map((e) => e.index))).toEqual([[0, 1], [2, 3]]);
    for (const b of big) expect(b.reduce((n, e) => n + e.size, 0)).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
  });
});

describe('sendWithRetries', () => {
  it('resends only the entries that failed with a server fault, with their ids, until they succeed', async () => {
    const calls: string[][] = [];
    const script: BatchOutcome[] = [
      { successful: [{ id: '0' }, { id: '2' }], failed: [{ id: '1', code: 'InternalError', senderFault: false }, { id: '3', code: 'RequestThrottled', senderFault: true }] },
      { successful: [{ id: '3' }], failed: [{ id: '1', code: 'InternalError', senderFault: false }] },
      { successful: [{ id: '1', sequenceNumber: '42' }], failed: [] },
    ];
    const done = await sendWithRetries([0, 1, 2, 3].map((i) => entry(i)), async (pending) => (calls.push(pending.map((e) => e.id)), script.shift()!), { connector: 'sqs', queue: 'q', sleep: noSleep });
    expect(calls).toEqual([['0', '1', '2', '3'], ['1', '3'], ['1']]);
    expect([...done.keys()].sort()).toEqual(['0', '1', '2', '3']);
    expect(done.get('1')).toBe('42');
  });

  it("a sender fault is a typed, non-retryable WriteError naming the record", async () => {
    const e = (await sendWithRetries([entry(5)], async () => ({ successful: [], failed: [{ id: '5', code: 'InvalidMessageContents', message: 'bad chars', senderFault: true }] }), { connector: 'sqs', queue: 'orders', sleep: noSleep }).catch((x: unknown) => x)) as SparkleError;
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.connector).toBe('sqs');
    expect(e.message).toMatch(/record 5 .*'orders'.*InvalidMessageContents/);
  });

  it('gives up after the attempts with a retryable WriteError; an unanswered entry is never dropped silently', async () => {
    let n = 0;
    const e = (await sendWithRetries([entry(0)], async () => (n++, { successful: [], failed: [{ id: '0', code: 'InternalError', senderFault: false }] }), { connector: 'sqs', queue: 'q', attempts: 3, sleep: noSleep }).catch((x: unknown) => x)) as SparkleError;
    expect(n).toBe(3);
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/after 3 attempts/);
    const lost = (await sendWithRetries([entry(0), entry(1)], async () => ({ successful: [{ id: '0' }], failed: [] }), { connector: 'sqs', queue: 'q', sleep: noSleep }).catch((x: unknown) => x)) as SparkleError;
    expect(lost.message).toMatch(/answered nothing for 1 entry.*records 1/);
  });
});
