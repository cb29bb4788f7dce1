/**
 * An in-process Spark Connect server for tests: grpc-js serving the package's own generated
 * `spark.connect` schema. It decodes every request, records it (with its metadata), and answers
 * ExecutePlan with Arrow IPC streams built by apache-arrow — one complete IPC stream per
 * response, as Spark sends them. Faults (cut streams, UNAVAILABLE, Spark errors) are injected
 * per scenario.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { crc32 } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow';
import * as grpc from '@grpc/grpc-js';
import { Field, Int64, makeData, makeVector, RecordBatch, Schema, Struct, type Table, Table as ArrowTable, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { randomUUID } from 'node:crypto';
import { serviceDefinition } from '../src/grpc-codec.js';
import { ErrorInfoSchema, StatusSchema } from '../src/gen/google/rpc/status_pb.js';
import {
  type AddArtifactsRequest,
  AddArtifactsResponseSchema,
  type ArtifactStatusesRequest,
  ArtifactStatusesResponseSchema,
  type FetchErrorDetailsRequest,
  FetchErrorDetailsResponseSchema,
  type AnalyzePlanRequest,
  AnalyzePlanResponseSchema,
  type ConfigRequest,
  ConfigResponseSchema,
  type ExecutePlanRequest,
  type ExecutePlanResponse,
  ExecutePlanResponseSchema,
  type InterruptRequest,
  InterruptResponseSchema,
  type ReattachExecuteRequest,
  type ReleaseExecuteRequest,
  ReleaseExecuteResponseSchema,
  type ReleaseSessionRequest,
  ReleaseSessionResponseSchema,
  SparkConnectService,
} from '../src/gen/spark/connect/base_pb.js';
import { LocalRelationSchema, type Relation } from '../src/gen/spark/connect/relations_pb.js';

/** One observed call. */
export interface RecordedCall {
  method: string;
  request: unknown;
  metadata: Record<string, string>;
}

/** An injected failure. */
export interface InjectedError {
  code: grpc.status;
  message: string;
  /** Spark error class, sent as ErrorInfo metadata in `grpc-status-details-bin`. */
  errorClass?: string;
  /** Sent as ErrorInfo `errorId`; FetchErrorDetails answers with `fullDetails` for it. */
  errorId?: string;
  fullDetails?: MessageInitShape<typeof FetchErrorDetailsResponseSchema>;
}

/** How an ExecutePlan (or ReattachExecute) stream misbehaves once. */
export interface StreamFault {
  /** Send this many responses, then... */
  after: number;
  /** ...end the stream cleanly without result_complete ('cut'), or fail it with UNAVAILABLE. */
  kind: 'cut' | 'unavailable';
}

interface Operation {
  id: string;
  responses: ExecutePlanResponse[];
}

/** Encodes one Arrow table as its own IPC stream. */
export function ipcStream(table: Table): Uint8Array {
  return tableToIPC(table, 'stream');
}

/** A table of `rows` rows with columns id (bigint), n (int32), x (double), s (string), from `offset`. */
export function sampleTable(offset: number, rows: number): Table {
  const id = new BigInt64Array(rows);
  const n = new Int32Array(rows);
  const x = new Float64Array(rows);
  const s: string[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = offset + i;
    id[i] = BigInt(v);
    n[i] = v % 1000;
    x[i] = v / 2;
    s[i] = `r${v % 100}`;
  }
  return new ArrowTable({
    id: makeVector(id),
    n: makeVector(n),
    x: makeVector(x),
    s: vectorFromArray(s, new Utf8()),
  });
}

function idTable(from: bigint, to: bigint): Table {
  const values: bigint[] = [];
  for (let v = from; v < to; v++) values.push(v);
  return new ArrowTable({ id: vectorFromArray(values, new Int64()) });
}

function emptyIdTable(): Table {
  const schema = new Schema([new Field('id', new Int64(), false)]);
  const data = makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children: [makeData({ type: new Int64(), length: 0 })] });
  return new ArrowTable(schema, [new RecordBatch(schema, data)]);
}

function stringTable(column: string, value: string): Table {
  return new ArrowTable({ [column]: vectorFromArray([value], new Utf8()) });
}

/**
 * The fake server.
 *
 * Results: `range` relations produce an `id` column split into `batchRows`-row batches (each its
 * own IPC stream); `SELECT` SQL gets `sqlResults[query]` (tables) or one empty-schema batch;
 * `show_string` renders a fixed text; a `count(1)` projection counts its input's rows; write
 * commands answer with result_complete only; writeStream starts answer with a query id.
 */
export class FakeSparkServer {
  readonly server = new grpc.Server();
  port = 0;
  readonly calls: RecordedCall[] = [];
  /** Rows per Arrow batch for range results. */
  batchRows = 3;
  /** Tables returned for `spark.sql(query)` by query text. */
  sqlResults = new Map<string, Table[]>();
  /** Precomputed IPC payloads for a `range` of exactly this end (benchmarks). */
  rangePayloads = new Map<bigint, Uint8Array[]>();
  /** Config values. */
  readonly conf = new Map<string, string>([['spark.sql.shuffle.partitions', '200']]);
  sparkVersion = '4.0.0';
  /** Faults applied to the next execute/reattach streams, in order. */
  readonly streamFaults: StreamFault[] = [];
  /** Errors the next calls of a method fail with, in order. */
  readonly errors = new Map<string, InjectedError[]>();
  /** Operation ids seen as interrupted. */
  readonly interrupted: string[] = [];
  readonly operations = new Map<string, Operation>();
  /** Running (unfinished) executions, for interrupt. */
  readonly #running = new Map<string, { tags: string[]; call: grpc.ServerWritableStream<ExecutePlanRequest, ExecutePlanResponse> }>();
  /** When set, ExecutePlan streams hold after the first response until interrupted. */
  holdStreams = false;
  /** Uploaded artifacts by name (CRC-checked). */
  readonly artifacts = new Map<string, Uint8Array>();
  /** FetchErrorDetails answers by error id. */
  readonly errorDetails = new Map<string, MessageInitShape<typeof FetchErrorDetailsResponseSchema>>();
  /** When false, FetchErrorDetails answers UNIMPLEMENTED (as Spark 3.4 does). */
  fetchErrorDetailsSupported = true;
  readonly sessionId = randomUUID();

  calledWith<T = unknown>(method: string): T[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request as T);
  }

  failNext(method: string, error: InjectedError, times = 1): void {
    const list = this.errors.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(error);
    this.errors.set(method, list);
  }

  #record(method: string, call: { request: unknown; metadata: grpc.Metadata }): void {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.metadata.getMap())) metadata[k] = typeof v === 'string' ? v : v.toString('utf8');
    this.calls.push({ method, request: call.request, metadata });
  }

  #injected(method: string): grpc.ServiceError | undefined {
    const e = this.errors.get(method)?.shift();
    if (!e) return undefined;
    const metadata = new grpc.Metadata();
    if (e.errorClass) {
      const md: Record<string, string> = { errorClass: e.errorClass, sqlState: '42P01' };
      if (e.errorId) {
        md.errorId = e.errorId;
        if (e.fullDetails) this.errorDetails.set(e.errorId, e.fullDetails);
      }
      const info = toBinary(ErrorInfoSchema, create(ErrorInfoSchema, { reason: 'org.apache.spark.sql.AnalysisException', domain: 'org.apache.spark', metadata: md }));
      const status = create(StatusSchema, { code: e.code, message: e.message, details: [{ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: info }] });
      metadata.set('grpc-status-details-bin', Buffer.from(toBinary(StatusSchema, status)));
    }
    return Object.assign(new Error(e.message), { code: e.code, details: e.message, metadata });
  }

  #response(op: string, init: MessageInitShape<typeof ExecutePlanResponseSchema>): ExecutePlanResponse {
    return create(ExecutePlanResponseSchema, { sessionId: this.sessionId, operationId: op, responseId: randomUUID(), ...init });
  }

  #rowsOf(rel: Relation | undefined): Table[] {
    const r = rel?.relType;
    switch (r?.case) {
      case 'range': {
        const { start = 0n, end, step } = r.value;
        if (step !== 1n) throw new Error('fake server: only step 1 ranges');
        if (end <= start) return [emptyIdTable()];
        const out: Table[] = [];
        for (let from = start; from < end; from += BigInt(this.batchRows)) {
          const to = from + BigInt(this.batchRows) < end ? from + BigInt(this.batchRows) : end;
          out.push(idTable(from, to));
        }
        return out;
      }
      case 'sql':
        return this.sqlResults.get(r.value.query) ?? [emptyIdTable()];
      case 'limit': {
        const tables = this.#rowsOf(r.value.input);
        const out: Table[] = [];
        let left = r.value.limit;
        for (const t of tables) {
          if (left <= 0) break;
          out.push(t.slice(0, left));
          left -= Math.min(left, t.numRows);
        }
        return out.length ? out : [emptyIdTable()];
      }
      case 'filter':
        return this.#rowsOf(r.value.input);
      case 'project': {
        const e = r.value.expressions[0]?.exprType;
        if (e?.case === 'expressionString' && /^count\(1\)/i.test(e.value.expression)) {
          const n = this.#rowsOf(r.value.input).reduce((a, t) => a + t.numRows, 0);
          return [new ArrowTable({ count: vectorFromArray([BigInt(n)], new Int64()) })];
        }
        return this.#rowsOf(r.value.input);
      }
      case 'showString':
        return [stringTable('show_string', '+---+\n| id|\n+---+\n|  0|\n+---+\n')];
      case 'localRelation':
        // Echoes the uploaded rows: what the client sent is what a query of it returns.
        return r.value.data ? [tableFromIPC(r.value.data)] : [emptyIdTable()];
      case 'cachedLocalRelation': {
        const bytes = this.artifacts.get(`cache/${r.value.hash}`);
        if (!bytes) throw new Error(`fake server: no cached relation ${r.value.hash}`);
        const local = fromBinary(LocalRelationSchema, bytes);
        return local.data ? [tableFromIPC(local.data)] : [emptyIdTable()];
      }
      case 'setOp':
        return [...this.#rowsOf(r.value.leftInput), ...this.#rowsOf(r.value.rightInput)];
      default:
        return [emptyIdTable()];
    }
  }

  #buildResponses(request: ExecutePlanRequest): ExecutePlanResponse[] {
    const op = request.operationId ?? randomUUID();
    const plan = request.plan?.opType;
    const out: ExecutePlanResponse[] = [];
    if (plan?.case === 'root') {
      const rt = plan.value.relType;
      const pre = rt.case === 'range' ? this.rangePayloads.get(rt.value.end) : undefined;
      const payloads = pre ?? this.#rowsOf(plan.value).map(ipcStream);
      for (const data of payloads) {
        out.push(this.#response(op, { responseType: { case: 'arrowBatch', value: { rowCount: 0n, data } } }));
      }
    } else if (plan?.case === 'command' && plan.value.commandType.case === 'writeStreamOperationStart') {
      out.push(this.#response(op, { responseType: { case: 'writeStreamOperationStartResult', value: { queryId: { id: 'q-1', runId: 'run-1' }, name: plan.value.commandType.value.queryName } } }));
    } else if (plan?.case === 'command') {
      out.push(this.#response(op, { metrics: { metrics: [{ name: 'write', executionMetrics: { numOutputRows: { name: 'numOutputRows', value: 7n, metricType: 'sum' } } }] } }));
    }
    out.push(this.#response(op, { responseType: { case: 'resultComplete', value: {} } }));
    return out;
  }

  async #stream(call: grpc.ServerWritableStream<unknown, ExecutePlanResponse>, op: Operation, from: number, tags: string[]): Promise<void> {
    const fault = this.streamFaults.shift();
    this.#running.set(op.id, { tags, call: call as grpc.ServerWritableStream<ExecutePlanRequest, ExecutePlanResponse> });
    let sent = 0;
    try {
      for (let i = from; i < op.responses.length; i++) {
        if (fault && sent === fault.after) {
          if (fault.kind === 'cut') call.end();
          else call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection reset (injected)' });
          return;
        }
        const ok = call.write(op.responses[i]!);
        sent++;
        if (this.holdStreams && sent === 1) {
          await new Promise<void>((resolve) => {
            const t = setInterval(() => {
              if (this.interrupted.includes(op.id) || call.cancelled) {
                clearInterval(t);
                resolve();
              }
            }, 5);
          });
          if (this.interrupted.includes(op.id)) {
            call.emit('error', { code: grpc.status.CANCELLED, details: 'OPERATION_CANCELED: the operation was interrupted' });
            return;
          }
        }
        if (!ok) await new Promise((resolve) => call.once('drain', resolve));
        if (call.cancelled) return;
      }
      call.end();
    } finally {
      this.#running.delete(op.id);
    }
  }

  #handlers(): grpc.UntypedServiceImplementation {
    return {
      executePlan: (call: grpc.ServerWritableStream<ExecutePlanRequest, ExecutePlanResponse>) => {
        this.#record('ExecutePlan', call);
        const err = this.#injected('ExecutePlan');
        if (err) return void call.emit('error', err);
        const id = call.request.operationId ?? randomUUID();
        if (this.operations.has(id)) {
          return void call.emit('error', { code: grpc.status.INTERNAL, details: '[INVALID_HANDLE.OPERATION_ALREADY_EXISTS] Operation already exists' });
        }
        const op: Operation = { id, responses: this.#buildResponses(call.request) };
        this.operations.set(id, op);
        void this.#stream(call, op, 0, call.request.tags);
      },
      reattachExecute: (call: grpc.ServerWritableStream<ReattachExecuteRequest, ExecutePlanResponse>) => {
        this.#record('ReattachExecute', call);
        const err = this.#injected('ReattachExecute');
        if (err) return void call.emit('error', err);
        const op = this.operations.get(call.request.operationId);
        if (!op) return void call.emit('error', { code: grpc.status.INTERNAL, details: '[INVALID_HANDLE.OPERATION_NOT_FOUND]' });
        const last = call.request.lastResponseId;
        const from = last ? op.responses.findIndex((r) => r.responseId === last) + 1 : 0;
        void this.#stream(call, op, from, []);
      },
      analyzePlan: (call: grpc.ServerUnaryCall<AnalyzePlanRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.#record('AnalyzePlan', call);
        const err = this.#injected('AnalyzePlan');
        if (err) return callback(err);
        const a = call.request.analyze;
        const base = { sessionId: call.request.sessionId };
        switch (a.case) {
          case 'sparkVersion':
            return callback(null, create(AnalyzePlanResponseSchema, { ...base, result: { case: 'sparkVersion', value: { version: this.sparkVersion } } }));
          case 'schema':
            return callback(
              null,
              create(AnalyzePlanResponseSchema, {
                ...base,
                result: {
                  case: 'schema',
                  value: {
                    schema: {
                      kind: {
                        case: 'struct',
                        value: {
                          fields: [
                            { name: 'id', dataType: { kind: { case: 'long', value: {} } }, nullable: false },
                            { name: 'tags', dataType: { kind: { case: 'array', value: { elementType: { kind: { case: 'string', value: {} } }, containsNull: true } } }, nullable: true },
                            { name: 'price', dataType: { kind: { case: 'decimal', value: { precision: 10, scale: 2 } } }, nullable: true },
                          ],
                        },
                      },
                    },
                  },
                },
              }),
            );
          case 'treeString':
            return callback(null, create(AnalyzePlanResponseSchema, { ...base, result: { case: 'treeString', value: { treeString: 'root\n |-- id: long (nullable = false)\n' } } }));
          case 'explain':
            return callback(null, create(AnalyzePlanResponseSchema, { ...base, result: { case: 'explain', value: { explainString: `== Physical Plan ==\n*(1) Range (mode ${a.value.explainMode})` } } }));
          default:
            return callback({ code: grpc.status.UNIMPLEMENTED, details: 'fake: analyze kind not supported' });
        }
      },
      config: (call: grpc.ServerUnaryCall<ConfigRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.#record('Config', call);
        const err = this.#injected('Config');
        if (err) return callback(err);
        const op = call.request.operation?.opType;
        const pairs: { key: string; value?: string }[] = [];
        switch (op?.case) {
          case 'set':
            for (const p of op.value.pairs) this.conf.set(p.key, p.value ?? '');
            break;
          case 'get':
            for (const key of op.value.keys) {
              if (!this.conf.has(key)) return callback({ code: grpc.status.INTERNAL, details: `[SQL_CONF_NOT_FOUND] The SQL config "${key}" cannot be found.` });
              pairs.push({ key, value: this.conf.get(key) });
            }
            break;
          case 'getWithDefault':
            for (const p of op.value.pairs) pairs.push({ key: p.key, value: this.conf.get(p.key) ?? p.value });
            break;
          case 'unset':
            for (const key of op.value.keys) this.conf.delete(key);
            break;
          case 'getAll':
            // Like Spark, a prefixed GetAll answers with the prefix cut off the keys.
            for (const [key, value] of this.conf) if (key.startsWith(op.value.prefix ?? '')) pairs.push({ key: key.slice((op.value.prefix ?? '').length), value });
            break;
          default:
            break;
        }
        callback(null, create(ConfigResponseSchema, { sessionId: call.request.sessionId, pairs }));
      },
      interrupt: (call: grpc.ServerUnaryCall<InterruptRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.#record('Interrupt', call);
        const r = call.request;
        const ids = [...this.#running.entries()]
          .filter(([id, run]) => r.interruptType === 1 || (r.interrupt.case === 'operationTag' && run.tags.includes(r.interrupt.value)) || (r.interrupt.case === 'operationId' && r.interrupt.value === id))
          .map(([id]) => id);
        this.interrupted.push(...ids);
        callback(null, create(InterruptResponseSchema, { sessionId: r.sessionId, interruptedIds: ids }));
      },
      releaseExecute: (call: grpc.ServerUnaryCall<ReleaseExecuteRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.#record('ReleaseExecute', call);
        callback(null, create(ReleaseExecuteResponseSchema, { sessionId: call.request.sessionId, operationId: call.request.operationId }));
      },
      addArtifacts: (call: grpc.ServerReadableStream<AddArtifactsRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const messages: AddArtifactsRequest[] = [];
        call.on('data', (m: AddArtifactsRequest) => messages.push(m));
        call.on('end', () => {
          this.calls.push({ method: 'AddArtifacts', request: messages, metadata: {} });
          const summaries: { name: string; isCrcSuccessful: boolean }[] = [];
          let pending: { name: string; parts: Uint8Array[]; ok: boolean } | undefined;
          const ok = (c: { data: Uint8Array; crc: bigint } | undefined) => !!c && BigInt(crc32(c.data)) === c.crc;
          const finish = () => {
            if (!pending) return;
            if (pending.ok) this.artifacts.set(pending.name, Buffer.concat(pending.parts));
            summaries.push({ name: pending.name, isCrcSuccessful: pending.ok });
            pending = undefined;
          };
          for (const m of messages) {
            const p = m.payload;
            if (p.case === 'batch') {
              finish();
              for (const a of p.value.artifacts) {
                const good = ok(a.data);
                if (good) this.artifacts.set(a.name, a.data!.data);
                summaries.push({ name: a.name, isCrcSuccessful: good });
              }
            } else if (p.case === 'beginChunk') {
              finish();
              pending = { name: p.value.name, parts: [p.value.initialChunk!.data], ok: ok(p.value.initialChunk) };
            } else if (p.case === 'chunk' && pending) {
              pending.parts.push(p.value.data);
              pending.ok &&= ok(p.value);
            }
          }
          finish();
          callback(null, create(AddArtifactsResponseSchema, { sessionId: messages[0]?.sessionId ?? '', artifacts: summaries }));
        });
      },
      artifactStatus: (call: grpc.ServerUnaryCall<ArtifactStatusesRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.#record('ArtifactStatus', call);
        const statuses = Object.fromEntries(call.request.names.map((n) => [n, { exists: this.artifacts.has(n) }]));
        callback(null, create(ArtifactStatusesResponseSchema, { sessionId: call.request.sessionId, statuses }));
      },
      fetchErrorDetails: (call: grpc.ServerUnaryCall<FetchErrorDetailsRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.#record('FetchErrorDetails', call);
        if (!this.fetchErrorDetailsSupported) return callback({ code: grpc.status.UNIMPLEMENTED, details: 'Method not found: FetchErrorDetails' });
        const details = this.errorDetails.get(call.request.errorId);
        callback(null, create(FetchErrorDetailsResponseSchema, { sessionId: call.request.sessionId, ...(details ?? {}) }));
      },
      releaseSession: (call: grpc.ServerUnaryCall<ReleaseSessionRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.#record('ReleaseSession', call);
        callback(null, create(ReleaseSessionResponseSchema, { sessionId: call.request.sessionId }));
      },
    };
  }

  /** Starts listening on 127.0.0.1 (a free port), plaintext or TLS. */
  async start(tls?: { key: Buffer; cert: Buffer }): Promise<this> {
    this.server.addService(serviceDefinition(SparkConnectService), this.#handlers());
    const creds = tls ? grpc.ServerCredentials.createSsl(null, [{ private_key: tls.key, cert_chain: tls.cert }], false) : grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', creds, (e, port) => (e ? reject(e) : resolve(port))));
    return this;
  }

  get url(): string {
    return `sc://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }
}
