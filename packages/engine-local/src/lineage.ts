/**
 * Lineage runs the engine starts. Reads and writes go through the connection's own `lineageRun`
 * (so connectors that customise it are honoured, and the connection's secrets are redacted),
 * with a parent run (`sparkle copy`) or a write's source dataset passed as links.
 */
import type { DatasetRef, LineageRun, LineageRunSpec, SparkleConnection } from '@sparkle/core';

export const ENGINE_NAME = 'local';

/** Identifies a parent run (OpenLineage ParentRunFacet). */
export interface LineageParent {
  runId: string;
  jobNamespace: string;
  jobName: string;
}

export interface EngineRunSpec {
  operation: LineageRunSpec['operation'];
  target: string;
  metadata?: Record<string, unknown>;
  /** Extra inputs (a write's source dataset). */
  inputs?: DatasetRef[];
  parent?: LineageParent;
}

type AnyConnection = SparkleConnection<object>;

/** A job name as core builds it: `sparkle.<operation>.<type>.<dataset name>`. */
export function jobNameFor(operation: string, type: string, datasetName: string): string {
  return `sparkle.${operation}.${type}.${datasetName}`.replace(/[^A-Za-z0-9_.\-/]/g, '_');
}

/** The default job namespace of a connection's lineage client. */
export function jobNamespaceOf(connection: AnyConnection): string {
  const client = connection.lineage() as { namespace?: unknown };
  return typeof client.namespace === 'string' ? client.namespace : process.env.OPENLINEAGE_NAMESPACE?.trim() || 'sparkle';
}

/** Starts describing one engine operation as a lineage run (START is sent by `run.start()`). */
export function engineRun(connection: AnyConnection, spec: EngineRunSpec): LineageRun {
  if (spec.operation === 'query') {
    // A query's text is not a dataset name (and core's SQL naming would reject it); the SQL goes
    // into the run's metadata and the datasets stay unnamed, as we do not parse SQL.
    return connection.lineage().run({
      jobName: jobNameFor('query', connection.type, connection.env),
      operation: 'query',
      connectionType: connection.type,
      connectionClass: connection.constructor.name,
      engine: ENGINE_NAME,
      inputs: [],
      outputs: [],
      metadata: connection.redactValue({ env: connection.env, ...(spec.metadata ?? {}) }),
      ...(spec.parent ? { parent: spec.parent } : {}),
    });
  }
  return connection.lineageRun(spec.operation, spec.target, spec.metadata ?? {}, ENGINE_NAME, { parent: spec.parent, inputs: spec.inputs });
}

/** Lineage must never break a data operation: emit failures are swallowed (transports log them). */
export async function quietly(action: Promise<void>): Promise<void> {
  try {
    await action;
  } catch {
    // A lineage transport failing (HTTP endpoint down) must not fail the user's read or write.
  }
}
