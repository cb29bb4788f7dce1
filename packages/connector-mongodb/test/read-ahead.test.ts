/** readAhead: the bounded read-ahead a find uses so the next getMore overlaps the caller's work. */
import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/read-ahead.js';

async function* counted(n: number, pulled: { count: number }, failAt?: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw new Error(`source failed at ${i}`);
    pulled.count++;
    await Promise.resolve();
    yield i;
  }
}

describe('readAhead', () => {
  it('yields every item in order and holds at most 2 × `limit` ahead of the consumer', async () => {
    const pulled = { count: 0 };
    const seen: number[] = [];
    let maxAhead = 0;
    for await (const item of readAhead(counted(50, pulled), 5)) {
      seen.push(item);
      await new Promise((r) => setImmediate(r)); // the consumer's work: the producer runs meanwhile
      maxAhead = Math.max(maxAhead, pulled.count - seen.length);
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(maxAhead).toBeGreaterThan(0);
    expect(maxAhead).toBeLessThanOrEqual(10); // a chunk taken by the consumer + `limit` buffered
  });

  it("passes the source's error on after the items before it", async () => {
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(counted(10, { count: 0 }, 3), 2)) seen.push(item);
      })(),
    ).rejects.toThrow('source failed at 3');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('a consumer that stops early stops the producer and closes the source', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    for await (const item of readAhead(source(), 4)) {
      seen.push(item);
      if (item === 6) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(closed).toBe(true);
  });
});
