/** Leftovers of interrupted writes: tokens, names, leases and the verdicts `sparkle clean` acts on. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanLeftovers,
  judgeLeftover,
  newWriteToken,
  parseLeftoverTableName,
  parseTempFileName,
  removeStaleLeftovers,
  stagingTableName,
  takeWriterLease,
  tempFileName,
  writeTokenStartedAt,
  writerStatus,
  type Leftover,
  type LeftoverCleaner,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sparkle-leases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;
const writeLease = (token: string, fields: Record<string, unknown>) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${token}.json`), JSON.stringify({ token, pid: process.pid, host: hostname(), connector: 't', target: 'x', startedAt: '', ...fields }));
};

describe('write tokens and leftover names', () => {
  it('carries the start time to the second and fits a 63-byte identifier', () => {
    const now = Date.UTC(2026, 11, 7, 12, 0, 0);
    const token = newWriteToken(now);
    expect(token).toMatch(/^[0-9a-z]{7}[0-9a-f]{6}$/);
    expect(writeTokenStartedAt(token)).toBe(now);
    const name = stagingTableName('x'.repeat(80), token);
    expect(name.length).toBeLessThanOrEqual(62);
    expect(parseLeftoverTableName(name)).toEqual({ targetPrefix: 'x'.repeat(35), token, marker: '__sparkle_stg_' });
  });

  it('recognises only names with our marker and a token, current or legacy', () => {
    expect(parseLeftoverTableName('orders__sparkle_stg_1a2b3c4d')?.token).toBe('1a2b3c4d');
    expect(parseLeftoverTableName('orders__sparkle_old_0tqnwa8abcdef')?.marker).toBe('__sparkle_old_');
    expect(parseLeftoverTableName('orders__sparkle_stg_notatoken')).toBeUndefined();
    expect(parseLeftoverTableName('__sparkle_stg_1a2b3c4d')).toBeUndefined();
    expect(parseLeftoverTableName('orders')).toBeUndefined();
    const token = newWriteToken();
    expect(parseTempFileName(tempFileName('part-0.parquet', token))).toEqual({ target: 'part-0.parquet', token });
    expect(parseTempFileName('.part-0.parquet.0123456789ab.sparkle-tmp')?.token).toBe('0123456789ab');
    expect(parseTempFileName('part-0.parquet.sparkle-tmp')).toBeUndefined();
    expect(parseTempFileName('.x.sparkle-tmp')).toBeUndefined();
    expect(parseTempFileName('.x.zz.sparkle-tmp')).toBeUndefined();
  });
});

describe('leases and verdicts', () => {
  it('a lease makes its writer live until released', async () => {
    const token = newWriteToken();
    const lease = await takeWriterLease(token, { connector: 'postgres', target: 'public.t' }, { dir });
    expect(await writerStatus(token, { dir })).toMatchObject({ state: 'live', record: { pid: process.pid, target: 'public.t' } });
    expect(await judgeLeftover(token, { leaseDir: dir, olderThanMs: 0 })).toMatchObject({ remove: false, reason: expect.stringContaining(`pid ${process.pid}`) });
    await lease.release();
    expect(readdirSync(dir)).not.toContain(`${token}.json`);
    expect((await writerStatus(token, { dir })).state).toBe('unknown');
  });

  it('a writer that is gone from this host makes its leftover removable at once', async () => {
    const token = newWriteToken();
    writeLease(token, { pid: deadPid() });
    expect(await judgeLeftover(token, { leaseDir: dir })).toMatchObject({ remove: true, reason: expect.stringMatching(/is gone/) });
  });

  it('an unknown writer (another host, or no lease) is judged by age', async () => {
    const now = Date.now();
    const young = newWriteToken(now - 60_000);
    const old = newWriteToken(now - 2 * 86_400_000);
    writeLease(young, { host: 'another-host', pid: 1 });
    expect(await judgeLeftover(young, { leaseDir: dir, now })).toMatchObject({ remove: false, reason: expect.stringContaining('on host another-host') });
    expect(await judgeLeftover(young, { leaseDir: dir, now, olderThanMs: 30_000 })).toMatchObject({ remove: true });
    expect(await judgeLeftover(old, { leaseDir: dir, now })).toMatchObject({ remove: true, reason: expect.stringContaining('unknown to this host') });
  });

  it('a legacy token (no time, no owner) is removed only by force', async () => {
    expect(await judgeLeftover('1a2b3c4d', { leaseDir: dir, olderThanMs: 0 })).toMatchObject({ remove: false, reason: expect.stringContaining('--force') });
    expect(await judgeLeftover('1a2b3c4d', { leaseDir: dir, force: true })).toMatchObject({ remove: true });
  });

  it('a lease directory that cannot be written does not fail the write', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const lease = await takeWriterLease(newWriteToken(), { connector: 't', target: 'x' }, { dir: join(file, 'sub') });
    await expect(lease.release()).resolves.toBeUndefined();
  });
});

describe('cleanLeftovers / removeStaleLeftovers', () => {
  function memoryCleaner(leftovers: Leftover[], failOn?: string): LeftoverCleaner & { removed: string[] } {
    const removed: string[] = [];
    return {
      removed,
      findLeftovers: async () => leftovers,
      removeLeftover: async (l) => {
        if (l.name === failOn) throw new Error('permission denied');
        removed.push(l.name);
      },
    };
  }

  it('removes what the verdict allows, keeps the rest, reports failures, and a dry run removes nothing', async () => {
    const gone = newWriteToken();
    writeLease(gone, { pid: deadPid() });
    const live = newWriteToken();
    writeLease(live, {});
    const failing = newWriteToken(Date.now() - 3 * 86_400_000);
    const leftovers: Leftover[] = [
      { kind: 'table', name: 'a', target: 't', token: gone },
      { kind: 'table', name: 'b', target: 't', token: live },
      { kind: 'table', name: 'c', target: 't', token: failing },
    ];
    const dry = memoryCleaner(leftovers);
    expect((await cleanLeftovers(dry, { leaseDir: dir, dryRun: true })).map((l) => l.action)).toEqual(['would-remove', 'kept', 'would-remove']);
    expect(dry.removed).toEqual([]);
    const real = memoryCleaner(leftovers, 'c');
    const results = await cleanLeftovers(real, { leaseDir: dir });
    expect(results.map((l) => l.action)).toEqual(['removed', 'kept', 'failed']);
    expect(results[2]!.reason).toContain('permission denied');
    expect(real.removed).toEqual(['a']);
    // The dead writer's lease goes with its leftover.
    expect(readdirSync(dir)).not.toContain(`${gone}.json`);
  });

  it('the next write removes stale leftovers best effort, never throwing', async () => {
    const gone = newWriteToken();
    writeLease(gone, { pid: deadPid() });
    const removed: string[] = [];
    const n = await removeStaleLeftovers([{ kind: 'file', name: 'x', target: 'y', token: gone }, { kind: 'file', name: 'z', target: 'y', token: newWriteToken() }], async (l) => {
      removed.push(l.name);
    }, { leaseDir: dir });
    expect(n).toBe(1);
    expect(removed).toEqual(['x']);
    await expect(removeStaleLeftovers([{ kind: 'file', name: 'x', target: 'y', token: '1a2b3c4d' }], async () => { throw new Error('boom'); }, { leaseDir: dir, force: true })).resolves.toBe(0);
  });
});
