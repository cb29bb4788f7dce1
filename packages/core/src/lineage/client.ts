/**
 * The lineage client: turns run specs into OpenLineage RunEvents and hands them to a transport
 * through an ordered, bounded queue. Emission never fails the caller's read or write: transport
 * errors become warnings, and `start()` / `complete()` / `fail()` wait at most `maxWaitMs`.
 */
import { buildRunEvent, type RunEvent, type RunEventType } from './event.js';
import { createTransport, resolveLineageConfig, pick, type LineageConfigSources } from './config.js';
import { NoopTransport } from './transports/noop.js';
import type { LineageTransport } from './transports/types.js';
import type { LineageClient, LineageRun, LineageRunSpec, RunStats } from './types.js';
import { uuidv7 } from './uuid.js';

export interface LineageClientOptions extends LineageConfigSources {
  /**
   * A transport instance, or a transport config in OpenLineage's shape (`{ type: 'file',
   * log_file_path }`). Given in code it wins over `openlineage.yml` and `OPENLINEAGE__*` variables.
   */
  transport?: LineageTransport | Record<string, unknown>;
  /** Skip `openlineage.yml` and environment variables (tests, embedding). Default false. */
  ignoreEnvironment?: boolean;
  /** Force lineage off (or on, overriding `OPENLINEAGE_DISABLED`). */
  disabled?: boolean;
  /** Default job namespace; default `OPENLINEAGE_NAMESPACE`, then `sparkle`. */
  namespace?: string;
  /** `producer` URI of emitted events; default names this package and version. */
  producer?: string;
  /** Secret values scrubbed from every event this client emits. */
  secrets?: readonly string[];
  /** Receives delivery failures; default `process.emitWarning` (each distinct message once). */
  onWarning?: (message: string, error?: unknown) => void;
  /** Longest a run step waits for its event to be delivered; default 1000 ms. Delivery continues after. */
  maxWaitMs?: number;
  /** Events waiting for delivery before new ones are dropped (with a warning); default 1000. */
  maxQueue?: number;
}

/**
 * An OpenLineage client. Usually obtained with {@link getLineageClient} or {@link createLineageClient}.
 */
export class OpenLineageClient implements LineageClient {
  readonly enabled: boolean;
  readonly transport: LineageTransport;
  /** Default job namespace. */
  readonly namespace: string;
  readonly #producer: string | undefined;
  readonly #secrets: readonly string[];
  readonly #warn: (message: string, error?: unknown) => void;
  readonly #maxWaitMs: number;
  readonly #maxQueue: number;
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #closed = false;
  #dropped = 0;

  constructor(transport: LineageTransport, options: Omit<LineageClientOptions, 'transport'> & { enabled?: boolean } = {}) {
    this.transport = transport;
    this.enabled = options.enabled ?? transport.kind !== 'noop';
    this.namespace = options.namespace ?? 'sparkle';
    this.#producer = options.producer;
    this.#secrets = options.secrets ?? [];
    this.#warn = options.onWarning ?? defaultWarning;
    this.#maxWaitMs = options.maxWaitMs ?? 1000;
    this.#maxQueue = options.maxQueue ?? 1000;
  }

  /**
   * Describes one read/write/query; call `start()`, then `complete()` or `fail()`.
   * @example
   * const run = client.run({ jobName: 'sparkle.read.postgres.app.public.users', operation: 'read',
   *   connectionType: 'postgres', inputs: [jdbcDataset(url, 'users')], outputs: [] });
   * await run.start();
   * try { rows = await read(); await run.complete({ rows: rows.length }); }
   * catch (e) { await run.fail(e); throw e; }
   */
  run(spec: LineageRunSpec): OpenLineageRun {
    return new OpenLineageRun(this, spec);
  }

  /** Builds the event for one transition of a run (no emission). */
  event(eventType: RunEventType, runId: string, spec: LineageRunSpec, extra: { error?: unknown; stats?: RunStats } = {}): RunEvent {
    return buildRunEvent({
      eventType,
      runId,
      spec,
      defaultJobNamespace: this.namespace,
      ...extra,
      ...(this.#producer ? { producer: this.#producer } : {}),
      secrets: this.#secrets,
    });
  }

  /**
   * Queues an event for delivery, in order. Resolves when delivered or when delivery failed
   * (never rejects); see `maxWaitMs` for how long run steps wait on it.
   */
  emit(event: RunEvent): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    if (this.#closed) {
      this.#warn('OpenLineage client is closed; a lineage event was dropped');
      return Promise.resolve();
    }
    if (this.#pending >= this.#maxQueue) {
      if (this.#dropped++ % 100 === 0) this.#warn(`OpenLineage queue is full (${this.#maxQueue} events); dropping events until the transport catches up`);
      return Promise.resolve();
    }
    this.#pending++;
    const delivered = this.#tail.then(async () => {
      try {
        await this.transport.emit(event);
      } catch (error) {
        this.#warn(`OpenLineage ${this.transport.kind} transport failed to deliver a ${event.eventType} event: ${describe(error)}`, error);
      } finally {
        this.#pending--;
      }
    });
    this.#tail = delivered;
    return delivered;
  }

  /** Waits for `promise` at most `maxWaitMs` (the timer does not keep the process alive). */
  async waitBounded(promise: Promise<void>): Promise<void> {
    if (this.#maxWaitMs <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#maxWaitMs);
      timer.unref?.();
    });
    await Promise.race([promise, timeout]);
    clearTimeout(timer);
  }

  /** Events accepted but not yet delivered. */
  get pending(): number {
    return this.#pending;
  }

  /** Waits until every queued event is delivered (or has failed). */
  async flush(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }

  /** Flushes pending events and closes the transport. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    try {
      await this.transport.close?.();
    } catch (error) {
      this.#warn(`OpenLineage ${this.transport.kind} transport failed to close: ${describe(error)}`, error);
    }
  }
}

/** One run: START, then exactly one of COMPLETE / FAIL / ABORT. Extra calls are ignored. */
export class OpenLineageRun implements LineageRun {
  readonly runId: string = uuidv7();
  #started = false;
  #finished = false;

  constructor(
    readonly client: OpenLineageClient,
    readonly spec: LineageRunSpec,
  ) {}

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#send('START');
  }

  /** A RUNNING event (progress of a long read), allowed between start and finish. */
  async running(stats?: RunStats): Promise<void> {
    if (!this.#started || this.#finished) return;
    await this.#send('RUNNING', { ...(stats ? { stats } : {}) });
  }

  async complete(stats?: RunStats): Promise<void> {
    await this.#finish('COMPLETE', { ...(stats ? { stats } : {}) });
  }

  async fail(error: unknown, stats?: RunStats): Promise<void> {
    await this.#finish('FAIL', { error, ...(stats ? { stats } : {}) });
  }

  /** The run was cancelled (an AbortSignal fired): an ABORT event. */
  async abort(reason?: unknown, stats?: RunStats): Promise<void> {
    await this.#finish('ABORT', { ...(reason === undefined ? {} : { error: reason }), ...(stats ? { stats } : {}) });
  }

  async #finish(type: RunEventType, extra: { error?: unknown; stats?: RunStats }): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    // A finish without start still yields a valid run cycle.
    if (!this.#started) {
      this.#started = true;
      void this.client.emit(this.client.event('START', this.runId, this.spec));
    }
    await this.#send(type, extra);
  }

  async #send(type: RunEventType, extra: { error?: unknown; stats?: RunStats } = {}): Promise<void> {
    if (!this.client.enabled) return;
    let event: RunEvent;
    try {
      event = this.client.event(type, this.runId, this.spec, extra);
    } catch {
      return; // building an event must never break the data operation
    }
    await this.client.waitBounded(this.client.emit(event));
  }
}

// ---------------------------------------------------------------------------------------------
// Construction and the process-wide default
// ---------------------------------------------------------------------------------------------

/**
 * Creates a client from code options, `openlineage.yml` and `OPENLINEAGE_*` variables (read now,
 * once). Throws a `ConfigError` naming the file and line for a malformed config.
 * @example
 * const lineage = createLineageClient({ transport: { type: 'file', log_file_path: './lineage.ndjson' } });
 * const conn = await getConnection('postgres', { env: 'dev', lineage });
 */
export function createLineageClient(options: LineageClientOptions = {}): OpenLineageClient {
  const { transport: given, ignoreEnvironment, disabled, env: envOption, cwd, homeDir, ...clientOptions } = options;
  const env = ignoreEnvironment ? {} : (envOption ?? process.env);
  const common = { ...clientOptions, namespace: options.namespace ?? (env.OPENLINEAGE_NAMESPACE?.trim() || 'sparkle') };
  const off = () => new OpenLineageClient(new NoopTransport(), { ...common, enabled: false });

  // OPENLINEAGE_DISABLED beats any transport, as in OpenLineage; `disabled: false` in code beats it.
  if (disabled === true) return off();
  if (disabled === undefined && /^(true|1|yes)$/i.test((env.OPENLINEAGE_DISABLED ?? '').trim())) return off();

  if (given && typeof (given as LineageTransport).emit === 'function') return new OpenLineageClient(given as LineageTransport, common);
  const code = given ? { transport: given as Record<string, unknown> } : undefined;
  if (ignoreEnvironment) return new OpenLineageClient(code ? createTransport(code.transport) : new NoopTransport(), common);

  const resolved = resolveLineageConfig(code, { env, ...(cwd ? { cwd } : {}), ...(homeDir ? { homeDir } : {}) });
  const transportConfig = pick(resolved.config, 'transport');
  const where = resolved.file && !code ? `${resolved.file}: transport` : 'transport';
  const transport =
    transportConfig && typeof transportConfig === 'object'
      ? createTransport(transportConfig as Record<string, unknown>, where)
      : new NoopTransport();
  return new OpenLineageClient(transport, common);
}

const DEFAULT_KEY = Symbol.for('sparkle.lineage.default-client');
const g = globalThis as Record<symbol, LineageClient | undefined>;

/**
 * The process-wide client, created on first use from `openlineage.yml` and environment
 * variables. Shared through a `Symbol.for` key, so every copy of core reports to one client.
 * A broken configuration is reported once as a warning and lineage stays off: lineage must
 * never stop a read or write.
 * @example
 * await getLineageClient().close(); // flush before the process exits
 */
export function getLineageClient(): LineageClient {
  let client = g[DEFAULT_KEY];
  if (!client) {
    try {
      client = createLineageClient();
    } catch (error) {
      defaultWarning(`OpenLineage is off: ${describe(error)}`);
      client = new OpenLineageClient(new NoopTransport(), { enabled: false });
    }
    g[DEFAULT_KEY] = client;
  }
  return client;
}

/**
 * Replaces the process-wide client (embedding, tests); `undefined` resets it so the next
 * {@link getLineageClient} reads configuration again. Returns the previous client (not closed).
 */
export function setLineageClient(client: LineageClient | undefined): LineageClient | undefined {
  const previous = g[DEFAULT_KEY];
  g[DEFAULT_KEY] = client;
  return previous;
}

const warned = new Set<string>();
function defaultWarning(message: string, _error?: unknown): void {
  if (warned.has(message) || warned.size > 100) return;
  warned.add(message);
  process.emitWarning(message, { code: 'SPARKLE_LINEAGE' });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return `${error.message}: ${error.errors.map(describe).join('; ')}`;
  return error instanceof Error ? error.message : String(error);
}
