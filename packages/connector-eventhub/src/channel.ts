/**
 * A bounded hand-over from the SDK's push callbacks (`processEvents`) to an async generator:
 * `push` waits while `limit` items are buffered (backpressure reaches the SDK, which then stops
 * asking for credit), `next` waits for a batch, an idle tick, a failure or the abort signal.
 */
import { abortError } from '@sparkle/core';

export class Channel<T> {
  readonly #batches: Array<T[] | 'idle'> = [];
  #buffered = 0;
  #error: unknown;
  #wakeReader: (() => void) | undefined;
  readonly #wakeWriters: Array<() => void> = [];

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly limit = 1000,
  ) {
    signal?.addEventListener('abort', () => this.#wake(), { once: true });
  }

  #wake(): void {
    this.#wakeReader?.();
    this.#wakeReader = undefined;
    for (const w of this.#wakeWriters.splice(0)) w();
  }

  async push(items: T[]): Promise<void> {
    while (this.#buffered >= this.limit && !this.signal?.aborted && this.#error === undefined) await new Promise<void>((r) => this.#wakeWriters.push(r));
    this.#batches.push(items);
    this.#buffered += items.length;
    this.#wake();
  }

  /** The SDK's wait ended with nothing. */
  idle(): void {
    this.#batches.push('idle');
    this.#wake();
  }

  fail(error: unknown): void {
    this.#error ??= error;
    this.#wake();
  }

  async next(): Promise<T[] | 'idle'> {
    while (true) {
      if (this.signal?.aborted) throw abortError(this.signal, 'receive');
      if (this.#error !== undefined) throw this.#error;
      const batch = this.#batches.shift();
      if (batch !== undefined) {
        if (batch !== 'idle') this.#buffered -= batch.length;
        for (const w of this.#wakeWriters.splice(0)) w();
        return batch;
      }
      await new Promise<void>((r) => (this.#wakeReader = r));
    }
  }
}
