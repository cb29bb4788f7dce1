/**
 * OpenLineage event model (spec 2-0-2) and the builder that turns a {@link LineageRunSpec} into
 * spec-valid RunEvents. Only the facets Sparkle emits are modelled; every facet carries the
 * `_producer` / `_schemaURL` pair the spec's BaseFacet requires.
 */
import { collectSecrets, redactText, redactValue } from '../secrets.js';
import type { DatasetRef, LineageRunSpec, RunStats } from './types.js';

/** Version stamped into `producer`; kept in step with packages/core/package.json by a test. */
export const SPARKLE_CORE_VERSION = '0.1.0';

/** URI naming this producer (OpenLineage suggests a git URL with a tag or sha). */
export const SPARKLE_PRODUCER = `https://github.com/sparkle-data/sparkle/tree/v${SPARKLE_CORE_VERSION}/packages/core`;

/** The RunEvent schema this module emits. */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

export type RunEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

/** Every facet: the spec's BaseFacet fields plus facet-specific ones. */
export interface Facet {
  _producer: string;
  _schemaURL: string;
  [key: string]: unknown;
}

export type Facets = Record<string, Facet>;

export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: Facets;
}
export interface InputDataset extends OpenLineageDataset {
  inputFacets?: Facets;
}
export interface OutputDataset extends OpenLineageDataset {
  outputFacets?: Facets;
}

/** An OpenLineage RunEvent, as sent over the wire. */
export interface RunEvent {
  eventType: RunEventType;
  /** ISO-8601 date-time with offset. */
  eventTime: string;
  run: { runId: string; facets?: Facets };
  job: { namespace: string; name: string; facets?: Facets };
  inputs: InputDataset[];
  outputs: OutputDataset[];
  producer: string;
  schemaURL: string;
}

/** Official facet schema URLs (`$id` + JSON pointer to the facet definition). */
const FACET_SCHEMAS = {
  jobType: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  sql: 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet',
  errorMessage: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  parent: 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet',
  schema: 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  dataSource: 'https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet',
  outputStatistics: 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
  inputStatistics: 'https://openlineage.io/spec/facets/1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet',
} as const;

/** Schema URL of Sparkle's own run facet (custom facets point at their producer's schema). */
export const SPARKLE_RUN_FACET_SCHEMA_URL = `${SPARKLE_PRODUCER}/schemas/SparkleRunFacet.json#/$defs/SparkleRunFacet`;

/** A facet with the base fields filled in. */
export function facet(kind: string, fields: Record<string, unknown>, producer: string = SPARKLE_PRODUCER): Facet {
  const schemaURL =
    (FACET_SCHEMAS as Record<string, string>)[kind] ?? `${SPARKLE_PRODUCER}/schemas/${kind}.json#/$defs/${kind}`;
  return { _producer: producer, _schemaURL: schemaURL, ...fields };
}

/** One column of a dataset schema facet. */
export interface SchemaField {
  name: string;
  type?: string;
  description?: string;
  fields?: SchemaField[];
}

/**
 * The `schema` dataset facet (column names and types), with 1-based `ordinal_position`.
 * @example
 * const ds: DatasetRef = { namespace: 'postgres://db:5432', name: 'app.public.users',
 *   facets: { schema: schemaFacet([{ name: 'id', type: 'int8' }]) } };
 */
export function schemaFacet(fields: SchemaField[]): Facet {
  const withPositions = (list: SchemaField[]): Array<Record<string, unknown>> =>
    list.map((f, i) => ({ ...f, ordinal_position: i + 1, ...(f.fields ? { fields: withPositions(f.fields) } : {}) }));
  return facet('schema', { fields: withPositions(fields) });
}

/** The `dataSource` dataset facet; `uri` must be an absolute URI, so it is left out otherwise. */
export function dataSourceFacet(name: string, uri: string = name): Facet {
  return facet('dataSource', isAbsoluteUri(uri) ? { name, uri } : { name });
}

/** True for `scheme:...` strings (RFC 3986 absolute URI shape). */
export function isAbsoluteUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(value);
}

/** What {@link buildRunEvent} needs besides the spec. */
export interface BuildRunEventInput {
  eventType: RunEventType;
  runId: string;
  spec: LineageRunSpec;
  /** Job namespace when the spec has none (from config); default `sparkle`. */
  defaultJobNamespace?: string;
  /** The error of a FAIL (or ABORT) event. */
  error?: unknown;
  stats?: RunStats;
  eventTime?: Date;
  producer?: string;
  /** Secret values to scrub from every string in the event (besides `spec.secrets`). */
  secrets?: readonly string[];
}

/**
 * Builds one OpenLineage RunEvent. Values are redacted on the way out: keys that look secret
 * (`password`, `token`, …), known secret values, and passwords inside URLs or `key=value` strings.
 *
 * @example
 * const event = buildRunEvent({
 *   eventType: 'START',
 *   runId: uuidv7(),
 *   spec: { jobName: 'sparkle.read.postgres.app.public.users', operation: 'read', connectionType: 'postgres',
 *           inputs: [{ namespace: 'postgres://db:5432', name: 'app.public.users' }], outputs: [] },
 * });
 */
export function buildRunEvent(input: BuildRunEventInput): RunEvent {
  const { eventType, stats } = input;
  const spec = redactSpec(input.spec, input.secrets ?? []);
  const secrets = spec.secrets ?? [];
  const producer = input.producer ?? SPARKLE_PRODUCER;
  const make = (kind: string, fields: Record<string, unknown>) => facet(kind, fields, producer);
  const finished = eventType === 'COMPLETE' || eventType === 'FAIL' || eventType === 'ABORT';
  // RUNNING events of a streaming run carry the statistics so far.
  const reportsStats = finished || eventType === 'RUNNING';

  const runFacets: Facets = {
    sparkle: make('SparkleRunFacet', {
      operation: spec.operation,
      connection_type: spec.connectionType,
      ...(spec.connectionClass ? { connection_class: spec.connectionClass } : {}),
      ...(spec.engine ? { engine: spec.engine } : {}),
      metadata: spec.metadata ?? {},
      ...(reportsStats && stats ? { stats } : {}),
    }),
  };
  // SparkleRunFacet has no entry in FACET_SCHEMAS; point it at its documented schema URL.
  runFacets.sparkle!._schemaURL = SPARKLE_RUN_FACET_SCHEMA_URL.replace(SPARKLE_PRODUCER, producer);
  if (spec.parent) {
    runFacets.parent = make('parent', {
      run: { runId: spec.parent.runId },
      job: { namespace: spec.parent.jobNamespace, name: spec.parent.jobName },
    });
  }
  if ((eventType === 'FAIL' || eventType === 'ABORT') && input.error !== undefined) {
    runFacets.errorMessage = make('errorMessage', errorFields(input.error, secrets));
  }

  const jobFacets: Facets = {
    jobType: make('jobType', { processingType: spec.processingType ?? 'BATCH', integration: 'SPARKLE', jobType: spec.operation.toUpperCase() }),
  };
  const sql = spec.metadata?.sql ?? spec.metadata?.query;
  if (typeof sql === 'string' && sql.trim()) jobFacets.sql = make('sql', { query: sql });

  const withStats = reportsStats && stats && (stats.rows !== undefined || stats.bytes !== undefined);
  const statFields = withStats ? statistics(stats) : undefined;

  const event: RunEvent = {
    eventType,
    eventTime: (input.eventTime ?? new Date()).toISOString(),
    run: { runId: input.runId, facets: runFacets },
    job: { namespace: spec.jobNamespace ?? input.defaultJobNamespace ?? 'sparkle', name: spec.jobName, facets: jobFacets },
    inputs: spec.inputs.map((d) => ({
      ...dataset(d, producer),
      ...(statFields ? { inputFacets: { inputStatistics: make('inputStatistics', statFields) } } : {}),
    })),
    outputs: spec.outputs.map((d) => ({
      ...dataset(d, producer),
      ...(statFields ? { outputFacets: { outputStatistics: make('outputStatistics', statFields) } } : {}),
    })),
    producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
  };
  return event;
}

/**
 * The spec with every caller-supplied value redacted. Callers promise redacted metadata, but a
 * secret must never leave even if not: keys that look secret, the given secret values and the
 * values of those keys wherever else they appear, URL passwords and `key=value` secrets. Only
 * caller data is scrubbed, so constant fields (`producer`, `_schemaURL`, …) stay valid URIs even
 * when a secret is a short string.
 */
function redactSpec(spec: LineageRunSpec, extra: readonly string[]): LineageRunSpec & { secrets: readonly string[] } {
  const secrets = [
    ...extra,
    ...(spec.secrets ?? []),
    ...collectSecrets({ metadata: spec.metadata, inputs: spec.inputs, outputs: spec.outputs }),
  ].filter((s) => s.length > 0);
  const clean = <T>(value: T): T => redactValue(value, undefined, secrets);
  return {
    ...spec,
    jobName: redactText(spec.jobName, secrets),
    ...(spec.jobNamespace ? { jobNamespace: redactText(spec.jobNamespace, secrets) } : {}),
    inputs: spec.inputs.map((d) => cleanDataset(d, clean)),
    outputs: spec.outputs.map((d) => cleanDataset(d, clean)),
    ...(spec.metadata ? { metadata: clean(spec.metadata) } : {}),
    ...(spec.parent ? { parent: clean(spec.parent) } : {}),
    secrets,
  };
}

function statistics(stats: RunStats): Record<string, number> {
  const out: Record<string, number> = {};
  // The spec types these as integers.
  if (stats.rows !== undefined && Number.isFinite(stats.rows)) out.rowCount = Math.trunc(stats.rows);
  if (stats.bytes !== undefined && Number.isFinite(stats.bytes)) out.size = Math.trunc(stats.bytes);
  return out;
}

/** A redacted dataset whose facets keep their own `_producer` / `_schemaURL` (URIs, not caller data). */
function cleanDataset(ref: DatasetRef, clean: <T>(value: T) => T): DatasetRef {
  const out = clean(ref);
  for (const [kind, original] of Object.entries(ref.facets ?? {})) {
    const target = out.facets?.[kind] as Record<string, unknown> | undefined;
    if (!target || !original || typeof original !== 'object') continue;
    for (const key of ['_producer', '_schemaURL'] as const) {
      const value = (original as Record<string, unknown>)[key];
      if (typeof value === 'string' && isAbsoluteUri(value)) target[key] = value;
    }
  }
  return out;
}

/** The dataset with its facets completed (base fields on each, a dataSource when missing). */
function dataset(ref: DatasetRef, producer: string): OpenLineageDataset {
  const facets: Facets = {};
  for (const [kind, value] of Object.entries(ref.facets ?? {})) {
    if (!value || typeof value !== 'object') continue;
    const given = value as Record<string, unknown>;
    facets[kind] = { ...facet(kind, {}, producer), ...given } as Facet;
  }
  if (!facets.dataSource) facets.dataSource = { ...dataSourceFacet(ref.namespace), _producer: producer };
  return { namespace: ref.namespace, name: ref.name, facets };
}

/** ErrorMessageRunFacet fields: message and stack, redacted (URL passwords, key=value secrets). */
function errorFields(error: unknown, secrets: readonly string[]): Record<string, unknown> {
  const err = error instanceof Error ? error : undefined;
  const message = err ? `${err.name}: ${err.message}` : String(error);
  return {
    message: redactText(message, secrets),
    programmingLanguage: 'javascript',
    ...(err?.stack ? { stackTrace: redactText(err.stack, secrets) } : {}),
  };
}
