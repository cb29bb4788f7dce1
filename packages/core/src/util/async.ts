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

export interface RetryOptions {
  /** Attempts after the first. Default 3. */
  retries?: number;
  /** First delay; doubles each attempt. Default 200 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Default: `SparkleError.isRetryable`. */
  isRetryable?: (error: unknown) => boolean;
  /** Injected for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn` until it succeeds, retrying retryable failures with exponential backoff and full
 * jitter (a random delay between 0 and the capped exponential step).
 * @example
 * const rows = await retry(() => client.query('select 1'), { retries: 5 });
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 3;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const isRetryable = options.isRetryable ?? SparkleError.isRetryable;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error) || options.signal?.aborted) throw error;
      const delay = Math.round(random() * Math.min(max, base * 2 ** attempt));
      options.onRetry?.(error, attempt + 1, delay);
      await wait(delay, options.signal);
    }
  }
}
