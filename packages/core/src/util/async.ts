/** Small async helpers: deadlines, abort races, retries with backoff and jitter. */
import { abortError, SparkleError } from '../errors.js';

/** Combines signals; the result aborts when any input aborts. */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  const list = signals.filter((s): s is AbortSignal => s !== undefined);
  if (list.length === 1) return list[0]!;
  return AbortSignal.any(list);
}

/** Resolves or rejects with `promise`, or rejects with a Sparkle abort/timeout error when `signal` fires first. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, what: string, connector?: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal, what, connector));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, what, connector));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Sleeps `ms`, rejecting early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, 'sleep'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!, 'sleep'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions extends BackoffOptions {
  /** Attempts after the first. Default 3. */
  retries?: number;
  signal?: AbortSignal;
  /** Default: `SparkleError.isRetryable`. */
  isRetryable?: (error: unknown) => boolean;
  /** Injected for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** How a backoff grows: the first step and the ceiling. */
export interface BackoffOptions {
  /** First step; doubles each retry. Default 200 ms. */
  baseDelayMs?: number;
  /** Ceiling of a step. Default 10 s. */
  maxDelayMs?: number;
  /** Uniform random number in [0, 1); injected for tests. Default `Math.random`. */
  random?: () => number;
}

/**
 * The wait before retry number `retry` (0-based): exponential backoff with full jitter, a
 * uniformly random delay between 0 and `min(maxDelayMs, baseDelayMs * 2^retry)`. Full jitter
 * spreads clients that failed together (a restarted server, a throttling burst) over the whole
 * window instead of bunching them at the same step. Every retry loop in Sparkle uses this one
 * formula (`retry()`, the HTTP layer, the Presto client).
 * @example
 * const ms = jitteredBackoff(2, { baseDelayMs: 100, maxDelayMs: 5_000 }); // 0..400
 */
export function jitteredBackoff(retry: number, options: BackoffOptions = {}): number {
  const base = Math.max(0, options.baseDelayMs ?? 200);
  const max = Math.max(0, options.maxDelayMs ?? 10_000);
  const step = Math.min(max, base * 2 ** Math.max(0, Math.min(retry, 52)));
  return Math.round((options.random ?? Math.random)() * step);
}

/**
 * Runs `fn` until it succeeds, retrying retryable failures with exponential backoff and full
 * jitter (a random delay between 0 and the capped exponential step).
 * @example
 * const rows = await retry(() => client.query('select 1'), { retries: 5 });
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 3;
  const isRetryable = options.isRetryable ?? SparkleError.isRetryable;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error) || options.signal?.aborted) throw error;
      const delay = jitteredBackoff(attempt, options);
      options.onRetry?.(error, attempt + 1, delay);
      await wait(delay, options.signal);
    }
  }
}
