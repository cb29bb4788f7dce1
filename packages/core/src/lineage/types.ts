/**
 * The contract between connections/engines and the lineage client. The implementation
 * (OpenLineage RunEvents, transports, `openlineage.yml` discovery) lives beside this file.
 */

/** An OpenLineage dataset identity, by OpenLineage's naming conventions. */
export interface DatasetRef {
  namespace: string;
  name: string;
  /** Dataset facets (schema, dataSource, …); values must already be redacted. */
  facets?: Record<string, unknown>;
}

/** What an engine says when it starts a read, write or query. */
export interface LineageRunSpec {
  /** OpenLineage job name, e.g. `sparkle.read.postgres.public.customers`. */
  jobName: string;
  /** Job namespace; default from config (`OPENLINEAGE_NAMESPACE`, then `sparkle`). */
  jobNamespace?: string;
  /**
   * `send`: a message sent by a notify connection (its destination is the output);
   * `metadata`: a catalog change — a table registered or dropped (the table is the output).
   */
  operation: 'read' | 'write' | 'query' | 'copy' | 'send' | 'metadata';
  /**
   * OpenLineage `processingType` of the job: `BATCH` (default) for reads, writes and copies that
   * end; `STREAMING` for unbounded consumption (a stream subscription), which reports RUNNING
   * events while it lasts.
   */
  processingType?: 'BATCH' | 'STREAMING';
  /** Connection type and class, as in the seed's event (`connection_type`). */
  connectionType: string;
  connectionClass?: string;
  engine?: string;
  inputs: DatasetRef[];
  outputs: DatasetRef[];
  /** Extra metadata (table, mode, partitions, options — already redacted). */
  metadata?: Record<string, unknown>;
  /** Parent run, for runs that belong to a larger job (a `sparkle copy`). */
  parent?: { runId: string; jobNamespace: string; jobName: string };
  /**
   * Secret values of the connection (passwords, tokens). They are scrubbed from every string of
   * every event of this run — error messages from drivers included — and never emitted.
   */
  secrets?: readonly string[];
}

/** Statistics a finished run reports (become outputStatistics / inputStatistics facets). */
export interface RunStats {
  rows?: number;
  bytes?: number;
}

/**
 * One run: START is emitted by `start()`, then any number of RUNNING (`running()`, for long or
 * streaming runs), then exactly one of COMPLETE / FAIL / ABORT.
 */
export interface LineageRun {
  readonly runId: string;
  start(): Promise<void>;
  /** A RUNNING event with the statistics so far; ignored before `start()` and after the finish. Optional for clients that only know batch runs. */
  running?(stats?: RunStats): Promise<void>;
  complete(stats?: RunStats): Promise<void>;
  fail(error: unknown, stats?: RunStats): Promise<void>;
  /** The run was cancelled (an AbortSignal fired, a subscription was aborted): ABORT. Clients without it record a FAIL. */
  abort?(reason?: unknown, stats?: RunStats): Promise<void>;
}

export interface LineageClient {
  /** False when lineage is disabled (transport `none` or `OPENLINEAGE_DISABLED=true`). */
  readonly enabled: boolean;
  run(spec: LineageRunSpec): LineageRun;
  /** Flushes pending HTTP/file writes. */
  close(): Promise<void>;
}
