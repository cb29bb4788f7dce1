/** Helpers the capability suites share. */
import { expect } from 'vitest';
import { SparkleError, setLocalEngine, type SparkleConnection } from '@sparkle/core';
import type { MemoryLineageClient } from '../lineage.js';

/** What every capability suite is given: how to open the connection under test. */
export interface ServiceSuiteOptions<C> {
  /** Shown in the `describe` title. */
  name: string;
  /** Opens a connection that reports lineage to `lineage`. The suite closes it. */
  open: (lineage: MemoryLineageClient) => Promise<C & SparkleConnection<object>>;
  /** Declared reason to skip the whole suite (printed); e.g. no service in this environment. */
  skip?: string;
}

/** Makes sure core finds the local engine where test runners alias workspace packages. */
export async function ensureLocalEngine(): Promise<void> {
  try {
    const mod = (await import('@sparkle/engine-local')) as { localEngine?: Parameters<typeof setLocalEngine>[0] };
    if (mod.localEngine) setLocalEngine(mod.localEngine);
  } catch {
    // Core's own lazy import reports the missing package with a clear error.
  }
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<SparkleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SparkleError.isInstance(error), `expected a typed SparkleError, got ${String(error)}`).toBe(true);
  return error as SparkleError;
}

/** Drains an async iterable. */
export async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
