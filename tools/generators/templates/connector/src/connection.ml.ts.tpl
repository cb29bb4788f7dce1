// {{banner}}
/**
 * `{{className}}`: {{description}}, an ML platform. `MLPlatformConnection` owns the shared
 * behaviour — experiments, runs and models readable as tables (`runs:<experiment>`), lineage
 * names, the experiment-listing health probe; this class adds the API client.
 */
import { z } from 'zod';
import {
  MLPlatformConnection,
  mlPlatformConfigSchema,
  UnsupportedOperationError,
  type ConnectionInit,
  type MlExperiment,
  type MlModelVersion,
  type MlRegistry,
  type MlRun,
  type MlRunLog,
} from '@sparkle/core';

/** Config of the `{{type}}` connection: the tracking server's url (or host/port) and token. */
export const {{schemaName}} = mlPlatformConfigSchema.extend({});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/** What this connection needs from the platform's API: the calls of the `MlRegistry` capability. */
export type {{clientName}} = MlRegistry;

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { url: 'https://mlflow.example.com' } });
 * const best = await conn.searchRuns('churn', { orderBy: 'metrics.auc DESC', limit: 1 });
 * ```
 */
export class {{className}} extends MLPlatformConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';
{{#port}}
  static override defaultPort = {{port}};
{{/port}}
  readonly #client: {{clientName}} | undefined;

  /** `client` replaces the API client (tests pass an in-memory registry). */
  constructor(init: ConnectionInit & { client?: {{clientName}} }) {
    super(init);
    this.#client = init.client;
  }

  /** The API client. TODO: call the platform's REST API here. */
  protected async client(): Promise<{{clientName}}> {
    if (this.#client) return this.#client;
    throw new UnsupportedOperationError(`${this.type}: the API client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  async listExperiments(options?: { signal?: AbortSignal }): Promise<MlExperiment[]> {
    return (await this.client()).listExperiments(options);
  }

  async searchRuns(experiment: string, options?: { filter?: string; orderBy?: string; limit?: number; signal?: AbortSignal }): Promise<MlRun[]> {
    return (await this.client()).searchRuns(experiment, options);
  }

  async getRun(runId: string, options?: { signal?: AbortSignal }): Promise<MlRun> {
    return (await this.client()).getRun(runId, options);
  }

  async logRun(log: MlRunLog, options?: { signal?: AbortSignal }): Promise<MlRun> {
    const client = await this.client();
    if (!client.logRun) throw new UnsupportedOperationError(`${this.type}: logging runs is not supported`, { connector: this.type });
    return client.logRun(log, options);
  }

  async listModels(options?: { signal?: AbortSignal }): Promise<string[]> {
    return (await this.client()).listModels(options);
  }

  async modelVersions(model: string, options?: { signal?: AbortSignal }): Promise<MlModelVersion[]> {
    return (await this.client()).modelVersions(model, options);
  }

  async *getArtifact(runId: string, path: string, options?: { signal?: AbortSignal }): AsyncIterable<Uint8Array> {
    const client = await this.client();
    if (!client.getArtifact) throw new UnsupportedOperationError(`${this.type}: reading artifacts is not supported`, { connector: this.type });
    yield* client.getArtifact(runId, path, options);
  }
}
