/** `sparkle clean`: leftovers of interrupted writes found and removed only when no live writer owns them. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newWriteToken, tempFileName } from '@sparkle/core';
import { durationOption, type CleanResult } from '../src/commands/clean.js';
import { run, tempTree } from './helpers.js';

const localConnector = resolve(import.meta.dirname, '../../connector-local/src/index.ts');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function scene() {
  const tree = tempTree({ 'out/orders.parquet': 'PAR1', 'out/keep.txt': 'x', 'config/connections/local/common.json': (dir: string) => ({ basePath: dir }) });
  cleanups.push(tree.cleanup);
  const state = join(tree.dir, '.state');
  const lease = (token: string, pid: number) => {
    mkdirSync(join(state, 'writers'), { recursive: true });
    writeFileSync(join(state, 'writers', `${token}.json`), JSON.stringify({ token, pid, host: hostname(), connector: 'local', target: 'out/orders.parquet', startedAt: '' }));
  };
  const temp = (token: string) => {
    const file = join(tree.dir, 'out', tempFileName('orders.parquet', token));
    writeFileSync(file, 'partial');
    return file;
  };
  const gone = newWriteToken();
  lease(gone, spawnSync(process.execPath, ['-e', '0']).pid!);
  const live = newWriteToken();
  lease(live, process.pid);
  const unknown = newWriteToken();
  return { dir: tree.dir, env: { SPARKLE_STATE_DIR: state }, files: { gone: temp(gone), live: temp(live), unknown: temp(unknown) } };
}

describe('sparkle clean', () => {
  it('removes a dead writer’s temp file, keeps a live writer’s and a young unknown one, and never touches other files', async () => {
    const { dir, env, files } = scene();
    const dry = await run(['clean', '--require', localConnector, 'local:out', '--dry-run', '--json'], { cwd: dir, env });
    expect(dry.code).toBe(0);
    expect(dry.json<CleanResult>().leftovers.map((l) => l.action).sort()).toEqual(['kept', 'kept', 'would-remove']);
    expect(existsSync(files.gone)).toBe(true);

    const result = await run(['clean', '--require', localConnector, 'local:out'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/removed\s+object out\/\.orders\.parquet\.\w+\.sparkle-tmp: its writer \(pid \d+ on this host\) is gone/);
    expect(result.stdout).toMatch(/kept\s+object .*a running writer owns it/);
    expect(existsSync(files.gone)).toBe(false);
    expect(existsSync(files.live)).toBe(true);
    expect(existsSync(files.unknown)).toBe(true);
    expect(existsSync(join(dir, 'out', 'orders.parquet'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'keep.txt'))).toBe(true);

    const all = await run(['clean', '--require', localConnector, 'local:out', '--older-than', '0', '--json'], { cwd: dir, env });
    expect(all.json<CleanResult>().leftovers.map((l) => l.action).sort()).toEqual(['kept', 'removed']);
    expect(existsSync(files.unknown)).toBe(false);
    expect(existsSync(files.live)).toBe(true);
  });

  it('says so when there is nothing to clean, and refuses bad flags and a scope outside the root', async () => {
    const tree = tempTree({ 'out/a.csv': 'a\n1\n', 'config/connections/local/common.json': (dir: string) => ({ basePath: dir }) });
    cleanups.push(tree.cleanup);
    const none = await run(['clean', '--require', localConnector, 'local:out'], { cwd: tree.dir, env: { SPARKLE_STATE_DIR: join(tree.dir, '.state') } });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No leftovers of interrupted writes in local:out');
    const bad = await run(['clean', '--require', localConnector, 'local:out', '--older-than', '3 weeks'], { cwd: tree.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than must be a duration');
    const outside = await run(['clean', '--require', localConnector, 'local:../..'], { cwd: tree.dir });
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/leaves the connection's root/);
  });

  it('parses durations', () => {
    expect(durationOption('older-than', '0')).toBe(0);
    expect(durationOption('older-than', '90s')).toBe(90_000);
    expect(durationOption('older-than', '2d')).toBe(172_800_000);
    expect(() => durationOption('older-than', '12')).toThrow(/duration/);
  });
});
