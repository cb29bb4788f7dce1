/**
 * `GrpcConnection` (type `grpc`): unary and server-streaming methods read into Arrow with the
 * schema of the proto's message types, writes through unary calls in bounded batches or one
 * client-streaming call, gRPC statuses turned into typed errors. It sits on the API family base
 * for the shared config fields, health tiers and redaction; calls go through `@grpc/grpc-js`, not
 * core's HTTP client.
 */
import { readFileSync } from 'node:fs';
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import type * as GrpcJs from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import {
  APIConnection,
  ConfigError,
  datasetNamespace,
  getArrowToolkit,
  InvalidArgumentError,
  MissingDriverError,
  resolveJsonPointer,
  UnsupportedOperationError,
  type ConnectionInit,
  type DatasetRef,
  type Endpoint,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { jsonRecord, recordsReadPlan, sendBatches, type OutgoingBatch } from '@sparkle/connector-http';
import { grpcConfigSchema, hostOf, isSecretMetadataKey, type GrpcConfig, type GrpcRead, type GrpcWrite } from './config.js';
import { grpcError } from './errors.js';
import { findMessage, messagePlan, requestFor, rowsAt, scalarRowsPlan, type MessageType } from './proto-schema.js';

type GrpcModule = typeof GrpcJs;
type ProtoLoader = typeof import('@grpc/proto-loader');
type AnyClient = GrpcJs.Client & Record<string, (...args: unknown[]) => unknown>;

/** A method of the service as the proto declares it. */
export interface GrpcMethodInfo {
  name: string;
  requestStream: boolean;
  responseStream: boolean;
  requestType: MessageType;
  responseType: MessageType;
}

interface Loaded {
  grpc: GrpcModule;
  definition: PackageDefinition;
  client: AnyClient;
  methods: Map<string, GrpcMethodInfo>;
}

/**
 * A gRPC service connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-grpc';
 *
 * await using inv = await getConnection('grpc', { env: 'prod' }); // config/connections/grpc/{common,prod}.json
 * const items = await inv.readTable('items');                     // a unary or server-streaming read from config
 * await inv.writeTable([{ id: 1n, name: 'bolt' }], 'addItem', { mode: 'append' });
 * ```
 */
// The API base types its config with a required `baseUrl`; gRPC has none (the server is at
// `address`), and every base method that reads `baseUrl` (endpoints, dataset, checkAuth) is
// overridden here, so the base sees the config through this type.
type GrpcBaseConfig = GrpcConfig & { baseUrl: string };

export class GrpcConnection extends APIConnection<GrpcBaseConfig> {
  static override schema: z.ZodType = grpcConfigSchema;
  static override family = 'api';
  static override description = 'gRPC services: unary and server-streaming methods into Arrow with schemas from the proto; unary or client-streaming writes';
  /** `sparkRead` exists only to refuse with a pointer to the local engine (no Spark data source speaks gRPC). */
  static withoutCapabilities = ['spark'];
  readonly #metadataSecrets: string[];
  #loaded: Promise<Loaded> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
    this.#metadataSecrets = Object.entries(this.config.metadata)
      .filter(([k, v]) => isSecretMetadataKey(k) && v.length > 0)
      .map(([, v]) => v);
    this.onClose(async () => {
      const loaded = await this.#loaded?.catch(() => undefined);
      loaded?.client.close();
    });
  }

  // -- redaction: metadata values named like tokens are secrets too (core's redaction, errors and
  // lineage all read secretValues()) ---------------------------------------------------------------

  /** Token-like metadata values (empty while the base constructor runs, before they are known). */
  #extraSecrets(): readonly string[] {
    return #metadataSecrets in this ? this.#metadataSecrets : [];
  }

  protected override secretValues(): readonly string[] {
    return [...super.secretValues(), ...this.#extraSecrets()];
  }

  // -- client ----------------------------------------------------------------------------------

  /** Loads the proto, finds the service and opens its channel (once). */
  protected load(): Promise<Loaded> {
    this.assertOpen();
    this.#loaded ??= this.#open();
    return this.#loaded;
  }

  async #open(): Promise<Loaded> {
    const c = this.config;
    let grpc: GrpcModule;
    let loader: ProtoLoader;
    try {
      [grpc, loader] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]);
    } catch (error) {
      throw new MissingDriverError(this.type, '@grpc/grpc-js @grpc/proto-loader', error);
    }
    let definition: PackageDefinition;
    try {
      definition = await loader.load(c.proto, { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: c.includeDirs });
    } catch (error) {
      throw new ConfigError('CONFIG_INVALID', `grpc: 'proto' ${c.proto} could not be loaded: ${(error as Error).message}. Check the path and 'includeDirs' for its imports`, { connector: this.type, cause: error });
    }
    const service = definition[c.service] as Record<string, { requestStream: boolean; responseStream: boolean; requestType: { type: unknown }; responseType: { type: unknown } }> | undefined;
    if (!service || typeof service !== 'object' || 'format' in service) {
      const services = Object.entries(definition)
        .filter(([, v]) => v && typeof v === 'object' && !('format' in v))
        .map(([k]) => k);
      throw new ConfigError('CONFIG_INVALID', `grpc: 'service' ${c.service} is not declared in ${c.proto}; services there: ${services.join(', ') || 'none'} (use the fully-qualified name, package.Service)`, { connector: this.type });
    }
    const methods = new Map<string, GrpcMethodInfo>();
    for (const [name, m] of Object.entries(service)) {
      const requestType = findMessage(definition, (m.requestType.type as { name: string }).name, c.service.split('.').slice(0, -1).join('.'));
      const responseType = findMessage(definition, (m.responseType.type as { name: string }).name, c.service.split('.').slice(0, -1).join('.'));
      if (requestType && responseType) methods.set(name, { name, requestStream: m.requestStream, responseStream: m.responseStream, requestType, responseType });
    }
    const Ctor = grpc.loadPackageDefinition(definition);
    const ServiceClient = c.service.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], Ctor) as typeof GrpcJs.Client;
    const client = new ServiceClient(c.address.replace(/^dns:(\/\/\/)?/, ''), this.credentials(grpc)) as AnyClient;
    return { grpc, definition, client, methods };
  }

  private credentials(grpc: GrpcModule): GrpcJs.ChannelCredentials {
    const c = this.config;
    if (c.insecure) return grpc.credentials.createInsecure();
    const read = (field: 'ca' | 'cert' | 'key') => {
      const path = c.tls?.[field];
      if (!path) return null;
      try {
        return readFileSync(path);
      } catch (error) {
        throw new ConfigError('CONFIG_INVALID', `grpc: tls.${field} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); point it at a PEM file`, { connector: this.type, cause: error });
      }
    };
    return grpc.credentials.createSsl(read('ca'), read('key'), read('cert'));
  }

  private metadata(grpc: GrpcModule): GrpcJs.Metadata {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.config.metadata)) md.add(k.toLowerCase(), v);
    return md;
  }

  private deadline(): Date {
    return new Date(Date.now() + this.config.deadlineMs);
  }

  /** The service's methods as the proto declares them. */
  async methods(): Promise<GrpcMethodInfo[]> {
    return [...(await this.load()).methods.values()];
  }

  private async method(name: string, loaded?: Loaded): Promise<GrpcMethodInfo> {
    const { methods } = loaded ?? (await this.load());
    const m = methods.get(name);
    if (!m) throw new InvalidArgumentError(`grpc: service ${this.config.service} has no method '${name}'; it has ${[...methods.keys()].join(', ')}`, { connector: this.type });
    return m;
  }

  private fail(error: unknown, what: string): Error {
    return grpcError(error, { connector: this.type, what, redact: (t) => this.redact(t), address: this.config.address });
  }

  /**
   * Calls a unary method and returns the decoded response (longs as decimal strings, enums as names).
   * @example
   * ```ts
   * const reply = await conn.unary('ListItems', { category: 'tools' });
   * ```
   */
  async unary<T = Record<string, unknown>>(method: string, request: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const loaded = await this.load();
    const m = await this.method(method, loaded);
    if (m.requestStream || m.responseStream) throw new InvalidArgumentError(`grpc: '${method}' is a streaming method; unary() calls unary methods only`, { connector: this.type });
    return new Promise<T>((resolve, reject) => {
      const call = loaded.client[method]!.call(loaded.client, request, this.metadata(loaded.grpc), { deadline: this.deadline() }, (error: unknown, reply: T) => {
        options.signal?.removeEventListener('abort', cancel);
        if (error) reject(this.fail(error, `method '${method}'`));
        else resolve(reply);
      }) as GrpcJs.ClientUnaryCall;
      const cancel = () => call.cancel();
      options.signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** The messages of a server-streaming method, as they arrive. */
  async *serverStream(method: string, request: Record<string, unknown>, options: { signal?: AbortSignal } = {}): AsyncGenerator<Record<string, unknown>> {
    const loaded = await this.load();
    const m = await this.method(method, loaded);
    if (!m.responseStream || m.requestStream) throw new InvalidArgumentError(`grpc: '${method}' is not a server-streaming method`, { connector: this.type });
    const call = loaded.client[method]!.call(loaded.client, request, this.metadata(loaded.grpc), { deadline: this.deadline() }) as GrpcJs.ClientReadableStream<Record<string, unknown>>;
    const cancel = () => call.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const message of call) yield message as Record<string, unknown>;
    } catch (error) {
      throw this.fail(error, `method '${method}' (stream)`);
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  /** The configured read `name`, or a method of the service named `name` called with `{}`. */
  private async readFor(name: string, options: ReadTableOptions): Promise<GrpcRead> {
    const configured = Object.hasOwn(this.config.reads, name) ? this.config.reads[name] : undefined;
    const base: GrpcRead = configured ?? { method: name, request: {}, resultPath: '' };
    if (!configured && !(await this.load()).methods.has(name)) {
      throw new InvalidArgumentError(`grpc: '${name}' is neither a configured read (${Object.keys(this.config.reads).join(', ') || 'none'}) nor a method of ${this.config.service}`, { connector: this.type });
    }
    const extra = options.options?.request;
    if (extra === undefined) return base;
    let parsed: unknown;
    try {
      parsed = JSON.parse(extra);
    } catch (error) {
      throw new InvalidArgumentError(`grpc: option 'request' must be a JSON object (${(error as Error).message})`, { connector: this.type });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError("grpc: option 'request' must be a JSON object", { connector: this.type });
    return { ...base, request: { ...base.request, ...(parsed as Record<string, unknown>) } };
  }

  /**
   * Reads a configured read (or a method by name): a unary method's records at `resultPath`, or
   * every message of a server-streaming method, into Arrow with the proto's types. The read's
   * `options.request` (JSON) is merged over the configured request.
   */
  async nativeRead(name: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const loaded = await this.load();
    const read = await this.readFor(name, options);
    const m = await this.method(read.method, loaded);
    if (m.requestStream) throw new UnsupportedOperationError(`grpc: '${read.method}' takes a client stream; reads call unary or server-streaming methods`, { connector: this.type });
    const what = `method '${read.method}'`;
    if (m.responseStream) {
      if (read.resultPath) throw new InvalidArgumentError(`grpc: read '${name}' sets resultPath, but '${read.method}' streams: each message is a row`, { connector: this.type });
      const plan = messagePlan(loaded.definition, m.responseType);
      const self = this;
      return recordsReadPlan({
        connector: this.type,
        name: what,
        read: options,
        columns: plan.columns,
        records: (signal) =>
          (async function* () {
            for await (const message of self.serverStream(read.method, read.request, { signal })) yield plan.convert(message);
          })(),
      });
    }
    const target = rowsAt(loaded.definition, m.responseType, read.resultPath);
    if ('error' in target) throw new InvalidArgumentError(`grpc: read '${name}' resultPath '${read.resultPath}': ${target.error}`, { connector: this.type });
    const plan = target.kind === 'scalar' ? scalarRowsPlan(loaded.definition, target.field, target.scope) : messagePlan(loaded.definition, target.message);
    const convert = plan.convert as (v: unknown) => Record<string, unknown>;
    const self = this;
    return recordsReadPlan({
      connector: this.type,
      name: what,
      read: options,
      columns: plan.columns,
      records: (signal) =>
        (async function* () {
          const reply = await self.unary(read.method, read.request, { signal });
          const found = read.resultPath ? resolveJsonPointer(reply, read.resultPath) : reply;
          const items = target.kind === 'message' && !target.repeated ? (found == null ? [] : [found]) : Array.isArray(found) ? found : [];
          for (const item of items) yield convert(item);
        })(),
    });
  }

  /** The configured write `name`, or a method named `name` called with each record as its request. */
  private writeFor(name: string): GrpcWrite {
    const configured = Object.hasOwn(this.config.writes, name) ? this.config.writes[name] : undefined;
    return configured ?? { method: name, request: {}, batchSize: 100, concurrency: 4 };
  }

  /**
   * Sends the rows to a method: a client-streaming method receives every record in one call; a
   * unary method receives one record per call (or `batchSize` records in `recordsField`), with
   * `concurrency` calls in flight. Modes `append` and `errorIfExists` send; `overwrite` and
   * `ignore` have no meaning for an RPC and are refused.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const w = this.writeFor(name);
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`grpc: mode '${mode}' has no meaning for an RPC (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const loaded = await this.load();
    const m = await this.method(w.method, loaded);
    if (m.responseStream) throw new UnsupportedOperationError(`grpc: '${w.method}' streams its response; writes call unary or client-streaming methods`, { connector: this.type });
    const arrow = await getArrowToolkit(this.type);
    // The records' message: the request itself, or the element type of `recordsField`.
    let recordType = m.requestType;
    if (w.recordsField && !m.requestStream) {
      const target = rowsAt(loaded.definition, m.requestType, `/${w.recordsField}`);
      if ('error' in target || target.kind !== 'message' || !target.repeated) {
        throw new InvalidArgumentError(`grpc: write '${name}' recordsField '${w.recordsField}' must be a repeated message field of ${m.requestType.fullName}${'error' in target ? `: ${target.error}` : ''}`, { connector: this.type });
      }
      recordType = target.message;
    }
    const definition = loaded.definition;
    const records = (async function* () {
      for await (const batch of batches) for (const row of arrow.rows(batch)) yield requestFor(definition, recordType, jsonRecord(row, true));
    })();
    if (m.requestStream) {
      const rows = await this.clientStream(w.method, records, context);
      return { table: name, mode, rows, written: true };
    }
    const batchSize = w.recordsField ? Math.min(options.batchSize ?? w.batchSize, 10_000) : 1;
    const send = async (batch: OutgoingBatch<Record<string, unknown>>) => {
      const request = w.recordsField ? { ...w.request, [w.recordsField]: batch.records } : batch.records[0]!;
      await this.unary(w.method, request, { signal: context.signal });
    };
    const result = await sendBatches({
      connector: this.type,
      target: `method '${w.method}'`,
      records,
      batchSize,
      concurrency: w.concurrency,
      idempotencyKeys: false,
      send,
      onBatch: (b) => context.onRows(b.records.length, 0),
      signal: context.signal,
    });
    return { table: name, mode, rows: result.records, written: true };
  }

  /** One client-streaming call carrying every record, honouring the stream's back-pressure. */
  private async clientStream(method: string, records: AsyncIterable<Record<string, unknown>>, context: NativeWriteContext): Promise<number> {
    const loaded = await this.load();
    let sent = 0;
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const call = loaded.client[method]!.call(loaded.client, this.metadata(loaded.grpc), { deadline: this.deadline() }, (error: unknown) => (error ? settle.reject(error) : settle.resolve())) as GrpcJs.ClientWritableStream<Record<string, unknown>>;
    const cancel = () => call.cancel();
    context.signal.addEventListener('abort', cancel, { once: true });
    try {
      for await (const record of records) {
        if (!call.write(record)) await new Promise((resolve) => call.once('drain', resolve));
        sent++;
        context.onRows(1, 0);
      }
      call.end();
      await done;
      return sent;
    } catch (error) {
      call.cancel();
      throw this.fail(error, `method '${method}' (client stream, after ${sent} records)`);
    } finally {
      context.signal.removeEventListener('abort', cancel);
    }
  }

  /** Host and port of `address`, for the network tier. */
  protected override endpoints(): Endpoint[] {
    const address = this.config.address.replace(/^dns:(\/\/\/)?/, '');
    return [{ host: hostOf(address).replace(/^\[|\]$/g, ''), port: Number(address.slice(address.lastIndexOf(':') + 1)) }];
  }

  /** The auth tier: `healthMethod` called with `{}` and the metadata; without one, the channel's (TLS) handshake. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    const loaded = await this.load();
    if (this.config.healthMethod) {
      await this.unary(this.config.healthMethod, {}, { signal });
      return `${this.config.healthMethod}({}) answered`;
    }
    await new Promise<void>((resolve, reject) => {
      loaded.client.waitForReady(this.deadline(), (error) => (error ? reject(this.fail(error, 'connect')) : resolve()));
    });
    return 'channel ready (set healthMethod to check the credentials with a call)';
  }

  /** gRPC datasets are named by the server address and `service/method`. */
  override dataset(name: string): DatasetRef {
    const address = this.config.address.replace(/^dns:(\/\/\/)?/, '');
    const port = address.slice(address.lastIndexOf(':') + 1);
    const method = Object.hasOwn(this.config.reads, name) ? this.config.reads[name]!.method : Object.hasOwn(this.config.writes, name) ? this.config.writes[name]!.method : name;
    return { namespace: datasetNamespace({ scheme: 'grpc', host: hostOf(address).replace(/^\[|\]$/g, ''), port }), name: `${this.config.service}/${method}` };
  }

  /** Refuses: no Spark data source speaks gRPC. Read without `spark` (the local engine) instead. */
  sparkRead(name: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(`grpc: Spark has no data source for gRPC, so '${name}' cannot be read as a Spark DataFrame. Open the connection without 'spark' to read it with the local engine (Arrow), then hand the rows to Spark if needed`, { connector: this.type });
  }

  /** Refuses, as {@link sparkRead} does. */
  sparkWrite(name: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(`grpc: Spark has no data source for gRPC, so '${name}' cannot be written from Spark. Open the connection without 'spark' and write with the local engine`, { connector: this.type });
  }
}
