import { describe, expect, it } from 'vitest';
import { createLineageClient, type LineageTransport, type RunEvent } from '@sparkle/core';
import { validateOpenLineageEvent } from '../src/openlineage.js';

function recordingClient() {
  const events: RunEvent[] = [];
  const transport: LineageTransport = { kind: 'memory', emit: async (event) => void events.push(event) };
  return { events, client: createLineageClient({ transport, ignoreEnvironment: true }) };
}

describe('validateOpenLineageEvent (ajv)', () => {
  it('accepts the events core builds for a whole run cycle, with a parent, statistics and a failure', async () => {
    const { events, client } = recordingClient();
    const spec = {
      jobName: 'sparkle.copy.postgres.public.t',
      operation: 'write' as const,
      connectionType: 'postgres',
      inputs: [{ namespace: 'postgres://db:5432', name: 'app.public.src' }],
      outputs: [{ namespace: 's3://bucket', name: 'out/t.parquet' }],
      parent: { runId: '01890a5d-ac96-774b-bcce-b302099a8057', jobNamespace: 'sparkle', jobName: 'copy' },
    };
    const ok = client.run(spec);
    await ok.start();
    await ok.complete({ rows: 3, bytes: 120 });
    const bad = client.run(spec);
    await bad.start();
    await bad.fail(new Error('relation "x" does not exist'));
    await client.close();
    expect(events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE', 'START', 'FAIL']);
    for (const event of events) expect(validateOpenLineageEvent(JSON.parse(JSON.stringify(event)))).toEqual([]);
  });

  it('reports what is wrong, by path', () => {
    const problems = validateOpenLineageEvent({
      eventType: 'DONE',
      eventTime: 'yesterday',
      producer: 'not a uri',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: { runId: '42', facets: { errorMessage: { _producer: 'https://x', _schemaURL: 'https://y' } } },
      job: { namespace: '', name: 'j' },
      outputs: [{ namespace: 's3://b', name: 'k', outputFacets: { outputStatistics: { _producer: 'https://x', _schemaURL: 'https://y', rowCount: -1 } } }],
    });
    const text = problems.join('\n');
    expect(text).toMatch(/\/eventType: must be equal to one of the allowed values/);
    expect(text).toMatch(/\/eventTime: must match format "date-time"/);
    expect(text).toMatch(/\/producer: must match format "uri"/);
    expect(text).toMatch(/\/run\/runId: must match format "uuid"/);
    expect(text).toMatch(/\/run\/facets\/errorMessage: must have required property 'message'/);
    expect(text).toMatch(/\/job\/namespace: must NOT have fewer than 1 characters/);
    expect(text).toMatch(/\/outputs\/0\/outputFacets\/outputStatistics\/rowCount: must be >= 0/);
  });
});
