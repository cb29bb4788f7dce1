import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal, Field, Int64, Schema, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import { getConnection, OpenLineageClient, type LineageTransport, type RunEvent } from '@sparkle/core';
import { RowBatchBuilder, copyTable, type LocalFrame } from '@sparkle/engine-local';
import { LocalFileConnection } from '../src/index.js';

class MemoryTransport implements LineageTransport {
  readonly kind = 'memory';
  readonly events: RunEvent[] = [];
  async emit(event: RunEvent) {
    this.events.push(event);
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkle-local-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function open(config: Record<string, unknown> = {}, type = 'local') {
  const transport = new MemoryTransport();
  const conn = await getConnection<LocalFileConnection>(type, { config: { basePath: dir, ...config }, lineage: new OpenLineageClient(transport), dotenv: false });
  return { conn, transport };
}

const rows = Array.from({ length: 50 }, (_, i) => ({
  id: i,
  name: i % 7 === 0 ? null : i % 5 === 0 ? '' : `name ${i}, "q"\nline2`,
  score: i / 8,
  ok: i % 2 === 0,
  at: new Date(Date.UTC(2024, 0, 1, 12, 0, i)),
}));

describe('local connection', () => {
  it('is registered as local and file, family cloud_storage', async () => {
    const { conn } = await open({}, 'file');
    expect(conn).toBeInstanceOf(LocalFileConnection);
    expect(conn.type).toBe('local');
    expect(conn.family).toBe('cloud_storage');
  });

  for (const ext of ['csv', 'jsonl', 'arrow', 'arrows', 'parquet']) {
    it(`round-trips rows through ${ext} with types, nulls and empty strings`, async () => {
      const { conn } = await open();
      const w = await conn.writeTable(rows, `rt/people.${ext}`, { mode: 'overwrite' });
      expect(w).toMatchObject({ rows: 50, written: true });
      const back = await (await conn.readTable<LocalFrame>(`rt/people.${ext}`)).toArray();
      expect(back).toHaveLength(50);
      // JSON has no timestamp type: JSON lines keep them as ISO 8601 text (as Spark's JSON source does by default).
      const at = (d: Date) => (ext === 'jsonl' ? d.toISOString() : d.getTime());
      expect(back.map((r) => ({ ...r, id: Number(r.id) }))).toEqual(rows.map((r) => ({ ...r, at: at(r.at) })));
    });
  }

  it('writes exact text for Int64, decimals and µs timestamps in CSV and JSON lines', async () => {
    const { conn } = await open();
    const schema = new Schema([new Field('big', new Int64()), new Field('amount', new Decimal(2, 12, 128)), new Field('ts', new TimestampMicrosecond('UTC')), new Field('s', new Utf8())]);
    const b = new RowBatchBuilder(schema);
    b.append({ big: 9007199254740993n, amount: '-1234567890.05', ts: Date.UTC(2024, 1, 29, 23, 59, 59, 123), s: 'x' });
    const batch = b.flush();
    await conn.writeTable([batch], 'exact.csv', { mode: 'overwrite' });
    await conn.writeTable([batch], 'exact.jsonl', { mode: 'overwrite' });
    expect(await readFile(join(dir, 'exact.csv'), 'utf8')).toBe('big,amount,ts,s\n9007199254740993,-1234567890.05,2024-02-29T23:59:59.123Z,x\n');
    expect(JSON.parse((await readFile(join(dir, 'exact.jsonl'), 'utf8')).trim())).toEqual({ big: '9007199254740993', amount: '-1234567890.05', ts: '2024-02-29T23:59:59.123Z', s: 'x' });
    const back = await (await conn.readTable<LocalFrame>('exact.csv')).toArray();
    expect(back[0]).toMatchObject({ big: 9007199254740993n, amount: -1234567890.05, ts: Date.UTC(2024, 1, 29, 23, 59, 59, 123) });
  });

  it('reads a glob with one partition per file, projects columns, and honours csv options', async () => {
    const { conn } = await open({ csv: { delimiter: ';', inferSchema: false } });
    await mkdir(join(dir, 'glob'), { recursive: true });
    await writeFile(join(dir, 'glob', 'a-1.csv'), 'id;v\n1;x\n2;y\n');
    await writeFile(join(dir, 'glob', 'a-2.csv'), 'id;v\n3;z\n');
    await writeFile(join(dir, 'glob', 'b.csv'), 'id;v\n9;no\n');
    const frame = await conn.readTable<LocalFrame>('glob/a-*.csv', { columns: ['v'] });
    const events: number[] = [];
    const table = await frame.toTable({ onProgress: (p) => events.push(p.partitions ?? 0) });
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['v:Utf8']);
    expect([...table.getChild('v')!].sort()).toEqual(['x', 'y', 'z']);
    expect(events.at(-1)).toBe(2);
    expect(await (await conn.readTable<LocalFrame>('glob/*.csv')).count()).toBe(4);
  });

  it('reads headerless CSV with Spark column names and TSV by extension', async () => {
    const { conn } = await open({ csv: { header: false } });
    await writeFile(join(dir, 'nohead.csv'), '1,a\n2,b\n');
    expect(await (await conn.readTable<LocalFrame>('nohead.csv')).toArray()).toEqual([
      { _c0: 1n, _c1: 'a' },
      { _c0: 2n, _c1: 'b' },
    ]);
    const { conn: tsv } = await open();
    await writeFile(join(dir, 't.tsv'), 'a\tb\n1\tx y\n');
    expect(await (await tsv.readTable<LocalFrame>('t.tsv')).toArray()).toEqual([{ a: 1n, b: 'x y' }]);
  });

  it('appends to CSV and JSON lines atomically, refuses append for Arrow/Parquet, honours other modes', async () => {
    const { conn } = await open();
    await conn.writeTable([{ a: 1 }], 'app.csv', {});
    await conn.writeTable([{ a: 2 }, { a: 3 }], 'app.csv', { mode: 'append' });
    expect(await readFile(join(dir, 'app.csv'), 'utf8')).toBe('a\n1\n2\n3\n');
    await conn.writeTable([{ a: 1 }], 'app.jsonl', { mode: 'append' });
    await conn.writeTable([{ a: 2 }], 'app.jsonl', { mode: 'append' });
    expect(await (await conn.readTable<LocalFrame>('app.jsonl')).count()).toBe(2);
    await expect(conn.writeTable([{ a: 1 }], 'app.csv', {})).rejects.toMatchObject({ code: 'TABLE_EXISTS' });
    expect(await conn.writeTable([{ a: 9 }], 'app.csv', { mode: 'ignore' })).toMatchObject({ written: false });
    await conn.writeTable([{ a: 1 }], 'app.arrow', {});
    await expect(conn.writeTable([{ a: 1 }], 'app.arrow', { mode: 'append' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(conn.writeTable([{ a: 1 }], 'app.parquet', { mode: 'append' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('leaves the previous file intact when a write fails midway, with no temp file left', async () => {
    const { conn, transport } = await open();
    await conn.writeTable(rows, 'safe.csv', { mode: 'overwrite' });
    const before = await readFile(join(dir, 'safe.csv'), 'utf8');
    async function* broken() {
      yield* rows.slice(0, 5);
      throw new Error('source died');
    }
    await expect(conn.writeTable(broken(), 'safe.csv', { mode: 'overwrite', batchSize: 2 })).rejects.toThrow(/source died/);
    expect(await readFile(join(dir, 'safe.csv'), 'utf8')).toBe(before);
    expect((await readdir(dir)).filter((f) => f.includes('sparkle-tmp'))).toEqual([]);
    expect(transport.events.at(-1)!.eventType).toBe('FAIL');
  });

  it('rejects paths escaping basePath', async () => {
    const { conn } = await open();
    await expect(conn.readTable('../../etc/passwd')).resolves.toBeDefined(); // lazy…
    await expect((await conn.readTable<LocalFrame>('../../etc/passwd')).count()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(conn.writeTable([{ a: 1 }], '../x.csv', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => conn.sparkRead('/etc/passwd', {})).toThrow(/outside/);
  });

  it('maps to Spark file sources with absolute file URIs', async () => {
    const { conn } = await open({ csv: { delimiter: '|' } });
    expect(conn.sparkRead('in/a.csv', {})).toEqual({
      format: 'csv',
      options: { header: 'true', sep: '|', quote: '"', inferSchema: 'true' },
      paths: [pathToFileURL(join(dir, 'in/a.csv')).href],
      secretOptions: [],
    });
    expect(conn.sparkRead('in/*.jsonl', {})).toMatchObject({ format: 'json' });
    expect(conn.sparkWrite('out/a.parquet', { mode: 'overwrite' })).toMatchObject({
      format: 'parquet',
      options: { compression: 'snappy' },
      mode: 'overwrite',
      path: pathToFileURL(join(dir, 'out/a.parquet')).href,
    });
  });

  it('names datasets by OpenLineage file conventions and checks basePath', async () => {
    const { conn } = await open();
    expect(conn.dataset('x/y.csv')).toEqual({ namespace: 'file', name: join(dir, 'x/y.csv') });
    const report = await conn.check();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => `${s.tier}:${s.status}`)).toEqual(['config:ok', 'network:skipped', 'auth:ok', 'probe:ok']);
    const { conn: missing } = await open({ basePath: join(dir, 'nope') });
    expect(await missing.test()).toBe(false);
  });

  it('copies CSV files into Parquet with copyTable', async () => {
    const { conn } = await open();
    await conn.writeTable(rows, 'copy/src.csv', { mode: 'overwrite' });
    const result = await copyTable({ source: { connection: conn, table: 'copy/src.csv' }, target: { connection: conn, table: 'copy/dst.parquet', options: { mode: 'overwrite' } } });
    expect(result.rows).toBe(50);
    expect(await (await conn.readTable<LocalFrame>('copy/dst.parquet')).count()).toBe(50);
  });
});
