/**
 * `SparkleConnection`: the base of every connection.
 *
 * It owns what all 78 families share — validated config, redaction, the engine choice, health
 * checks, lineage runs, cleanup — so a family base or connector adds only what is its own:
 * its schema, its endpoints, its Spark mapping and its driver glue.
 */
import { inspect } from 'node:util';
import { z } from 'zod';
import { classifyError, type ErrorHints } from './classify.js';
import { validateConfig } from './config/index.js';
import type { ResolvedConfig } from './config/types.js';
import {
  getLocalEngine,
  isEngineProvider,
  ENGINE_PROVIDER,
  type ReadTableOptions,
  type SparkleEngine,
  type WriteMode,
  type WriteResult,
  type WriteTableOptions,
} from './engine.js';
import { InvalidArgumentError, SparkleError, UnsupportedOperationError } from './errors.js';
import { HealthSkip, probeTcp, type CheckOptions, type Endpoint, type HealthReport, type HealthStep, type HealthTier } from './health.js';
import { getLineageClient } from './lineage/index.js';
import type { DatasetRef, LineageClient, LineageRun, LineageRunSpec } from './lineage/types.js';
import { collectSecrets, redactText, redactValue } from './secrets.js';
import { anySignal, raceSignal } from './util/async.js';

/** What `getConnection` (or a subclass constructor) passes to a connection. */
export interface ConnectionInit {
  /** Canonical type name. */
  type: string;
  /** Raw config values (validated by the class schema in the constructor; `${VAR}` already resolved). */
  config: object;
  env?: string;
  /** A Spark Connect session (or any engine provider); omitted → the local Arrow engine. */
  spark?: unknown;
  /** Where the config came from (files, provenance), for error messages and `config show`. */
  resolved?: ResolvedConfig;
  /** Lineage client; default: the process-wide client configured from OpenLineage settings. */
  lineage?: LineageClient;
}

const TIERS: HealthTier[] = ['config', 'network', 'auth', 'probe'];
const ALL_WRITE_MODES: readonly WriteMode[] = Object.freeze(['append', 'overwrite', 'errorIfExists', 'ignore'] as const);

/**
 * Base class of all connections.
 *
 * @example
 * ```ts
 * await using conn = await getConnection('postgres', { env: 'prod' });
 * if (await conn.test()) {
 *   const frame = await conn.readTable('public.customers', { partitionColumn: 'id', numPartitions: 4 });
 * }
 * ```
 */
export abstract class SparkleConnection<TConfig extends object = Record<string, unknown>> implements AsyncDisposable {
  /** Config schema; subclasses narrow it. Unknown keys are kept (passthrough) unless a schema is strict. */
  static schema: z.ZodType = z.looseObject({});
  static family = 'custom';
  static description = '';
  /** Driver-specific error codes for classification. */
  static errorHints: ErrorHints = {};

  readonly type: string;
  readonly env: string;
  readonly config: TConfig;
  readonly spark: unknown;
  readonly resolved: ResolvedConfig | undefined;
  readonly #secrets: string[];
  readonly #lineage: LineageClient | undefined;
  readonly #cleanups: Array<() => Promise<void> | void> = [];
  #closed = false;

  constructor(init: ConnectionInit) {
    const ctor = new.target as unknown as typeof SparkleConnection;
    this.type = init.type;
    this.env = init.env ?? init.resolved?.env ?? 'dev';
    this.spark = init.spark;
    this.resolved = init.resolved;
    this.#lineage = init.lineage;
    if (init.spark !== undefined && init.spark !== null && !isEngineProvider(init.spark) && !isEngine(init.spark)) {
      throw new InvalidArgumentError(
        `'spark' must be a SparkSession from @sparkle/spark-connect (or a Sparkle engine); got ${describeValue(init.spark)}.`,
        { connector: this.type },
      );
    }
    this.config = validateConfig(ctor.schema, init.resolved, init.config, { type: init.type, env: this.env }) as TConfig;
    this.#secrets = collectSecrets(this.config, ctor.schema);
  }

  /** The class's static side, for subclasses to read schema/hints. */
  protected get statics(): typeof SparkleConnection {
    return this.constructor as typeof SparkleConnection;
  }

  get family(): string {
    return this.statics.family;
  }

  get closed(): boolean {
    return this.#closed;
  }

  // -------------------------------------------------------------------------------------------
  // Redaction
  // -------------------------------------------------------------------------------------------

  /**
   * The secret values of this connection's config, for clients that must scrub them too (HTTP, drivers).
   * Every redaction of the connection (`redact`, `redactValue`, `wrapError`, lineage) goes through
   * it, so a connector whose secrets are not marked by the schema (values chosen by key at
   * runtime) overrides it to add them.
   */
  protected secretValues(): readonly string[] {
    return this.#secrets;
  }

  /** Removes this connection's secrets from free text. */
  redact(text: string): string {
    return redactText(text, this.secretValues());
  }

  /** A deep copy of any value with secrets (by schema, by key name, by value) replaced. */
  redactValue<T>(value: T): T {
    return redactValue(value, this.statics.schema, this.secretValues());
  }

  /** The config with secrets replaced by `***`. */
  redactedConfig(): Record<string, unknown> {
    return this.redactValue(this.config as Record<string, unknown>);
  }

  /** Wraps a thrown value into a typed, redacted SparkleError for this connector. */
  wrapError(error: unknown, what: string): SparkleError {
    // classifyError scrubs the whole chain — our own errors too, a driver message may be folded in.
    return classifyError(error, this.type, what, this.secretValues(), this.statics.errorHints);
  }

  toString(): string {
    return `${this.constructor.name}(type=${this.type}, env=${this.env}, config=${JSON.stringify(this.redactedConfig())})`;
  }

  toJSON(): Record<string, unknown> {
    return { type: this.type, env: this.env, family: this.family, config: this.redactedConfig() };
  }

  [inspect.custom](): string {
    return this.toString();
  }

  // -------------------------------------------------------------------------------------------
  // Engine
  // -------------------------------------------------------------------------------------------

  /** The engine reads and writes run on: the Spark session's, or the local Arrow engine. */
  async engine(): Promise<SparkleEngine> {
    if (isEngineProvider(this.spark)) return this.spark[ENGINE_PROVIDER]();
    if (isEngine(this.spark)) return this.spark;
    return getLocalEngine();
  }

  /**
   * Reads a table. With Spark: a lazy DataFrame. Locally: a lazy frame streaming Arrow batches.
   * Partitioning follows Spark's JDBC semantics (bounds set the stride; every row is read once).
   */
  async readTable<TFrame = unknown>(table: string, options: ReadTableOptions = {}): Promise<TFrame> {
    this.assertOpen();
    const engine = await this.engine();
    return (await engine.readTable(this, table, options)) as TFrame;
  }

  /**
   * The save modes a write to `table` supports. Engines refuse other modes up front and attach
   * this list to a `TABLE_EXISTS` error (`details.writeModes`), so hints only ever suggest a mode
   * that can work. Default: all four; a target that cannot append (a Parquet file) overrides it.
   *
   * @example
   * ```ts
   * if (!conn.supportedWriteModes('out/x.parquet').includes('append')) console.log('write a new file instead');
   * ```
   */
  supportedWriteModes(_table: string, _options: { partitionBy?: readonly string[] } = {}): readonly WriteMode[] {
    return ALL_WRITE_MODES;
  }

  /** Writes `data` (a DataFrame, an Arrow table, batches, or rows) into `table`. */
  async writeTable(data: unknown, table: string, options: WriteTableOptions = {}): Promise<WriteResult> {
    this.assertOpen();
    if (typeof table !== 'string') {
      const got = table === null ? 'null' : Array.isArray(table) ? 'an array' : typeof table;
      throw new InvalidArgumentError(`writeTable(data, table, options): table must name the target, got ${got}${typeof data === 'string' ? ' (are data and table swapped?)' : ''}`, { connector: this.type });
    }
    const engine = await this.engine();
    return engine.writeTable(this, data, table, options);
  }

  /** Runs a query (SQL sources) and returns a frame, as `readTable` does. */
  async query<TFrame = unknown>(sql: string, params: readonly unknown[] = [], options: ReadTableOptions = {}): Promise<TFrame> {
    this.assertOpen();
    const engine = await this.engine();
    if (!engine.query) throw new UnsupportedOperationError(`The ${engine.name} engine cannot run queries`, { connector: this.type });
    return (await engine.query(this, sql, params, options)) as TFrame;
  }

  // -------------------------------------------------------------------------------------------
  // Health
  // -------------------------------------------------------------------------------------------

  /** Hosts and ports the network tier must reach; empty for embedded or file sources. */
  protected endpoints(): Endpoint[] {
    return [];
  }

  /** Opens an authenticated session (driver login); return `HealthSkip` when not applicable. */
  protected async checkAuth(_signal: AbortSignal): Promise<void | HealthSkip | string> {
    return new HealthSkip('no authentication step for this connection type');
  }

  /** Runs a cheap read-only probe (e.g. `SELECT 1`); return `HealthSkip` when not applicable. */
  protected async checkProbe(_signal: AbortSignal): Promise<void | HealthSkip | string> {
    return new HealthSkip('no read-only probe for this connection type');
  }

  /** Default deadline of `check()`. */
  protected defaultCheckTimeoutMs(): number {
    const t = (this.config as { connectTimeoutMs?: unknown }).connectTimeoutMs;
    return typeof t === 'number' && t > 0 ? t : 10_000;
  }

  /**
   * Tiered health check: config, DNS + TCP, authentication, read-only probe — each timed, all
   * within one deadline. Never throws for an unhealthy connection; the report says why.
   */
  async check(options: CheckOptions = {}): Promise<HealthReport> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? this.defaultCheckTimeoutMs();
    const signal = anySignal(AbortSignal.timeout(timeoutMs), options.signal);
    const steps: HealthStep[] = [];
    const last = options.upTo ? TIERS.indexOf(options.upTo) : TIERS.length - 1;
    let failedTier: HealthTier | undefined;
    for (const [index, tier] of TIERS.entries()) {
      if (index > last) break;
      const t0 = performance.now();
      if (failedTier) {
        steps.push({ tier, status: 'skipped', durationMs: 0, message: `not reached: ${failedTier} failed` });
        continue;
      }
      try {
        const outcome = await raceSignal(this.runTier(tier, signal), signal, `health check (${tier})`, this.type);
        const durationMs = performance.now() - t0;
        if (outcome instanceof HealthSkip) steps.push({ tier, status: 'skipped', durationMs, message: outcome.reason });
        else steps.push({ tier, status: 'ok', durationMs, message: this.redact(outcome) });
      } catch (error) {
        const e = this.wrapError(error, `${tier} check`);
        failedTier = tier;
        // TLS is negotiated when the auth tier opens its session, but a handshake failure is the
        // transport's: report it under network (TCP was fine, TLS was not), never as bad credentials.
        const network = steps.find((s) => s.tier === 'network');
        if (tier !== 'network' && e.details.tls === true && network && network.status !== 'failed') {
          failedTier = 'network';
          const message = this.redact(e.message);
          Object.assign(network, { status: 'failed', message: `${network.status === 'ok' ? `${network.message}; ` : ''}${message}`, error: { code: e.code, message, retryable: e.retryable } });
          steps.push({ tier, status: 'skipped', durationMs: performance.now() - t0, message: 'not reached: network (TLS) failed' });
          continue;
        }
        steps.push({
          tier,
          status: 'failed',
          durationMs: performance.now() - t0,
          message: this.redact(e.message),
          error: { code: e.code, message: this.redact(e.message), retryable: e.retryable },
        });
      }
    }
    return {
      type: this.type,
      env: this.env,
      ok: failedTier === undefined,
      failedTier,
      steps,
      durationMs: performance.now() - started,
      checkedAt: new Date().toISOString(),
    };
  }

  private async runTier(tier: HealthTier, signal: AbortSignal): Promise<string | HealthSkip> {
    switch (tier) {
      case 'config':
        return this.resolved?.files.length ? `valid (${this.resolved.files.length} file(s))` : 'valid';
      case 'network': {
        const endpoints = this.endpoints();
        if (endpoints.length === 0) return new HealthSkip('no network endpoint (embedded or local source)');
        const results: string[] = [];
        for (const endpoint of endpoints) results.push(await probeTcp(endpoint, signal, this.type));
        return results.join('; ');
      }
      case 'auth': {
        const r = await this.checkAuth(signal);
        return r instanceof HealthSkip ? r : (r ?? 'authenticated');
      }
      case 'probe': {
        const r = await this.checkProbe(signal);
        return r instanceof HealthSkip ? r : (r ?? 'probe succeeded');
      }
    }
  }

  /** `check()` reduced to a boolean. Never throws. */
  async test(options: CheckOptions = {}): Promise<boolean> {
    try {
      return (await this.check(options)).ok;
    } catch {
      return false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lineage
  // -------------------------------------------------------------------------------------------

  /** The OpenLineage dataset for a table/path of this connection. Subclasses follow the naming conventions. */
  dataset(name: string): DatasetRef {
    const endpoint = this.endpoints()[0];
    return { namespace: endpoint ? `${this.type}://${endpoint.host}:${endpoint.port}` : this.type, name };
  }

  /** The lineage client this connection reports to. */
  lineage(): LineageClient {
    return this.#lineage ?? getLineageClient();
  }

  /**
   * Starts describing one read/write/query as an OpenLineage run. Engines call this; the
   * returned run emits START on `start()` and COMPLETE or FAIL once. `links` adds a parent run
   * (a copy job), extra input/output datasets (the source of a write) and the processing type
   * (`STREAMING` for a subscription).
   */
  lineageRun(
    operation: LineageRunSpec['operation'],
    target: string,
    metadata: Record<string, unknown> = {},
    engine?: string,
    links: { parent?: LineageRunSpec['parent']; inputs?: DatasetRef[]; outputs?: DatasetRef[]; processingType?: LineageRunSpec['processingType'] } = {},
  ): LineageRun {
    const dataset = this.dataset(target);
    // Writes, sends and catalog changes produce their dataset; every other operation reads it.
    const isWrite = operation === 'write' || operation === 'send' || operation === 'metadata';
    const spec: LineageRunSpec = {
      jobName: `sparkle.${operation}.${this.type}.${dataset.name}`.replace(/[^A-Za-z0-9_.\-/]/g, '_'),
      operation,
      ...(links.processingType ? { processingType: links.processingType } : {}),
      connectionType: this.type,
      connectionClass: this.constructor.name,
      engine,
      parent: links.parent,
      inputs: [...(links.inputs ?? []), ...(isWrite ? [] : [dataset])],
      outputs: [...(isWrite ? [dataset] : []), ...(links.outputs ?? [])],
      metadata: this.redactValue({ table: target, env: this.env, ...metadata }),
    };
    // The lineage client needs the raw secret values to scrub driver messages, but a client that
    // logs its spec must not print them: non-enumerable keeps them out of JSON and inspect.
    Object.defineProperty(spec, 'secrets', { value: this.secretValues(), enumerable: false });
    return this.lineage().run(spec);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  /** Registers cleanup to run on `close()` (driver pools, sockets), last registered first. */
  protected onClose(cleanup: () => Promise<void> | void): void {
    this.#cleanups.push(cleanup);
  }

  protected assertOpen(): void {
    if (this.#closed) throw new SparkleError('CLOSED', `This ${this.type} connection is closed`, { connector: this.type });
  }

  /** Releases everything the connection holds. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const errors: unknown[] = [];
    for (const cleanup of this.#cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw this.wrapError(errors[0], 'close');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function isEngine(value: unknown): value is SparkleEngine {
  const v = value as SparkleEngine | undefined;
  return typeof v?.readTable === 'function' && typeof v.writeTable === 'function' && typeof v.name === 'string';
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'object';
}
