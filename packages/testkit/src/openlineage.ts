/**
 * OpenLineage RunEvent validation with ajv, for every connector's conformance suite.
 *
 * The schema below is our own JSON Schema (draft 2020-12) rendition of the OpenLineage 2-0-2
 * RunEvent and of the standard facets Sparkle emits. The official `OpenLineage.json` ships in no
 * package any of our registries serve (not in openlineage-python's wheel, not in the
 * openlineage-java jar), and we do not vendor other projects' files; so the facts — required
 * fields, formats, enums, facet fields — are stated here, and ajv does the checking.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

const facet = (required: string[] = [], properties: Record<string, unknown> = {}) => ({
  type: 'object',
  allOf: [{ $ref: '#/$defs/BaseFacet' }],
  required,
  properties,
});

/** The RunEvent schema (OpenLineage 2-0-2 facts) with the standard facets Sparkle emits. */
export const RUN_EVENT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://sparkle.dev/schemas/openlineage-2-0-2-run-event.json',
  $ref: '#/$defs/RunEvent',
  $defs: {
    RunEvent: {
      type: 'object',
      required: ['eventTime', 'producer', 'schemaURL', 'run', 'job'],
      properties: {
        eventType: { enum: ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] },
        eventTime: { type: 'string', format: 'date-time' },
        producer: { type: 'string', format: 'uri' },
        schemaURL: { type: 'string', format: 'uri' },
        run: { $ref: '#/$defs/Run' },
        job: { $ref: '#/$defs/Job' },
        inputs: { type: 'array', items: { $ref: '#/$defs/InputDataset' } },
        outputs: { type: 'array', items: { $ref: '#/$defs/OutputDataset' } },
      },
    },
    Run: {
      type: 'object',
      required: ['runId'],
      properties: {
        runId: { type: 'string', format: 'uuid' },
        facets: {
          type: 'object',
          additionalProperties: { $ref: '#/$defs/BaseFacet' },
          properties: {
            parent: facet(['run', 'job'], {
              run: { type: 'object', required: ['runId'], properties: { runId: { type: 'string', format: 'uuid' } } },
              job: { type: 'object', required: ['namespace', 'name'], properties: { namespace: { type: 'string' }, name: { type: 'string' } } },
            }),
            errorMessage: facet(['message', 'programmingLanguage'], {
              message: { type: 'string' },
              programmingLanguage: { type: 'string' },
              stackTrace: { type: 'string' },
            }),
            nominalTime: facet(['nominalStartTime'], { nominalStartTime: { type: 'string', format: 'date-time' } }),
          },
        },
      },
    },
    Job: {
      type: 'object',
      required: ['namespace', 'name'],
      properties: {
        namespace: { type: 'string', minLength: 1 },
        name: { type: 'string', minLength: 1 },
        facets: {
          type: 'object',
          additionalProperties: { $ref: '#/$defs/BaseFacet' },
          properties: {
            jobType: facet(['processingType', 'integration'], {
              processingType: { enum: ['BATCH', 'STREAMING'] },
              integration: { type: 'string' },
              jobType: { type: 'string' },
            }),
            sql: facet(['query'], { query: { type: 'string' } }),
          },
        },
      },
    },
    Dataset: {
      type: 'object',
      required: ['namespace', 'name'],
      properties: {
        namespace: { type: 'string', minLength: 1 },
        name: { type: 'string', minLength: 1 },
        facets: {
          type: 'object',
          additionalProperties: { $ref: '#/$defs/BaseFacet' },
          properties: {
            dataSource: facet([], { name: { type: 'string' }, uri: { type: 'string', format: 'uri' } }),
            schema: facet([], {
              fields: { type: 'array', items: { $ref: '#/$defs/SchemaField' } },
            }),
          },
        },
      },
    },
    SchemaField: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        type: { type: 'string' },
        description: { type: 'string' },
        fields: { type: 'array', items: { $ref: '#/$defs/SchemaField' } },
      },
    },
    InputDataset: {
      allOf: [{ $ref: '#/$defs/Dataset' }],
      properties: {
        inputFacets: {
          type: 'object',
          additionalProperties: { $ref: '#/$defs/BaseFacet' },
          properties: { inputStatistics: facet([], statistics()) },
        },
      },
    },
    OutputDataset: {
      allOf: [{ $ref: '#/$defs/Dataset' }],
      properties: {
        outputFacets: {
          type: 'object',
          additionalProperties: { $ref: '#/$defs/BaseFacet' },
          properties: { outputStatistics: facet([], statistics()) },
        },
      },
    },
    BaseFacet: {
      type: 'object',
      required: ['_producer', '_schemaURL'],
      properties: {
        _producer: { type: 'string', format: 'uri' },
        _schemaURL: { type: 'string', format: 'uri' },
        _deleted: { type: 'boolean' },
      },
    },
  },
} as const;

function statistics() {
  return { rowCount: { type: 'integer', minimum: 0 }, size: { type: 'integer', minimum: 0 }, fileCount: { type: 'integer', minimum: 0 } };
}

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (validator) return validator;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  validator = ajv.compile(RUN_EVENT_SCHEMA);
  return validator;
}

/**
 * Problems in `event` as an OpenLineage 2-0-2 RunEvent, one `path: message` each (`[]` when valid).
 * @example
 * expect(validateOpenLineageEvent(JSON.parse(line))).toEqual([]);
 */
export function validateOpenLineageEvent(event: unknown): string[] {
  const validate = compiled();
  if (validate(event)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}
