/**
 * `testMlRegistry`: the conformance suite of the ML registry capability — experiments, logging a
 * run and reading it back (params as strings, latest metric values, tags), search with the
 * platform's filter and order, model versions and aliases, artifacts, the registry listings as
 * Arrow tables, typed not-found errors and the health probe.
 */
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf, type MlRegistry, type SparkleConnection } from '@sparkle/core';
import { collectRows } from '../conformance.js';
import { MemoryLineageClient } from '../lineage.js';
import { drain, ensureLocalEngine, rejection, type ServiceSuiteOptions } from './service-common.js';

export interface MlRegistrySuiteOptions extends ServiceSuiteOptions<MlRegistry> {
  /** Experiment the suite logs runs into (created by `logRun` when missing). */
  experiment?: string;
  /** A registered model with at least one version, when the registry has one (or `registerModel` seeds it). */
  model?: string;
  /**
   * Registers a version of `model` for `runId` with an alias, when the platform's API for it is
   * not part of the capability (MLflow's create_model_version); lets the suite check versions.
   */
  registerModelVersion?: (conn: MlRegistry, model: string, runId: string, alias: string) => Promise<void>;
  /** Stores an artifact for a run, so `getArtifact` can be checked against known bytes. */
  putArtifact?: (conn: MlRegistry, runId: string, path: string, content: Uint8Array) => Promise<void>;
}

/**
 * Registers the ML registry suite.
 *
 * @example
 * ```ts
 * testMlRegistry({
 *   name: 'mlflow',
 *   open: (lineage) => getConnection('mlflow', { env: 'test', lineage }),
 *   registerModelVersion: (conn, model, runId, alias) => (conn as MlflowConnection).createModelVersion(model, runId, [alias]),
 * });
 * ```
 */
export function testMlRegistry(options: MlRegistrySuiteOptions): void {
  const lineage = new MemoryLineageClient();
  const experiment = options.experiment ?? `sparkle_ct_${Date.now().toString(36)}`;
  let conn: (MlRegistry & SparkleConnection<object>) | undefined;
  const c = () => conn!;
  const runIds: string[] = [];

  describe.skipIf(Boolean(options.skip))(`${options.name}: ML registry capability${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    beforeAll(async () => {
      await ensureLocalEngine();
      conn = await options.open(lineage);
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('declares the ml_registry capability from its methods', () => {
      expect(capabilitiesOf(c())).toContain('ml_registry');
    });

    it('logs runs and reads them back: params as strings, latest metrics, tags, status', async (ctx) => {
      if (!c().logRun) ctx.skip('the connector does not implement logRun (read-only registry)');
      const logged = [
        await c().logRun!({ experiment, runName: 'shallow', params: { depth: 3, lr: 0.1, balanced: true }, metrics: { auc: 0.81, loss: 0.52 }, tags: { team: 'ct' } }),
        await c().logRun!({ experiment, runName: 'deep', params: { depth: 9 }, metrics: [{ key: 'auc', value: 0.7, step: 0 }, { key: 'auc', value: 0.93, step: 1 }] }),
        await c().logRun!({ experiment, runName: 'failed', params: { depth: 12 }, metrics: { auc: 0.5 }, status: 'FAILED' }),
      ];
      runIds.push(...logged.map((r) => r.id));
      const run = await c().getRun(logged[0]!.id);
      expect(run.params).toEqual({ depth: '3', lr: '0.1', balanced: 'true' });
      expect(run.metrics).toEqual({ auc: 0.81, loss: 0.52 });
      expect(run.tags.team).toBe('ct');
      expect(run.status).toBe('FINISHED');
      expect(run.name).toBe('shallow');
      expect((await c().getRun(logged[1]!.id)).metrics.auc).toBe(0.93);
      expect((await c().getRun(logged[2]!.id)).status).toBe('FAILED');
      const exp = (await c().listExperiments()).find((e) => e.name === experiment);
      expect(exp, `listExperiments includes '${experiment}'`).toBeDefined();
      expect(run.experimentId).toBe(exp!.id);
    });

    it('searches runs by experiment name or id, with the platform filter, order and limit', async (ctx) => {
      if (runIds.length === 0) ctx.skip('no runs logged (logRun not implemented)');
      const all = await c().searchRuns(experiment);
      expect(all.map((r) => r.id).sort()).toEqual([...runIds].sort());
      const exp = (await c().listExperiments()).find((e) => e.name === experiment)!;
      expect((await c().searchRuns(exp.id)).length).toBe(3);
      const best = await c().searchRuns(experiment, { orderBy: 'metrics.auc DESC', limit: 1 });
      expect(best.map((r) => r.name)).toEqual(['deep']);
      const good = await c().searchRuns(experiment, { filter: 'metrics.auc > 0.8' });
      expect(good.map((r) => r.name).sort()).toEqual(['deep', 'shallow']);
    });

    it('getRun of a missing run is a typed QUERY_FAILED with details.notFound', async () => {
      const e = await rejection(c().getRun('sparkle-missing-run-0000'));
      expect(e.code).toBe('QUERY_FAILED');
      expect(e.details.notFound).toBe(true);
    });

    it('lists model versions with aliases', async (ctx) => {
      let model = options.model;
      if (!model && options.registerModelVersion && runIds.length) {
        model = `${experiment}_model`;
        await options.registerModelVersion(c(), model, runIds[0]!, 'challenger');
        await options.registerModelVersion(c(), model, runIds[1]!, 'champion');
      }
      if (!model) ctx.skip('no model given and no registerModelVersion hook');
      expect(await c().listModels()).toContain(model);
      const versions = await c().modelVersions(model!);
      expect(versions.length).toBeGreaterThan(0);
      for (const v of versions) {
        expect(v.model).toBe(model);
        expect(typeof v.version).toBe('string');
        expect(Array.isArray(v.aliases)).toBe(true);
      }
      if (!options.model) {
        expect(versions.map((v) => v.runId)).toEqual([runIds[0], runIds[1]]);
        expect(versions.find((v) => v.aliases.includes('champion'))?.runId).toBe(runIds[1]);
      }
    });

    it('streams a run artifact byte for byte', async (ctx) => {
      if (!c().getArtifact || !options.putArtifact || runIds.length === 0) ctx.skip('no getArtifact, putArtifact hook or run');
      const content = new Uint8Array(10_000).map((_, i) => (i * 31) % 251);
      await options.putArtifact!(c(), runIds[0]!, 'model/weights.bin', content);
      const chunks = await drain(c().getArtifact!(runIds[0]!, 'model/weights.bin'));
      expect(Buffer.concat(chunks)).toEqual(Buffer.from(content));
    });

    it('reads runs as an Arrow table with metrics.*, params.* and tags.* columns', async (ctx) => {
      if (runIds.length === 0) ctx.skip('no runs logged');
      lineage.clear();
      const frame = await c().readTable(`runs:${experiment}`, { options: { orderBy: 'metrics.auc DESC' } });
      const batches: RecordBatch[] = [];
      for await (const b of frame as AsyncIterable<RecordBatch>) batches.push(b);
      const fields = batches[0]!.schema.fields;
      expect(String(fields.find((f) => f.name === 'metrics.auc')?.type)).toBe('Float64');
      expect(String(fields.find((f) => f.name === 'params.depth')?.type)).toBe('Utf8');
      const rows = batches.flatMap((b) => b.toArray().map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON()));
      expect(rows.map((r) => r.run_name)).toEqual(['deep', 'shallow', 'failed']);
      expect(rows.map((r) => r['params.depth'])).toEqual(['9', '3', '12']);
      expect(lineage.events.map((e) => `${e.eventType}:${e.spec.operation}`)).toEqual(['START:read', 'COMPLETE:read']);
      const experiments = await collectRows(await c().readTable('experiments', { columns: ['name'] }));
      expect(experiments.map((r) => r.name)).toContain(experiment);
    });

    it('refuses a table name that is not a registry listing, typed', async () => {
      const e = await rejection(c().readTable('not_a_listing').then((f) => collectRows(f)));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toContain('runs:<experiment');
    });

    it('check(): the probe lists experiments', async () => {
      const report = await c().check({ timeoutMs: 10_000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
      expect(report.steps.find((s) => s.tier === 'probe')?.message).toMatch(/experiment/);
    });
  });
}
