/**
 * Progress of a copy on stderr: a bar redrawn in place on a terminal (rows, bytes, rate, ETA
 * when the total is known), plain periodic lines otherwise (CI logs, pipes), so a log never
 * fills with carriage returns.
 */
import type { Progress } from '@sparkle/core';
import type { TextSink } from './io.js';
import { formatBytes, formatCount, formatDuration } from './output.js';

export interface ProgressReporterOptions {
  /** Minimum time between two plain lines (non-TTY). Default 2 s. */
  lineIntervalMs?: number;
  /** Minimum time between two redraws of the bar (TTY). Default 100 ms. */
  redrawIntervalMs?: number;
  /** Width of the bar in characters. Default 24. */
  barWidth?: number;
  /** Injected clock for tests. */
  now?: () => number;
}

/** Describes one progress snapshot in words: `1,234 rows  3.4 MiB  5,000 rows/s  ETA 2.0 s`. */
export function describeProgress(p: Progress): string {
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.rows / seconds : 0;
  const parts = [`${formatCount(p.rows)}${p.totalRows !== undefined ? `/${p.estimated ? '~' : ''}${formatCount(p.totalRows)}` : ''} rows`, formatBytes(p.bytes)];
  if (seconds > 0) parts.push(`${formatCount(rate)} rows/s`);
  if (p.partitions !== undefined) parts.push(`partitions ${p.partitionsDone ?? 0}/${p.partitions}`);
  if (p.totalRows && rate > 0 && p.rows < p.totalRows) parts.push(`ETA ${formatDuration(((p.totalRows - p.rows) / rate) * 1000)}`);
  parts.push(`elapsed ${formatDuration(p.elapsedMs)}`);
  return parts.join('  ');
}

/** Feeds on `onProgress` callbacks and draws them. Call `finish()` before printing anything else. */
export class ProgressReporter {
  readonly #sink: TextSink;
  readonly #tty: boolean;
  readonly #options: Required<ProgressReporterOptions>;
  #last = Number.NEGATIVE_INFINITY;
  #drawn = false;
  #latest: Progress | undefined;

  constructor(sink: TextSink, options: ProgressReporterOptions = {}) {
    this.#sink = sink;
    this.#tty = Boolean(sink.isTTY);
    this.#options = { lineIntervalMs: 2000, redrawIntervalMs: 100, barWidth: 24, now: () => performance.now(), ...options };
  }

  /** The `onProgress` callback to pass to the engine. */
  readonly update = (progress: Progress): void => {
    this.#latest = progress;
    const now = this.#options.now();
    const interval = this.#tty ? this.#options.redrawIntervalMs : this.#options.lineIntervalMs;
    if (now - this.#last < interval) return;
    this.#last = now;
    this.#draw(progress);
  };

  #bar(p: Progress): string {
    if (!p.totalRows) return '';
    const fraction = Math.min(1, p.rows / p.totalRows);
    const filled = Math.round(fraction * this.#options.barWidth);
    return `[${'#'.repeat(filled)}${'-'.repeat(this.#options.barWidth - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  `;
  }

  #draw(p: Progress): void {
    if (this.#tty) {
      const width = this.#sink.columns ?? 100;
      this.#sink.write(`\r\u001b[K${(this.#bar(p) + describeProgress(p)).slice(0, Math.max(20, width - 1))}`);
      this.#drawn = true;
    } else {
      this.#sink.write(`progress: ${describeProgress(p)}\n`);
    }
  }

  /** Clears the bar (TTY) so the next line starts clean; returns the last snapshot seen. */
  finish(): Progress | undefined {
    if (this.#tty && this.#drawn) this.#sink.write('\r\u001b[K');
    this.#drawn = false;
    return this.#latest;
  }
}
