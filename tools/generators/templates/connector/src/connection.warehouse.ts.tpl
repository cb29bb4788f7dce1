// {{banner}}
/**
 * `{{className}}`: {{description}}, a warehouse. `WarehouseConnection` owns the shared behaviour
 * — JDBC-like config, Spark options with secrets marked, staged bulk loads (stage files, load
 * them in one statement, clean the stage); this class adds the Spark format and the stage client.
 */
import type { RecordBatch } from 'apache-arrow';
import { z } from 'zod';
import {
  UnsupportedOperationError,
  WarehouseConnection,
  warehouseConfigSchema,
  type ConnectionInit,
  type NativeWriteContext,
  type StagedData,
  type WriteMode,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';

/** Config of the `{{type}}` connection: url or host/port, account, database, schema, user, secret password or token, stagingLocation. */
export const {{schemaName}} = warehouseConfigSchema.extend({});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/** What bulk loads need from the warehouse: put files in the stage, load them, clean up. */
export interface {{clientName}} {
  stage(table: string, batches: AsyncIterable<RecordBatch>, context: NativeWriteContext): Promise<StagedData>;
  load(table: string, staged: StagedData, mode: WriteMode, context: NativeWriteContext): Promise<{ rows: number; written: boolean }>;
  clean?(staged: StagedData): Promise<void>;
}

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { account: 'acme', user: 'loader', password: process.env.{{envPrefix}}_PASSWORD } });
 * conn.sparkRead('ANALYTICS.PUBLIC.ORDERS', {}).format; // '{{sparkFormat}}'
 * ```
 */
export class {{className}} extends WarehouseConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';
  /** Spark data source of this warehouse. */
  static override sparkFormat = '{{sparkFormat}}';
{{#port}}
  static override defaultPort = {{port}};
{{/port}}
  readonly #client: {{clientName}} | undefined;

  /** `client` replaces the stage client (tests pass an in-memory stage). */
  constructor(init: ConnectionInit & { client?: {{clientName}} }) {
    super(init);
    this.#client = init.client;
  }

  /** The stage client. TODO: upload files to the stage and run the load statement with the warehouse's driver. */
  protected async client(): Promise<{{clientName}}> {
    if (this.#client) return this.#client;
    throw new UnsupportedOperationError(`${this.type}: native bulk loads are not implemented yet (src/connection.ts, client()); write through Spark`, { connector: this.type });
  }

  protected override async stageBatches(table: string, batches: AsyncIterable<RecordBatch>, context: NativeWriteContext): Promise<StagedData> {
    return (await this.client()).stage(table, batches, context);
  }

  protected override async loadStaged(table: string, staged: StagedData, mode: WriteMode, context: NativeWriteContext): Promise<{ rows: number; written: boolean }> {
    return (await this.client()).load(table, staged, mode, context);
  }

  protected override async cleanStage(staged: StagedData): Promise<void> {
    await (await this.client()).clean?.(staged);
  }

  /** Bulk writes: stage, then one load. */
  nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    return this.stagedWrite(table, batches, options, context);
  }
}
