/**
 * RunEvents checked against facts of the official OpenLineage schema
 * (https://openlineage.io/spec/2-0-2/OpenLineage.json and the facet schemas under
 * https://openlineage.io/spec/facets/): required eventTime / producer / schemaURL, run.runId
 * (uuid), job.namespace / job.name, eventType enum, and `_producer` / `_schemaURL` (uri) on every facet.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildRunEvent,
  isDateTime,
  isUri,
  isUuid,
  OPENLINEAGE_SCHEMA_URL,
  schemaFacet,
  SPARKLE_CORE_VERSION,
  SPARKLE_PRODUCER,
  uuidv7,
  validateRunEvent,
  type RunEvent,
} from '../src/lineage/index.js';
import type { LineageRunSpec } from '../src/lineage/types.js';

const spec: LineageRunSpec = {
  jobName: 'sparkle.write.postgres.analytics.public.customers_gold',
  operation: 'write',
  connectionType: 'postgres',
  connectionClass: 'PostgreSQLConnection',
  engine: 'local',
  inputs: [],
  outputs: [
    {
      namespace: 'postgres://prod-db:5432',
      name: 'analytics.public.customers_gold',
      facets: { schema: schemaFacet([{ name: 'id', type: 'int8' }, { name: 'email', type: 'text' }]) },
    },
  ],
  metadata: { table: 'public.customers_gold', mode: 'overwrite' },
};

describe('schema facts used by the validator', () => {
  it('formats: uuid, date-time, uri', () => {
    expect(isUuid('0190b7a2-3c4d-7e5f-8a9b-0c1d2e3f4a5b')).toBe(true);
    expect(isUuid('not-a-uuid')).toBe(false);
    expect(isDateTime('2026-11-24T08:00:00.123Z')).toBe(true);
    expect(isDateTime('2026-11-24T08:00:00+02:00')).toBe(true);
    expect(isDateTime('2026-11-24 08:00:00')).toBe(false); // no T, no offset
    expect(isUri('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent')).toBe(true);
    expect(isUri('relative/path')).toBe(false);
    expect(isUri('has space://x')).toBe(false);
  });

  it('rejects events that break the schema, naming the path', () => {
    const good = buildRunEvent({ eventType: 'START', runId: uuidv7(), spec });
    expect(validateRunEvent(good)).toEqual([]);
    const broken = structuredClone(good) as unknown as Record<string, any>;
    broken.eventType = 'DONE';
    broken.run.runId = '42';
    delete broken.job.name;
    broken.producer = 'sparkle';
    broken.run.facets.sparkle._schemaURL = 'nope';
    delete broken.job.facets.jobType.integration;
    broken.outputs[0].facets.schema.fields = [{ type: 'int' }];
    expect(validateRunEvent(broken).sort()).toEqual(
      [
        '$.eventType: not one of START|RUNNING|COMPLETE|ABORT|FAIL|OTHER',
        '$.run.runId: required, format uuid',
        '$.job.name: required string',
        '$.producer: required, format uri',
        '$.run.facets.sparkle._schemaURL: required, format uri',
        '$.job.facets.jobType.integration: required string',
        '$.outputs[0].facets.schema.fields: an array of { name }',
      ].sort(),
    );
    expect(validateRunEvent({})).toContain('$.eventTime: required, format date-time');
    expect(validateRunEvent({})).toContain('$.run: required object');
  });
});

describe('buildRunEvent', () => {
  const runId = uuidv7();

  it('START: spec-valid, with jobType, sparkle facet, dataSource and schema', () => {
    const event = buildRunEvent({ eventType: 'START', runId, spec, eventTime: new Date('2026-01-02T03:04:05.000Z') });
    expect(validateRunEvent(event)).toEqual([]);
    expect(event).toMatchObject({
      eventType: 'START',
      eventTime: '2026-01-02T03:04:05.000Z',
      run: { runId },
      job: { namespace: 'sparkle', name: spec.jobName },
      inputs: [],
      producer: SPARKLE_PRODUCER,
      schemaURL: OPENLINEAGE_SCHEMA_URL,
    });
    expect(event.job.facets!.jobType).toMatchObject({ processingType: 'BATCH', integration: 'SPARKLE', jobType: 'WRITE' });
    expect(event.job.facets!.jobType!._schemaURL).toMatch(/^https:\/\/openlineage\.io\/spec\/facets\/2-0-4\/JobTypeJobFacet\.json#/);
    expect(event.run.facets!.sparkle).toMatchObject({
      operation: 'write',
      connection_type: 'postgres',
      connection_class: 'PostgreSQLConnection',
      engine: 'local',
      metadata: { table: 'public.customers_gold', mode: 'overwrite' },
    });
    const out = event.outputs[0]!;
    expect(out.facets!.dataSource).toMatchObject({ name: 'postgres://prod-db:5432', uri: 'postgres://prod-db:5432' });
    expect(out.facets!.schema).toMatchObject({ fields: [{ name: 'id', type: 'int8', ordinal_position: 1 }, { name: 'email', ordinal_position: 2 }] });
    expect(out.outputFacets).toBeUndefined(); // statistics only once the run finished
    expect(event.run.facets!.errorMessage).toBeUndefined();
  });

  it('COMPLETE: outputStatistics on outputs, inputStatistics on inputs', () => {
    const copy: LineageRunSpec = { ...spec, operation: 'copy', inputs: [{ namespace: 'file', name: '/data/in.csv' }] };
    const event = buildRunEvent({ eventType: 'COMPLETE', runId, spec: copy, stats: { rows: 1200, bytes: 65536.7 } });
    expect(validateRunEvent(event)).toEqual([]);
    expect(event.outputs[0]!.outputFacets!.outputStatistics).toMatchObject({ rowCount: 1200, size: 65536 });
    expect(event.inputs[0]!.inputFacets!.inputStatistics).toMatchObject({ rowCount: 1200, size: 65536 });
    // `file` is not an absolute URI, so the dataSource facet names it without a uri.
    expect(event.inputs[0]!.facets!.dataSource).toEqual(expect.not.objectContaining({ uri: expect.anything() }));
    expect(event.job.facets!.jobType!.jobType).toBe('COPY');
  });

  it('FAIL: errorMessage with javascript stack; parent facet when the spec has one', () => {
    const parentRunId = uuidv7();
    const child = { ...spec, parent: { runId: parentRunId, jobNamespace: 'sparkle', jobName: 'sparkle.copy.nightly' } };
    const error = new Error('relation "customers_gold" does not exist');
    const event = buildRunEvent({ eventType: 'FAIL', runId, spec: child, error });
    expect(validateRunEvent(event)).toEqual([]);
    expect(event.run.facets!.errorMessage).toMatchObject({
      message: 'Error: relation "customers_gold" does not exist',
      programmingLanguage: 'javascript',
    });
    expect(String(event.run.facets!.errorMessage!.stackTrace)).toContain('lineage-event.test.ts');
    expect(event.run.facets!.parent).toMatchObject({ run: { runId: parentRunId }, job: { namespace: 'sparkle', name: 'sparkle.copy.nightly' } });
  });

  it('a query run carries its SQL in the sql job facet; OPENLINEAGE job namespace from options', () => {
    const q: LineageRunSpec = { ...spec, operation: 'query', outputs: [], metadata: { sql: 'select 1' } };
    const event = buildRunEvent({ eventType: 'START', runId, spec: q, defaultJobNamespace: 'etl-prod' });
    expect(event.job.namespace).toBe('etl-prod');
    expect(event.job.facets!.sql).toMatchObject({ query: 'select 1' });
    expect(validateRunEvent(event)).toEqual([]);
  });

  it('redacts secrets in metadata and errors: key names, known values, URL passwords, key=value', () => {
    const secretSpec: LineageRunSpec = {
      ...spec,
      metadata: { password: 'hunter2', url: 'jdbc:postgresql://app:Pa55word@db:5432/x', options: 'ssl=true;token=tok-987' },
      secrets: ['s3cr3t-value'],
    };
    const error = new Error('login failed for app with s3cr3t-value at postgres://app:Pa55word@db:5432');
    const json = JSON.stringify(buildRunEvent({ eventType: 'FAIL', runId, spec: secretSpec, error }));
    for (const secret of ['hunter2', 'Pa55word', 'tok-987', 's3cr3t-value']) expect(json).not.toContain(secret);
    expect(json).toContain('***');
  });

  it('a very short secret is scrubbed from caller data without breaking producer or schema URLs', () => {
    const tiny: LineageRunSpec = { ...spec, metadata: { password: 'p', note: 'pass p along' } };
    const event = buildRunEvent({ eventType: 'FAIL', runId, spec: tiny, error: new Error('bad p') });
    expect(validateRunEvent(event)).toEqual([]);
    expect(event.producer).toBe(SPARKLE_PRODUCER);
    expect(event.run.facets!.sparkle!.metadata).toEqual({ password: '***', note: 'pass *** along' });
    expect(event.run.facets!.errorMessage!.message).toBe('Error: bad ***');
  });

  it('producer names this package version (kept in step with package.json)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SPARKLE_CORE_VERSION).toBe(pkg.version);
    expect(SPARKLE_PRODUCER).toBe(`https://github.com/sparkle-data/sparkle/tree/v${pkg.version}/packages/core`);
  });
});

describe('uuidv7', () => {
  it('is a version-7, RFC-variant UUID carrying the time, strictly increasing', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const t = parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(t - Date.now())).toBeLessThan(5000);
  });
});

// Keeps the RunEvent type honest: a value typed as RunEvent round-trips through JSON unchanged.
it('events are plain JSON', () => {
  const event: RunEvent = buildRunEvent({ eventType: 'OTHER', runId: uuidv7(), spec });
  expect(JSON.parse(JSON.stringify(event))).toEqual(event);
});
