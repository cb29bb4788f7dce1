/**
 * Reattachable execution of one plan.
 *
 * The request asks the server to buffer responses (`reattach_options.reattachable`). When the
 * response stream ends without `result_complete`, or breaks with a retryable status, the
 * execution continues with ReattachExecute from the last response it saw. Responses the caller
 * has consumed are released (ReleaseExecute `release_until`), and the whole operation is
 * released (`release_all`) at the end, early exit included.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { SparkConnectClient } from './client.js';
import { abortError } from '@sparkle/core';
import { CONNECTOR, toSparkleError } from './errors.js';
import type { ExecutePlanRequest, ExecutePlanResponse } from './gen/spark/connect/base_pb.js';
import { backoffDelay, isRetryableGrpcError } from './retry.js';

function errorText(error: unknown): string {
  const e = error as { details?: unknown; message?: unknown } | undefined;
  return `${String(e?.details ?? '')} ${String(e?.message ?? '')}`;
}

/** An executing plan: iterate it (once) for its responses. */
export class ReattachableExecution implements AsyncIterable<ExecutePlanResponse> {
  readonly operationId: string;
  /** How many times the stream was resumed (for tests and diagnostics). */
  reattachCount = 0;
  #iterated = false;

  constructor(
    private readonly client: SparkConnectClient,
    readonly request: ExecutePlanRequest,
    private readonly signal?: AbortSignal,
  ) {
    this.operationId = request.operationId ?? '';
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ExecutePlanResponse> {
    if (this.#iterated) throw new Error('An execution can be iterated only once');
    this.#iterated = true;
    const { client, signal } = this;
    const reattachable = client.reattachable;
    let lastResponseId: string | undefined;
    // Nothing received yet means the server may never have seen the request: send it again
    // rather than reattach, unless the server says it already has the operation.
    let reattachNext = false;
    let complete = false;
    let retries = 0;
    let stream: ClientReadableStream<ExecutePlanResponse> | undefined = client.openExecutePlan(this.request);
    const onAbort = (): void => stream?.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (true) {
        let progressed = false;
        try {
          for await (const response of stream as AsyncIterable<ExecutePlanResponse>) {
            progressed = true;
            reattachNext = true;
            retries = 0;
            if (response.responseType.case === 'resultComplete') complete = true;
            if (response.responseId) lastResponseId = response.responseId;
            yield response;
            // The caller is done with it: the server may drop it from its replay buffer.
            if (reattachable && !complete && response.responseId) client.release(this.operationId, response.responseId);
          }
          if (complete || !reattachable) return;
          // Ended without result_complete: more results wait on the server.
          if (!progressed && retries++ >= client.retryPolicy.maxRetries) {
            throw new Error('the response stream kept ending without results or result_complete');
          }
        } catch (error) {
          if (signal?.aborted) throw abortError(signal, 'Spark execution', CONNECTOR);
          if (reattachable && !reattachNext && errorText(error).includes('OPERATION_ALREADY_EXISTS')) {
            reattachNext = true;
          } else {
            const retryable = reattachable && isRetryableGrpcError(error);
            if (!retryable || retries >= client.retryPolicy.maxRetries) throw await client.enrichError(toSparkleError(error, 'Spark execution', (t) => client.redact(t)));
            await client.retryPolicy.sleep(backoffDelay(client.retryPolicy, retries++), signal);
          }
        }
        stream.cancel();
        this.reattachCount++;
        stream = reattachNext ? client.openReattach(this.operationId, lastResponseId) : client.openExecutePlan(this.request);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!complete) stream?.cancel();
      // Frees the whole operation; on early exit this also stops it on the server.
      if (reattachable) client.release(this.operationId);
    }
  }
}
