/**
 * What the capability suites share: how they get a live connection (a config, or a service that
 * finds or starts the system), how they skip by declaration with a printed reason, and the local
 * engine they run Arrow round trips on.
 */
import { beforeAll, afterAll } from 'vitest';
import { getConnection, setLocalEngine, type SparkleConnection } from '@sparkle/core';
import type { ServiceResult } from '../conformance.js';
import { MemoryLineageClient } from '../lineage.js';

/** Options every capability suite takes. */
export interface CapabilitySuiteOptions {
  /** Connection type to open. */
  type: string;
  /** Config of a reachable system (the in-memory references need no service). */
  config?: Record<string, unknown>;
  /** Finds or starts the system and returns its config (or why there is none). */
  service?: () => Promise<ServiceResult>;
  /** With `CI` set, a missing service fails the suite instead of skipping. */
  serviceRequired?: boolean;
  /** Prefix of the names (keys, topics, collections) the suite creates. Default `sparkle_ct`. */
  namePrefix?: string;
}

/** Makes sure core finds the local engine (tests alias workspace packages to their sources). */
export async function ensureLocalEngine(): Promise<void> {
  try {
    const mod = (await import('@sparkle/engine-local')) as { localEngine?: Parameters<typeof setLocalEngine>[0] };
    if (mod.localEngine) setLocalEngine(mod.localEngine);
  } catch {
    // Core's own lazy import reports the missing package.
  }
}

/** A unique name for one suite run. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}

/** The live side of a suite: config resolution, connections closed after the suite, one lineage recorder. */
export interface LiveSuite {
  lineage: MemoryLineageClient;
  /** Opens a connection (closed after the suite); skips the test with the reason when there is no system. */
  open<T = SparkleConnection<object>>(ctx: { skip: (note?: string) => never }): Promise<T>;
}

/** Registers beforeAll/afterAll hooks resolving the system and closing connections. */
export function liveSuite(options: CapabilitySuiteOptions): LiveSuite {
  const lineage = new MemoryLineageClient();
  let config: Record<string, unknown> | undefined = options.config;
  let skipReason = options.config || options.service ? '' : 'no config or service declared';
  let stop: (() => Promise<void>) | undefined;
  const conns: Array<SparkleConnection<object>> = [];
  beforeAll(async () => {
    await ensureLocalEngine();
    if (config || !options.service) return;
    const result = await options.service();
    if (result && 'config' in result) {
      config = result.config;
      stop = result.stop;
    } else {
      skipReason = result && 'skip' in result ? result.skip : 'service not available';
      if (options.serviceRequired && process.env.CI) throw new Error(`${options.type}: the service is required in CI but ${skipReason}`);
      console.warn(`[${options.type} capability suite] live checks skipped: ${skipReason}`);
    }
  });
  afterAll(async () => {
    for (const c of conns.splice(0)) await c.close().catch(() => undefined);
    await stop?.();
  });
  return {
    lineage,
    async open<T>(ctx: { skip: (note?: string) => never }) {
      if (!config) ctx.skip(skipReason);
      const conn = await getConnection(options.type, { config: config!, lineage, dotenv: false, variables: {} });
      conns.push(conn);
      return conn as T;
    },
  };
}

/** Collects an async iterable. */
export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The error a promise rejects with (undefined when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** Bytes of an async iterable of chunks, concatenated. */
export async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts = await all(chunks);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export const text = (bytes: Uint8Array | null | undefined): string | null => (bytes ? new TextDecoder().decode(bytes) : null);
