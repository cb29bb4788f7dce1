/**
 * `MLPlatformConnection`: the family base of ML platforms (MLflow, SageMaker, Vertex AI, Azure
 * ML) as registries of experiments, runs and models.
 *
 * Decision: the registry's listings are also readable as tables, so `sparkle copy` and
 * `readTable` can land them anywhere (a runs leaderboard into PostgreSQL, models into Parquet).
 * The table names are fixed, not paths:
 *
 * | `readTable(…)` | rows |
 * |---|---|
 * | `experiments` | `experiment_id`, `name`, `artifact_location` |
 * | `runs:<experiment>` | `run_id`, `experiment_id`, `run_name`, `status`, `start_time`, `end_time`, `artifact_uri`, then `metrics.<key>` (float64), `params.<key>`, `tags.<key>` (utf8) — the columns of MLflow's `search_runs` frame |
 * | `models` | `name` |
 * | `versions:<model>` | `model`, `version`, `aliases` (list<utf8>), `status`, `source`, `run_id` |
 *
 * `readTable('runs:churn', { options: { filter: "metrics.auc > 0.9", orderBy: 'metrics.auc DESC', limit: '10' } })`
 * passes the platform's own filter through `searchRuns`. Writing (logging runs) stays `logRun`:
 * a run is an event with a lifecycle, not a row to append. There is no Spark data source for a
 * registry, so the family has no Spark mapping.
 */
import { z } from 'zod';
import type { MlExperiment, MlModelVersion, MlRegistry, MlRun } from '../capabilities/ml.js';
import { SparkleConnection } from '../connection.js';
import type { NativeReadPlan, NativeSource, ReadTableOptions } from '../engine.js';
import { InvalidArgumentError, UnsupportedOperationError } from '../errors.js';
import type { Endpoint } from '../health.js';
import type { DatasetRef } from '../lineage/types.js';
import { datasetNamespace } from '../lineage/naming.js';
import { rowsToRecordBatch, type RowColumn } from './arrow-rows.js';
import { serviceConfigSchema, serviceEndpoints } from './service.js';

/** Config of every ML platform connection: the service shape (tracking URI as `url`, token). */
export const mlPlatformConfigSchema = serviceConfigSchema.extend({});

export type MlPlatformConfig = z.output<typeof mlPlatformConfigSchema>;

/** The tables `readTable` serves, parsed. */
export type MlListing = { kind: 'experiments' } | { kind: 'models' } | { kind: 'runs'; experiment: string } | { kind: 'versions'; model: string };

/**
 * Parses an ML listing name (`experiments`, `models`, `runs:<experiment>`, `versions:<model>`).
 *
 * @example
 * ```ts
 * parseMlListing('runs:churn'); // { kind: 'runs', experiment: 'churn' }
 * ```
 */
export function parseMlListing(table: string, connector?: string): MlListing {
  const t = table.trim();
  if (t === 'experiments') return { kind: 'experiments' };
  if (t === 'models') return { kind: 'models' };
  const m = /^(runs|versions):(.+)$/.exec(t);
  if (m) return m[1] === 'runs' ? { kind: 'runs', experiment: m[2]!.trim() } : { kind: 'versions', model: m[2]!.trim() };
  throw new InvalidArgumentError(
    `'${table}' is not an ML registry table: use 'experiments', 'models', 'runs:<experiment name or id>' or 'versions:<model name>'.`,
    { connector },
  );
}

const EXPERIMENT_COLUMNS: RowColumn[] = [
  { name: 'experiment_id', kind: 'utf8', nullable: false },
  { name: 'name', kind: 'utf8', nullable: false },
  { name: 'artifact_location', kind: 'utf8' },
];
const VERSION_COLUMNS: RowColumn[] = [
  { name: 'model', kind: 'utf8', nullable: false },
  { name: 'version', kind: 'utf8', nullable: false },
  { name: 'aliases', kind: 'list<utf8>' },
  { name: 'status', kind: 'utf8' },
  { name: 'source', kind: 'utf8' },
  { name: 'run_id', kind: 'utf8' },
];
const RUN_COLUMNS: RowColumn[] = [
  { name: 'run_id', kind: 'utf8', nullable: false },
  { name: 'experiment_id', kind: 'utf8', nullable: false },
  { name: 'run_name', kind: 'utf8' },
  { name: 'status', kind: 'utf8' },
  { name: 'start_time', kind: 'timestamp' },
  { name: 'end_time', kind: 'timestamp' },
  { name: 'artifact_uri', kind: 'utf8' },
];

/** Runs as rows: fixed columns, then one column per metric, param and tag key (sorted). */
export function runRows(runs: readonly MlRun[]): { columns: RowColumn[]; rows: Array<Record<string, unknown>> } {
  const keys = (pick: (r: MlRun) => Record<string, unknown>) => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  const columns: RowColumn[] = [
    ...RUN_COLUMNS,
    ...keys((r) => r.metrics).map((k): RowColumn => ({ name: `metrics.${k}`, kind: 'float64' })),
    ...keys((r) => r.params).map((k): RowColumn => ({ name: `params.${k}`, kind: 'utf8' })),
    ...keys((r) => r.tags).map((k): RowColumn => ({ name: `tags.${k}`, kind: 'utf8' })),
  ];
  const rows = runs.map((r) => {
    const row: Record<string, unknown> = {
      run_id: r.id,
      experiment_id: r.experimentId,
      run_name: r.name,
      status: r.status,
      start_time: r.startTime,
      end_time: r.endTime,
      artifact_uri: r.artifactUri,
    };
    for (const [k, v] of Object.entries(r.metrics)) row[`metrics.${k}`] = v;
    for (const [k, v] of Object.entries(r.params)) row[`params.${k}`] = v;
    for (const [k, v] of Object.entries(r.tags)) row[`tags.${k}`] = v;
    return row;
  });
  return { columns, rows };
}

/**
 * Base class of ML platform connections. A connector implements `MlRegistry` (and
 * `FeatureRetrieval` where the platform serves features); the base adds the listings as
 * tables, lineage names and a health probe that lists experiments.
 *
 * @example
 * ```ts
 * class MlflowConnection extends MLPlatformConnection {
 *   async listExperiments() { … POST /api/2.0/mlflow/experiments/search … }
 *   async searchRuns(experiment, options) { … POST /api/2.0/mlflow/runs/search … }
 *   // getRun, listModels, modelVersions, logRun …
 * }
 * const leaderboard = await mlflow.readTable('runs:churn', { options: { orderBy: 'metrics.auc DESC', limit: '20' } });
 * ```
 */
export abstract class MLPlatformConnection<TConfig extends MlPlatformConfig = MlPlatformConfig> extends SparkleConnection<TConfig> implements MlRegistry, NativeSource {
  static override schema: z.ZodType = mlPlatformConfigSchema;
  static override family = 'ml';
  /** Registries are written through `logRun`, not as tables. */
  static withoutCapabilities: readonly string[] = ['write'];
  /** Scheme of the lineage namespace (`mlflow`, `sagemaker`); default the type. */
  static lineageScheme?: string;
  static defaultPort?: number;

  abstract listExperiments(options?: { signal?: AbortSignal }): Promise<MlExperiment[]>;
  abstract searchRuns(experiment: string, options?: { filter?: string; orderBy?: string; limit?: number; signal?: AbortSignal }): Promise<MlRun[]>;
  abstract getRun(runId: string, options?: { signal?: AbortSignal }): Promise<MlRun>;
  abstract listModels(options?: { signal?: AbortSignal }): Promise<string[]>;
  abstract modelVersions(model: string, options?: { signal?: AbortSignal }): Promise<MlModelVersion[]>;

  protected override endpoints(): Endpoint[] {
    return serviceEndpoints(this.config, (this.constructor as typeof MLPlatformConnection).defaultPort);
  }

  /** Lineage: namespace `<scheme>://host:port` of the tracking server, name the listing (`runs:churn`). */
  override dataset(table: string): DatasetRef {
    const scheme = (this.constructor as typeof MLPlatformConnection).lineageScheme ?? this.type;
    // Named from config, not from the network tier: a connection with no network check still has an identity.
    const endpoint = serviceEndpoints(this.config, (this.constructor as typeof MLPlatformConnection).defaultPort)[0];
    return { namespace: datasetNamespace({ scheme, host: endpoint?.host, port: endpoint?.port }), name: table };
  }

  /** Fetches a listing as rows and columns. */
  protected async listingRows(listing: MlListing, options: ReadTableOptions): Promise<{ columns: RowColumn[]; rows: Array<Record<string, unknown>> }> {
    const signal = options.signal;
    switch (listing.kind) {
      case 'experiments': {
        const experiments = await this.listExperiments({ signal });
        return { columns: EXPERIMENT_COLUMNS, rows: experiments.map((e) => ({ experiment_id: e.id, name: e.name, artifact_location: e.artifactLocation })) };
      }
      case 'models':
        return { columns: [{ name: 'name', kind: 'utf8', nullable: false }], rows: (await this.listModels({ signal })).map((name) => ({ name })) };
      case 'versions': {
        const versions = await this.modelVersions(listing.model, { signal });
        return {
          columns: VERSION_COLUMNS,
          rows: versions.map((v) => ({ model: v.model, version: v.version, aliases: v.aliases, status: v.status, source: v.source, run_id: v.runId })),
        };
      }
      case 'runs': {
        const o = options.options ?? {};
        const limit = o.limit === undefined ? undefined : Number(o.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
          throw new InvalidArgumentError(`options.limit: expected a positive integer, got '${o.limit}'`, { connector: this.type });
        }
        return runRows(await this.searchRuns(listing.experiment, { filter: o.filter, orderBy: o.orderBy, limit, signal }));
      }
    }
  }

  /** One partition holding the listing; projection by `columns`. SQL `where`/partitioning do not apply. */
  async nativeRead(table: string, options: ReadTableOptions = {}): Promise<NativeReadPlan> {
    const listing = parseMlListing(table, this.type);
    if (options.where || options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(
        `${this.type}: ML registry tables take no SQL 'where', predicates or partitioning; pass the platform's filter as options.filter (runs only).`,
        { connector: this.type },
      );
    }
    const connector = this.type;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the partition's generator runs later, unbound
    const self = this;
    return {
      partitions: [
        {
          description: table,
          open: async function* (signal: AbortSignal) {
            const { columns, rows } = await self.listingRows(listing, { ...options, signal });
            const wanted = options.columns?.length ? options.columns.map((name) => {
              const column = columns.find((c) => c.name === name);
              if (!column) throw new InvalidArgumentError(`${connector}: no column '${name}' in '${table}'; columns: ${columns.map((c) => c.name).join(', ')}`, { connector });
              return column;
            }) : columns;
            yield await rowsToRecordBatch(wanted, rows, connector);
          },
        },
      ],
    };
  }

  nativeWrite(): never {
    throw new UnsupportedOperationError(`${this.type} is an ML registry: record runs with logRun(), not by writing rows.`, { connector: this.type });
  }

  /**
   * The family's health probe: list experiments (authenticated, read-only). The contract has no
   * page size, so connectors whose API pages should override this with a one-item request.
   */
  protected async probeRegistry(signal: AbortSignal): Promise<string> {
    const experiments = await this.listExperiments({ signal });
    return `listed ${experiments.length} experiment${experiments.length === 1 ? '' : 's'}`;
  }

  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    return this.probeRegistry(signal);
  }
}
