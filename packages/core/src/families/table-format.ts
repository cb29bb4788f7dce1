/**
 * `TableFormatConnection`: the family base of table formats (Delta Lake, Apache Iceberg, Apache
 * Hudi) — tables made of data files plus a transaction log, over a storage connection.
 *
 * A table format connection does not talk to a server: it reads the log through its storage
 * connection (local files, S3, ADLS, GCS), picks a snapshot, and reads that snapshot's data
 * files. The base owns the shape (snapshot → one partition per data file; write data files →
 * commit), the storage connection's lifetime, time travel options and Spark's mapping; a
 * connector implements the log (`snapshot`, `commit`) and the data-file reader.
 *
 * | format | Spark `format` | version option | timestamp option | log |
 * |---|---|---|---|---|
 * | Delta Lake | `delta` | `versionAsOf` | `timestampAsOf` | `_delta_log/*.json` + checkpoints |
 * | Apache Iceberg | `iceberg` | `snapshot-id` | `as-of-timestamp` (ms) | `metadata/*.metadata.json`, manifests (Avro) |
 * | Apache Hudi | `hudi` | `as.of.instant` | `as.of.instant` | `.hoodie/` timeline |
 *
 * Placeholders: no Delta, Iceberg or Hudi connector exists yet; each will subclass this base
 * with its `static tableFormat`, `static timeTravel` and the log reader.
 */
import type { RecordBatch } from 'apache-arrow';
import { z } from 'zod';
import { SparkleConnection } from '../connection.js';
import type {
  NativeReadPlan,
  NativeSource,
  NativeWriteContext,
  ReadTableOptions,
  SparkReadSpec,
  SparkSource,
  SparkWriteSpec,
  WriteMode,
  WriteResult,
  WriteTableOptions,
} from '../engine.js';
import { getConnection } from '../factory.js';
import { ConnectionFailedError, InvalidArgumentError, UnsupportedOperationError } from '../errors.js';
import { HealthSkip } from '../health.js';
import type { DatasetRef } from '../lineage/types.js';

/** Config of every table format connection: where the tables live and which storage reads them. */
export const tableFormatConfigSchema = z.looseObject({
  /** Root URI of the tables (`s3://lake/warehouse`, `/data/lake`); a table name is a path below it. */
  location: z.string().min(1),
  /** The storage connection: its type and config (`{ type: 'local', config: { basePath: '/data' } }`). */
  storage: z.object({ type: z.string().min(1), config: z.record(z.string(), z.unknown()).default({}) }).optional(),
  /** Default snapshot for reads: a version number / snapshot id, or a timestamp. */
  version: z.union([z.string(), z.number()]).optional(),
  timestamp: z.string().optional(),
});

export type TableFormatConfig = z.output<typeof tableFormatConfigSchema>;

/** Which snapshot a read sees: latest, a version (Delta version, Iceberg snapshot id, Hudi instant) or a time. */
export interface SnapshotSelector {
  version?: string | number;
  timestamp?: Date;
}

/** One data file of a snapshot. */
export interface DataFile {
  /** Path relative to the table root, as the log records it. */
  path: string;
  size?: number;
  rows?: number;
  partitionValues?: Record<string, string | null>;
}

/** A table's state at one version. */
export interface TableSnapshot {
  version: string | number;
  timestamp?: Date;
  files: DataFile[];
}

/** What a write commits: files added, files removed (overwrite), and the mode it implements. */
export interface CommitRequest {
  mode: WriteMode;
  add: DataFile[];
  /** Files the commit logically removes (overwrite): the log marks them, the data stays for time travel. */
  remove?: DataFile[];
}

/** What a commit produced. */
export interface CommitResult {
  version: string | number;
  /** False when `ignore` found an existing table. */
  committed: boolean;
}

/**
 * Base class of table format connections.
 *
 * @example
 * ```ts
 * class DeltaConnection extends TableFormatConnection {
 *   static override tableFormat = 'delta';
 *   static override timeTravel = { version: 'versionAsOf', timestamp: 'timestampAsOf' };
 *   async snapshot(table, at) { … replay _delta_log through this.storage() … }
 *   async commit(table, request) { … write the next _delta_log/N.json with put-if-absent … }
 *   protected async *readDataFile(table, file, options, signal) { … Parquet → Arrow … }
 * }
 * const orders = await delta.readTable('orders', { options: { versionAsOf: '12' } });
 * ```
 */
export abstract class TableFormatConnection<TConfig extends TableFormatConfig = TableFormatConfig> extends SparkleConnection<TConfig> implements NativeSource, SparkSource {
  static override schema: z.ZodType = tableFormatConfigSchema;
  static override family = 'table_format';
  /** Spark's format name. */
  static tableFormat = '';
  /** Spark's time-travel option names for this format. */
  static timeTravel: { version: string; timestamp: string } = { version: 'versionAsOf', timestamp: 'timestampAsOf' };
  /** Writes need `writeDataFiles`; a connector that implements it sets `static override withoutCapabilities = []`. */
  static withoutCapabilities: readonly string[] = ['write'];

  #storage: Promise<SparkleConnection<object>> | undefined;

  /** The table's state at a version or time (latest when `at` is empty). */
  abstract snapshot(table: string, at?: SnapshotSelector, options?: { signal?: AbortSignal }): Promise<TableSnapshot>;
  /** Atomically appends a commit to the table's log (put-if-absent of the next log entry). */
  abstract commit(table: string, request: CommitRequest, options?: { signal?: AbortSignal }): Promise<CommitResult>;
  /** Streams one data file's rows (Parquet, ORC, Avro) with projection. */
  protected abstract readDataFile(table: string, file: DataFile, options: ReadTableOptions, signal: AbortSignal): AsyncIterable<RecordBatch>;

  /** Writes the batches as new data files under the table (not yet visible: `commit` publishes them). */
  protected async writeDataFiles(_table: string, _batches: AsyncIterable<RecordBatch>, _options: WriteTableOptions, _context: NativeWriteContext): Promise<DataFile[]> {
    throw new UnsupportedOperationError(`${this.type}: writing ${(this.constructor as typeof TableFormatConnection).tableFormat || 'table format'} data files is not implemented; write through Spark.`, {
      connector: this.type,
    });
  }

  /** The storage connection the log and data files are read through, opened once and closed with this one. */
  protected async storage(): Promise<SparkleConnection<object>> {
    const spec = this.config.storage;
    if (!spec) {
      throw new InvalidArgumentError(`${this.type}: no storage connection configured; set 'storage' to { type, config } (e.g. { "type": "local", "config": { "basePath": "/data" } }).`, {
        connector: this.type,
      });
    }
    this.#storage ??= getConnection(spec.type, { config: spec.config, env: this.env, lineage: this.lineage() }).then((conn) => {
      this.onClose(() => conn.close());
      return conn;
    });
    return this.#storage;
  }

  /** `location` + table path. */
  tableUri(table: string): string {
    if (table.split('/').includes('..')) throw new InvalidArgumentError(`${this.type}: table path '${table}' may not contain '..'.`, { connector: this.type });
    return `${this.config.location.replace(/\/+$/, '')}/${table.replace(/^\/+/, '')}`;
  }

  /** Lineage names the table by its storage location, as OpenLineage does for path-based tables. */
  override dataset(table: string): DatasetRef {
    const uri = this.tableUri(table);
    const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(uri);
    if (m) return { namespace: `${m[1]!.toLowerCase()}://${m[2]}`, name: m[3] ?? '/' };
    return { namespace: 'file', name: uri };
  }

  /** The snapshot a read asks for: `options.options[version|timestamp option]`, else config. */
  protected selectorFor(options: ReadTableOptions): SnapshotSelector {
    const tt = (this.constructor as typeof TableFormatConnection).timeTravel;
    const o = options.options ?? {};
    const version = o[tt.version] ?? this.config.version;
    const timestamp = o[tt.timestamp] ?? this.config.timestamp;
    const at: SnapshotSelector = {};
    if (version !== undefined && version !== '') at.version = version;
    if (timestamp !== undefined && timestamp !== '') {
      const d = new Date(timestamp);
      if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`${tt.timestamp}: '${timestamp}' is not a timestamp (use ISO 8601).`, { connector: this.type });
      at.timestamp = d;
    }
    return at;
  }

  /** One partition per data file of the selected snapshot. */
  async nativeRead(table: string, options: ReadTableOptions = {}): Promise<NativeReadPlan> {
    const snap = await this.snapshot(table, this.selectorFor(options), { signal: options.signal });
    return {
      partitions: snap.files.map((file) => ({
        description: `${table}@${snap.version}: ${file.path}`,
        open: (signal: AbortSignal) => this.readDataFile(table, file, options, signal),
      })),
      estimatedRows: snap.files.every((f) => f.rows !== undefined) ? snap.files.reduce((n, f) => n + f.rows!, 0) : undefined,
    };
  }

  /** A write: data files first (invisible), then one commit — atomic for readers of the log. */
  async nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    return this.commitWrite(table, batches, options, context);
  }

  protected async commitWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    const add = await this.writeDataFiles(table, batches, options, context);
    const result = await this.commit(table, { mode, add }, { signal: context.signal });
    return { table, mode, rows: add.reduce((n, f) => n + (f.rows ?? 0), 0), bytes: add.reduce((n, f) => n + (f.size ?? 0), 0), written: result.committed };
  }

  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    const statics = this.constructor as typeof TableFormatConnection;
    const at = this.selectorFor(options);
    const spark: Record<string, string> = { ...options.options };
    if (at.version !== undefined) spark[statics.timeTravel.version] = String(at.version);
    if (at.timestamp) spark[statics.timeTravel.timestamp] = options.options?.[statics.timeTravel.timestamp] ?? at.timestamp.toISOString();
    return { format: statics.tableFormat, options: spark, paths: [this.tableUri(table)], secretOptions: [] };
  }

  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const statics = this.constructor as typeof TableFormatConnection;
    return { format: statics.tableFormat, options: { ...options.options }, mode: options.mode ?? 'errorIfExists', path: this.tableUri(table), partitionBy: options.partitionBy, secretOptions: [] };
  }

  /** The storage connection's own check covers network and auth; the probe is its check. */
  protected override async checkProbe(signal: AbortSignal): Promise<string | HealthSkip> {
    if (!this.config.storage) return new HealthSkip('no storage connection configured');
    const storage = await this.storage();
    const report = await storage.check({ signal });
    if (!report.ok) {
      const failed = report.steps.find((s) => s.status === 'failed');
      throw new ConnectionFailedError(`storage connection '${storage.type}' failed its ${report.failedTier} check: ${failed?.message ?? 'unknown'}`, { connector: this.type });
    }
    return `storage connection '${storage.type}' healthy`;
  }
}
