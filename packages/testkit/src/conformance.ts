/**
 * `testConnector`: the conformance suite every connector package runs. It registers one vitest
 * `describe` block with the same checks for every connector — registration and aliases, config
 * schema, secret redaction everywhere, Spark specs, tiered health checks, lineage, read/write
 * round trips in every save mode, lifecycle — skipping only what the connector declares it does
 * not do, or what needs a service that is not available (with the reason printed).
 */
import { inspect } from 'node:util';
import type { RecordBatch, Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getConnection,
  JDBCConnection,
  resolveConnectionType,
  SparkleError,
  setLocalEngine,
  type ConnectionClass,
  type SparkleConnection,
  type SparkSource,
  type WriteMode,
} from '@sparkle/core';
import { lineageProblems, MemoryLineageClient, runEventOf } from './lineage.js';
import { jdbcSparkChecks } from './suites/jdbc-spark.js';
import { normaliseRows, SAMPLE_ROWS, sampleTable } from './sample.js';

/** What a connector can do; checks for a `false` capability are skipped by declaration. */
export interface ConnectorCapabilities {
  read: boolean;
  write: boolean;
  /** Runs SQL through `conn.query()` (and accepts `where` predicates). */
  query: boolean;
  discover: boolean;
  spark: boolean;
  health: boolean;
  /**
   * Splits a read by `partitionColumn` (JDBC-style). Default: as `read`. Object stores split by
   * file and declare it false; the suite then checks that such a read is refused, typed.
   */
  partitionedRead?: boolean;
}

/** A running service's config, or why there is none. */
export type ServiceResult = { config: Record<string, unknown>; stop?: () => Promise<void> } | { skip: string } | null;

/** An invalid config and the JSON path its error must name. */
export interface InvalidConfigCase {
  name: string;
  config: Record<string, unknown>;
  /** JSON path of the offending key, e.g. `port` or `properties.ssl`. */
  path: string;
}

export interface ConnectorTestOptions {
  /** Canonical type name. */
  type: string;
  /** Other names that must resolve to the same class. */
  aliases?: string[];
  /** The class the type must resolve to. */
  connectionClass?: ConnectionClass | (abstract new (...args: never[]) => SparkleConnection<object>);
  /** A config the schema accepts, with a value for every secret field. No service needed. */
  validConfig: Record<string, unknown>;
  invalidConfigs?: InvalidConfigCase[];
  /** Dotted paths of secret fields in `validConfig` (their values must never be printed). */
  secretFields: string[];
  /** Spark option keys that must be listed in `secretOptions` (default: `password` when it is a secret field). */
  sparkSecretOptions?: string[];
  /** The save mode the sparkWrite check asks for. Default `overwrite`; append-only sinks (streams) pass `append`. */
  sparkWriteMode?: WriteMode;
  capabilities: ConnectorCapabilities;
  /** Finds or starts the service the live checks use. */
  service?: () => Promise<ServiceResult>;
  /** With `CI` set, a missing service fails the suite instead of skipping. */
  serviceRequired?: boolean;
  /** A config pointing at a closed port (127.0.0.1:1) or missing resource, for failing health checks. */
  unreachableConfig?: Record<string, unknown>;
  /** Deadline given to health checks that must fail; default 5000 ms. */
  failTimeoutMs?: number;
  /** How the connector stores booleans (SQLite stores 0/1). */
  booleanAs?: 'boolean' | 'number';
  /**
   * Drops the suite's round-trip table after the live checks. Default: `DROP TABLE IF EXISTS`
   * (then `DROP TABLE`) through the connection's `withSession`, when it has one.
   */
  dropTable?: (conn: SparkleConnection<object>, table: string) => Promise<void>;
  /** Creates the sample table when the connector cannot write (read-only connectors). */
  seedTable?: (config: Record<string, unknown>, table: string, sample: Table) => Promise<void>;
  /** A query `conn.query()` must answer with at least one row. Default `SELECT 1 AS one`. */
  probeQuery?: string;
  /** Prefix of the tables the suite creates. */
  tablePrefix?: string;
}

function getPath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

/** Makes sure core can find the local engine under test runners that alias workspace packages. */
async function ensureLocalEngine(): Promise<void> {
  try {
    const mod = (await import('@sparkle/engine-local')) as { localEngine?: Parameters<typeof setLocalEngine>[0] };
    if (mod.localEngine) setLocalEngine(mod.localEngine);
  } catch {
    // Core's own lazy import will report the missing package with a clear error.
  }
}

/** All rows of a frame (any async iterable of Arrow batches), as plain objects. */
export async function collectRows(frame: unknown): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for await (const batch of frame as AsyncIterable<RecordBatch>) {
    for (const row of batch.toArray()) rows.push({ ...(row as { toJSON(): Record<string, unknown> }).toJSON() });
  }
  return rows;
}

interface SqlSessionLike {
  withSession<T>(fn: (session: { execute(sql: string): Promise<unknown> }) => Promise<T>): Promise<T>;
  quoteTable?(table: string): string;
}

/** Drops a table the suite created; a failure is printed, not thrown (the checks already ran). */
async function dropTable(open: () => Promise<SparkleConnection<object>>, table: string, custom?: ConnectorTestOptions['dropTable']): Promise<void> {
  try {
    const conn = await open();
    if (custom) return await custom(conn, table);
    const sql = conn as unknown as Partial<SqlSessionLike>;
    if (typeof sql.withSession !== 'function') return;
    const name = typeof sql.quoteTable === 'function' ? sql.quoteTable(table) : table;
    await sql.withSession(async (s) => {
      // Not every dialect has IF EXISTS (Oracle before 23c, old DB2): fall back to a plain DROP.
      await s.execute(`DROP TABLE IF EXISTS ${name}`).catch(async () => {
        await s.execute(`DROP TABLE ${name}`).catch(() => undefined);
      });
    });
  } catch (error) {
    console.warn(`[testkit] could not drop the conformance table ${table}: ${(error as Error).message}`);
  }
}

/**
 * Registers the conformance suite for one connector.
 *
 * @example
 * ```ts
 * import { testConnector, findPostgres } from '@sparkle/testkit';
 * import { PostgreSQLConnection } from '../src/index.js';
 *
 * testConnector({
 *   type: 'postgres',
 *   aliases: ['postgresql'],
 *   connectionClass: PostgreSQLConnection,
 *   validConfig: { url: 'jdbc:postgresql://db:5432/app', user: 'u', password: 's3cret-pw' },
 *   secretFields: ['password'],
 *   capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
 *   service: findPostgres,
 *   unreachableConfig: { url: 'jdbc:postgresql://127.0.0.1:1/x', user: 'u' },
 * });
 * ```
 */
export function testConnector(options: ConnectorTestOptions): void {
  const caps = options.capabilities;
  const failTimeoutMs = options.failTimeoutMs ?? 5000;
  const prefix = options.tablePrefix ?? 'sparkle_ct';
  const secrets = options.secretFields.map((p) => ({ path: p, value: getPath(options.validConfig, p) }));
  const lineage = new MemoryLineageClient();
  const open = (config: Record<string, unknown>) => getConnection(options.type, { config, lineage, dotenv: false, variables: {} });

  describe(`${options.type} connector conformance`, () => {
    beforeAll(ensureLocalEngine);

    // -- registration --------------------------------------------------------------------------
    describe('registration', () => {
      it('resolves its type to the connection class', async () => {
        const entry = await resolveConnectionType(options.type);
        expect(entry.type).toBe(options.type);
        if (options.connectionClass) expect(entry.connectionClass).toBe(options.connectionClass);
      });

      it.each(options.aliases?.length ? options.aliases : ['(none)'])('resolves alias %s to the same class', async (alias) => {
        if (alias === '(none)') {
          expect(options.aliases ?? []).toEqual([]);
          return;
        }
        const entry = await resolveConnectionType(alias);
        const canonical = await resolveConnectionType(options.type);
        expect(entry.type).toBe(options.type);
        expect(entry.connectionClass).toBe(canonical.connectionClass);
      });
    });

    // -- config schema -------------------------------------------------------------------------
    describe('config schema', () => {
      it('accepts the valid config', async () => {
        const conn = await open(options.validConfig);
        expect(conn.type).toBe(options.type);
        await conn.close();
      });

      it.each((options.invalidConfigs ?? []).map((c) => [c.name, c] as const))('rejects %s with CONFIG_INVALID naming the path, not the value', async (_name, c) => {
        const error = await open(c.config).then(
          async (conn) => {
            await conn.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(SparkleError.isInstance(error), 'a typed SparkleError').toBe(true);
        const e = error as SparkleError;
        expect(e.code).toBe('CONFIG_INVALID');
        expect(e.message).toContain(c.path);
        const bad = getPath(c.config, c.path);
        if (typeof bad === 'string' && bad.length >= 4) expect(e.message).not.toContain(bad);
        for (const s of secrets) if (typeof s.value === 'string') expect(e.message).not.toContain(s.value);
      });
    });

    // -- redaction -----------------------------------------------------------------------------
    describe('secret redaction', () => {
      const values = secrets.map((s) => s.value).filter((v): v is string => typeof v === 'string' && v.length > 0);

      it('declares secret values in validConfig', () => {
        expect(values.length).toBe(options.secretFields.length);
      });

      it('keeps secrets out of toString, toJSON, util.inspect and redactedConfig', async () => {
        const conn = await open(options.validConfig);
        const outputs = [String(conn), JSON.stringify(conn.toJSON()), inspect(conn, { depth: 10 }), JSON.stringify(conn.redactedConfig())];
        for (const out of outputs) for (const v of values) expect(out).not.toContain(v);
        await conn.close();
      });

      it('keeps secrets out of wrapped errors', async () => {
        const conn = await open(options.validConfig);
        for (const v of values) {
          const e = conn.wrapError(new Error(`driver said: login with ${v} failed`), 'connect');
          expect(e.message).not.toContain(v);
          expect(JSON.stringify(e.toJSON())).not.toContain(v);
        }
        await conn.close();
      });

      it('keeps secrets out of lineage metadata', async () => {
        const conn = await open(options.validConfig);
        lineage.clear();
        const run = conn.lineageRun('read', `${prefix}_redaction`, { note: `uses ${values.join(',')}`, password: values[0] ?? 'x' });
        await run.start();
        await run.complete({ rows: 0 });
        // `secrets` is the list core hands the lineage client so transports can scrub; everything else is emitted.
        const text = JSON.stringify(lineage.events.map((e) => ({ ...e.spec, secrets: undefined })));
        for (const v of values) expect(text).not.toContain(v);
        expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
        // The RunEvents themselves: valid OpenLineage, and free of every secret value.
        const emitted = JSON.stringify(lineage.events.map(runEventOf));
        for (const v of values) expect(emitted).not.toContain(v);
        expect(lineageProblems(lineage.events)).toEqual([]);
        await conn.close();
      });
    });

    // -- Spark ---------------------------------------------------------------------------------
    describe('Spark specs', () => {
      const secretOptions = options.sparkSecretOptions ?? (options.secretFields.includes('password') ? ['password'] : []);
      const checkSpec = (spec: { format: string; options: Record<string, string>; secretOptions: string[] }) => {
        expect(spec.format.length).toBeGreaterThan(0);
        for (const key of secretOptions) expect(spec.secretOptions).toContain(key);
        const values = secrets.map((s) => s.value).filter((v): v is string => typeof v === 'string' && v.length > 0);
        for (const [key, value] of Object.entries(spec.options)) {
          if (spec.secretOptions.includes(key)) continue;
          for (const v of values) expect(value, `option ${key}`).not.toContain(v);
        }
      };

      it.skipIf(!caps.spark)('sparkRead names a format and marks secret options', async () => {
        const conn = (await open(options.validConfig)) as unknown as SparkleConnection<object> & SparkSource;
        checkSpec(conn.sparkRead(`${prefix}_spark`, {}));
        await conn.close();
      });

      it.skipIf(!caps.spark)('sparkWrite names a format, the mode, and marks secret options', async () => {
        const conn = (await open(options.validConfig)) as unknown as SparkleConnection<object> & SparkSource;
        const mode = options.sparkWriteMode ?? 'overwrite';
        const spec = conn.sparkWrite(`${prefix}_spark`, { mode });
        expect(spec.mode).toBe(mode);
        checkSpec(spec);
        await conn.close();
      });
    });

    // Registered only for JDBC connections (known from the class when given), so other families carry no skips.
    const jdbcClass = !options.connectionClass || (options.connectionClass as { prototype: unknown }).prototype instanceof JDBCConnection;
    if (caps.spark && jdbcClass) jdbcSparkChecks(open, options.validConfig, true);

    // -- failing health ------------------------------------------------------------------------
    describe('health check failures', () => {
      const skipUnreachable = !caps.health || !options.unreachableConfig;

      it.skipIf(skipUnreachable)(`fails fast and typed against an unreachable endpoint (within ${failTimeoutMs} ms)`, async () => {
        const conn = await open(options.unreachableConfig!);
        const started = performance.now();
        const report = await conn.check({ timeoutMs: failTimeoutMs });
        const elapsed = performance.now() - started;
        expect(report.ok).toBe(false);
        const failed = report.steps.find((s) => s.status === 'failed');
        expect(failed?.error?.code).toMatch(/^(CONNECTION_FAILED|TIMEOUT)$/);
        expect(elapsed).toBeLessThan(failTimeoutMs + 1500);
        for (const s of secrets) if (typeof s.value === 'string') expect(JSON.stringify(report)).not.toContain(s.value);
        await conn.close();
      });

      it.skipIf(skipUnreachable)('test() returns false instead of throwing', async () => {
        const conn = await open(options.unreachableConfig!);
        await expect(conn.test({ timeoutMs: failTimeoutMs })).resolves.toBe(false);
        await conn.close();
      });
    });

    // -- lifecycle -----------------------------------------------------------------------------
    describe('lifecycle', () => {
      it('close() is idempotent and later use fails with CLOSED', async () => {
        const conn = await open(options.validConfig);
        await conn.close();
        await conn.close();
        expect(conn.closed).toBe(true);
        const error = await conn.readTable(`${prefix}_closed`).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((error as SparkleError | undefined)?.code).toBe('CLOSED');
        await expect(conn.test()).resolves.toBe(false);
      });

      it('await using closes the connection', async () => {
        let seen: SparkleConnection<object> | undefined;
        {
          await using conn = await open(options.validConfig);
          seen = conn;
          expect(conn.closed).toBe(false);
        }
        expect(seen.closed).toBe(true);
      });
    });

    // -- live: health, lineage, round trips ------------------------------------------------------
    describe('against the service', () => {
      let config: Record<string, unknown> | undefined;
      let skipReason = options.service ? '' : 'no service declared';
      let stop: (() => Promise<void>) | undefined;
      const table = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
      const conns: Array<SparkleConnection<object>> = [];
      const live = async () => {
        const conn = await open(config!);
        conns.push(conn);
        return conn;
      };
      const need = (ctx: { skip: (note?: string) => never }, capability: boolean, name: string) => {
        if (!capability) ctx.skip(`capability '${name}' is declared false`);
        if (!config) ctx.skip(skipReason);
      };
      const readAll = async (conn: SparkleConnection<object>, name: string, readOptions = {}) => normaliseRows(await collectRows(await conn.readTable(name, readOptions)), options.booleanAs);
      const expected = (rows = SAMPLE_ROWS) => normaliseRows(rows as unknown as Array<Record<string, unknown>>, 'boolean');

      beforeAll(async () => {
        if (!options.service) return;
        const result = await options.service();
        if (result && 'config' in result) {
          config = result.config;
          stop = result.stop;
          return;
        }
        skipReason = result && 'skip' in result ? result.skip : 'service unavailable';
        if (options.serviceRequired && process.env.CI) throw new Error(`${options.type}: required service unavailable in CI: ${skipReason}`);
        console.warn(`[testkit] ${options.type}: skipping live checks: ${skipReason}`);
      });

      afterAll(async () => {
        // The round-trip table is the suite's own: drop it so a shared server keeps no leftovers.
        if (config && (caps.write || options.seedTable)) await dropTable(live, table, options.dropTable);
        for (const conn of conns) await conn.close().catch(() => undefined);
        await stop?.();
      });

      it('check() passes every tier with timings', async (ctx) => {
        need(ctx, caps.health, 'health');
        const conn = await live();
        const report = await conn.check();
        expect(report.steps.map((s) => s.tier)).toEqual(['config', 'network', 'auth', 'probe']);
        expect(report.ok, JSON.stringify(report.steps)).toBe(true);
        for (const step of report.steps) {
          expect(['ok', 'skipped']).toContain(step.status);
          expect(step.durationMs).toBeGreaterThanOrEqual(0);
        }
        await expect(conn.test()).resolves.toBe(true);
      });

      it('writes a new table (errorIfExists) and reads it back', async (ctx) => {
        need(ctx, caps.write && caps.read, 'write+read');
        const conn = await live();
        const result = await conn.writeTable(sampleTable(), table, { mode: 'errorIfExists' });
        expect(result.rows).toBe(SAMPLE_ROWS.length);
        expect(result.written).toBe(true);
        expect(await readAll(conn, table)).toEqual(expected());
      });

      it('refuses errorIfExists on an existing table, typed', async (ctx) => {
        need(ctx, caps.write, 'write');
        const conn = await live();
        const error = await conn.writeTable(sampleTable(), table, { mode: 'errorIfExists' }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(SparkleError.isInstance(error)).toBe(true);
        expect((error as SparkleError).code).toMatch(/TABLE_EXISTS|WRITE_FAILED/);
      });

      it('ignore leaves an existing table untouched', async (ctx) => {
        need(ctx, caps.write && caps.read, 'write+read');
        const conn = await live();
        const result = await conn.writeTable(sampleTable(SAMPLE_ROWS.slice(0, 1)), table, { mode: 'ignore' });
        expect(result.written).toBe(false);
        expect(await readAll(conn, table)).toEqual(expected());
      });

      it('append adds rows', async (ctx) => {
        need(ctx, caps.write && caps.read, 'write+read');
        const conn = await live();
        const extra = SAMPLE_ROWS.slice(0, 2).map((r) => ({ ...r, id: r.id + 100 }));
        const result = await conn.writeTable(sampleTable(extra), table, { mode: 'append' });
        expect(result.rows).toBe(2);
        expect(await readAll(conn, table)).toEqual(expected([...SAMPLE_ROWS, ...extra]));
      });

      it('overwrite replaces the rows', async (ctx) => {
        need(ctx, caps.write && caps.read, 'write+read');
        const conn = await live();
        const subset = SAMPLE_ROWS.slice(1, 4);
        await conn.writeTable(sampleTable(subset), table, { mode: 'overwrite' });
        expect(await readAll(conn, table)).toEqual(expected(subset));
        // Restore the full sample for the read checks below.
        await conn.writeTable(sampleTable(), table, { mode: 'overwrite' });
        expect(await readAll(conn, table)).toEqual(expected());
      });

      it('seeds the sample table when the connector cannot write', async (ctx) => {
        if (caps.write) ctx.skip('the connector writes (seeded by the write checks)');
        if (!config) ctx.skip(skipReason);
        if (!options.seedTable) ctx.skip('no seedTable declared');
        await options.seedTable!(config!, table, sampleTable());
      });

      it('reads with projection', async (ctx) => {
        need(ctx, caps.read, 'read');
        const conn = await live();
        const rows = await readAll(conn, table, { columns: ['id', 'name'] });
        expect(rows).toEqual(expected().map((r) => ({ id: r.id, name: r.name })));
      });

      it('reads with a pushed-down predicate', async (ctx) => {
        need(ctx, caps.read && caps.query, 'read+query');
        const conn = await live();
        const rows = await readAll(conn, table, { where: 'id >= 3' });
        expect(rows).toEqual(expected().filter((r) => Number(r.id) >= 3));
      });

      it('partitioned read returns every row exactly once', async (ctx) => {
        need(ctx, caps.read, 'read');
        const conn = await live();
        if (caps.partitionedRead === false) {
          // Declared out: the read must say so (typed) rather than return rows split some other way.
          const refused = await collectRows(await conn.readTable(table, { partitionColumn: 'id', numPartitions: 3 })).then(
            () => undefined,
            (error: unknown) => error,
          );
          expect(SparkleError.isInstance(refused) && refused.code, String(refused)).toBe('UNSUPPORTED');
          return;
        }
        for (const numPartitions of [2, 3, 7]) {
          const rows = await readAll(conn, table, { partitionColumn: 'id', lowerBound: 2, upperBound: 4, numPartitions });
          expect(rows).toEqual(expected());
        }
        const auto = await readAll(conn, table, { partitionColumn: 'id', numPartitions: 3 });
        expect(auto).toEqual(expected());
      });

      it('emits lineage START and COMPLETE for a read', async (ctx) => {
        need(ctx, caps.read, 'read');
        const conn = await live();
        lineage.clear();
        await collectRows(await conn.readTable(table));
        const types = lineage.events.map((e) => e.eventType);
        expect(types).toEqual(['START', 'COMPLETE']);
        const [start, complete] = lineage.events;
        expect(start!.runId).toBe(complete!.runId);
        expect(start!.spec.inputs.map((d) => d.name).join(' ')).toContain(table);
        expect(complete!.stats?.rows).toBe(SAMPLE_ROWS.length);
        expect(lineageProblems(lineage.events)).toEqual([]);
      });

      it('runs a query', async (ctx) => {
        need(ctx, caps.query, 'query');
        const conn = await live();
        const rows = await collectRows(await conn.query(options.probeQuery ?? 'SELECT 1 AS one'));
        expect(rows.length).toBeGreaterThan(0);
      });

      it('discovers the table', async (ctx) => {
        need(ctx, caps.discover && (caps.write || Boolean(options.seedTable)), 'discover');
        const conn = (await live()) as unknown as { discover(): Promise<Array<{ name: string; columns?: Array<{ name: string }> }>> };
        const tables = await conn.discover();
        const found = tables.find((t) => t.name === table);
        expect(found, `discover() lists ${table}`).toBeDefined();
        expect(found!.columns?.map((c) => c.name)).toEqual(['id', 'name', 'score', 'active']);
      });
    });
  });
}
