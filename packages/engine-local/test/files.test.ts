import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGlob, globSegmentToRegExp, resolveInside, writeAtomically } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkle-files-'));
  for (const f of ['a.csv', 'b.csv', 'c.json', '.hidden.csv', 'sub/d.csv', 'sub/deep/e.csv', 'sub/deep/f.txt', 'x1.csv', 'x2.csv', 'x10.csv']) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), f);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveInside', () => {
  it('keeps paths inside the base directory', () => {
    expect(resolveInside('/data', 'raw/a.csv')).toBe('/data/raw/a.csv');
    expect(resolveInside('/data', '/data/raw/../b.csv')).toBe('/data/b.csv');
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'raw/../../x', '..', '']) {
      expect(() => resolveInside('/data', bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

describe('globs', () => {
  it('translates segments to regular expressions', () => {
    expect(globSegmentToRegExp('*.csv').test('a.csv')).toBe(true);
    expect(globSegmentToRegExp('*.csv').test('.a.csv')).toBe(false);
    expect(globSegmentToRegExp('x?.csv').test('x1.csv')).toBe(true);
    expect(globSegmentToRegExp('x?.csv').test('x10.csv')).toBe(false);
    expect(globSegmentToRegExp('[ab].csv').test('b.csv')).toBe(true);
    expect(globSegmentToRegExp('[!ab].csv').test('b.csv')).toBe(false);
    expect(globSegmentToRegExp('*.{csv,json}').test('c.json')).toBe(true);
    expect(globSegmentToRegExp('a+b(1).csv').test('a+b(1).csv')).toBe(true);
  });

  it('expands patterns, ** across directories, directories and plain files', async () => {
    const rel = (files: string[]) => files.map((f) => f.slice(dir.length + 1));
    expect(rel(await expandGlob('*.csv', dir))).toEqual(['a.csv', 'b.csv', 'x1.csv', 'x10.csv', 'x2.csv']);
    expect(rel(await expandGlob('**/*.csv', dir))).toEqual(['a.csv', 'b.csv', 'sub/d.csv', 'sub/deep/e.csv', 'x1.csv', 'x10.csv', 'x2.csv']);
    expect(rel(await expandGlob('sub/*/*.{csv,txt}', dir))).toEqual(['sub/deep/e.csv', 'sub/deep/f.txt']);
    expect(rel(await expandGlob('sub', dir))).toEqual(['sub/d.csv', 'sub/deep/e.csv', 'sub/deep/f.txt']);
    expect(rel(await expandGlob('a.csv', dir))).toEqual(['a.csv']);
    expect(await expandGlob('none/*.csv', dir)).toEqual([]);
  });
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
