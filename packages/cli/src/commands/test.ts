/** `sparkle test`: tiered health checks (config → network → auth → probe) with timings. */
import { existsSync } from 'node:fs';
import { getConnection, redactText, SparkleError, type HealthReport, type HealthStep } from '@sparkle/core';
import { intOption, parseCommandArgs } from '../args.js';
import { typesConfiguredFor } from '../config-files.js';
import { configRoot, envName, prepareRegistry } from '../context.js';
import { EXIT, UsageError, hintFor } from '../errors.js';
import type { CliIO } from '../io.js';
import { formatDuration, type Output } from '../output.js';
import { displayFile } from '../paths.js';
import { mapConcurrent } from '../pool.js';
import type { Command } from './types.js';

/** The outcome for one type in `sparkle test --json`. */
export interface TestResult {
  type: string;
  env: string;
  /** healthy / unhealthy (a tier failed) / error (could not even be created) / skipped (not installed). */
  status: 'healthy' | 'unhealthy' | 'error' | 'skipped';
  ok: boolean;
  failedTier?: HealthReport['failedTier'];
  durationMs: number;
  steps: HealthStep[];
  /** Why the connection could not be created (config error, …), redacted. */
  error?: { code: string; message: string; hint?: string };
}

interface TestOptions {
  env: string | undefined;
  configDir: string | undefined;
  timeoutMs: number | undefined;
  /** The whole command's deadline (`--timeout`): shared by every check under --all. */
  deadline?: AbortSignal;
}

/** Codes meaning "nothing here to test" under --all: the type is configured but not installed. */
const NOT_INSTALLED = new Set(['UNKNOWN_CONNECTION_TYPE', 'MISSING_DRIVER']);

/** Creates the connection, runs `check()`, closes it. Throws only when the connection cannot be created. */
async function checkOne(type: string, options: TestOptions, io: CliIO): Promise<TestResult> {
  const conn = await getConnection(type, { env: options.env, configDir: options.configDir, variables: io.env });
  try {
    const report = await conn.check({ ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.deadline ? { signal: options.deadline } : {}) });
    return {
      type: report.type,
      env: report.env,
      status: report.ok ? 'healthy' : 'unhealthy',
      ok: report.ok,
      ...(report.failedTier ? { failedTier: report.failedTier } : {}),
      durationMs: Math.round(report.durationMs),
      steps: report.steps.map((s) => ({ ...s, durationMs: Math.round(s.durationMs) })),
    };
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Like checkOne, but a failure to create the connection becomes an `error`/`skipped` result. */
async function checkCaught(type: string, options: TestOptions, io: CliIO): Promise<TestResult> {
  const started = performance.now();
  try {
    return await checkOne(type, options, io);
  } catch (error) {
    const code = SparkleError.isInstance(error) ? error.code : 'INTERNAL';
    const message = redactText(error instanceof Error ? error.message : String(error));
    const hint = hintFor(error);
    return {
      type,
      env: options.env ?? 'dev',
      status: NOT_INSTALLED.has(code) ? 'skipped' : 'error',
      ok: NOT_INSTALLED.has(code),
      durationMs: Math.round(performance.now() - started),
      steps: [],
      error: { code, message, ...(hint ? { hint } : {}) },
    };
  }
}

const MARK: Record<HealthStep['status'], string> = { ok: 'ok', failed: 'FAILED', skipped: 'skipped' };

function printResult(result: TestResult, out: Output): void {
  const verdict =
    result.status === 'healthy'
      ? out.style('green', `healthy (${formatDuration(result.durationMs)})`)
      : result.status === 'unhealthy'
        ? out.style('red', `UNHEALTHY: ${result.failedTier} failed (${formatDuration(result.durationMs)})`)
        : result.status === 'skipped'
          ? out.style('yellow', 'skipped: connector not installed')
          : out.style('red', 'ERROR: could not create the connection');
  out.line(`${out.style('bold', result.type)} (env ${result.env})  ${verdict}`);
  for (const step of result.steps) {
    const status = MARK[step.status].padEnd(7);
    const colored = step.status === 'ok' ? out.style('green', status) : step.status === 'failed' ? out.style('red', status) : out.style('dim', status);
    const code = step.error ? `[${step.error.code}] ` : '';
    out.line(`  ${step.tier.padEnd(8)} ${colored} ${formatDuration(step.durationMs).padStart(8)}  ${step.status === 'failed' ? code : ''}${step.message}`);
  }
  if (result.error) {
    out.line(`  [${result.error.code}] ${result.error.message.split('\n').join('\n  ')}`);
    if (result.error.hint) out.line(out.style('dim', `  hint: ${result.error.hint}`));
  }
}

export const testCommand: Command = {
  name: 'test',
  summary: 'run the tiered health check of one connection type, or of every configured one',
  usage: `Usage: sparkle test <type> [options]
       sparkle test --all [options]

Creates the connection from config and runs its health check, tier by tier: config, network
(DNS + TCP), authentication, read-only probe. Each tier is timed; the first failure stops the
rest. Exit 0 when healthy, 1 when unhealthy, 2 for usage or config errors.

Options:
  --all                 test every type with config for the env (in parallel, bounded)
  --env <name>          environment (default SPARKLE_ENV, then dev)
  --config-dir <dir>    config root holding connections/<type>/ (default SPARKLE_CONFIG_DIR, then ./config)
  --timeout <ms>        deadline of the whole command: every tier, and the process exits by it (default: the connection's, 10 s)
  --concurrency <n>     checks in flight with --all (default 4)
  --json                JSON on stdout: one result, or { ok, env, results } with --all
  -r, --require <m>     import a module first (registers custom connections); repeatable
  -h, --help            show this help`,
  async run(argv, { io, out }) {
    const { values, positionals } = parseCommandArgs('test', argv, {
      all: { type: 'boolean' },
      env: { type: 'string' },
      'config-dir': { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
    });
    const timeoutMs = intOption('timeout', values.timeout);
    const concurrency = intOption('concurrency', values.concurrency) ?? 4;
    if (values.all && positionals.length) throw new UsageError('Give either a type or --all, not both.', "run 'sparkle test --help'");
    if (!values.all && positionals.length !== 1) {
      throw new UsageError(positionals.length ? `Expected one type, got ${positionals.length}.` : 'Missing the connection type to test.', "run 'sparkle test <type>' or 'sparkle test --all'");
    }
    await prepareRegistry(values.require, io);
    const root = configRoot(values['config-dir'], io);
    // One deadline for the command, not one per type: --all with a queue still ends by --timeout.
    const options: TestOptions = { env: values.env, configDir: root, timeoutMs, ...(timeoutMs ? { deadline: AbortSignal.timeout(timeoutMs) } : {}) };

    if (!values.all) {
      // A config error for the one type asked for is the caller's mistake: it propagates (exit 2).
      const result = await checkOne(positionals[0]!, options, io);
      if (values.json) out.json(result);
      else printResult(result, out);
      return result.ok ? EXIT.ok : EXIT.failure;
    }

    if (!existsSync(root)) throw new UsageError(`The config directory ${displayFile(root, io.cwd)} does not exist.`, 'pass --config-dir or set SPARKLE_CONFIG_DIR');
    const env = envName(values.env, io);
    const types = typesConfiguredFor(root, env);
    const results = await mapConcurrent(types, concurrency, (type) => checkCaught(type, { ...options, env }, io));
    const ok = results.every((r) => r.status === 'healthy' || r.status === 'skipped');
    if (values.json) {
      out.json({ ok, env, results });
    } else if (types.length === 0) {
      out.line(`No connection configured for env '${env}' under ${root}.`);
    } else {
      for (const result of results) printResult(result, out);
      const count = (status: TestResult['status']) => results.filter((r) => r.status === status).length;
      out.line();
      out.line(
        `${results.length} tested: ${count('healthy')} healthy, ${count('unhealthy')} unhealthy, ${count('error')} error, ${count('skipped')} skipped`,
      );
    }
    return ok ? EXIT.ok : EXIT.failure;
  },
};
