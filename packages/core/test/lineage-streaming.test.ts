/** Lineage for streaming runs: processingType STREAMING, RUNNING events with statistics, ABORT. */
import { describe, expect, it } from 'vitest';
import { buildRunEvent, OpenLineageClient, validateRunEvent, type LineageTransport, type RunEvent } from '../src/index.js';

const spec = { jobName: 'sparkle.read.kafka.orders', operation: 'read' as const, connectionType: 'kafka', inputs: [{ namespace: 'kafka://b1:9092', name: 'orders' }], outputs: [] };

describe('streaming lineage', () => {
  it('marks a streaming job and puts statistics on RUNNING events', () => {
    const runId = '0190b3c2-7d7c-7b8e-9a3f-3b5f7c1e2d4a';
    const running = buildRunEvent({ eventType: 'RUNNING', runId, spec: { ...spec, processingType: 'STREAMING' }, stats: { rows: 1000, bytes: 52_000 } });
    expect(running.job.facets?.jobType).toMatchObject({ processingType: 'STREAMING', integration: 'SPARKLE', jobType: 'READ' });
    expect(running.inputs[0]!.inputFacets?.inputStatistics).toMatchObject({ rowCount: 1000, size: 52_000 });
    expect(validateRunEvent(running)).toEqual([]);
    const batch = buildRunEvent({ eventType: 'START', runId, spec });
    expect(batch.job.facets?.jobType?.processingType).toBe('BATCH');
  });

  it('a run emits START, RUNNING and ABORT with statistics through the client', async () => {
    const events: RunEvent[] = [];
    const transport: LineageTransport = { kind: 'memory', emit: async (e: RunEvent) => void events.push(e) } as LineageTransport;
    const client = new OpenLineageClient(transport);
    const run = client.run({ ...spec, processingType: 'STREAMING' });
    await run.running({ rows: 1 }); // before start: ignored
    await run.start();
    await run.running({ rows: 10 });
    await run.abort(new Error('stopped'), { rows: 12 });
    await run.running({ rows: 13 }); // after the finish: ignored
    await run.complete();
    await client.flush();
    expect(events.map((e) => e.eventType)).toEqual(['START', 'RUNNING', 'ABORT']);
    expect(events[2]!.run.facets?.errorMessage?.message).toContain('stopped');
    expect(events[2]!.inputs[0]!.inputFacets?.inputStatistics?.rowCount).toBe(12);
    for (const e of events) expect(validateRunEvent(e)).toEqual([]);
  });
});
