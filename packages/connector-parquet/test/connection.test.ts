import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, OpenLineageClient, type LineageTransport, type RunEvent } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';
import { ParquetConnection } from '../src/index.js';

class MemoryTransport implements LineageTransport {
  readonly kind = 'memory';
  readonly events: RunEvent[] = [];
  async emit(event: RunEvent) {
    this.events.push(event);
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkle-parquet-conn-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function open(config: Record<string, unknown> = {}) {
  const transport = new MemoryTransport();
  const lineage = new OpenLineageClient(transport);
  const conn = await getConnection<ParquetConnection>('parquet', { config: { basePath: dir, ...config }, lineage, dotenv: false });
  return { conn, transport };
}

const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `n${i}`, score: i / 4, ok: i % 2 === 0, at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)) }));

describe('parquet connection', () => {
  it('registers under its type, in the family of local, and validates config', async () => {
    const { conn } = await open();
    expect(conn).toBeInstanceOf(ParquetConnection);
    expect(conn.family).toBe('cloud_storage');
    expect((await getConnection('local', { config: { basePath: dir }, dotenv: false })).family).toBe(conn.family);
    expect(conn.config.compression).toBe('snappy');
    await expect(getConnection('parquet', { config: { compression: 'lz0' }, dotenv: false })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('writes rows and reads them back through the local engine with lineage in the file namespace', async () => {
    const { conn, transport } = await open({ compression: 'zstd', rowGroupSize: 300 });
    const result = await conn.writeTable(rows, 'people.parquet', { mode: 'overwrite' });
    expect(result).toMatchObject({ rows: 1000, written: true, mode: 'overwrite' });
    const frame = await conn.readTable<LocalFrame>('people.parquet', { numPartitions: 3 });
    const back = await frame.toArray();
    expect(back).toHaveLength(1000);
    expect(back.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
    const r7 = back.find((r) => r.id === 7n)!;
    expect(r7).toEqual({ id: 7n, name: 'n7', score: 1.75, ok: false, at: Date.UTC(2024, 0, 1, 0, 0, 7) });
    const events = transport.events;
    expect(events.map((e) => `${e.eventType}:${e.job.name.split('.')[1]}`)).toEqual(['START:write', 'COMPLETE:write', 'START:read', 'COMPLETE:read']);
    expect(events[0]!.outputs![0]).toMatchObject({ namespace: 'file', name: join(dir, 'people.parquet') });
  });

  it('splits one file into row-group partitions and projects columns', async () => {
    const { conn } = await open({ rowGroupSize: 100 });
    await conn.writeTable(rows, 'groups.parquet', { mode: 'overwrite' });
    const frame = await conn.readTable<LocalFrame>('groups.parquet', { numPartitions: 4, columns: ['id'] });
    const table = await frame.toTable();
    expect(table.numRows).toBe(1000);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id']);
    expect(new Set(table.getChild('id')!.toArray()).size).toBe(1000);
  });

  it('reads every file of a glob or directory, one partition per file', async () => {
    const { conn } = await open();
    await conn.writeTable(rows.slice(0, 10), 'parts/part-0.parquet', { mode: 'overwrite' });
    await conn.writeTable(rows.slice(10, 25), 'parts/part-1.parquet', { mode: 'overwrite' });
    await writeFile(join(dir, 'parts', '_SUCCESS'), '');
    expect(await (await conn.readTable<LocalFrame>('parts/*.parquet')).count()).toBe(25);
    expect(await (await conn.readTable<LocalFrame>('parts')).count()).toBe(25);
    await expect((await conn.readTable<LocalFrame>('nothing/*.parquet')).count()).rejects.toMatchObject({ code: 'QUERY_FAILED' });
  });

  it('honours save modes; append is refused clearly', async () => {
    const { conn } = await open();
    await conn.writeTable([{ a: 1 }], 'modes.parquet', {});
    await expect(conn.writeTable([{ a: 2 }], 'modes.parquet', {})).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    expect(await conn.writeTable([{ a: 3 }], 'modes.parquet', { mode: 'ignore' })).toMatchObject({ written: false, rows: 0 });
    await expect(conn.writeTable([{ a: 4 }], 'modes.parquet', { mode: 'append' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await conn.writeTable([{ a: 5 }, { a: 6 }], 'modes.parquet', { mode: 'overwrite' });
    expect(await (await conn.readTable<LocalFrame>('modes.parquet')).toArray()).toEqual([{ a: 5n }, { a: 6n }]);
    expect((await readdir(dir)).filter((f) => f.includes('sparkle-tmp'))).toEqual([]);
  });

  it('refuses paths outside basePath and filters it cannot push down', async () => {
    const { conn } = await open();
    expect(() => conn.resolvePath('../../etc/passwd')).toThrow(/outside/);
    await expect(conn.writeTable([{ a: 1 }], '../escape.parquet', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await conn.writeTable([{ a: 1 }], 'w.parquet', { mode: 'overwrite' });
    await expect((await conn.readTable<LocalFrame>('w.parquet', { where: 'a > 0' })).count()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('confines paths after resolving symbolic links, for reads, globs and writes', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'sparkle-parquet-outside-'));
    try {
      const { conn } = await open();
      const { conn: free } = await open({ basePath: outside });
      await free.writeTable([{ secret: 1 }], 'secret.parquet', { mode: 'overwrite' });
      await mkdir(join(dir, 'links'), { recursive: true });
      await symlink(join(outside, 'secret.parquet'), join(dir, 'links', 'file.parquet'));
      await symlink(outside, join(dir, 'links', 'dir'));
      await expect((await conn.readTable<LocalFrame>('links/file.parquet')).count()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect((await conn.readTable<LocalFrame>('links/dir/secret.parquet')).count()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      // A glob over the directory of links finds nothing it may read.
      await expect((await conn.readTable<LocalFrame>('links/**/*.parquet')).count()).rejects.toMatchObject({ code: 'QUERY_FAILED' });
      await expect(conn.writeTable([{ a: 1 }], 'links/file.parquet', { mode: 'overwrite' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(conn.writeTable([{ a: 1 }], 'links/dir/new.parquet', { mode: 'overwrite' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect((await readdir(outside)).sort()).toEqual(['secret.parquet']);
      expect(await (await free.readTable<LocalFrame>('secret.parquet')).toArray()).toEqual([{ secret: 1n }]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('needs no basePath: paths resolve against the working directory and stay under it', async () => {
    const conn = await getConnection<ParquetConnection>('parquet', { config: {}, dotenv: false });
    expect(conn.basePath).toBe(process.cwd());
    expect(() => conn.resolvePath('/etc/passwd')).toThrow(/outside/);
  });

  it('describes itself to Spark as the parquet source with file URIs', async () => {
    const { conn } = await open({ compression: 'gzip' });
    const read = conn.sparkRead('a.parquet', {});
    expect(read).toEqual({ format: 'parquet', options: {}, paths: [pathToFileURL(join(dir, 'a.parquet')).href], secretOptions: [] });
    const write = conn.sparkWrite('b.parquet', { mode: 'overwrite' });
    expect(write).toMatchObject({ format: 'parquet', options: { compression: 'gzip' }, mode: 'overwrite', path: pathToFileURL(join(dir, 'b.parquet')).href });
  });

  it('check() probes the base directory', async () => {
    const { conn } = await open();
    const report = await conn.check();
    expect(report.ok).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')).toMatchObject({ status: 'ok', message: `${dir} is readable and writable` });
    const { conn: missing } = await open({ basePath: join(dir, 'missing') });
    const bad = await missing.check();
    expect(bad.ok).toBe(false);
    expect(bad.failedTier).toBe('probe');
    expect(await missing.test()).toBe(false);
  });
});
