/**
 * Shared plumbing of the NoSQL bench sections (mongodb.ts, redis.ts, cassandra.ts): each side runs
 * in its own child process (so its peak RSS is its own, `process.resourceUsage().maxRSS`), drivers
 * resolve the way their connector package resolves them (tools/ does not depend on them), and
 * ratios are printed the same way everywhere.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** One side's measurement, printed by the child as its last stdout line. */
export interface SideResult {
  side: string;
  seconds: number;
  rows: number;
  maxRssMB: number;
  [extra: string]: unknown;
}

/** A driver module as `packages/<pkg>` resolves it, e.g. `driver('connector-mongodb', 'mongodb')`. */
export async function driver<T>(pkg: string, name: string): Promise<T> {
  const require = createRequire(join(root, 'packages', pkg, 'package.json'));
  return (await import(pathToFileURL(require.resolve(name)).href)) as T;
}

export function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host, port });
    s.setTimeout(500, () => (s.destroy(), done(false)));
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
  });
}

/** Prints the child's result line (with its peak RSS) for the parent to parse. */
export function reportSide(result: Omit<SideResult, 'maxRssMB'>): void {
  console.log(JSON.stringify({ ...result, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

/** Runs `file --side=<side> …args` in a fresh tsx process (both sides pay the same loader cost). */
export async function runSide(file: string, side: string, args: string[], timeoutMs = 900_000): Promise<SideResult> {
  const tsx = join(root, 'node_modules/.bin/tsx');
  const { stdout } = await run(tsx, [file, `--side=${side}`, ...args], { cwd: join(root, 'tools'), timeout: timeoutMs, maxBuffer: 4 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as SideResult;
}

/** `a` against `b` as a throughput ratio (b's time over a's): above 1 means `a` is faster. */
export function ratio(a: { seconds: number }, b: { seconds: number }): string {
  return `${(b.seconds / a.seconds).toFixed(2)}×`;
}

export function rate(r: SideResult, unit: string): string {
  return `${Math.round(r.rows / r.seconds).toLocaleString('en-US')} ${unit}/s`;
}

/** `--name=value` of this process's argv (children get their parameters this way). */
export function argOf(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** A name no other run uses (bench data is created under it and dropped at the end). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`;
}
