/**
 * An in-memory connection for engine tests: a real `SparkleConnection` subclass implementing
 * `NativeSource` over tables held in a Map, with knobs to inject delays and failures, and a
 * lineage client that records every event it is asked to emit.
 */
import { makeBuilder, RecordBatch, Schema, type Data } from 'apache-arrow';
import {
  SparkleConnection,
  SparkleError,
  type LineageClient,
  type LineageRun,
  type LineageRunSpec,
  type NativePartition,
  type NativeReadPlan,
  type NativeSource,
  type NativeWriteContext,
  type ReadTableOptions,
  type RunStats,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { RowBatchBuilder, inferSchema } from '../src/index.js';

export interface RecordedEvent {
  type: 'START' | 'COMPLETE' | 'FAIL';
  runId: string;
  spec: LineageRunSpec;
  stats?: RunStats;
  error?: unknown;
}

/** Records lineage events in memory. */
export class RecordingLineage implements LineageClient {
  readonly enabled = true;
  readonly namespace = 'tests';
  readonly events: RecordedEvent[] = [];
  #n = 0;
  run(spec: LineageRunSpec): LineageRun {
    const runId = `00000000-0000-7000-8000-${String(++this.#n).padStart(12, '0')}`;
    const events = this.events;
    return {
      runId,
      async start() {
        events.push({ type: 'START', runId, spec });
      },
      async complete(stats?: RunStats) {
        events.push({ type: 'COMPLETE', runId, spec, stats });
      },
      async fail(error: unknown, stats?: RunStats) {
        events.push({ type: 'FAIL', runId, spec, stats, error });
      },
    };
  }
  async close() {}
}

export interface PartitionBehaviour {
  /** Delay before each batch, ms. */
  delayMs?: number;
  /** Throw after this many batches. */
  failAfterBatches?: number;
}

interface MemoryTable {
  schema: Schema;
  batches: RecordBatch[];
}

/** Splits rows of `table` into `numPartitions` partitions, each yielding batches of `batchRows`. */
export class MemoryConnection extends SparkleConnection<{ maxConnections?: number; secret?: string }> implements NativeSource {
  static override family = 'custom';

  readonly tables = new Map<string, MemoryTable>();
  /** Partition index → behaviour. */
  behaviours = new Map<number, PartitionBehaviour>();
  batchRows = 2;
  /** Live view of how many partitions are being read right now, and the peak. */
  open = 0;
  peakOpen = 0;
  readCounts: number[] = [];
  closedPartitions: number[] = [];
  /** Fails a write after this many batches. */
  failWriteAfter?: number;
  /**
   * Behave like a writer that swallows its input's error and throws one of its own (what the
   * Parquet writer does: 'Dyn casting error').
   */
  maskInputErrors = false;

  constructor(lineage: LineageClient, config: Record<string, unknown> = {}) {
    super({ type: 'memory', config, lineage });
  }

  seed(name: string, rows: Record<string, unknown>[], schema = inferSchema(rows)): void {
    const builder = new RowBatchBuilder(schema);
    for (const r of rows) builder.append(r);
    this.tables.set(name, { schema, batches: [builder.flush()] });
  }

  rows(name: string): Record<string, unknown>[] {
    const t = this.tables.get(name);
    if (!t) throw new Error(`no table ${name}`);
    return t.batches.flatMap((b) => [...b].map((r) => r!.toJSON() as Record<string, unknown>));
  }

  async nativeRead(table: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const t = this.tables.get(table);
    if (!t) throw new SparkleError('QUERY_FAILED', `no such table ${table}`, { connector: this.type });
    const all = t.batches.flatMap((b) => [...b].map((r) => r!.toJSON() as Record<string, unknown>));
    const n = options.numPartitions ?? 1;
    this.readCounts = new Array(n).fill(0);
    const partitions: NativePartition[] = [];
    for (let p = 0; p < n; p++) {
      const mine = all.filter((_, i) => i % n === p);
      partitions.push({
        description: `part ${p}`,
        open: (signal) => this.#partition(p, mine, t.schema, signal),
      });
    }
    return { partitions, schema: t.schema, estimatedRows: all.length };
  }

  async *#partition(index: number, rows: Record<string, unknown>[], schema: Schema, signal: AbortSignal): AsyncGenerator<RecordBatch> {
    this.open++;
    this.peakOpen = Math.max(this.peakOpen, this.open);
    const behaviour = this.behaviours.get(index) ?? {};
    try {
      let emitted = 0;
      for (let i = 0; i < rows.length; i += this.batchRows) {
        if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
        signal.throwIfAborted();
        if (behaviour.failAfterBatches !== undefined && emitted >= behaviour.failAfterBatches) {
          throw new SparkleError('QUERY_FAILED', `partition ${index} broke`, { connector: this.type });
        }
        const b = new RowBatchBuilder(schema);
        for (const r of rows.slice(i, i + this.batchRows)) b.append(r);
        this.readCounts[index]! += Math.min(this.batchRows, rows.length - i);
        emitted++;
        yield b.flush();
      }
    } finally {
      this.open--;
      this.closedPartitions.push(index);
    }
  }

  async nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    const exists = this.tables.has(table);
    if (exists && mode === 'errorIfExists') throw new SparkleError('TABLE_EXISTS', `${table} exists`, { connector: this.type });
    if (exists && mode === 'ignore') return { table, mode, rows: 0, written: false };
    // Stage everything, then publish: the atomic behaviour real connectors give.
    const staged: RecordBatch[] = [];
    let schema: Schema | undefined;
    let rows = 0;
    if (this.maskInputErrors) {
      const inner = batches;
      batches = (async function* () {
        try {
          yield* inner;
        } catch {
          throw new Error('Dyn casting error');
        }
      })();
    }
    for await (const batch of batches) {
      if (this.failWriteAfter !== undefined && staged.length >= this.failWriteAfter) throw new Error('disk full');
      schema ??= batch.schema;
      staged.push(batch);
      rows += batch.numRows;
      context.onRows(batch.numRows, batch.data.byteLength);
    }
    if (!schema) throw new Error('no batches');
    const previous = exists && mode === 'append' ? this.tables.get(table)!.batches : [];
    this.tables.set(table, { schema, batches: [...previous, ...staged] });
    return { table, mode, rows, written: true };
  }
}

export function emptyDataOf(schema: Schema): Data[] {
  return schema.fields.map((f) => makeBuilder({ type: f.type }).finish().flush());
}
