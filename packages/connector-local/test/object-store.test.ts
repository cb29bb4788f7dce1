/**
 * The filesystem as an object store, against real files in a temp directory: listing with
 * prefixes and globs, stat, ranged and etag-pinned gets, atomic and create-only puts, delete,
 * copy, rename, URIs — and confinement to basePath after resolving symbolic links, for reads,
 * globs and writes, with links to a file and to a directory outside.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, type ObjectInfo } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';
import '../src/index.js';
import type { LocalFileConnection } from '../src/index.js';

let root: string;
let base: string;
let outside: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sparkle-local-store-'));
  base = join(root, 'base');
  outside = join(root, 'outside');
  await mkdir(join(base, 'raw', '2024-01'), { recursive: true });
  await mkdir(join(base, 'raw', '2024-02'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(base, 'raw', '2024-01', 'a.csv'), 'id,v\n1,x\n2,y\n');
  await writeFile(join(base, 'raw', '2024-02', 'b.csv'), 'id,v\n3,z\n');
  await writeFile(join(base, 'raw', '2024-02', '.hidden.csv'), 'id,v\n9,h\n');
  await writeFile(join(base, 'raw', 'notes.txt'), 'hello');
  await writeFile(join(outside, 'secret.csv'), 'id,v\n666,secret\n');
  // Links inside the base: to a file outside, to a directory outside, and to a file inside.
  await symlink(join(outside, 'secret.csv'), join(base, 'raw', 'leak.csv'));
  await symlink(outside, join(base, 'outdir'));
  await symlink(join(base, 'raw', '2024-01', 'a.csv'), join(base, 'inside-link.csv'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function open(config: Record<string, unknown> = {}) {
  return getConnection<LocalFileConnection>('local', { config: { basePath: base, ...config }, dotenv: false });
}

async function keys(iterable: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of iterable) out.push(o.key);
  return out;
}

async function bytes(iterable: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of iterable) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

describe('local object store', () => {
  it('states its semantics and file URIs', async () => {
    const store = await open();
    expect(store.storeSemantics).toEqual({ atomicPut: true, conditionalPut: true, atomicRename: true, listAfterWrite: 'strong' });
    expect(store.objectUri('raw/a b.csv')).toBe(pathToFileURL(join(base, 'raw/a b.csv')).href); // file:///…/raw/a%20b.csv, what Spark is given
  });

  it('lists by prefix and by glob in key order, skipping links that lead outside', async () => {
    const store = await open();
    expect(await keys(store.listObjects({ prefix: 'raw/' }))).toEqual(['raw/2024-01/a.csv', 'raw/2024-02/.hidden.csv', 'raw/2024-02/b.csv', 'raw/notes.txt']);
    expect(await keys(store.listObjects({ prefix: 'raw/2024-0' }))).toEqual(['raw/2024-01/a.csv', 'raw/2024-02/.hidden.csv', 'raw/2024-02/b.csv']);
    expect(await keys(store.listObjects({ glob: 'raw/2024-*/*.csv' }))).toEqual(['raw/2024-01/a.csv', 'raw/2024-02/b.csv']);
    expect(await keys(store.listObjects({ glob: '**/*.csv' }))).toEqual(['inside-link.csv', 'raw/2024-01/a.csv', 'raw/2024-02/b.csv']);
    expect(await keys(store.listObjects({ glob: 'raw/2024-0[!1]/*' }))).toEqual(['raw/2024-02/b.csv']);
    expect(await keys(store.listObjects({ glob: '**/*.{csv,txt}', limit: 2 }))).toEqual(['inside-link.csv', 'raw/2024-01/a.csv']);
    expect(await keys(store.listObjects({ prefix: 'nothing/' }))).toEqual([]);
  });

  it('stats files, not directories, and reads ranges pinned to an etag', async () => {
    const store = await open();
    const info = await store.statObject('raw/2024-01/a.csv');
    expect(info).toMatchObject({ key: 'raw/2024-01/a.csv', size: 13 });
    expect(info!.etag).toMatch(/^"[0-9a-f-]+"$/);
    expect(await store.statObject('raw')).toBeUndefined();
    expect(await store.statObject('raw/none.csv')).toBeUndefined();
    expect(await bytes(store.getObject('raw/2024-01/a.csv'))).toBe('id,v\n1,x\n2,y\n');
    expect(await bytes(store.getObject('raw/2024-01/a.csv', { range: { start: 5, end: 8 } }))).toBe('1,x');
    expect(await bytes(store.getObject('raw/2024-01/a.csv', { range: { start: 9 } }))).toBe('2,y\n');
    expect(await bytes(store.getObject('raw/2024-01/a.csv', { ifMatch: info!.etag! }))).toHaveLength(13);
    await expect(bytes(store.getObject('raw/2024-01/a.csv', { ifMatch: '"stale"' }))).rejects.toMatchObject({ code: 'QUERY_FAILED', retryable: true });
    await expect(bytes(store.getObject('raw/none.csv'))).rejects.toMatchObject({ code: 'QUERY_FAILED', details: { notFound: true } });
  });

  it('puts atomically (strings, bytes, streams), refuses a second create-only put, and cleans up after a failed stream', async () => {
    const store = await open();
    await store.putObject('out/deep/one.txt', 'one');
    expect(await readFile(join(base, 'out/deep/one.txt'), 'utf8')).toBe('one');
    const put = await store.putObject('out/two.bin', new Uint8Array([1, 2, 3]), { ifNoneMatch: '*' });
    expect(put).toMatchObject({ key: 'out/two.bin', size: 3 });
    await expect(store.putObject('out/two.bin', 'again', { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    expect([...(await readFile(join(base, 'out/two.bin')))]).toEqual([1, 2, 3]);
    const progress: number[] = [];
    async function* stream() {
      yield Buffer.from('a,');
      yield Buffer.from('b\n');
    }
    await store.putObject('out/streamed.csv', stream(), { onProgress: (n) => progress.push(n) });
    expect(progress).toEqual([2, 4]);
    async function* broken() {
      yield Buffer.from('partial');
      throw new Error('upstream died');
    }
    await expect(store.putObject('out/deep/one.txt', broken())).rejects.toThrow(/upstream died/);
    expect(await readFile(join(base, 'out/deep/one.txt'), 'utf8')).toBe('one');
    expect((await readdir(join(base, 'out/deep'))).filter((f) => f.includes('sparkle-tmp'))).toEqual([]);
  });

  it('two writers racing to create one table: one wins whole, the other gets TABLE_EXISTS (ignore: written false)', async () => {
    const store = await open({ basePath: join(root, 'racing') });
    const rowsOf = (tag: string) => Array.from({ length: 2000 }, (_, i) => ({ id: i, tag }));
    const results = await Promise.allSettled([store.writeTable(rowsOf('a'), 'race/t.csv', {}), store.writeTable(rowsOf('b'), 'race/t.csv', {})]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'TABLE_EXISTS' });
    const tags = new Set((await (await store.readTable<LocalFrame>('race/t.csv')).toArray()).map((r) => r.tag));
    expect(tags.size).toBe(1);
    const ignored = await Promise.all([store.writeTable(rowsOf('c'), 'race/u.csv', { mode: 'ignore' }), store.writeTable(rowsOf('d'), 'race/u.csv', { mode: 'ignore' })]);
    expect(ignored.map((r) => r.written).sort()).toEqual([false, true]);
    expect((await readdir(join(root, 'racing', 'race'))).filter((f) => f.includes('sparkle-tmp'))).toEqual([]);
  });

  it('copies, renames (replacing or not) and deletes', async () => {
    const store = await open();
    await store.putObject('mv/a.txt', 'A');
    await store.copyObject('mv/a.txt', 'mv/b.txt');
    expect(await bytes(store.getObject('mv/b.txt'))).toBe('A');
    await expect(store.copyObject('mv/a.txt', 'mv/b.txt', { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    await expect(store.renameObject('mv/a.txt', 'mv/b.txt', { overwrite: false })).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    await store.renameObject('mv/a.txt', 'mv/sub/c.txt');
    expect(await store.statObject('mv/a.txt')).toBeUndefined();
    expect(await bytes(store.getObject('mv/sub/c.txt'))).toBe('A');
    expect(await store.deleteObjects(['mv/b.txt', 'mv/sub/c.txt', 'mv/missing.txt'])).toBe(2);
    expect(await keys(store.listObjects({ prefix: 'mv/' }))).toEqual([]);
  });

  it('refuses keys that leave basePath lexically', async () => {
    const store = await open();
    await expect(store.statObject('../outside/secret.csv')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.putObject('../escape.txt', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.deleteObjects(['../outside/secret.csv'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('table names: files, directories and globs (picomatch)', () => {
  it('expands patterns, ** across directories, directories (hidden and _ files skipped) and plain files, in key order', async () => {
    const dir = join(root, 'names');
    for (const f of ['a.csv', 'b.csv', 'c.json', '.hidden.csv', '_SUCCESS', 'sub/d.csv', 'sub/deep/e.csv', 'sub/deep/f.txt', 'sub/.git/x.csv', 'x1.csv', 'x2.csv', 'x10.csv']) {
      await mkdir(join(dir, f, '..'), { recursive: true });
      await writeFile(join(dir, f), f);
    }
    const store = await open({ basePath: dir });
    const names = async (table: string) => (await store.objectsFor(table)).map((o) => o.key);
    expect(await names('*.csv')).toEqual(['a.csv', 'b.csv', 'x1.csv', 'x10.csv', 'x2.csv']);
    expect(await names('**/*.csv')).toEqual(['a.csv', 'b.csv', 'sub/d.csv', 'sub/deep/e.csv', 'x1.csv', 'x10.csv', 'x2.csv']);
    expect(await names('sub/*/*.{csv,txt}')).toEqual(['sub/deep/e.csv', 'sub/deep/f.txt']);
    expect(await names('x?.csv')).toEqual(['x1.csv', 'x2.csv']);
    expect(await names('[ab].csv')).toEqual(['a.csv', 'b.csv']);
    expect(await names('[!a].csv')).toEqual(['b.csv']);
    expect(await names('sub')).toEqual(['sub/d.csv', 'sub/deep/e.csv', 'sub/deep/f.txt']);
    expect(await names(join(dir, 'a.csv'))).toEqual(['a.csv']);
    expect(await names('.')).toEqual(['a.csv', 'b.csv', 'c.json', 'sub/d.csv', 'sub/deep/e.csv', 'sub/deep/f.txt', 'x1.csv', 'x10.csv', 'x2.csv']);
    await expect(names('none/*.csv')).rejects.toMatchObject({ code: 'QUERY_FAILED', details: { notFound: true } });
  });
});

describe('confinement after resolving symbolic links', () => {
  it('reads: a link to a file outside and a file under a linked directory are refused', async () => {
    const store = await open();
    await expect(store.statObject('raw/leak.csv')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/symbolic link/) });
    await expect(bytes(store.getObject('raw/leak.csv'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(bytes(store.getObject('outdir/secret.csv'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect((await store.readTable<LocalFrame>('raw/leak.csv')).count()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect((await store.readTable<LocalFrame>('outdir/secret.csv')).count()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => store.sparkRead('outdir/secret.csv')).toThrow(/symbolic link/);
    // A link that stays inside is an ordinary file.
    expect(await (await store.readTable<LocalFrame>('inside-link.csv')).count()).toBe(2);
  });

  it('globs and directories: links leading outside are neither followed nor listed', async () => {
    const store = await open();
    const all = await (await store.readTable<LocalFrame>('**/*.csv', { columns: ['id'] })).toArray();
    expect(all.map((r) => Number(r.id)).sort()).toEqual([1, 1, 2, 2, 3]);
    expect(await (await store.readTable<LocalFrame>('raw')).count()).toBe(3); // a.csv, b.csv; notes.txt is text with one header line
    await expect((await store.readTable<LocalFrame>('outdir/*.csv')).count()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(keys(store.listObjects({ prefix: 'outdir/' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('writes: through a link to a file outside or into a linked directory outside are refused, the outside untouched', async () => {
    const store = await open();
    await expect(store.writeTable([{ id: 1 }], 'raw/leak.csv', { mode: 'overwrite' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.writeTable([{ id: 1 }], 'outdir/new.csv', { mode: 'overwrite' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.writeTable([{ id: 1 }], 'outdir/sub/new.parquet', { mode: 'overwrite' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.putObject('outdir/put.txt', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.renameObject('raw/notes.txt', 'outdir/moved.txt')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => store.sparkWrite('outdir/x.parquet')).toThrow(/symbolic link/);
    expect((await readdir(outside)).sort()).toEqual(['secret.csv']);
    expect(await readFile(join(outside, 'secret.csv'), 'utf8')).toBe('id,v\n666,secret\n');
  });
});

describe('no basePath', () => {
  it('defaults to the working directory and still confines to it', async () => {
    const store = await getConnection<LocalFileConnection>('local', { config: {}, dotenv: false });
    expect(store.basePath).toBe(process.cwd());
    expect(() => store.resolvePath('../x.csv')).toThrow(/outside/);
  });

  it('writes into a basePath that does not exist yet, creating it', async () => {
    const store = await open({ basePath: join(root, 'fresh', 'nested') });
    await store.writeTable([{ id: 1 }], 'x.csv', {});
    expect(await readFile(join(root, 'fresh', 'nested', 'x.csv'), 'utf8')).toBe('id\n1\n');
  });
});
