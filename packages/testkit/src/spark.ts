/**
 * The real Spark Connect server for tests: a vitest `globalSetup` that finds `SPARK_REMOTE` or
 * runs `tools/services/ensure-spark-connect.sh` (which installs pyspark and starts a loopback
 * server), and hands the address to the test files through `provide`/`inject`.
 *
 * With `CI` set, a server that cannot be had fails the run. Elsewhere the Spark suites skip by
 * declaration and print why (no Java, no network, or `SPARKLE_SPARK_CONNECT=off`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tcpOpen } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `sc://127.0.0.1:15002`-style address of the real Spark Connect server, or '' when there is none. */
    sparkRemote: string;
    /** Why there is no server (printed by the suites that skip). */
    sparkSkipReason: string;
  }
}

/** What {@link ensureSparkConnect} found. */
export interface SparkConnectService {
  /** The `sc://` address, or null when no server could be had (see `reason`). */
  remote: string | null;
  reason: string;
  /** True when this call started the server (so the caller should stop it). */
  startedHere: boolean;
  /** Stops the server if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
}

const SCRIPT = join('tools', 'services', 'ensure-spark-connect.sh');
/** A fresh machine installs pyspark and the JDBC drivers first: minutes, not seconds. */
const ENSURE_TIMEOUT_MS = 15 * 60_000;

function findScript(from: string): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, SCRIPT);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Finds or starts the real Spark Connect server. `SPARK_REMOTE` wins; otherwise the ensure script
 * runs (idempotent, flock'ed: safe when several packages ask at once).
 * @example
 * const spark = await ensureSparkConnect();
 * if (spark.remote) console.log(spark.remote); // sc://127.0.0.1:15002
 * await spark.stop();
 */
export async function ensureSparkConnect(options: { cwd?: string } = {}): Promise<SparkConnectService> {
  const none = (reason: string): SparkConnectService => ({ remote: null, reason, startedHere: false, stop: async () => undefined });
  const fromEnv = process.env.SPARK_REMOTE;
  if (fromEnv) return { remote: fromEnv, reason: 'SPARK_REMOTE', startedHere: false, stop: async () => undefined };
  if (process.env.SPARKLE_SPARK_CONNECT === 'off' && !process.env.CI) return none('SPARKLE_SPARK_CONNECT=off');
  const script = findScript(options.cwd ?? process.cwd());
  if (!script) return none(`${SCRIPT} not found above ${options.cwd ?? process.cwd()}`);

  const port = Number(process.env.SPARKLE_SPARK_CONNECT_PORT ?? 15002);
  const answeredBefore = await tcpOpen('127.0.0.1', port);
  const run = spawnSync('bash', [script], { encoding: 'utf8', timeout: ENSURE_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) {
    const tail = `${run.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    return none(`${SCRIPT} failed (${run.error ? run.error.message : `exit ${run.status}`}):\n${tail}`);
  }
  const remote = /SPARK_REMOTE=(\S+)/.exec(run.stdout)?.[1];
  if (!remote) return none(`${SCRIPT} printed no SPARK_REMOTE line`);
  const startedHere = !answeredBefore;
  return {
    remote,
    reason: startedHere ? `started by ${SCRIPT}` : 'already running',
    startedHere,
    // Only what this call started, and never when the caller asked to keep services up.
    stop: async () => {
      if (startedHere && !process.env.SPARKLE_KEEP_SERVICES) spawnSync('bash', [script, '--stop'], { stdio: 'inherit', timeout: 120_000 });
    },
  };
}

/** The part of vitest's globalSetup context this module uses. */
interface GlobalSetupProject {
  provide(key: 'sparkRemote' | 'sparkSkipReason', value: string): void;
}

/**
 * A vitest `globalSetup` body: ensures the server, provides `sparkRemote` / `sparkSkipReason`,
 * throws when `CI` is set and there is no server, and returns the teardown that stops what it
 * started.
 * @example
 * // test/spark-global-setup.ts
 * import { sparkGlobalSetup } from '@sparkle/testkit';
 * export default sparkGlobalSetup;
 */
export async function sparkGlobalSetup(project: GlobalSetupProject): Promise<() => Promise<void>> {
  const service = await ensureSparkConnect();
  if (!service.remote) {
    if (process.env.CI) throw new Error(`No Spark Connect server, and CI is set so the Spark suites may not skip: ${service.reason}`);
    console.warn(`[spark] no Spark Connect server; the Spark suites skip: ${service.reason}`);
  } else if (service.startedHere) {
    console.info(`[spark] ${service.remote} (${service.reason})`);
  }
  project.provide('sparkRemote', service.remote ?? '');
  project.provide('sparkSkipReason', service.remote ? '' : service.reason);
  return () => service.stop();
}

/**
 * In a test file: the server's address from the global setup (or `SPARK_REMOTE`), or null with
 * the reason printed once. Pass vitest's `inject`.
 * @example
 * const remote = sparkRemoteForTests(inject);
 * describe.skipIf(!remote)('against the real Spark', () => { ... });
 */
export function sparkRemoteForTests(inject: (key: never) => unknown): string | null {
  // Typed loosely: vitest's inject only knows these keys where the ProvidedContext augmentation is visible.
  const provided = (key: 'sparkRemote' | 'sparkSkipReason') => String((inject as (k: string) => unknown)(key) ?? '');
  const remote = provided('sparkRemote') || process.env.SPARK_REMOTE || null;
  if (!remote) {
    const reason = provided('sparkSkipReason') || 'no global setup provided a server (add @sparkle/testkit sparkGlobalSetup to vitest globalSetup)';
    if (process.env.CI) throw new Error(`No Spark Connect server in CI: ${reason}`);
    console.info(`[spark] skipped: ${reason}`);
  }
  return remote;
}
