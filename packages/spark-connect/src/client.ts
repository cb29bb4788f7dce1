/**
 * The low-level Spark Connect client: one gRPC channel, one session id, typed RPCs, retries,
 * and reattachable plan execution.
 */
import { inspect } from 'node:util';
import { REDACTED as REDACTED_VALUE } from '@sparkle/core';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { QueryError, SparkleError } from '@sparkle/core';
import { type ConnectionSpec, parseConnectionString } from './connection-string.js';
import { CONNECTOR, enrichWithDetails, toSparkleError } from './errors.js';
import { ReattachableExecution } from './execution.js';
import {
  type AddArtifactsRequest,
  AddArtifactsRequestSchema,
  type AddArtifactsResponse,
  type ArtifactStatusesRequest,
  ArtifactStatusesRequestSchema,
  type ArtifactStatusesResponse,
  type FetchErrorDetailsRequest,
  FetchErrorDetailsRequestSchema,
  type FetchErrorDetailsResponse,
  type AnalyzePlanRequest,
  AnalyzePlanRequestSchema,
  type AnalyzePlanResponse,
  type ConfigRequest,
  ConfigRequestSchema,
  type ConfigResponse,
  ExecutePlanRequestSchema,
  type ExecutePlanRequest,
  type ExecutePlanResponse,
  type InterruptRequest,
  InterruptRequest_InterruptType,
  InterruptRequestSchema,
  type InterruptResponse,
  type Plan,
  PlanSchema,
  type ReattachExecuteRequest,
  ReattachExecuteRequestSchema,
  type ReleaseExecuteRequest,
  ReleaseExecuteRequestSchema,
  ReleaseSessionRequestSchema,
  SparkConnectService,
  UserContextSchema,
  type UserContext,
} from './gen/spark/connect/base_pb.js';
import { deserializer, methodPath, serializer } from './grpc-codec.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';
import { VERSION } from './version.js';

/** Options of {@link SparkConnectClient}. */
export interface SparkConnectClientOptions {
  /** `sc://` connection string, or an already parsed one. */
  remote: string | ConnectionSpec;
  /** Session id; default from the connection string, else a fresh UUID v4. */
  sessionId?: string;
  /** Retry spacing and the injectable clock. */
  retryPolicy?: Partial<RetryPolicy>;
  /** TLS trust: PEM root certificates (default: the system's). */
  rootCerts?: Buffer;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
  /** Reattachable execution (default true). */
  reattachable?: boolean;
  /** Id generator for sessions and operations (default UUID v4); tests fix it. */
  newId?: () => string;
  /** Overrides the `client_type` string (default names the user agent, this package, Node and the OS). */
  clientType?: string;
}

/** Receive limit: Spark sends whole Arrow IPC streams per message, often far above gRPC's 4 MiB. */
export const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

/** Size of one AddArtifacts message's data: large artifacts stream as several. */
export const ARTIFACT_CHUNK_BYTES = 1024 * 1024;

/** Release calls are housekeeping: never let an unresponsive server hold up `close()` for long. */
const HOUSEKEEPING_DEADLINE_MS = 10_000;

/** What an `execute` call may add to the request. */
export interface ExecuteOptions {
  operationId?: string;
  tags?: string[];
  signal?: AbortSignal;
}

/**
 * A Spark Connect client bound to one session. Most code uses {@link SparkSession}; this class
 * is the typed wire layer underneath.
 *
 * @example
 * ```ts
 * const client = new SparkConnectClient({ remote: 'sc://localhost:15002' });
 * const version = await client.analyze({ case: 'sparkVersion', value: {} });
 * client.close();
 * ```
 */
export class SparkConnectClient {
  readonly spec: ConnectionSpec;
  readonly sessionId: string;
  readonly clientType: string;
  readonly userContext: UserContext;
  readonly retryPolicy: RetryPolicy;
  readonly reattachable: boolean;
  readonly newId: () => string;
  readonly #channel: grpc.Client;
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  /** Endpoint and ids only: the token and the extra headers (which may carry credentials) are never shown. */
  toJSON(): Record<string, unknown> {
    const { host, port, useSsl, userId } = this.spec;
    return { remote: `sc://${host}:${port}`, useSsl, token: this.spec.token ? REDACTED_VALUE : undefined, userId, sessionId: this.sessionId, headers: Object.keys(this.spec.headers) };
  }

  toString(): string {
    return `SparkConnectClient(${JSON.stringify(this.toJSON())})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
  /** False once the server answered FetchErrorDetails with UNIMPLEMENTED (Spark 3.4). */
  #errorDetails = true;

  constructor(options: SparkConnectClientOptions) {
    this.spec = typeof options.remote === 'string' ? parseConnectionString(options.remote) : options.remote;
    this.newId = options.newId ?? randomUUID;
    this.sessionId = options.sessionId ?? this.spec.sessionId ?? this.newId();
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy };
    this.reattachable = options.reattachable ?? true;
    const agent = this.spec.userAgent ?? 'sparkle';
    this.clientType = options.clientType ?? `${agent} spark-connect-ts/${VERSION} node/${process.versions.node} os/${process.platform}`;
    this.userContext = create(UserContextSchema, { userId: this.spec.userId ?? '', userName: this.spec.userId ?? '' });
    const credentials = this.spec.useSsl ? grpc.credentials.createSsl(options.rootCerts ?? null) : grpc.credentials.createInsecure();
    const host = this.spec.host.includes(':') ? `[${this.spec.host}]` : this.spec.host;
    this.#channel = new grpc.Client(`${host}:${this.spec.port}`, credentials, {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.primary_user_agent': this.spec.userAgent ?? 'sparkle',
      ...options.channelOptions,
    });
  }

  /** Metadata sent on every call: custom headers from the connection string and the bearer token. */
  metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.spec.headers)) md.set(key, value);
    if (this.spec.token !== undefined) md.set('authorization', `Bearer ${this.spec.token}`);
    return md;
  }

  /** Removes the token from text before it reaches an error or a log. */
  redact(text: string): string {
    const token = this.spec.token;
    return token && token.length >= 3 ? text.split(token).join('***') : text;
  }

  #assertOpen(): void {
    if (this.#closed) throw toSparkleError(new Error('the client is closed'), 'Spark Connect call');
  }

  #unary<I, O>(name: keyof typeof SparkConnectService.method, request: I, signal?: AbortSignal, deadlineMs?: number): Promise<O> {
    const method = SparkConnectService.method[name];
    return new Promise<O>((resolve, reject) => {
      const call = this.#channel.makeUnaryRequest(
        methodPath(method),
        serializer(method.input) as (value: I) => Buffer,
        deserializer(method.output) as (value: Buffer) => O,
        request,
        this.metadata(),
        deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
        (error, response) => (error ? reject(error) : resolve(response as O)),
      );
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  /** A unary RPC with retries on transient failures, errors mapped to Sparkle errors. */
  async #call<I, O>(name: keyof typeof SparkConnectService.method, request: I, what: string, signal?: AbortSignal): Promise<O> {
    this.#assertOpen();
    try {
      return await withRetries(this.retryPolicy, () => this.#unary<I, O>(name, request, signal), { signal });
    } catch (error) {
      throw await this.enrichError(toSparkleError(error, what, (t) => this.redact(t)));
    }
  }

  /**
   * Adds what FetchErrorDetails knows (error class, message parameters, SQL state, query
   * context, the exception's class hierarchy) to an error whose details carry the server's
   * `errorId`. Servers without the RPC, and any failure of the lookup itself, leave the error
   * as it is: enrichment never hides the original failure.
   */
  async enrichError(error: SparkleError): Promise<SparkleError> {
    const errorId = error.details.errorId;
    if (typeof errorId !== 'string' || !this.#errorDetails || this.#closed) return error;
    try {
      const response = await this.#unary<FetchErrorDetailsRequest, FetchErrorDetailsResponse>('fetchErrorDetails', this.fetchErrorDetailsRequest(errorId), undefined, HOUSEKEEPING_DEADLINE_MS);
      return enrichWithDetails(error, response, (t) => this.redact(t));
    } catch (lookup) {
      if ((lookup as { code?: number }).code === grpc.status.UNIMPLEMENTED) this.#errorDetails = false;
      return error;
    }
  }

  /** Opens one raw ExecutePlan stream (no retries); {@link execute} adds reattach and release. */
  openExecutePlan(request: ExecutePlanRequest): grpc.ClientReadableStream<ExecutePlanResponse> {
    const method = SparkConnectService.method.executePlan;
    return this.#channel.makeServerStreamRequest(methodPath(method), serializer(method.input), deserializer(method.output), request, this.metadata());
  }

  /** Opens a ReattachExecute stream resuming after `lastResponseId`. */
  openReattach(operationId: string, lastResponseId: string | undefined): grpc.ClientReadableStream<ExecutePlanResponse> {
    const method = SparkConnectService.method.reattachExecute;
    const request = this.reattachRequest(operationId, lastResponseId);
    return this.#channel.makeServerStreamRequest(methodPath(method), serializer(method.input), deserializer(method.output), request, this.metadata());
  }

  /** Builds the ExecutePlanRequest for `plan` (exposed for golden-byte tests). */
  executeRequest(plan: MessageInitShape<typeof PlanSchema> | Plan, options: ExecuteOptions = {}): ExecutePlanRequest {
    return create(ExecutePlanRequestSchema, {
      sessionId: this.sessionId,
      userContext: this.userContext,
      plan,
      clientType: this.clientType,
      requestOptions: this.reattachable ? [{ requestOption: { case: 'reattachOptions', value: { reattachable: true } } }] : [],
      operationId: options.operationId ?? this.newId(),
      tags: options.tags ?? [],
    });
  }

  /**
   * Executes a plan and streams its responses. Reattachable: a stream that breaks or ends early
   * is resumed from the last response; consumed responses are released as the caller moves on.
   */
  execute(plan: Plan, options: ExecuteOptions = {}): ReattachableExecution {
    this.#assertOpen();
    return new ReattachableExecution(this, this.executeRequest(plan, options), options.signal);
  }

  // Request builders (public so golden tests can encode exactly what would be sent).

  reattachRequest(operationId: string, lastResponseId: string | undefined): ReattachExecuteRequest {
    return create(ReattachExecuteRequestSchema, {
      sessionId: this.sessionId,
      userContext: this.userContext,
      operationId,
      clientType: this.clientType,
      ...(lastResponseId ? { lastResponseId } : {}),
    });
  }

  releaseRequest(operationId: string, until?: string): ReleaseExecuteRequest {
    return create(ReleaseExecuteRequestSchema, {
      sessionId: this.sessionId,
      userContext: this.userContext,
      operationId,
      clientType: this.clientType,
      release: until ? { case: 'releaseUntil', value: { responseId: until } } : { case: 'releaseAll', value: {} },
    });
  }

  analyzeRequest(analyze: MessageInitShape<typeof AnalyzePlanRequestSchema>['analyze']): AnalyzePlanRequest {
    return create(AnalyzePlanRequestSchema, { sessionId: this.sessionId, userContext: this.userContext, clientType: this.clientType, analyze });
  }

  configRequest(operation: MessageInitShape<typeof ConfigRequestSchema>['operation']): ConfigRequest {
    return create(ConfigRequestSchema, { sessionId: this.sessionId, userContext: this.userContext, clientType: this.clientType, operation });
  }

  interruptRequest(target: { all: true } | { tag: string } | { operationId: string }): InterruptRequest {
    const fields: MessageInitShape<typeof InterruptRequestSchema> =
      'tag' in target
        ? { interruptType: InterruptRequest_InterruptType.TAG, interrupt: { case: 'operationTag', value: target.tag } }
        : 'operationId' in target
          ? { interruptType: InterruptRequest_InterruptType.OPERATION_ID, interrupt: { case: 'operationId', value: target.operationId } }
          : { interruptType: InterruptRequest_InterruptType.ALL };
    return create(InterruptRequestSchema, { sessionId: this.sessionId, userContext: this.userContext, clientType: this.clientType, ...fields });
  }

  fetchErrorDetailsRequest(errorId: string): FetchErrorDetailsRequest {
    return create(FetchErrorDetailsRequestSchema, { sessionId: this.sessionId, userContext: this.userContext, clientType: this.clientType, errorId });
  }

  /**
   * The AddArtifacts messages for one artifact: a single-chunk batch when it fits one chunk,
   * else begin_chunk followed by chunk messages, each with the CRC-32 the server verifies.
   */
  addArtifactsRequests(name: string, bytes: Uint8Array, chunkBytes = ARTIFACT_CHUNK_BYTES): AddArtifactsRequest[] {
    const base = { sessionId: this.sessionId, userContext: this.userContext, clientType: this.clientType };
    const piece = (data: Uint8Array) => ({ data, crc: BigInt(crc32(data)) });
    if (bytes.byteLength <= chunkBytes) {
      return [create(AddArtifactsRequestSchema, { ...base, payload: { case: 'batch', value: { artifacts: [{ name, data: piece(bytes) }] } } })];
    }
    const numChunks = Math.ceil(bytes.byteLength / chunkBytes);
    const out: AddArtifactsRequest[] = [];
    for (let i = 0; i < numChunks; i++) {
      const data = piece(bytes.subarray(i * chunkBytes, Math.min((i + 1) * chunkBytes, bytes.byteLength)));
      out.push(
        i === 0
          ? create(AddArtifactsRequestSchema, { ...base, payload: { case: 'beginChunk', value: { name, totalBytes: BigInt(bytes.byteLength), numChunks: BigInt(numChunks), initialChunk: data } } })
          : create(AddArtifactsRequestSchema, { ...base, payload: { case: 'chunk', value: data } }),
      );
    }
    return out;
  }

  /**
   * Uploads one artifact into the session (AddArtifacts, client streaming). Retried on
   * transient failures and once more when the server reports a CRC mismatch.
   */
  async addArtifact(name: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.#assertOpen();
    const method = SparkConnectService.method.addArtifacts;
    const send = () =>
      new Promise<AddArtifactsResponse>((resolve, reject) => {
        const call = this.#channel.makeClientStreamRequest(
          methodPath(method),
          serializer(method.input),
          deserializer(method.output),
          this.metadata(),
          {},
          (error, response) => (error ? reject(error) : resolve(response as AddArtifactsResponse)),
        );
        signal?.addEventListener('abort', () => call.cancel(), { once: true });
        void (async () => {
          for (const request of this.addArtifactsRequests(name, bytes)) {
            if (!call.write(request)) await new Promise((r) => call.once('drain', r));
          }
          call.end();
        })().catch((e: unknown) => call.destroy(e as Error));
      });
    try {
      for (let attempt = 0; ; attempt++) {
        const response = await withRetries(this.retryPolicy, send, { signal });
        const summary = response.artifacts.find((a) => a.name === name);
        if (summary?.isCrcSuccessful) return;
        if (attempt >= 1) {
          throw new QueryError(`Uploading artifact ${name} failed: the server ${summary ? 'reported a CRC mismatch' : 'did not acknowledge it'}`, { connector: CONNECTOR, retryable: true });
        }
      }
    } catch (error) {
      throw await this.enrichError(toSparkleError(error, `AddArtifacts ${name}`, (t) => this.redact(t)));
    }
  }

  /** Whether the named artifacts exist in the session (ArtifactStatus). */
  async artifactStatuses(names: string[]): Promise<Record<string, boolean>> {
    const request = create(ArtifactStatusesRequestSchema, { sessionId: this.sessionId, userContext: this.userContext, clientType: this.clientType, names });
    const response = await this.#call<ArtifactStatusesRequest, ArtifactStatusesResponse>('artifactStatus', request, 'ArtifactStatus');
    return Object.fromEntries(names.map((n) => [n, response.statuses[n]?.exists ?? false]));
  }

  /** Frees server-side buffered responses (fire-and-forget; failures only cost server memory). */
  release(operationId: string, until?: string): void {
    const request = this.releaseRequest(operationId, until);
    const p = this.#unary('releaseExecute', request, undefined, HOUSEKEEPING_DEADLINE_MS).catch(() => undefined);
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Waits for background release calls to finish. */
  async settle(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }

  analyze(analyze: MessageInitShape<typeof AnalyzePlanRequestSchema>['analyze'], what = 'AnalyzePlan'): Promise<AnalyzePlanResponse> {
    return this.#call('analyzePlan', this.analyzeRequest(analyze), what);
  }

  config(operation: MessageInitShape<typeof ConfigRequestSchema>['operation'], what = 'Config'): Promise<ConfigResponse> {
    return this.#call('config', this.configRequest(operation), what);
  }

  /** Interrupts all operations of the session, those carrying `tag`, or one operation. */
  async interrupt(target: { all: true } | { tag: string } | { operationId: string }): Promise<string[]> {
    const request = this.interruptRequest(target);
    const response = await this.#call<typeof request, InterruptResponse>('interrupt', request, 'Interrupt');
    return response.interruptedIds;
  }

  /** Releases the server session (its temp views and state) and closes the channel. */
  async close(options: { releaseSession?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    try {
      await this.settle();
      if (options.releaseSession ?? true) {
        const request = create(ReleaseSessionRequestSchema, { sessionId: this.sessionId, userContext: this.userContext, clientType: this.clientType });
        // Best effort: Spark 3.5 has no ReleaseSession and answers UNIMPLEMENTED.
        await this.#unary('releaseSession', request, undefined, HOUSEKEEPING_DEADLINE_MS).catch(() => undefined);
      }
    } finally {
      this.#closed = true;
      this.#channel.close();
    }
  }

  get closed(): boolean {
    return this.#closed;
  }
}

export { CONNECTOR };
