/** Shared test helpers: a fake server per test, sessions with deterministic ids and a recorded clock. */
import { SparkSession } from '../src/session.js';
import type { SessionOptions } from '../src/session.js';
import { FakeSparkServer } from './fake-spark-server.js';

/** Deterministic UUID v4-shaped ids: 00000000-0000-4000-8000-00000000000N. */
export function sequentialIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

/** A sleep that records requested delays and returns at once. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

export async function startFake(): Promise<FakeSparkServer> {
  return new FakeSparkServer().start();
}

export async function sessionFor(server: FakeSparkServer, extra = '', options: SessionOptions = {}): Promise<SparkSession> {
  return SparkSession.builder()
    .remote(`${server.url}/${extra}`)
    .options({ newId: sequentialIds(), retryPolicy: { sleep: async () => undefined, random: () => 0 }, ...options })
    .create();
}
