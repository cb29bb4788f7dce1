/**
 * `LocalFrame`: what the local engine's reads return — a lazy, re-runnable stream of Arrow
 * record batches. Nothing touches the source until the frame is consumed; each consumption runs
 * the read again (like a Spark DataFrame action), with its own lineage run.
 */
import { Schema, Table, type RecordBatch } from 'apache-arrow';
import { anySignal, type DatasetRef, type NativeReadPlan, type Progress, type SparkleConnection } from '@sparkle/core';
import { batchByteLength, emptyBatch } from './arrow.js';
import { engineRun, quietly, type LineageParent } from './lineage.js';
import { mergePartitions } from './merge.js';
import { ProgressTracker } from './progress.js';

/** Where a frame's rows come from, so a write of the frame can name its input in lineage. */
export interface FrameSource {
  connection: SparkleConnection<object>;
  /** Table, path or (for queries) the SQL text. */
  table: string;
  operation: 'read' | 'query';
  /** The dataset read; undefined for queries (their SQL is not parsed into tables). */
  dataset: DatasetRef | undefined;
}

/** Everything a frame needs to run its read. @internal */
export interface FrameSpec {
  connection: SparkleConnection<object>;
  target: string;
  operation: 'read' | 'query';
  /** Lineage metadata (partitioning, columns, where…). */
  metadata: Record<string, unknown>;
  plan: (signal: AbortSignal) => Promise<NativeReadPlan>;
  /** Partitions read at once. */
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  parent?: LineageParent;
}

/** Options of one consumption of a frame. */
export interface ConsumeOptions {
  signal?: AbortSignal;
  /** Replaces the frame's progress callback for this consumption. */
  onProgress?: (progress: Progress) => void;
}

/**
 * A lazy stream of Arrow record batches from a local-engine read or query.
 *
 * @example
 * ```ts
 * const frame = await conn.readTable<LocalFrame>('public.orders', { partitionColumn: 'id', numPartitions: 4 });
 * for await (const batch of frame) console.log(batch.numRows);
 * const table = await frame.toTable(); // runs the read again
 * ```
 */
export class LocalFrame implements AsyncIterable<RecordBatch> {
  readonly #spec: FrameSpec;

  /** @internal Created by the local engine. */
  constructor(spec: FrameSpec) {
    this.#spec = spec;
  }

  /** The dataset this frame reads (for lineage of copies and for messages). */
  get source(): FrameSource {
    const { connection, target, operation } = this.#spec;
    return { connection, table: target, operation, dataset: operation === 'read' ? connection.dataset(target) : undefined };
  }

  /** A copy of this frame whose lineage runs are children of `parent` (used by `copyTable`). */
  withLineageParent(parent: LineageParent): LocalFrame {
    return new LocalFrame({ ...this.#spec, parent });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    return this.batches();
  }

  /**
   * Runs the read and streams its batches as partitions produce them, with lineage (START on
   * the first pull, COMPLETE with row/byte counts, FAIL on error) and throttled progress.
   */
  async *batches(options: ConsumeOptions = {}): AsyncGenerator<RecordBatch> {
    const spec = this.#spec;
    const run = engineRun(spec.connection, { operation: spec.operation, target: spec.target, metadata: spec.metadata, parent: spec.parent });
    await quietly(run.start());
    let terminal = false;
    const tracker = new ProgressTracker(options.onProgress ?? spec.onProgress);
    try {
      for await (const batch of this.#stream(anySignal(spec.signal, options.signal), tracker)) yield batch;
      terminal = true;
      tracker.final();
      await quietly(run.complete({ rows: tracker.rows, bytes: tracker.bytes }));
    } catch (error) {
      terminal = true;
      const e = spec.connection.wrapError(error, `${spec.operation} ${spec.target}`);
      await quietly(run.fail(e, { rows: tracker.rows, bytes: tracker.bytes }));
      throw e;
    } finally {
      // The consumer stopped early (break, take-first): the read ended normally from its side.
      if (!terminal) await quietly(run.complete({ rows: tracker.rows, bytes: tracker.bytes }));
    }
  }

  /** The plan and merged partition stream, without lineage. */
  async *#stream(signal: AbortSignal | undefined, tracker: ProgressTracker): AsyncGenerator<RecordBatch> {
    const spec = this.#spec;
    const planSignal = signal ?? new AbortController().signal;
    const plan = await spec.plan(planSignal);
    tracker.setTotals(plan.partitions.length, plan.estimatedRows);
    let yielded = false;
    const merged = mergePartitions(plan.partitions, {
      concurrency: spec.concurrency,
      signal,
      onPartitionDone: () => tracker.partitionDone(),
      wrapError: (error, partition) => spec.connection.wrapError(error, `read partition '${partition.description}' of ${spec.target}`),
    });
    for await (const batch of merged) {
      tracker.add(batch.numRows, batchByteLength(batch));
      yielded = true;
      yield batch;
    }
    // Writers need the columns even when no row matched.
    if (!yielded && plan.schema) yield emptyBatch(plan.schema);
  }

  /** Reads everything into an Arrow Table (all in memory: for small results and tests). */
  async toTable(options: ConsumeOptions = {}): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const batch of this.batches(options)) batches.push(batch);
    const nonEmpty = batches.filter((b) => b.numRows > 0);
    if (nonEmpty.length) return new Table(nonEmpty);
    return new Table(batches[0]?.schema ?? new Schema([]));
  }

  /** Reads everything into plain row objects (Int64 as bigint, timestamps as epoch ms). */
  async toArray(options: ConsumeOptions = {}): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const batch of this.batches(options)) {
      for (const row of batch) if (row) rows.push(row.toJSON() as Record<string, unknown>);
    }
    return rows;
  }

  /** Counts rows by streaming the read (nothing is kept). */
  async count(options: ConsumeOptions = {}): Promise<number> {
    let rows = 0;
    for await (const batch of this.batches(options)) rows += batch.numRows;
    return rows;
  }

  /**
   * The result's schema: from the read plan when the connector knows it up front, otherwise
   * from the first batch (the read stops there). No lineage run is recorded for this probe.
   */
  async schema(options: ConsumeOptions = {}): Promise<Schema> {
    const controller = new AbortController();
    const signal = anySignal(this.#spec.signal, options.signal, controller.signal);
    try {
      const plan = await this.#spec.plan(signal);
      if (plan.schema) return plan.schema;
      const merged = mergePartitions(plan.partitions, { concurrency: 1, signal });
      for await (const batch of merged) return batch.schema;
      return new Schema([]);
    } catch (error) {
      throw this.#spec.connection.wrapError(error, `schema of ${this.#spec.target}`);
    } finally {
      controller.abort();
    }
  }
}
