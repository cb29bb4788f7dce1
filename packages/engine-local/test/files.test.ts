import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWriteToken, tempFileName, writerLeaseDir } from '@sparkle/core';
import { writeAtomically } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkle-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeAtomically', () => {
  it('replaces, creates without clobbering, appends, and leaves nothing behind on failure', async () => {
    const target = join(dir, 'out', 'atomic.txt');
    await writeAtomically(target, async (f) => void (await f.write('one\n')), { mode: 'create' });
    await expect(writeAtomically(target, async (f) => void (await f.write('x')), { mode: 'create' })).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    await writeAtomically(target, async (f) => void (await f.write('two\n')), { mode: 'append' });
    expect(await readFile(target, 'utf8')).toBe('one\ntwo\n');
    await expect(
      writeAtomically(target, async (f) => {
        await f.write('partial');
        throw new Error('boom');
      }, { mode: 'overwrite' }),
    ).rejects.toThrow('boom');
    expect(await readFile(target, 'utf8')).toBe('one\ntwo\n');
    await writeAtomically(target, async (f) => void (await f.write('three\n')), { mode: 'overwrite' });
    expect(await readFile(target, 'utf8')).toBe('three\n');
    expect(await readdir(join(dir, 'out'))).toEqual(['atomic.txt']);
  });

  it('removes a temp file a killed writer left beside the target, keeps a live writer\'s, and holds a lease while writing', async () => {
    const out = join(dir, 'leftovers');
    await mkdir(out, { recursive: true });
    const leases = join(dir, 'state');
    process.env.SPARKLE_STATE_DIR = leases;
    try {
      await mkdir(writerLeaseDir(), { recursive: true });
      const lease = async (token: string, pid: number) =>
        writeFile(join(writerLeaseDir(), `${token}.json`), JSON.stringify({ token, pid, host: hostname(), connector: 'file', target: 'x', startedAt: '' }));
      const gone = newWriteToken();
      await lease(gone, spawnSync(process.execPath, ['-e', '0']).pid!);
      const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      const live = newWriteToken();
      await lease(live, sleeper.pid!);
      try {
        await writeFile(join(out, tempFileName('t.csv', gone)), 'partial');
        await writeFile(join(out, tempFileName('t.csv', live)), 'partial');
        await writeFile(join(out, tempFileName('other.csv', gone)), 'another target: not this write\'s to judge');
        let during: string[] = [];
        await writeAtomically(join(out, 't.csv'), async (f) => {
          during = await readdir(writerLeaseDir());
          await f.write('new\n');
        }, { mode: 'overwrite' });
        expect(during.length).toBe(2); // the live writer's lease and this write's own
        expect((await readdir(out)).sort()).toEqual([tempFileName('other.csv', gone), tempFileName('t.csv', live), 't.csv'].sort());
        expect(await readdir(writerLeaseDir())).toEqual([`${live}.json`]);
      } finally {
        sleeper.kill('SIGKILL');
      }
    } finally {
      delete process.env.SPARKLE_STATE_DIR;
    }
  });
});
