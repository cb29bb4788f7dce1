/**
 * An in-memory `LineageClient` that records every run event, so tests can assert what a
 * connection emitted (START, COMPLETE, FAIL; datasets; metadata) without any transport.
 */
import { OpenLineageClient, type LineageClient, type LineageRun, type LineageRunSpec, type RunEvent, type RunStats } from '@sparkle/core';

/** One recorded event. */
export interface RecordedLineageEvent {
  eventType: 'START' | 'RUNNING' | 'COMPLETE' | 'FAIL' | 'ABORT';
  runId: string;
  spec: LineageRunSpec;
  stats?: RunStats;
  error?: unknown;
  /** The OpenLineage RunEvent core's client would emit for this step (validate it with `validateOpenLineageEvent`). */
  runEvent: RunEvent;
}

/** Builds events exactly as the real client does, without delivering them anywhere. */
const eventBuilder = new OpenLineageClient({ kind: 'memory', emit: async () => {} }, { enabled: true });

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
    const record = (eventType: RecordedLineageEvent['eventType'], extra: { stats?: RunStats; error?: unknown } = {}) => {
      const runEvent = eventBuilder.event(eventType, runId, spec, extra);
      events.push({ eventType, runId, spec, ...extra, runEvent });
    };
    return {
      runId,
      async start() {
        record('START');
      },
      async complete(stats?: RunStats) {
        if (finished) return;
        finished = true;
        record('COMPLETE', stats ? { stats } : {});
      },
      async fail(error: unknown, stats?: RunStats) {
        if (finished) return;
        finished = true;
        record('FAIL', { error, ...(stats ? { stats } : {}) });
      },
    };
  }

  /** Forgets recorded events. */
  clear(): void {
    this.events.length = 0;
  }

  async close(): Promise<void> {}
}
