/**
 * The local engine end to end against a real SQLite database file (better-sqlite3): a
 * partitioned read into CSV, JSON lines and Parquet files and back into tables, and an
 * overwrite that fails halfway leaving the previous table intact.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, type Progress } from '@sparkle/core';
import '@sparkle/connector-sqlite';
import { copyTable, type LocalFrame } from '@sparkle/engine-local';
import { MemoryLineageClient } from '@sparkle/testkit';
import '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkle-local-sqlite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rows = Array.from({ length: 3000 }, (_, i) => ({
  id: i + 1,
  name: i % 10 === 0 ? null : `name ${i}, "quoted"`,
  amount: i % 7 === 0 ? null : Math.round(i * 12.5) / 100,
  at: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
}));

async function sorted(frame: LocalFrame) {
  return (await frame.toArray()).sort((a, b) => Number(a.id) - Number(b.id));
}

describe('SQLite ↔ files through the local engine', () => {
  it('copies a partitioned SQLite read into each file format and back into tables, row for row', async () => {
    const lineage = new MemoryLineageClient();
    const db = await getConnection('sqlite', { config: { path: join(dir, 'shop.db'), maxConnections: 3 }, lineage, dotenv: false });
    const files = await getConnection('local', { config: { basePath: dir }, lineage, dotenv: false });
    await db.writeTable(rows, 'orders', { mode: 'overwrite' });
    const original = await sorted(await db.readTable<LocalFrame>('orders'));
    expect(original).toHaveLength(3000);

    for (const file of ['orders.csv', 'orders.jsonl', 'orders.parquet', 'orders.arrow']) {
      const progress: Progress[] = [];
      const out = await copyTable({
        source: { connection: db, table: 'orders', options: { partitionColumn: 'id', numPartitions: 5 } },
        target: { connection: files, table: file, options: { mode: 'overwrite' } },
        onProgress: (p) => progress.push(p),
      });
      expect(out.rows).toBe(3000);
      expect(progress.at(-1)).toMatchObject({ rows: 3000, partitions: 5, partitionsDone: 5 });
      const table = `orders_from_${file.split('.')[1]}`;
      const back = await copyTable({ source: { connection: files, table: file }, target: { connection: db, table, options: { mode: 'overwrite' } } });
      expect(back.rows).toBe(3000);
      const copied = await sorted(await db.readTable<LocalFrame>(table));
      // SQLite stores the timestamp the way the first write did (epoch ms); JSON lines bring it back as ISO text.
      const normalise = (r: Record<string, unknown>) => ({ ...r, id: Number(r.id), at: typeof r.at === 'string' ? Date.parse(r.at) : Number(r.at) });
      expect(copied.map(normalise), file).toEqual(original.map(normalise));
    }
    await db.close();
    await files.close();
  });

  it('an overwrite whose source fails halfway leaves the previous table intact', async () => {
    const db = await getConnection('sqlite', { config: { path: join(dir, 'atomic.db') }, dotenv: false });
    const files = await getConnection('local', { config: { basePath: dir }, dotenv: false });
    await db.writeTable(rows.slice(0, 10), 'kept', { mode: 'overwrite' });
    await files.writeTable(rows, 'broken.csv', { mode: 'overwrite' });
    // A CSV whose 2 000th row does not fit the inferred integer column fails mid-read.
    const csv = (await readFile(join(dir, 'broken.csv'), 'utf8')).split('\n');
    csv[2000] = csv[2000]!.replace(/^\d+/, 'not-a-number');
    await writeFile(join(dir, 'broken.csv'), csv.join('\n'));
    const small = await getConnection('local', { config: { basePath: dir, samplingRows: 100, batchSize: 500 }, dotenv: false });
    await expect(
      copyTable({ source: { connection: small, table: 'broken.csv' }, target: { connection: db, table: 'kept', options: { mode: 'overwrite', batchSize: 100 } } }),
    ).rejects.toThrow(/not-a-number/);
    expect(await (await db.readTable<LocalFrame>('kept')).count()).toBe(10);
    await db.close();
    await files.close();
    await small.close();
  });
});
