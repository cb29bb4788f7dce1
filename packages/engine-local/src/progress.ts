/** Progress accounting with a throttled callback (at most every `intervalMs`, plus a final report). */
import type { Progress } from '@sparkle/core';

export class ProgressTracker {
  rows = 0;
  bytes = 0;
  partitionsDone = 0;
  readonly #started = performance.now();
  #lastReport = 0;
  readonly #callback: ((p: Progress) => void) | undefined;
  readonly #intervalMs: number;
  #fixed: Partial<Progress>;

  constructor(callback: ((p: Progress) => void) | undefined, fixed: Partial<Progress> = {}, intervalMs = 200) {
    this.#callback = callback;
    this.#fixed = fixed;
    this.#intervalMs = intervalMs;
  }

  get elapsedMs(): number {
    return performance.now() - this.#started;
  }

  /** Sets the partition count and row estimate once the plan is known. */
  setTotals(partitions: number, estimatedRows?: number): void {
    this.#fixed = { ...this.#fixed, partitions };
    if (estimatedRows !== undefined) this.#fixed = { ...this.#fixed, totalRows: estimatedRows, estimated: true };
  }

  add(rows: number, bytes: number): void {
    this.rows += rows;
    this.bytes += bytes;
    this.maybeReport();
  }

  /** Replaces the totals (for writers that report absolute counts). */
  set(rows: number, bytes: number): void {
    this.rows = rows;
    this.bytes = bytes;
    this.maybeReport();
  }

  partitionDone(): void {
    this.partitionsDone++;
    this.maybeReport();
  }

  snapshot(): Progress {
    const p: Progress = { ...this.#fixed, rows: this.rows, bytes: this.bytes, elapsedMs: this.elapsedMs };
    if (this.#fixed.partitions !== undefined) p.partitionsDone = this.partitionsDone;
    return p;
  }

  maybeReport(): void {
    if (!this.#callback) return;
    const now = performance.now();
    if (now - this.#lastReport < this.#intervalMs) return;
    this.#lastReport = now;
    this.#emit();
  }

  /** The last report, sent whatever the throttle says. */
  final(): void {
    if (this.#callback) this.#emit();
  }

  #emit(): void {
    try {
      this.#callback!(this.snapshot());
    } catch {
      // A progress bar that throws must not fail the transfer.
    }
  }
}
