/**
 * Native `partitionBy` writes for object stores, as Spark lays them out: the table is a directory
 * and each distinct combination of the partition columns' values becomes `name=value/` folders
 * holding a part file without those columns. Rows stream to one writer per partition (each an
 * upload of its own, fed batch slices through a small bounded queue).
 *
 * Modes over the directory: `errorIfExists`/`ignore` look for any object under it; `append` adds
 * new uniquely named part files; `overwrite` writes the new part files first and deletes the old
 * objects only once every new one is complete, so a failure halfway deletes what it wrote and
 * leaves the old data as it was (between the last upload and the deletes, a reader listing the
 * directory can briefly see both — stores without atomic directory rename cannot do better).
 */
import { randomBytes } from 'node:crypto';
import type { RecordBatch } from 'apache-arrow';
import { InvalidArgumentError, SparkleError } from '../errors.js';
import type { ObjectStore } from '../capabilities/object-store.js';

/** How many partitions one write may have open at once (each holds an upload's buffers). */
export const MAX_OPEN_PARTITIONS = 256;

/** A bounded queue of batches from the splitter to one partition's writer. */
class BatchChannel implements AsyncIterable<RecordBatch> {
  #queue: RecordBatch[] = [];
  #closed = false;
  #error: unknown;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  async push(batch: RecordBatch): Promise<void> {
    while (this.#queue.length >= 2 && this.#error === undefined) await new Promise<void>((r) => (this.#wakeProducer = r));
    if (this.#error !== undefined) throw this.#error;
    this.#queue.push(batch);
    this.#wakeConsumer?.();
  }

  close(): void {
    this.#closed = true;
    this.#wakeConsumer?.();
  }

  /** The write failed (this partition's or another's): pushes and the consumer's next read throw its error. */
  fail(error: unknown): void {
    this.#error ??= error;
    this.#wakeProducer?.();
    this.#wakeConsumer?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    for (;;) {
      if (this.#error !== undefined) throw this.#error;
      const next = this.#queue.shift();
      if (next) {
        this.#wakeProducer?.();
        yield next;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((r) => (this.#wakeConsumer = r));
    }
  }
}

/** A partition value as Spark writes it in a directory name. */
function pathValue(value: unknown): string {
  if (value === null || value === undefined) return '__HIVE_DEFAULT_PARTITION__';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return encodeURIComponent(text).replace(/%20/g, ' ');
}

export interface PartitionedWriteOptions {
  /** The directory key (no trailing slash). */
  directory: string;
  partitionBy: readonly string[];
  mode: 'append' | 'overwrite' | 'errorIfExists' | 'ignore';
  /** File extension of the part files (`parquet`). */
  extension: string;
  /** Writes one part file from batches (the file formats, in the store's put semantics). */
  writeFile: (key: string, batches: AsyncIterable<RecordBatch>) => Promise<{ rows: number; bytes: number }>;
  signal?: AbortSignal;
  connector?: string;
  /** How to name the directory in messages (`s3a://bucket/out/orders`). */
  uri: string;
}

/**
 * Writes batches partitioned by columns into Hive-style directories under `directory`.
 * Returns the rows and bytes written and the part files' keys; `written: false` for `ignore` on
 * an existing directory.
 */
export async function writePartitioned(store: ObjectStore, batches: AsyncIterable<RecordBatch>, options: PartitionedWriteOptions): Promise<{ rows: number; bytes: number; written: boolean; files: string[] }> {
  const prefix = `${options.directory}/`;
  const signal = options.signal ? { signal: options.signal } : {};
  const existing: string[] = [];
  for await (const o of store.listObjects({ prefix, ...signal })) {
    existing.push(o.key);
    if (options.mode !== 'overwrite' && existing.length > 0) break;
  }
  if (existing.length > 0 && options.mode === 'ignore') return { rows: 0, bytes: 0, written: false, files: [] };
  if (existing.length > 0 && options.mode === 'errorIfExists') {
    throw new SparkleError('TABLE_EXISTS', `${options.uri} already holds objects (mode 'errorIfExists'); use mode 'overwrite', 'append' or 'ignore'`, {
      connector: options.connector,
      details: { key: options.directory },
    });
  }

  const run = randomBytes(6).toString('hex');
  const writers = new Map<string, { channel: BatchChannel; done: Promise<{ rows: number; bytes: number }>; key: string }>();
  const files: string[] = [];
  let failure: unknown;
  const open = (dir: string) => {
    let writer = writers.get(dir);
    if (writer) return writer;
    if (writers.size >= MAX_OPEN_PARTITIONS) {
      throw new InvalidArgumentError(`partitionBy ${options.partitionBy.join(', ')} makes more than ${MAX_OPEN_PARTITIONS} partitions in one write; partition by fewer distinct values`, {
        connector: options.connector,
      });
    }
    const channel = new BatchChannel();
    const key = `${prefix}${dir}part-${String(writers.size).padStart(5, '0')}-${run}.${options.extension}`;
    const done = options.writeFile(key, channel).catch((error: unknown) => {
      failure ??= error;
      channel.fail(error);
      throw error;
    });
    done.catch(() => undefined);
    writer = { channel, done, key };
    writers.set(dir, writer);
    files.push(key);
    return writer;
  };

  try {
    for await (const batch of batches) {
      options.signal?.throwIfAborted();
      if (failure !== undefined) throw failure;
      const names = batch.schema.fields.map((f) => f.name);
      const missing = options.partitionBy.filter((c) => !names.includes(c));
      if (missing.length) throw new InvalidArgumentError(`partitionBy names ${missing.join(', ')}, which the data does not have (columns: ${names.join(', ')})`, { connector: options.connector });
      const vectors = options.partitionBy.map((c) => batch.getChild(c)!);
      const keep = names.map((n, i) => (options.partitionBy.includes(n) ? -1 : i)).filter((i) => i >= 0);
      const data = batch.selectAt(keep);
      // Runs of rows with the same values go out as one slice (clustered input stays cheap).
      let start = 0;
      let current: string | undefined;
      for (let row = 0; row <= batch.numRows; row++) {
        const dir = row < batch.numRows ? vectors.map((v, i) => `${encodeURIComponent(options.partitionBy[i]!)}=${pathValue(v.get(row))}/`).join('') : undefined;
        if (dir !== current) {
          if (current !== undefined) await open(current).channel.push(data.slice(start, row));
          current = dir;
          start = row;
        }
      }
    }
  } catch (error) {
    failure ??= error;
  }
  for (const w of writers.values()) {
    if (failure !== undefined) w.channel.fail(failure);
    w.channel.close();
  }
  const results = await Promise.allSettled([...writers.values()].map((w) => w.done));
  const firstRejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined || firstRejected) {
    // Nothing of a failed write stays: the part files already completed are deleted again.
    await store.deleteObjects(files, signal).catch(() => undefined);
    throw failure ?? firstRejected!.reason;
  }
  if (options.mode === 'overwrite' && existing.length) {
    const fresh = new Set(files);
    await store.deleteObjects(existing.filter((k) => !fresh.has(k)), signal);
  }
  let rows = 0;
  let bytes = 0;
  for (const r of results) if (r.status === 'fulfilled') ((rows += r.value.rows), (bytes += r.value.bytes));
  return { rows, bytes, written: true, files };
}
