/**
 * `WarehouseConnection`: the thin family base of cloud warehouses (Snowflake, BigQuery,
 * Redshift, Databricks SQL). They share the JDBC-like config (account or host, database,
 * schema, user, secret password or token, properties) and one loading pattern: bulk writes
 * stage files in object storage and then load them with one server-side statement
 * (`COPY INTO`, a BigQuery load job, Redshift `COPY`) — which is also what their Spark
 * connectors do with a `tempdir`. The base declares that pattern as two hooks and gives
 * connectors `stagedWrite()`; each connector adds its Spark format and driver glue.
 */
import type { RecordBatch } from 'apache-arrow';
import { z } from 'zod';
import { SparkleConnection } from '../connection.js';
import type { NativeWriteContext, SparkReadSpec, SparkSource, SparkWriteSpec, ReadTableOptions, WriteMode, WriteResult, WriteTableOptions } from '../engine.js';
import { UnsupportedOperationError } from '../errors.js';
import { HealthSkip, type Endpoint } from '../health.js';
import { secret } from '../secrets.js';
import { serviceEndpoints } from './service.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** Config of every warehouse: the JDBC-like fields plus the staging location for bulk loads. */
export const warehouseConfigSchema = z.looseObject({
  url: z.string().optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  /** Snowflake account, BigQuery project, Databricks workspace. */
  account: z.string().optional(),
  database: z.string().optional(),
  schema: z.string().optional(),
  warehouse: z.string().optional(),
  role: z.string().optional(),
  user: z.string().optional(),
  password: secret(z.string()).optional(),
  token: secret(z.string()).optional(),
  /** Object-store URI where bulk loads stage files (Spark connectors call it `tempdir`). */
  stagingLocation: z.string().optional(),
  properties: z.record(z.string(), scalar).default({}),
  connectTimeoutMs: z.coerce.number().int().positive().optional(),
});

export type WarehouseConfig = z.output<typeof warehouseConfigSchema>;

/** What `stageBatches` left in the stage, for `loadStaged` to load. */
export interface StagedData {
  /** Staged file URIs or the stage's name. */
  location: string;
  files: string[];
  rows: number;
  bytes: number;
}

/**
 * Base class of warehouse connections.
 *
 * @example
 * ```ts
 * class SnowflakeConnection extends WarehouseConnection {
 *   static override sparkFormat = 'snowflake';
 *   protected override sparkOptions() { return { sfURL: …, sfUser: this.config.user!, sfPassword: this.config.password!, sfDatabase: … }; }
 *   protected override async stageBatches(table, batches, ctx) { … PUT Parquet files to the stage … }
 *   protected override async loadStaged(table, staged, mode) { … COPY INTO table FROM @stage … }
 *   nativeWrite(table, batches, options, ctx) { return this.stagedWrite(table, batches, options, ctx); }
 * }
 * ```
 */
export abstract class WarehouseConnection<TConfig extends WarehouseConfig = WarehouseConfig> extends SparkleConnection<TConfig> implements SparkSource {
  static override schema: z.ZodType = warehouseConfigSchema;
  static override family = 'warehouse';
  /** Spark data source of this warehouse (`snowflake`, `bigquery`, `jdbc`, …). */
  static sparkFormat = 'jdbc';
  /** Spark option keys holding secrets. */
  static sparkSecretOptions: readonly string[] = ['password', 'token'];
  static defaultPort?: number;

  protected override endpoints(): Endpoint[] {
    return serviceEndpoints(
      { url: this.config.url && /^[a-z]+:\/\//.test(this.config.url) ? this.config.url : undefined, host: this.config.host, port: this.config.port },
      (this.constructor as typeof WarehouseConnection).defaultPort,
    );
  }

  /** The Spark options every read and write carries (credentials, account, database). Default: the JDBC-style names. */
  protected sparkOptions(): Record<string, string> {
    const c = this.config;
    const options: Record<string, string> = { ...c.properties };
    for (const key of ['url', 'user', 'password', 'database', 'schema', 'warehouse', 'role'] as const) if (c[key] !== undefined) options[key] = String(c[key]);
    if (c.stagingLocation) options.tempdir = c.stagingLocation;
    return options;
  }

  /** The option naming the table (`dbtable` for JDBC-style sources, `table` for BigQuery). */
  protected sparkTableOption(): string {
    return 'dbtable';
  }

  sparkRead(table: string, _options: ReadTableOptions = {}): SparkReadSpec {
    const statics = this.constructor as typeof WarehouseConnection;
    return { format: statics.sparkFormat, options: { ...this.sparkOptions(), [this.sparkTableOption()]: table }, secretOptions: [...statics.sparkSecretOptions] };
  }

  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const statics = this.constructor as typeof WarehouseConnection;
    return {
      format: statics.sparkFormat,
      options: { ...this.sparkOptions(), ...options.options, [this.sparkTableOption()]: table },
      mode: options.mode ?? 'errorIfExists',
      partitionBy: options.partitionBy,
      secretOptions: [...statics.sparkSecretOptions],
    };
  }

  /** Staged-load hook 1: writes the batches as files into the stage. */
  protected async stageBatches(_table: string, _batches: AsyncIterable<RecordBatch>, _context: NativeWriteContext): Promise<StagedData> {
    throw new UnsupportedOperationError(`${this.type}: native bulk loads are not implemented (no stageBatches hook); write through Spark.`, { connector: this.type });
  }

  /** Staged-load hook 2: loads staged files into the table with the mode's semantics, in one statement or job. */
  protected async loadStaged(_table: string, _staged: StagedData, _mode: WriteMode, _context: NativeWriteContext): Promise<{ rows: number; written: boolean }> {
    throw new UnsupportedOperationError(`${this.type}: native bulk loads are not implemented (no loadStaged hook); write through Spark.`, { connector: this.type });
  }

  /** Removes staged files after a load (or a failed one). Default: nothing (stages with lifecycle rules). */
  protected async cleanStage(_staged: StagedData): Promise<void> {}

  /**
   * A write by staging then loading: the pattern every warehouse's bulk path follows. A connector
   * calls it from its `nativeWrite` (so the `write` capability comes from its code).
   */
  protected async stagedWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    const staged = await this.stageBatches(table, batches, context);
    try {
      const loaded = await this.loadStaged(table, staged, mode, context);
      return { table, mode, rows: loaded.rows, bytes: staged.bytes, written: loaded.written };
    } finally {
      await this.cleanStage(staged);
    }
  }

  /**
   * The family's probe: a connector with a native driver runs its cheapest authenticated query
   * (`SELECT 1`, a BigQuery dry run) here. Default: skipped, reads and writes go through Spark.
   */
  protected async probeWarehouse(_signal: AbortSignal): Promise<string | HealthSkip> {
    return new HealthSkip(`no native driver for ${this.type}: the warehouse is reached through Spark`);
  }

  protected override async checkProbe(signal: AbortSignal): Promise<string | HealthSkip> {
    return this.probeWarehouse(signal);
  }
}
