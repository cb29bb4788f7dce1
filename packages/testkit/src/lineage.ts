/**
 * An in-memory `LineageClient` that records every run event, so tests can assert what a
 * connection emitted (START, COMPLETE, FAIL; datasets; metadata) without any transport.
 */
import { buildRunEvent, type LineageClient, type LineageRun, type LineageRunSpec, type RunEvent, type RunStats } from '@sparkle/core';
import { validateOpenLineageEvent } from './openlineage.js';

/** One recorded event. */
export interface RecordedLineageEvent {
  eventType: 'START' | 'RUNNING' | 'COMPLETE' | 'FAIL' | 'ABORT';
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
    let started = false;
    return {
      runId,
      async start() {
        if (started) return;
        started = true;
        events.push({ eventType: 'START', runId, spec });
      },
      async running(stats?: RunStats) {
        if (!started || finished) return;
        events.push({ eventType: 'RUNNING', runId, spec, stats });
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
      async abort(reason?: unknown, stats?: RunStats) {
        if (finished) return;
        finished = true;
        events.push({ eventType: 'ABORT', runId, spec, stats, error: reason });
      },
    };
  }

  /** Forgets recorded events. */
  clear(): void {
    this.events.length = 0;
  }

  async close(): Promise<void> {}
}

/**
 * The OpenLineage RunEvent a recorded event stands for, built by core's event builder exactly as
 * a transport would receive it.
 */
export function runEventOf(event: RecordedLineageEvent): RunEvent {
  return buildRunEvent({
    eventType: event.eventType,
    runId: event.runId,
    spec: event.spec,
    ...(event.stats ? { stats: event.stats } : {}),
    ...(event.error !== undefined ? { error: event.error } : {}),
  });
}

/**
 * Problems of the RunEvents behind recorded events against the OpenLineage schema, checked with
 * ajv (`[]` when all are valid), each prefixed with the event's position and type.
 * @example
 * expect(lineageProblems(lineage.events)).toEqual([]);
 */
export function lineageProblems(events: readonly RecordedLineageEvent[]): string[] {
  return events.flatMap((e, i) => validateOpenLineageEvent(JSON.parse(JSON.stringify(runEventOf(e)))).map((p) => `event ${i} (${e.eventType}): ${p}`));
}
