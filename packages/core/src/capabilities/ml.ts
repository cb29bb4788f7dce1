/**
 * The ML-platform capabilities: MLflow, SageMaker, Vertex AI and Azure ML as registries of
 * experiments, runs and models (shaped after MLflow's REST API, which the others map onto), and
 * Feast, Tecton and the Databricks Feature Store as feature retrieval into Arrow.
 */
import type { RecordBatch } from 'apache-arrow';

export interface MlExperiment {
  id: string;
  name: string;
  artifactLocation?: string;
  tags?: Record<string, string>;
}

export interface MlMetric {
  key: string;
  value: number;
  step?: number;
  timestamp?: Date;
}

export interface MlRun {
  id: string;
  experimentId: string;
  name?: string;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED' | (string & {});
  startTime?: Date;
  endTime?: Date;
  params: Record<string, string>;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
  tags: Record<string, string>;
  artifactUri?: string;
}

export interface MlModelVersion {
  model: string;
  version: string;
  /** Stage or alias names (`Production`, `champion`). */
  aliases: string[];
  status?: string;
  /** Where the model's files are (`runs:/…`, `s3://…`, `models:/…`). */
  source?: string;
  runId?: string;
  tags?: Record<string, string>;
}

/** What `logRun` records in one call. */
export interface MlRunLog {
  experiment: string;
  runName?: string;
  params?: Record<string, string | number | boolean>;
  metrics?: Record<string, number> | MlMetric[];
  tags?: Record<string, string>;
  /** Final status; default FINISHED. */
  status?: 'FINISHED' | 'FAILED' | 'KILLED';
}

/**
 * The ML registry capability (`ml_registry`).
 *
 * @example
 * ```ts
 * const run = await mlflow.logRun({ experiment: 'churn', params: { depth: 6 }, metrics: { auc: 0.91 } });
 * const best = await mlflow.searchRuns('churn', { orderBy: 'metrics.auc DESC', limit: 1 });
 * ```
 */
export interface MlRegistry {
  listExperiments(options?: { signal?: AbortSignal }): Promise<MlExperiment[]>;
  /** Runs of an experiment (by name or id), optionally filtered by the platform's own filter string and ordered. */
  searchRuns(experiment: string, options?: { filter?: string; orderBy?: string; limit?: number; signal?: AbortSignal }): Promise<MlRun[]>;
  getRun(runId: string, options?: { signal?: AbortSignal }): Promise<MlRun>;
  /** Creates a run, logs params/metrics/tags, and ends it (creating the experiment if missing). */
  logRun?(log: MlRunLog, options?: { signal?: AbortSignal }): Promise<MlRun>;
  listModels(options?: { signal?: AbortSignal }): Promise<string[]>;
  modelVersions(model: string, options?: { signal?: AbortSignal }): Promise<MlModelVersion[]>;
  /** Streams one artifact file of a run. */
  getArtifact?(runId: string, path: string, options?: { signal?: AbortSignal }): AsyncIterable<Uint8Array>;
}

/** A feature request: entity rows in, one column per feature out. */
export interface FeatureRequest {
  /** Feature references as the platform names them (`driver_stats:conv_rate`, a feature service). */
  features: readonly string[];
  /** Entity keys, one record per row (`{ driver_id: 1001 }`). */
  entities: ReadonlyArray<Record<string, unknown>>;
  signal?: AbortSignal;
}

/** The feature-retrieval capability (`feature_retrieval`). */
export interface FeatureRetrieval {
  /** Online features for the entity rows, as Arrow batches in entity order. */
  getOnlineFeatures(request: FeatureRequest): AsyncIterable<RecordBatch>;
}
