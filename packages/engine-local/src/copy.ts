/**
 * `copyTable`: the main job — read a table from one connection and write it to another through
 * the local engine, as one lineage job (a parent `copy` run with the read and the write as
 * children). Target writes are atomic in the connectors, so a failure leaves nothing half-written.
 */
import type { DatasetRef, Progress, ReadTableOptions, SparkleConnection, WriteResult, WriteTableOptions } from '@sparkle/core';
import { localEngine, type LocalEngine } from './engine.js';
import { ENGINE_NAME, jobNameFor, jobNamespaceOf, quietly, type LineageParent } from './lineage.js';

type AnyConnection = SparkleConnection<object>;

export interface CopySource {
  connection: AnyConnection;
  /** Table or path to read. */
  table: string;
  /** Partitioning, projection and filter of the read. */
  options?: Omit<ReadTableOptions, 'signal' | 'onProgress'>;
}

export interface CopyTarget {
  connection: AnyConnection;
  /** Table or path to write. */
  table: string;
  /** Save mode (default `errorIfExists`), batch size, data source options. */
  options?: Omit<WriteTableOptions, 'signal' | 'onProgress'>;
}

/** Progress of a copy: rows/bytes written so far, with the read's partition counts and estimate. */
export type CopyProgress = Progress;

export interface CopyTableOptions {
  source: CopySource;
  target: CopyTarget;
  /** Called a few times a second, and once at the end. */
  onProgress?: (progress: CopyProgress) => void;
  signal?: AbortSignal;
  /** Engine to run on; default the shared local engine. */
  engine?: LocalEngine;
}

export interface CopyResult {
  rows: number;
  bytes: number;
  elapsedMs: number;
  /** What the target connector reported. */
  write: WriteResult;
  /** The parent lineage run's id. */
  runId: string;
  source: DatasetRef;
  target: DatasetRef;
}

/**
 * Copies a table between two connections with the local engine.
 *
 * @example
 * ```ts
 * const result = await copyTable({
 *   source: { connection: pg, table: 'public.customers', options: { partitionColumn: 'id', numPartitions: 4 } },
 *   target: { connection: files, table: 'customers.parquet', options: { mode: 'overwrite' } },
 *   onProgress: (p) => console.log(p.rows, p.bytes),
 * });
 * console.log(`${result.rows} rows in ${result.elapsedMs} ms`);
 * ```
 */
export async function copyTable(options: CopyTableOptions): Promise<CopyResult> {
  const engine = options.engine ?? localEngine;
  const { source, target } = options;
  const started = performance.now();
  const sourceDataset = source.connection.dataset(source.table);
  const targetDataset = target.connection.dataset(target.table);
  const mode = target.options?.mode ?? 'errorIfExists';
  const jobName = jobNameFor('copy', `${source.connection.type}.${sourceDataset.name}.to.${target.connection.type}`, targetDataset.name);
  const copyRun = source.connection.lineage().run({
    jobName,
    operation: 'copy',
    connectionType: source.connection.type,
    connectionClass: source.connection.constructor.name,
    engine: ENGINE_NAME,
    inputs: [sourceDataset],
    outputs: [targetDataset],
    metadata: {
      source: source.connection.redactValue({ type: source.connection.type, env: source.connection.env, table: source.table, ...(source.options ?? {}) }),
      target: target.connection.redactValue({ type: target.connection.type, env: target.connection.env, table: target.table, mode }),
    },
  });
  const parent: LineageParent = { runId: copyRun.runId, jobNamespace: jobNamespaceOf(source.connection), jobName };

  let readProgress: Progress | undefined;
  const emit = (write: Progress) => {
    if (!options.onProgress) return;
    const p: Progress = { ...write };
    if (readProgress?.partitions !== undefined) {
      p.partitions = readProgress.partitions;
      p.partitionsDone = readProgress.partitionsDone;
    }
    if (readProgress?.totalRows !== undefined) {
      p.totalRows = readProgress.totalRows;
      p.estimated = readProgress.estimated;
    }
    options.onProgress(p);
  };

  await quietly(copyRun.start());
  try {
    const frame = (
      await engine.readTable(source.connection, source.table, {
        ...(source.options ?? {}),
        signal: options.signal,
        onProgress: (p) => (readProgress = p),
      })
    ).withLineageParent(parent);
    const write = await engine.writeTable(
      target.connection,
      frame,
      target.table,
      { ...(target.options ?? {}), mode, signal: options.signal, onProgress: emit },
      { parent },
    );
    const bytes = write.bytes ?? 0;
    await quietly(copyRun.complete({ rows: write.rows, bytes }));
    return { rows: write.rows, bytes, elapsedMs: performance.now() - started, write, runId: copyRun.runId, source: sourceDataset, target: targetDataset };
  } catch (error) {
    await quietly(copyRun.fail(error));
    throw error;
  }
}
