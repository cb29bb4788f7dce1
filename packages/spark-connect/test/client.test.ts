import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { ConnectionFailedError, QueryError, SparkleError } from '@sparkle/core';
import type {
  ConfigRequest,
  ExecutePlanRequest,
  InterruptRequest,
  ReattachExecuteRequest,
  ReleaseExecuteRequest,
} from '../src/gen/spark/connect/base_pb.js';
import { SparkSession } from '../src/session.js';
import { FakeSparkServer } from './fake-spark-server.js';
import { recordingSleep, sequentialIds, sessionFor, startFake } from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: FakeSparkServer;
let spark: SparkSession | undefined;

beforeEach(async () => {
  server = await startFake();
});

afterEach(async () => {
  await spark?.stop();
  spark = undefined;
  await server.stop();
});

describe('sessions and metadata', () => {
  it('sends custom headers, user id, client type and one UUID v4 session id on every call', async () => {
    spark = await SparkSession.builder().remote(`${server.url}/;user_id=alice;x-team=data%20eng;user_agent=my-app`).appName('demo').config('spark.sql.ansi.enabled', true).create();
    await spark.range(2).collect();
    await spark.version;
    const calls = server.calls.filter((c) => c.method !== 'ReleaseExecute');
    expect(calls.map((c) => c.method)).toEqual(['Config', 'ExecutePlan', 'AnalyzePlan']);
    for (const call of server.calls) {
      expect(call.metadata['x-team']).toBe('data eng');
      expect(call.metadata.authorization).toBeUndefined();
      expect(call.metadata['user-agent']).toContain('my-app');
      const req = call.request as { sessionId: string; userContext?: { userId: string }; clientType?: string };
      expect(req.sessionId).toBe(spark.sessionId);
      expect(req.userContext?.userId).toBe('alice');
      expect(req.clientType).toMatch(/^my-app spark-connect-ts\/\S+ node\//);
    }
    expect(spark.sessionId).toMatch(UUID_V4);
    const conf = server.calledWith<ConfigRequest>('Config')[0]!;
    expect(conf.operation?.opType).toEqual({ case: 'set', value: expect.objectContaining({ silent: true }) });
    expect(server.conf.get('spark.app.name')).toBe('demo');
    expect(server.conf.get('spark.sql.ansi.enabled')).toBe('true');
    const exec = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!;
    expect(exec.operationId).toMatch(UUID_V4);
    expect(exec.requestOptions[0]?.requestOption).toEqual({ case: 'reattachOptions', value: expect.objectContaining({ reattachable: true }) });
  });

  it('attaches to a given session_id and getOrCreate reuses the active session', async () => {
    const id = '2f6c3b1e-8d4a-4c1f-9e2b-7a5d6c4b3a21';
    const a = await SparkSession.builder().remote(`${server.url}/;session_id=${id}`).getOrCreate();
    const b = await SparkSession.builder().remote(`${server.url}/;session_id=${id}`).getOrCreate();
    expect(a).toBe(b);
    expect(a.sessionId).toBe(id);
    await a.stop();
    expect(server.calledWith<{ sessionId: string }>('ReleaseSession').map((r) => r.sessionId)).toEqual([id]);
    const c = await SparkSession.builder().remote(`${server.url}/;session_id=${id}`).getOrCreate();
    expect(c).not.toBe(a);
    spark = c;
  });

  it('uses SPARK_REMOTE when no remote is given', async () => {
    const before = process.env.SPARK_REMOTE;
    process.env.SPARK_REMOTE = `${server.url}/;x-from-env=yes`;
    try {
      spark = await SparkSession.builder().create();
      await spark.version;
      expect(server.calls.at(-1)?.metadata['x-from-env']).toBe('yes');
    } finally {
      if (before === undefined) delete process.env.SPARK_REMOTE;
      else process.env.SPARK_REMOTE = before;
    }
  });
});

describe('streaming execution', () => {
  it('decodes every arrow_batch as its own IPC stream, batch by batch', async () => {
    spark = await sessionFor(server);
    server.batchRows = 3;
    const batches: number[] = [];
    for await (const batch of spark.range(10).toArrowBatches()) batches.push(batch.numRows);
    expect(batches).toEqual([3, 3, 3, 1]);
    const table = await spark.range(10).toArrow();
    expect(table.numRows).toBe(10);
    expect(table.getChild('id')?.toArray()).toEqual(BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i)));
    expect(await spark.range(5, 8).collect()).toEqual([{ id: 5n }, { id: 6n }, { id: 7n }]);
  });

  it('hands over the first batch while the server is still sending (no buffering of the whole result)', async () => {
    spark = await sessionFor(server);
    server.holdStreams = true; // the server sends one response, then waits
    const iterator = spark.range(10).toArrowBatches()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.numRows).toBe(3);
    const exec = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!;
    expect(server.interrupted).toEqual([]);
    await spark.interruptOperation(exec.operationId!);
    await expect(iterator.next()).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('keeps the schema of an empty result', async () => {
    spark = await sessionFor(server);
    const table = await spark.range(0).toArrow();
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id']);
  });

  it('resumes a stream cut before result_complete with ReattachExecute from the last response id', async () => {
    spark = await sessionFor(server);
    server.batchRows = 2;
    server.streamFaults.push({ after: 2, kind: 'cut' });
    const rows = await spark.range(9).collect();
    expect(rows.map((r) => r.id)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    const exec = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!;
    const op = server.operations.get(exec.operationId!)!;
    const reattach = server.calledWith<ReattachExecuteRequest>('ReattachExecute');
    expect(reattach).toHaveLength(1);
    expect(reattach[0]!.operationId).toBe(exec.operationId);
    expect(reattach[0]!.lastResponseId).toBe(op.responses[1]!.responseId);
  });

  it('retries UNAVAILABLE with exponential backoff and jitter through the injected sleep', async () => {
    const { delays, sleep } = recordingSleep();
    spark = await sessionFor(server, '', { retryPolicy: { sleep, random: () => 0.5, initialBackoffMs: 100, multiplier: 4, jitterMs: 200, maxBackoffMs: 1000 } });
    server.failNext('ExecutePlan', { code: status.UNAVAILABLE, message: 'down' }, 3);
    expect(await spark.range(4).count()).toBe(4);
    // 100·4^n capped at 1000, plus half the jitter.
    expect(delays).toEqual([200, 500, 1100]);
    // Nothing arrived before the failures, so the request is re-sent (same operation id), not reattached.
    const ops = server.calledWith<ExecutePlanRequest>('ExecutePlan').map((r) => r.operationId);
    expect(ops).toHaveLength(4);
    expect(new Set(ops).size).toBe(1);
  });

  it('reattaches after a stream fails with UNAVAILABLE mid-way', async () => {
    const { delays, sleep } = recordingSleep();
    spark = await sessionFor(server, '', { retryPolicy: { sleep, random: () => 0 } });
    server.batchRows = 1;
    server.streamFaults.push({ after: 3, kind: 'unavailable' });
    const rows = await spark.range(6).collect();
    expect(rows).toHaveLength(6);
    expect(delays).toEqual([50]);
    expect(server.calledWith<ReattachExecuteRequest>('ReattachExecute')).toHaveLength(1);
  });

  it('re-sends a request the server already has, then reattaches when it says OPERATION_ALREADY_EXISTS', async () => {
    spark = await sessionFor(server);
    server.streamFaults.push({ after: 0, kind: 'unavailable' });
    expect(await spark.range(5).count()).toBe(5);
    expect(server.calledWith('ExecutePlan')).toHaveLength(2);
    const reattach = server.calledWith<ReattachExecuteRequest>('ReattachExecute');
    expect(reattach).toHaveLength(1);
    expect(reattach[0]!.lastResponseId).toBeUndefined();
  });

  it('an abort signal cancels the stream with an ABORTED error and releases the operation', async () => {
    spark = await sessionFor(server);
    server.holdStreams = true;
    const controller = new AbortController();
    const running = spark.range(10).collect({ signal: controller.signal }).catch((e: unknown) => e);
    await waitFor(() => server.calledWith('ExecutePlan').length === 1);
    controller.abort();
    const error = await running;
    expect(SparkleError.isInstance(error) && error.code).toBe('ABORTED');
    await spark.client.settle();
    expect(server.calledWith<ReleaseExecuteRequest>('ReleaseExecute').some((r) => r.release.case === 'releaseAll')).toBe(true);
  });

  it('gives up after maxRetries with a retryable ConnectionFailedError', async () => {
    spark = await sessionFor(server, '', { retryPolicy: { maxRetries: 2, sleep: async () => undefined } });
    server.failNext('AnalyzePlan', { code: status.UNAVAILABLE, message: 'still down' }, 5);
    const error = await spark.version.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionFailedError);
    expect(SparkleError.isRetryable(error)).toBe(true);
    expect(server.calledWith('AnalyzePlan')).toHaveLength(3);
  });

  it('releases consumed responses as it goes and the whole operation at the end', async () => {
    spark = await sessionFor(server);
    server.batchRows = 5;
    await spark.range(10).collect();
    await spark.client.settle();
    const exec = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!;
    const op = server.operations.get(exec.operationId!)!;
    const releases = server.calledWith<ReleaseExecuteRequest>('ReleaseExecute');
    const until = releases.filter((r) => r.release.case === 'releaseUntil').map((r) => (r.release.value as { responseId: string }).responseId);
    expect(until).toEqual([op.responses[0]!.responseId, op.responses[1]!.responseId]);
    expect(releases.filter((r) => r.release.case === 'releaseAll')).toHaveLength(1);
    expect(releases.every((r) => r.operationId === exec.operationId)).toBe(true);
  });

  it('releases the operation when the consumer stops early', async () => {
    spark = await sessionFor(server);
    server.batchRows = 1;
    for await (const batch of spark.range(100).toArrowBatches()) {
      expect(batch.numRows).toBe(1);
      break;
    }
    await spark.client.settle();
    expect(server.calledWith<ReleaseExecuteRequest>('ReleaseExecute').some((r) => r.release.case === 'releaseAll')).toBe(true);
  });

  it('interrupts by tag, by operation id and all', async () => {
    spark = await sessionFor(server);
    server.holdStreams = true;
    spark.addTag('nightly');
    const running = spark.range(10).collect().catch((e: unknown) => e);
    await waitFor(() => server.calledWith('ExecutePlan').length === 1);
    const ids = await spark.interruptTag('nightly');
    const exec = server.calledWith<ExecutePlanRequest>('ExecutePlan')[0]!;
    expect(exec.tags).toEqual(['nightly']);
    expect(ids).toEqual([exec.operationId]);
    const error = await running;
    expect(SparkleError.isInstance(error) && error.code).toBe('ABORTED');
    expect(await spark.interruptOperation('nope')).toEqual([]);
    expect(await spark.interruptAll()).toEqual([]);
    const kinds = server.calledWith<InterruptRequest>('Interrupt').map((r) => [r.interruptType, r.interrupt.case]);
    expect(kinds).toEqual([
      [2, 'operationTag'],
      [3, 'operationId'],
      [1, undefined],
    ]);
  });
});

describe('errors', () => {
  it("surfaces Spark's error class and message from the status details as a QueryError", async () => {
    spark = await sessionFor(server);
    server.failNext('ExecutePlan', { code: status.INTERNAL, message: 'The table or view `nope` cannot be found.', errorClass: 'TABLE_OR_VIEW_NOT_FOUND' });
    const error = await spark.table('nope').collect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toContain('[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found.');
    expect((error as QueryError).details).toMatchObject({ errorClass: 'TABLE_OR_VIEW_NOT_FOUND', sqlState: '42P01', grpcCode: 'INTERNAL' });
    expect((error as QueryError).retryable).toBe(false);
  });

  it('maps UNAUTHENTICATED and DEADLINE_EXCEEDED', async () => {
    spark = await sessionFor(server);
    server.failNext('Config', { code: status.UNAUTHENTICATED, message: 'bad token' });
    server.failNext('Config', { code: status.DEADLINE_EXCEEDED, message: 'slow' });
    const auth = await spark.conf.get('a').catch((e: unknown) => e);
    const timeout = await spark.conf.get('a').catch((e: unknown) => e);
    expect((auth as SparkleError).code).toBe('AUTHENTICATION_FAILED');
    expect((timeout as SparkleError).code).toBe('TIMEOUT');
    expect((timeout as SparkleError).retryable).toBe(true);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export { sequentialIds };
