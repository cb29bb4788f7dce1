/**
 * `MemoryMlConnection`: the in-memory reference of the ML registry capability (experiments,
 * runs with params/metrics/tags, registered models and versions, run artifacts) with MLflow's
 * semantics where the contract leaves room: experiments are found by name or id, `logRun`
 * creates a missing experiment, metrics keep their latest value per key.
 */
import { z } from 'zod';
import {
  InvalidArgumentError,
  MLPlatformConnection,
  mlPlatformConfigSchema,
  QueryError,
  type MlExperiment,
  type MlMetric,
  type MlModelVersion,
  type MlRun,
  type MlRunLog,
} from '@sparkle/core';
import { memoryState } from './memory-store.js';

export const memoryMlConfigSchema = mlPlatformConfigSchema.extend({
  store: z.string().min(1).default('default'),
});

export type MemoryMlConfig = z.output<typeof memoryMlConfigSchema>;

interface MlState {
  experiments: MlExperiment[];
  runs: MlRun[];
  metricHistory: Map<string, MlMetric[]>;
  models: Map<string, MlModelVersion[]>;
  artifacts: Map<string, Uint8Array>;
  nextId: number;
}

/**
 * The ML registry reference.
 *
 * @example
 * ```ts
 * const ml = new MemoryMlConnection({ type: 'memory_ml', config: { store: 'test' } });
 * const run = await ml.logRun({ experiment: 'churn', params: { depth: 6 }, metrics: { auc: 0.91 } });
 * await ml.registerModelVersion('churn-model', { runId: run.id, aliases: ['champion'] });
 * ```
 */
export class MemoryMlConnection extends MLPlatformConnection<MemoryMlConfig> {
  static override schema: z.ZodType = memoryMlConfigSchema;
  static override description = 'In-memory ML registry (reference implementation)';
  static override lineageScheme = 'memml';

  private get state(): MlState {
    return memoryState<MlState>('ml', this.config.store, () => ({ experiments: [], runs: [], metricHistory: new Map(), models: new Map(), artifacts: new Map(), nextId: 1 }));
  }

  private id(prefix: string): string {
    return `${prefix}${String(this.state.nextId++).padStart(6, '0')}`;
  }

  private experiment(nameOrId: string): MlExperiment | undefined {
    return this.state.experiments.find((e) => e.id === nameOrId) ?? this.state.experiments.find((e) => e.name === nameOrId);
  }

  async listExperiments(): Promise<MlExperiment[]> {
    this.assertOpen();
    return structuredClone(this.state.experiments);
  }

  async searchRuns(experiment: string, options: { filter?: string; orderBy?: string; limit?: number } = {}): Promise<MlRun[]> {
    this.assertOpen();
    const exp = this.experiment(experiment);
    if (!exp) throw notFound(this.type, `experiment '${experiment}'`);
    let runs = this.state.runs.filter((r) => r.experimentId === exp.id);
    if (options.filter) runs = runs.filter(runFilter(options.filter, this.type));
    if (options.orderBy) runs = [...runs].sort(runOrder(options.orderBy, this.type));
    if (options.limit !== undefined) runs = runs.slice(0, options.limit);
    return structuredClone(runs);
  }

  async getRun(runId: string): Promise<MlRun> {
    this.assertOpen();
    const run = this.state.runs.find((r) => r.id === runId);
    if (!run) throw notFound(this.type, `run '${runId}'`);
    return structuredClone(run);
  }

  async logRun(log: MlRunLog): Promise<MlRun> {
    this.assertOpen();
    let exp = this.experiment(log.experiment);
    if (!exp) {
      exp = { id: this.id('exp-'), name: log.experiment, artifactLocation: `memory://${this.config.store}/artifacts` };
      this.state.experiments.push(exp);
    }
    const id = this.id('run-');
    const start = new Date();
    const metrics: Record<string, number> = {};
    const history = Array.isArray(log.metrics) ? log.metrics : Object.entries(log.metrics ?? {}).map(([key, value]) => ({ key, value, step: 0, timestamp: start }));
    for (const m of history) {
      if (typeof m.value !== 'number') throw new InvalidArgumentError(`metric '${m.key}' must be a number`, { connector: this.type });
      metrics[m.key] = m.value;
    }
    this.state.metricHistory.set(id, history.map((m) => ({ ...m })));
    const run: MlRun = {
      id,
      experimentId: exp.id,
      name: log.runName,
      status: log.status ?? 'FINISHED',
      startTime: start,
      endTime: new Date(),
      params: Object.fromEntries(Object.entries(log.params ?? {}).map(([k, v]) => [k, String(v)])),
      metrics,
      tags: { ...log.tags },
      artifactUri: `${exp.artifactLocation}/${id}`,
    };
    this.state.runs.push(run);
    return structuredClone(run);
  }

  async listModels(): Promise<string[]> {
    this.assertOpen();
    return [...this.state.models.keys()].sort();
  }

  async modelVersions(model: string): Promise<MlModelVersion[]> {
    this.assertOpen();
    const versions = this.state.models.get(model);
    if (!versions) throw notFound(this.type, `model '${model}'`);
    return structuredClone(versions);
  }

  /** Registers a new version of a model (creating the model), as MLflow's create_model_version does. */
  async registerModelVersion(model: string, version: { runId?: string; source?: string; aliases?: string[]; tags?: Record<string, string> } = {}): Promise<MlModelVersion> {
    this.assertOpen();
    const versions = this.state.models.get(model) ?? [];
    if (version.runId) await this.getRun(version.runId);
    // An alias names one version at a time: move it.
    for (const alias of version.aliases ?? []) for (const v of versions) v.aliases = v.aliases.filter((a) => a !== alias);
    const created: MlModelVersion = {
      model,
      version: String(versions.length + 1),
      aliases: [...(version.aliases ?? [])],
      status: 'READY',
      source: version.source ?? (version.runId ? `runs:/${version.runId}/model` : undefined),
      runId: version.runId,
      tags: { ...version.tags },
    };
    versions.push(created);
    this.state.models.set(model, versions);
    return structuredClone(created);
  }

  /** Stores an artifact file of a run. */
  async putArtifact(runId: string, path: string, content: Uint8Array | string): Promise<void> {
    await this.getRun(runId);
    this.state.artifacts.set(`${runId}/${path}`, typeof content === 'string' ? new TextEncoder().encode(content) : content.slice());
  }

  async *getArtifact(runId: string, path: string): AsyncIterable<Uint8Array> {
    this.assertOpen();
    const bytes = this.state.artifacts.get(`${runId}/${path}`);
    if (!bytes) throw notFound(this.type, `artifact '${path}' of run '${runId}'`);
    // Chunked, as a real download streams.
    for (let i = 0; i < bytes.length; i += 4096) yield bytes.slice(i, i + 4096);
    if (bytes.length === 0) yield new Uint8Array();
  }
}

function notFound(connector: string, what: string): QueryError {
  return new QueryError(`${connector}: ${what} does not exist`, { connector, details: { notFound: true } });
}

function runValue(run: MlRun, ref: string, connector: string): string | number | undefined {
  const [scope, ...rest] = ref.split('.');
  const k = rest.join('.');
  switch (scope) {
    case 'metrics':
      return run.metrics[k];
    case 'params':
      return run.params[k];
    case 'tags':
      return run.tags[k];
    case 'attributes':
      return k === 'status' ? run.status : k === 'run_name' ? run.name : k === 'start_time' ? run.startTime?.getTime() : undefined;
    default:
      throw new InvalidArgumentError(`${connector}: '${ref}' must start with metrics., params., tags. or attributes.`, { connector });
  }
}

/** MLflow's search filter subset: `<ref> <op> <value>` clauses joined by AND. */
function runFilter(filter: string, connector: string): (run: MlRun) => boolean {
  const clauses = filter.split(/\s+and\s+/i).map((clause) => {
    const m = /^\s*([\w.]+)\s*(=|!=|>=|<=|>|<)\s*(?:'([^']*)'|"([^"]*)"|(-?[\d.]+(?:e-?\d+)?))\s*$/i.exec(clause);
    if (!m) throw new InvalidArgumentError(`${connector}: cannot parse filter clause '${clause}'; use e.g. metrics.auc > 0.9 AND params.depth = '6'`, { connector });
    return { ref: m[1]!, op: m[2]!, value: m[5] !== undefined ? Number(m[5]) : (m[3] ?? m[4])! };
  });
  return (run) =>
    clauses.every(({ ref, op, value }) => {
      const actual = runValue(run, ref, connector);
      if (actual === undefined) return false;
      const a = typeof value === 'number' ? Number(actual) : String(actual);
      switch (op) {
        case '=':
          return a === value;
        case '!=':
          return a !== value;
        case '>':
          return a > value;
        case '>=':
          return a >= value;
        case '<':
          return a < value;
        default:
          return a <= value;
      }
    });
}

function runOrder(orderBy: string, connector: string): (a: MlRun, b: MlRun) => number {
  const m = /^\s*([\w.]+)(?:\s+(ASC|DESC))?\s*$/i.exec(orderBy);
  if (!m) throw new InvalidArgumentError(`${connector}: cannot parse orderBy '${orderBy}'; use e.g. 'metrics.auc DESC'`, { connector });
  const dir = m[2]?.toUpperCase() === 'DESC' ? -1 : 1;
  return (a, b) => {
    const x = runValue(a, m[1]!, connector);
    const y = runValue(b, m[1]!, connector);
    // Runs without the value sort last, as MLflow does.
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  };
}
