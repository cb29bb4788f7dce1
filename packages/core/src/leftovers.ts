/**
 * Leftovers of interrupted writes.
 *
 * Every atomic write Sparkle makes goes through something temporary: a JDBC overwrite loads a
 * staging table (`orders__sparkle_stg_<token>`) and swaps it in; a file write fills
 * `.orders.parquet.<token>.sparkle-tmp` and renames it into place. A writer killed with
 * SIGKILL (or a lost machine) never gets to remove that temporary; the old data stays intact,
 * but the temporary stays too.
 *
 * This module decides which leftovers are safe to remove: **only ours** (the name carries a
 * marker and a write token) and **only when no live writer owns them**. A writer records a
 * small lease file (`<token>.json`: pid, host, target) while it writes; a leftover whose lease
 * names a process on this host that is gone is removable at once, one whose writer is alive is
 * never touched, and one whose owner is unknown (another machine wrote it, or the lease
 * directory was not writable) is removed only once it is older than a threshold — by default a
 * day, since no write is expected to run that long unnoticed.
 *
 * @example
 * ```ts
 * import { newWriteToken, takeWriterLease, judgeLeftover } from '@sparkle/core';
 *
 * const token = newWriteToken();
 * const lease = await takeWriterLease(token, { connector: 'postgres', target: 'public.orders' });
 * try {
 *   // … create `orders__sparkle_stg_${token}`, load it, swap it in …
 * } finally {
 *   await lease.release();
 * }
 * // Later, anywhere on this host:
 * const verdict = await judgeLeftover(token, { olderThanMs: 24 * 3_600_000 });
 * console.log(verdict.remove, verdict.reason);
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';

/** Marks a staging table: `<target prefix>__sparkle_stg_<token>`. */
export const STAGING_TABLE_MARKER = '__sparkle_stg_';
/** Marks a table moved aside during a swap (MySQL/MariaDB rename-then-drop): `<target>__sparkle_old_<token>`. */
export const RETIRED_TABLE_MARKER = '__sparkle_old_';
/** Ends a temporary file or object: `.<name>.<token>.sparkle-tmp` beside its target. */
export const TEMP_FILE_SUFFIX = '.sparkle-tmp';
/** Default age after which a leftover whose writer is unknown on this host is removed. */
export const DEFAULT_LEFTOVER_AGE_MS = 24 * 3_600_000;

/** Characters of the token's time part: seconds since the epoch, base 36, zero-padded. */
const TIME_CHARS = 7;
/** A current token: 7 base-36 time characters, then 6 hex characters of randomness. */
const TOKEN = /^[0-9a-z]{7}[0-9a-f]{6}$/;
/** Tokens written before owners were recorded: 8 (tables) or 12 (files) hex characters. */
const LEGACY_TOKEN = /^(?:[0-9a-f]{8}|[0-9a-f]{12})$/;

/**
 * A new write token: when the write started (to the second) and 24 random bits. 13 characters,
 * lower-case letters and digits, so it fits any SQL identifier quoted or not.
 */
export function newWriteToken(now = Date.now()): string {
  return Math.floor(now / 1000).toString(36).padStart(TIME_CHARS, '0') + randomBytes(3).toString('hex');
}

/** When the write holding `token` started (ms since the epoch); undefined for a legacy or foreign token. */
export function writeTokenStartedAt(token: string): number | undefined {
  if (!TOKEN.test(token)) return undefined;
  return Number.parseInt(token.slice(0, TIME_CHARS), 36) * 1000;
}

/** True for a token Sparkle wrote: current or legacy form. */
export function isWriteToken(token: string): boolean {
  return TOKEN.test(token) || LEGACY_TOKEN.test(token);
}

/**
 * The name of a staging table for `table` (the unqualified name), at most 62 characters so it
 * fits PostgreSQL's 63-byte identifiers: the table's first 35 characters, the marker, the token.
 */
export function stagingTableName(table: string, token: string, marker = STAGING_TABLE_MARKER): string {
  return `${table.slice(0, 35)}${marker}${token}`;
}

/** A table name's leftover parts, when it is a staging or retired table of ours. */
export function parseLeftoverTableName(name: string): { targetPrefix: string; token: string; marker: string } | undefined {
  for (const marker of [STAGING_TABLE_MARKER, RETIRED_TABLE_MARKER]) {
    const at = name.toLowerCase().lastIndexOf(marker);
    if (at <= 0) continue;
    const token = name.slice(at + marker.length);
    if (isWriteToken(token)) return { targetPrefix: name.slice(0, at), token, marker };
  }
  return undefined;
}

/** The temporary file name for a write of the file `base` (no directory). */
export function tempFileName(base: string, token: string): string {
  return `.${base}.${token}${TEMP_FILE_SUFFIX}`;
}

/** A file name's leftover parts, when it is a temporary file of ours (`.<target>.<token>.sparkle-tmp`). */
export function parseTempFileName(name: string): { target: string; token: string } | undefined {
  if (!name.startsWith('.') || !name.endsWith(TEMP_FILE_SUFFIX)) return undefined;
  const inner = name.slice(1, -TEMP_FILE_SUFFIX.length);
  const dot = inner.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const token = inner.slice(dot + 1);
  return isWriteToken(token) ? { target: inner.slice(0, dot), token } : undefined;
}

/** What a writer records while it writes. */
export interface WriterLeaseRecord {
  token: string;
  pid: number;
  host: string;
  connector: string;
  target: string;
  startedAt: string;
}

/** A lease held by a running write; release it when the write ends, however it ends. */
export interface WriterLease {
  readonly token: string;
  release(): Promise<void>;
}

/** Where leases live: `SPARKLE_STATE_DIR/writers`, else `~/.cache/sparkle/writers`. */
export function writerLeaseDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.SPARKLE_STATE_DIR || join(homedir(), '.cache', 'sparkle'), 'writers');
}

/**
 * Records that this process writes under `token`. Never fails the write: when the lease
 * directory cannot be written, the write goes on unrecorded, and its leftovers (if any) are
 * judged by age alone.
 */
export async function takeWriterLease(token: string, what: { connector: string; target: string }, options: { dir?: string } = {}): Promise<WriterLease> {
  const dir = options.dir ?? writerLeaseDir();
  const file = join(dir, `${token}.json`);
  const record: WriterLeaseRecord = { token, pid: process.pid, host: hostname(), connector: what.connector, target: what.target, startedAt: new Date().toISOString() };
  let written = false;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(record), { mode: 0o600 });
    written = true;
  } catch {
    // Unrecorded: see the doc comment.
  }
  return {
    token,
    release: async () => {
      if (written) await unlink(file).catch(() => undefined);
    },
  };
}

/** Whether the writer of `token` is running, gone, or unknown to this host. */
export interface WriterStatus {
  state: 'live' | 'dead' | 'unknown';
  record?: WriterLeaseRecord;
}

/** Looks up the lease of `token` and whether its process still runs on this host. */
export async function writerStatus(token: string, options: { dir?: string } = {}): Promise<WriterStatus> {
  let record: WriterLeaseRecord;
  try {
    record = JSON.parse(await readFile(join(options.dir ?? writerLeaseDir(), `${token}.json`), 'utf8')) as WriterLeaseRecord;
  } catch {
    return { state: 'unknown' };
  }
  if (record.host !== hostname() || !Number.isInteger(record.pid)) return { state: 'unknown', record };
  return { state: processRuns(record.pid) ? 'live' : 'dead', record };
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a leftover may be removed, and why (printed by `sparkle clean`). */
export interface LeftoverVerdict {
  remove: boolean;
  reason: string;
}

/** How leftovers are judged. */
export interface LeftoverPolicy {
  /** A leftover whose writer this host does not know is removed once older than this (default a day). */
  olderThanMs?: number;
  /** Also remove leftovers written before owners were recorded (no time in their name). */
  force?: boolean;
  now?: number;
  /** Lease directory (tests). */
  leaseDir?: string;
}

/**
 * Decides whether the leftover written under `token` may be removed: never while its writer
 * runs; at once when its writer (on this host) is gone; by age when its writer is unknown.
 */
export async function judgeLeftover(token: string, policy: LeftoverPolicy = {}): Promise<LeftoverVerdict> {
  const status = await writerStatus(token, policy.leaseDir ? { dir: policy.leaseDir } : {});
  if (status.state === 'live') return { remove: false, reason: `a running writer owns it (pid ${status.record!.pid})` };
  if (status.state === 'dead') return { remove: true, reason: `its writer (pid ${status.record!.pid} on this host) is gone` };
  const startedAt = writeTokenStartedAt(token);
  if (startedAt === undefined) {
    return policy.force
      ? { remove: true, reason: 'written by an older Sparkle (no owner recorded); removed by --force' }
      : { remove: false, reason: 'written by an older Sparkle, which recorded no owner: pass --force once no write can be running' };
  }
  const age = (policy.now ?? Date.now()) - startedAt;
  const limit = policy.olderThanMs ?? DEFAULT_LEFTOVER_AGE_MS;
  const where = status.record ? `on host ${status.record.host}` : 'unknown to this host';
  return age >= limit
    ? { remove: true, reason: `its writer is ${where} and it was started ${formatAge(age)} ago (older than ${formatAge(limit)})` }
    : { remove: false, reason: `its writer is ${where} and may still run: started ${formatAge(age)} ago, kept until older than ${formatAge(limit)}` };
}

/** Removes the lease of a writer whose leftover was removed (a no-op when there is none). */
export async function forgetWriterLease(token: string, options: { dir?: string } = {}): Promise<void> {
  await unlink(join(options.dir ?? writerLeaseDir(), `${token}.json`)).catch(() => undefined);
}

/**
 * Removes the leftovers `judgeLeftover` allows among `found`, for a writer about to write the
 * same target: best effort, never throws (a leftover that cannot be removed now is left for
 * `sparkle clean`). Returns how many were removed.
 */
export async function removeStaleLeftovers(found: readonly Leftover[], remove: (leftover: Leftover) => Promise<void>, policy: LeftoverPolicy = {}): Promise<number> {
  let removed = 0;
  for (const leftover of found) {
    try {
      if (!(await judgeLeftover(leftover.token, policy)).remove) continue;
      await remove(leftover);
      await forgetWriterLease(leftover.token, policy.leaseDir ? { dir: policy.leaseDir } : {});
      removed++;
    } catch {
      // Best effort: see above.
    }
  }
  return removed;
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** One leftover of an interrupted write, as a connection reports it. */
export interface Leftover {
  kind: 'table' | 'file' | 'object';
  /** The leftover itself: a qualified table name, a path, an object key. */
  name: string;
  /** A table's name parts (schema, table) as the database stores them, for quoting exactly. */
  parts?: readonly string[];
  /** What the interrupted write was writing (a table name's prefix, a file name). */
  target: string;
  token: string;
}

/** A connection that can find and remove its own leftovers (`sparkle clean`). */
export interface LeftoverCleaner {
  /** Leftovers under `scope` (a schema, a directory or prefix); every one when absent. */
  findLeftovers(options?: { scope?: string; signal?: AbortSignal }): Promise<Leftover[]>;
  /** Removes one leftover found by {@link LeftoverCleaner.findLeftovers}. */
  removeLeftover(leftover: Leftover, options?: { signal?: AbortSignal }): Promise<void>;
}

/** True when `value` can find and remove its leftovers. */
export function isLeftoverCleaner(value: unknown): value is LeftoverCleaner {
  const v = value as Partial<LeftoverCleaner> | null;
  return typeof v?.findLeftovers === 'function' && typeof v.removeLeftover === 'function';
}

/** What {@link cleanLeftovers} did with one leftover. */
export interface CleanedLeftover extends Leftover {
  action: 'removed' | 'kept' | 'would-remove' | 'failed';
  reason: string;
}

/**
 * Finds a connection's leftovers and removes those {@link judgeLeftover} allows.
 * `dryRun` reports without removing. A removal that fails is reported, not thrown.
 *
 * @example
 * ```ts
 * import { cleanLeftovers, getConnection, isLeftoverCleaner } from '@sparkle/core';
 * const pg = await getConnection('postgres');
 * if (isLeftoverCleaner(pg)) for (const l of await cleanLeftovers(pg, { scope: 'public' })) console.log(l.action, l.name, l.reason);
 * ```
 */
export async function cleanLeftovers(cleaner: LeftoverCleaner, options: LeftoverPolicy & { scope?: string; dryRun?: boolean; signal?: AbortSignal } = {}): Promise<CleanedLeftover[]> {
  const found = await cleaner.findLeftovers({ ...(options.scope ? { scope: options.scope } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const results: CleanedLeftover[] = [];
  for (const leftover of found) {
    const verdict = await judgeLeftover(leftover.token, options);
    if (!verdict.remove) results.push({ ...leftover, action: 'kept', reason: verdict.reason });
    else if (options.dryRun) results.push({ ...leftover, action: 'would-remove', reason: verdict.reason });
    else {
      try {
        await cleaner.removeLeftover(leftover, options.signal ? { signal: options.signal } : {});
        await forgetWriterLease(leftover.token, options.leaseDir ? { dir: options.leaseDir } : {});
        results.push({ ...leftover, action: 'removed', reason: verdict.reason });
      } catch (error) {
        results.push({ ...leftover, action: 'failed', reason: `${verdict.reason}; removing failed: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }
  return results;
}
