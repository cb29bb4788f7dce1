/**
 * Exponential backoff with jitter for transient gRPC failures. The clock is injectable so tests
 * assert the exact delays without waiting for them.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

/** How retries are spaced. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 8. */
  maxRetries: number;
  /** First delay. Default 50 ms. */
  initialBackoffMs: number;
  /** Delay ceiling. Default 60 s. */
  maxBackoffMs: number;
  /** Growth per retry. Default 4. */
  multiplier: number;
  /** Up to this much random delay is added to every wait, so clients do not retry in lockstep. Default 500 ms. */
  jitterMs: number;
  /** Waits `ms` (honouring `signal`). Default: a timer. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform random number in [0, 1). Default `Math.random`. */
  random: () => number;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 8,
  initialBackoffMs: 50,
  maxBackoffMs: 60_000,
  multiplier: 4,
  jitterMs: 500,
  sleep: defaultSleep,
  random: Math.random,
};

/** The wait before retry number `retry` (0-based). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** retry);
  return Math.round(base + policy.random() * policy.jitterMs);
}

/** gRPC failures worth retrying: the server or network blinked. */
export function isRetryableGrpcError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === GrpcStatus.UNAVAILABLE) return true;
  // A reattachable stream whose server-side cursor lost its consumer can be picked up again.
  const message = String((error as { details?: unknown; message?: unknown } | undefined)?.details ?? (error as Error | undefined)?.message ?? '');
  return code === GrpcStatus.INTERNAL && message.includes('INVALID_CURSOR.DISCONNECTED');
}

/** Runs `fn`, retrying retryable failures by `policy`. */
export async function withRetries<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  options: { signal?: AbortSignal; isRetryable?: (error: unknown) => boolean } = {},
): Promise<T> {
  const retryable = options.isRetryable ?? isRetryableGrpcError;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.maxRetries || !retryable(error) || options.signal?.aborted) throw error;
      await policy.sleep(backoffDelay(policy, attempt), options.signal);
    }
  }
}
