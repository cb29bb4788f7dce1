/**
 * An in-memory `LineageClient` that records every run event, so tests can assert what a
 * connection emitted (START, COMPLETE, FAIL; datasets; metadata) without any transport.
 */
import type { LineageClient, LineageRun, LineageRunSpec, RunStats } from '@sparkle/core';

/** One recorded event. */
export interface RecordedLineageEvent {
  eventType: 'START' | 'COMPLETE' | 'FAIL';
  runId: string;
  spec: LineageRunSpec;
  stats?: RunStats;
  error?: unknown;
}

/**
 * Records lineage events in memory.
 * @example
 * const lineage = new MemoryLineageClient();
 * const conn = await getConnection('sqlite', { config, lineage });
 * // … read …
 * expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
 */
export class MemoryLineageClient implements LineageClient {
  readonly enabled = true;
  readonly events: RecordedLineageEvent[] = [];
  #next = 0;

  run(spec: LineageRunSpec): LineageRun {
    const runId = `00000000-0000-4000-8000-${String(++this.#next).padStart(12, '0')}`;
    const events = this.events;
    let finished = false;
    return {
      runId,
      async start() {
        events.push({ eventType: 'START', runId, spec });
      },
      async complete(stats?: RunStats) {
        if (finished) return;
        finished = true;
        events.push({ eventType: 'COMPLETE', runId, spec, stats });
      },
      async fail(error: unknown, stats?: RunStats) {
        if (finished) return;
        finished = true;
        events.push({ eventType: 'FAIL', runId, spec, stats, error });
      },
    };
  }

  /** Forgets recorded events. */
  clear(): void {
    this.events.length = 0;
  }

  async close(): Promise<void> {}
}
