import { describe, expect, it } from 'vitest';
import { discoverCollections, matchesFilter, type Document, type DocumentStore, type FindDocumentsOptions } from '../src/index.js';

/** A two-collection store in plain objects; it counts what it was asked to read. */
function store(data: Record<string, Document[]>): DocumentStore & { reads: Array<{ collection: string; limit?: number }> } {
  const reads: Array<{ collection: string; limit?: number }> = [];
  return {
    reads,
    listCollections: async () => Object.keys(data),
    getDocument: async () => undefined,
    async *findDocuments(collection: string, options: FindDocumentsOptions = {}) {
      reads.push({ collection, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
      let n = 0;
      for (const doc of data[collection] ?? []) {
        if (options.filter && !matchesFilter(doc, options.filter)) continue;
        if (options.limit !== undefined && n++ >= options.limit) return;
        yield doc;
      }
    },
    upsertDocuments: async () => ({ written: 0, failed: [] }),
    deleteDocuments: async () => 0,
  };
}

describe('discoverCollections', () => {
  it('lists every collection with columns inferred from a bounded sample', async () => {
    const s = store({
      orders: [{ _id: 1, total: 2.5, address: { city: 'Bern' } }, { _id: 2, total: 3, tags: ['a'] }, { _id: 3, late: 'never sampled' }],
      empty: [],
    });
    const found = await discoverCollections(s, { sampleSize: 2 });
    expect(found).toEqual([
      {
        name: 'orders',
        sampled: 2,
        columns: [
          { name: '_id', type: 'int64', nullable: true },
          { name: 'total', type: 'float64', nullable: true },
          { name: 'address', type: { struct: [{ name: 'city', type: 'utf8', nullable: true }] }, nullable: true },
          { name: 'tags', type: { list: 'utf8' }, nullable: true },
        ],
      },
      { name: 'empty', sampled: 0, columns: [] },
    ]);
    expect(s.reads).toEqual([{ collection: 'orders', limit: 2 }, { collection: 'empty', limit: 2 }]);
  });

  it('reads only the collections asked for', async () => {
    const s = store({ a: [{ x: true }], b: [{ y: 1 }] });
    expect((await discoverCollections(s, { collections: ['b'] })).map((c) => c.name)).toEqual(['b']);
    expect(s.reads.map((r) => r.collection)).toEqual(['b']);
  });
});
