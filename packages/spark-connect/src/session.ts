/**
 * `SparkSession`: the entry point. Holds one {@link SparkConnectClient} (one server session),
 * builds DataFrames, and hands Sparkle core its Spark engine.
 */
import { inspect } from 'node:util';
import { ENGINE_PROVIDER, type EngineProvider, InvalidArgumentError, type SparkleEngine } from '@sparkle/core';
import { type ExecuteOptions, SparkConnectClient, type SparkConnectClientOptions } from './client.js';
import { defaultRemote } from './connection-string.js';
import { DataFrame } from './dataframe.js';
import type { ReattachableExecution } from './execution.js';
import type { Plan } from './gen/spark/connect/base_pb.js';
import { PlanIds, relation } from './plan.js';
import { type Column, type LiteralValue, literalExpression } from './column.js';
import { type LocalData, type LocalRelationOptions, localRelation } from './local-relation.js';
import { DataFrameReader, DataStreamReader } from './reader.js';
import { SparkConnectEngine } from './engine.js';

/** `spark.conf`: the session's runtime SQL configuration (Config RPC). */
export class RuntimeConfig {
  constructor(private readonly client: SparkConnectClient) {}

  async set(key: string, value: string | number | boolean): Promise<void> {
    await this.client.config({ opType: { case: 'set', value: { pairs: [{ key, value: String(value) }] } } }, 'conf.set');
  }

  /** The value, or `defaultValue` when unset; throws Spark's error for an unknown key without a default. */
  async get(key: string, defaultValue?: string): Promise<string | undefined> {
    const r =
      defaultValue === undefined
        ? await this.client.config({ opType: { case: 'get', value: { keys: [key] } } }, 'conf.get')
        : await this.client.config({ opType: { case: 'getWithDefault', value: { pairs: [{ key, value: defaultValue }] } } }, 'conf.get');
    return r.pairs[0]?.value;
  }

  async unset(key: string): Promise<void> {
    await this.client.config({ opType: { case: 'unset', value: { keys: [key] } } }, 'conf.unset');
  }

  /** Every set conf, or those whose key starts with `prefix`; keys are always whole (`spark.sql.x`). */
  async getAll(prefix?: string): Promise<Record<string, string>> {
    const r = await this.client.config({ opType: { case: 'getAll', value: prefix ? { prefix } : {} } }, 'conf.getAll');
    // Spark answers a prefixed GetAll with the prefix cut off the keys; put it back.
    return Object.fromEntries(r.pairs.map((p) => [`${prefix ?? ''}${p.key}`, p.value ?? '']));
  }
}

/** Options of the builder beyond the connection string. */
export type SessionOptions = Omit<SparkConnectClientOptions, 'remote'>;

/**
 * Builds a session: `SparkSession.builder().remote(url).appName(name).config(k, v).getOrCreate()`.
 * Without `remote()`, `SPARK_REMOTE` is used.
 */
export class SparkSessionBuilder {
  #remote: string | undefined;
  #conf: Record<string, string> = {};
  #options: SessionOptions = {};

  remote(url: string): this {
    this.#remote = url;
    return this;
  }

  appName(name: string): this {
    return this.config('spark.app.name', name);
  }

  /** A SQL conf set on the session when it is created. */
  config(key: string, value: string | number | boolean): this {
    this.#conf[key] = String(value);
    return this;
  }

  /** Client options: retry policy, TLS roots, id generator, channel options. */
  options(options: SessionOptions): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  #url(): string {
    const url = this.#remote ?? defaultRemote();
    if (!url) throw new InvalidArgumentError('No Spark Connect server: call .remote("sc://host:15002") or set SPARK_REMOTE', { connector: 'spark-connect' });
    return url;
  }

  /** A new session, with the builder's confs applied. */
  async create(): Promise<SparkSession> {
    const session = new SparkSession(new SparkConnectClient({ remote: this.#url(), ...this.#options }));
    await session.applyConf(this.#conf);
    return session;
  }

  /** The active session for this server (same connection string), or a new one. */
  async getOrCreate(): Promise<SparkSession> {
    const url = this.#url();
    const existing = activeSessions.get(url);
    if (existing && !existing.client.closed) {
      await existing.applyConf(this.#conf);
      return existing;
    }
    const session = await this.create();
    activeSessions.set(url, session);
    return session;
  }
}

const activeSessions = new Map<string, SparkSession>();

/**
 * A Spark Connect session.
 *
 * @example
 * ```ts
 * import { SparkSession } from '@sparkle/spark-connect';
 *
 * const spark = await SparkSession.builder().remote('sc://localhost:15002').appName('demo').getOrCreate();
 * await spark.range(5).show();
 * await spark.stop();
 * ```
 */
export class SparkSession implements EngineProvider, AsyncDisposable {
  readonly planIds = new PlanIds();
  readonly conf: RuntimeConfig;
  #tags = new Set<string>();
  #engine: SparkConnectEngine | undefined;
  #version: Promise<string> | undefined;

  constructor(readonly client: SparkConnectClient) {
    this.conf = new RuntimeConfig(client);
  }

  toJSON(): Record<string, unknown> {
    return { sessionId: this.sessionId, client: this.client.toJSON() };
  }

  toString(): string {
    return `SparkSession(${JSON.stringify(this.toJSON())})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  static builder(): SparkSessionBuilder {
    return new SparkSessionBuilder();
  }

  get sessionId(): string {
    return this.client.sessionId;
  }

  /**
   * @internal Applies builder confs. Silently, as Spark's own clients do: confs such as
   * `spark.app.name` cannot change on a running server and would otherwise fail the session.
   */
  async applyConf(conf: Record<string, string>): Promise<void> {
    const pairs = Object.entries(conf).map(([key, value]) => ({ key, value }));
    if (pairs.length) await this.client.config({ opType: { case: 'set', value: { pairs, silent: true } } }, 'session config');
  }

  /** Runs a plan with this session's tags (used by DataFrame actions). */
  execute(plan: Plan, options: ExecuteOptions = {}): ReattachableExecution {
    return this.client.execute(plan, { ...options, tags: [...this.#tags, ...(options.tags ?? [])] });
  }

  /**
   * A DataFrame over a SQL query (run lazily, when an action needs it). Parameters are sent as
   * typed literals, never spliced into the text: named (`:name` with an object) or positional
   * (`?` with an array). Values may be Columns too (`lit.date('2026-01-01')`, `fn.call('array', 1, 2)`).
   *
   * @example
   * ```ts
   * spark.sql('SELECT * FROM orders WHERE country = :country AND amount > :min', { country: 'NL', min: 100 });
   * spark.sql('SELECT ? + ? AS three', [1, 2]);
   * ```
   */
  sql(query: string, args?: Record<string, LiteralValue | Column> | readonly (LiteralValue | Column)[]): DataFrame {
    const params =
      args === undefined
        ? {}
        : Array.isArray(args)
          ? { posArguments: args.map(literalExpression) }
          : { namedArguments: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, literalExpression(v as LiteralValue | Column)])) };
    return new DataFrame(this, relation(this.planIds, { case: 'sql', value: { query, ...params } }));
  }

  /**
   * A DataFrame of local data: an Arrow Table, record batches (an array, an iterable or an
   * async iterable such as the local engine's frames), or rows of plain objects. Small data is
   * sent inline in the plan; larger data is uploaded in chunks first (see {@link LocalRelationOptions}).
   *
   * @example
   * ```ts
   * const people = await spark.createDataFrame([{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }]);
   * const typed = await spark.createDataFrame(rows, { schema: 'id int, name string' });
   * const fromArrow = await spark.createDataFrame(arrowTable);
   * ```
   */
  async createDataFrame(data: LocalData, options: LocalRelationOptions = {}): Promise<DataFrame> {
    const rel = await localRelation(this.planIds, data, (name, bytes, signal) => this.client.addArtifact(name, bytes, signal), options);
    return new DataFrame(this, rel);
  }

  /** A catalog table or view. */
  table(name: string): DataFrame {
    return new DataFrame(this, relation(this.planIds, { case: 'read', value: { readType: { case: 'namedTable', value: { unparsedIdentifier: name } } } }));
  }

  /** `range(end)` or `range(start, end, step?, numPartitions?)`: a single `id` bigint column. */
  range(startOrEnd: number | bigint, end?: number | bigint, step: number | bigint = 1, numPartitions?: number): DataFrame {
    const [s, e] = end === undefined ? [0n, BigInt(startOrEnd)] : [BigInt(startOrEnd), BigInt(end)];
    return new DataFrame(
      this,
      relation(this.planIds, { case: 'range', value: { start: s, end: e, step: BigInt(step), ...(numPartitions ? { numPartitions } : {}) } }),
    );
  }

  get read(): DataFrameReader {
    return new DataFrameReader(this);
  }

  get readStream(): DataStreamReader {
    return new DataStreamReader(this);
  }

  /** The server's Spark version (`await spark.version`). */
  get version(): Promise<string> {
    this.#version ??= this.client
      .analyze({ case: 'sparkVersion', value: {} }, 'version')
      .then((r) => (r.result.case === 'sparkVersion' ? r.result.value.version : ''));
    return this.#version;
  }

  /** Tags every later execution of this session (for {@link interruptTag}). */
  addTag(tag: string): void {
    if (!tag || tag.includes(',')) throw new InvalidArgumentError('A tag must be non-empty and must not contain a comma', { connector: 'spark-connect' });
    this.#tags.add(tag);
  }

  removeTag(tag: string): void {
    this.#tags.delete(tag);
  }

  clearTags(): void {
    this.#tags.clear();
  }

  /** Interrupts every running operation of this session; returns the interrupted operation ids. */
  interruptAll(): Promise<string[]> {
    return this.client.interrupt({ all: true });
  }

  interruptTag(tag: string): Promise<string[]> {
    return this.client.interrupt({ tag });
  }

  interruptOperation(operationId: string): Promise<string[]> {
    return this.client.interrupt({ operationId });
  }

  /** Releases the server session and closes the channel. */
  async stop(): Promise<void> {
    for (const [url, s] of activeSessions) if (s === this) activeSessions.delete(url);
    await this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** The Spark engine Sparkle core runs reads and writes on when this session is passed as `spark`. */
  [ENGINE_PROVIDER](): SparkleEngine<DataFrame> {
    this.#engine ??= new SparkConnectEngine(this);
    return this.#engine;
  }
}
