/**
 * `sparkle copy` across families, on the in-memory references: documents → object store as JSON
 * lines and as CSV → documents again, and documents → stream → documents, each through the local
 * engine's `copyTable` (one parent lineage run with the read and write as children).
 *
 * The file formats are the real `@sparkle/formats` (a dev dependency of testkit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, setFileFormats, where, type Document, type SparkleConnection } from '@sparkle/core';
import { copyTable } from '@sparkle/engine-local';
import { ensureLocalEngine, lineageProblems, MemoryDocumentConnection, MemoryLineageClient, MemoryObjectStoreConnection, MemoryStreamConnection } from '../src/index.js';
import { fileFormats } from '@sparkle/formats';

setFileFormats(fileFormats);

// Node 20 has no Array.fromAsync.
async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const ORDERS: Document[] = Array.from({ length: 250 }, (_, i) => ({
  _id: i + 1,
  customer: `c${i % 17}`,
  status: i % 5 === 0 ? 'cancelled' : 'paid',
  total: Math.round((i * 7.31 + 0.5) * 100) / 100,
  items: i % 4,
  note: i % 9 === 0 ? null : `note, "quoted" ${i}`,
  shipping: { city: ['Bern', 'Basel', 'Genève'][i % 3], express: i % 2 === 0 },
  tags: i % 3 === 0 ? [] : ['t', `t${i % 3}`],
}));

describe('copy across families (memory references)', () => {
  const lineage = new MemoryLineageClient();
  const conns: Array<SparkleConnection<object>> = [];
  const open = async <T>(type: string, config: Record<string, unknown>) => {
    const c = await getConnection(type, { config, lineage, dotenv: false, variables: {} });
    conns.push(c);
    return c as T;
  };
  let docs: MemoryDocumentConnection;
  let lake: MemoryObjectStoreConnection;

  beforeAll(async () => {
    await ensureLocalEngine();
    docs = await open<MemoryDocumentConnection>('memory_docs', { database: 'copy-src' });
    lake = await open<MemoryObjectStoreConnection>('memory_objects', { bucket: 'copy-lake' });
    const seeded = await docs.upsertDocuments('orders', ORDERS);
    expect(seeded.failed).toEqual([]);
  });
  afterAll(async () => {
    for (const c of conns) await c.close();
    MemoryDocumentConnection.reset('copy-src');
    MemoryObjectStoreConnection.reset('copy-lake');
    MemoryStreamConnection.reset('copy-stream');
  });

  it('documents → JSON lines → documents keeps every value; nested ones are written nested and read back as JSON text', async () => {
    lineage.clear();
    const out = await copyTable({ source: { connection: docs, table: 'orders', options: { numPartitions: 4 } }, target: { connection: lake, table: 'exports/orders.jsonl' } });
    expect(out.rows).toBe(ORDERS.length);
    const stored = new TextDecoder().decode(Buffer.concat(await all(lake.getObject('exports/orders.jsonl'))));
    expect(stored.trim().split('\n')).toHaveLength(ORDERS.length);
    // Partitions are read in parallel, so lines come in any order; each line is one whole document.
    const lines = stored.trim().split('\n').map((l) => JSON.parse(l) as Document);
    expect(lines.sort((a, b) => Number(a._id) - Number(b._id))).toEqual(ORDERS);

    const back = await copyTable({
      source: { connection: lake, table: 'exports/*.jsonl' },
      target: { connection: docs, table: 'orders_from_jsonl', options: { options: { idFieldList: '_id' } } },
    });
    expect(back.rows).toBe(ORDERS.length);
    const copied = await all(docs.findDocuments('orders_from_jsonl'));
    // The file holds nested objects and arrays (checked above); reading JSON lines infers scalar
    // columns only, so nested values come back as their JSON text, every value intact.
    const parsed = copied.map((d): Document => ({ ...d, shipping: typeof d.shipping === 'string' ? (JSON.parse(d.shipping) as unknown) : d.shipping, tags: typeof d.tags === 'string' ? (JSON.parse(d.tags) as unknown) : d.tags }));
    expect(parsed.sort((a, b) => Number(a._id) - Number(b._id))).toEqual(ORDERS);

    // One parent copy run per copy, each with a read and a write child; every event is a valid RunEvent.
    const copies = lineage.events.filter((e) => e.spec.operation === 'copy');
    expect(copies.map((e) => e.eventType)).toEqual(['START', 'COMPLETE', 'START', 'COMPLETE']);
    const children = lineage.events.filter((e) => e.spec.parent?.runId === copies[0]!.runId);
    expect(new Set(children.map((e) => e.spec.operation))).toEqual(new Set(['read', 'write']));
    expect(copies[0]!.spec.inputs).toEqual([docs.dataset('orders')]);
    expect(copies[0]!.spec.outputs).toEqual([{ namespace: 'memory://copy-lake', name: 'exports/orders.jsonl' }]);
    expect(lineageProblems(lineage.events)).toEqual([]);
  });

  it('documents → CSV → documents: flat columns round-trip, nested ones travel as JSON text', async () => {
    const flat = ['_id', 'customer', 'status', 'total', 'items', 'note'];
    await copyTable({
      source: { connection: docs, table: 'orders', options: { columns: [...flat, 'shipping'], filter: where.eq('status', 'paid') } },
      target: { connection: lake, table: 'exports/paid.csv', options: { mode: 'overwrite' } },
    });
    const csv = new TextDecoder().decode(Buffer.concat(await all(lake.getObject('exports/paid.csv'))));
    expect(csv.split('\n')[0]).toBe('_id,customer,status,total,items,note,shipping');
    await copyTable({ source: { connection: lake, table: 'exports/paid.csv' }, target: { connection: docs, table: 'paid_from_csv', options: { options: { idFieldList: '_id', ignoreNullValues: 'true' } } } });
    const copied = (await all(docs.findDocuments('paid_from_csv'))).sort((a, b) => Number(a._id) - Number(b._id));
    const paid = ORDERS.filter((o) => o.status === 'paid');
    expect(copied).toHaveLength(paid.length);
    expect(copied.map((d) => Object.fromEntries(flat.filter((k) => d[k] !== undefined).map((k) => [k, d[k]])))).toEqual(
      paid.map((o) => Object.fromEntries(flat.filter((k) => o[k] !== null).map((k) => [k, o[k]]))),
    );
    expect(copied.map((d) => JSON.parse(d.shipping as string))).toEqual(paid.map((o) => o.shipping));
  });

  it('documents → stream → documents: one record per document, values as JSON', async () => {
    const stream = await open<MemoryStreamConnection>('memory_stream', { cluster: 'copy-stream' });
    await stream.createTopic('orders', 3);
    const out = await copyTable({ source: { connection: docs, table: 'orders', options: { columns: ['_id', 'customer', 'total'] } }, target: { connection: stream, table: 'orders', options: { mode: 'append' } } });
    expect(out.rows).toBe(ORDERS.length);
    // Stream rows (Spark's Kafka layout) into documents keyed by offset within partition.
    await copyTable({
      source: { connection: stream, table: 'orders', options: { columns: ['partition', 'offset', 'value'] } },
      target: { connection: docs, table: 'orders_from_stream', options: { options: { idFieldList: 'partition,offset' } } },
    });
    const copied = await all(docs.findDocuments('orders_from_stream'));
    expect(copied).toHaveLength(ORDERS.length);
    const values = copied.map((d) => JSON.parse(new TextDecoder().decode(d.value as Uint8Array)) as Document).sort((a, b) => Number(a._id) - Number(b._id));
    expect(values).toEqual(ORDERS.map((o) => ({ _id: o._id, customer: o.customer, total: o.total })));
  });
});
