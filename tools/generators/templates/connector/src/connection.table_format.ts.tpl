// {{banner}}
/**
 * `{{className}}`: {{description}}, a table format. `TableFormatConnection` owns the shared
 * behaviour — one partition per data file of the selected snapshot, time travel options, writes
 * as data files plus one commit, Spark's path mapping, the storage connection's lifetime and
 * health; this class adds the log and data-file client.
 */
import type { RecordBatch } from 'apache-arrow';
import { z } from 'zod';
import {
  TableFormatConnection,
  tableFormatConfigSchema,
  UnsupportedOperationError,
  type CommitRequest,
  type CommitResult,
  type ConnectionInit,
  type DataFile,
  type NativeWriteContext,
  type ReadTableOptions,
  type SnapshotSelector,
  type TableSnapshot,
  type WriteTableOptions,
} from '@sparkle/core';

/** Config of the `{{type}}` connection: `location` of the tables, the `storage` connection, a default version or timestamp. */
export const {{schemaName}} = tableFormatConfigSchema.extend({});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/** What the format needs: its log (snapshots, commits) and its data files (read, write). */
export interface {{clientName}} {
  snapshot(table: string, at: SnapshotSelector): Promise<TableSnapshot>;
  commit(table: string, request: CommitRequest): Promise<CommitResult>;
  readFile(table: string, file: DataFile, signal: AbortSignal): AsyncIterable<RecordBatch>;
  writeFiles(table: string, batches: AsyncIterable<RecordBatch>, context: NativeWriteContext): Promise<DataFile[]>;
}

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { location: 's3://lake/tables', storage: { type: 's3', config: { bucket: 'lake' } } } });
 * conn.sparkRead('orders', { options: { versionAsOf: '3' } }); // { format: '{{sparkFormat}}', paths: ['s3://lake/tables/orders'], … }
 * ```
 */
export class {{className}} extends TableFormatConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';
  static override tableFormat = '{{sparkFormat}}';
  /** It writes (writeDataFiles below), so no inherited capability is withheld. */
  static override withoutCapabilities: readonly string[] = [];
  readonly #client: {{clientName}} | undefined;

  /** `client` replaces the log client (tests pass an in-memory log). */
  constructor(init: ConnectionInit & { client?: {{clientName}} }) {
    super(init);
    this.#client = init.client;
  }

  /** The log client. TODO: read and write the format's log and data files through `this.storage()`. */
  protected async client(): Promise<{{clientName}}> {
    if (this.#client) return this.#client;
    throw new UnsupportedOperationError(`${this.type}: the table log client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  async snapshot(table: string, at: SnapshotSelector = {}): Promise<TableSnapshot> {
    return (await this.client()).snapshot(table, at);
  }

  async commit(table: string, request: CommitRequest): Promise<CommitResult> {
    return (await this.client()).commit(table, request);
  }

  protected async *readDataFile(table: string, file: DataFile, _options: ReadTableOptions, signal: AbortSignal): AsyncIterable<RecordBatch> {
    yield* (await this.client()).readFile(table, file, signal);
  }

  protected override async writeDataFiles(table: string, batches: AsyncIterable<RecordBatch>, _options: WriteTableOptions, context: NativeWriteContext): Promise<DataFile[]> {
    return (await this.client()).writeFiles(table, batches, context);
  }
}
