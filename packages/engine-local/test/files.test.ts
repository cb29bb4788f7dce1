import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
