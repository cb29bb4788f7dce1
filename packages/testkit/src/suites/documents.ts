/**
 * `testDocumentStore`: the conformance suite of the document/key-value capability. A fixed sample
 * is upserted; every filter case must select exactly what core's `matchesFilter` selects (the
 * reference semantics); projections, get/delete by key and bulk upserts with per-item errors are
 * checked; the collection is read as Arrow through the local engine (schema inferred: structs,
 * lists, mixed types as JSON text), written back, and the read reported to lineage in
 * OpenLineage-valid events.
 */
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, SparkleError, type Document, type DocumentStore, type SparkleConnection } from '@sparkle/core';
import { arrowToolkit } from '@sparkle/engine-local';
import type { RecordBatch } from 'apache-arrow';
import { DOCUMENT_SAMPLE, expectedIds, FILTER_CASES } from '../document-sample.js';
import { lineageProblems } from '../lineage.js';
import { all, liveSuite, rejection, uniqueName, type CapabilitySuiteOptions } from './common.js';

/** Options of {@link testDocumentStore}. */
export interface DocumentSuiteOptions extends CapabilitySuiteOptions {
  /** The key field of the sample (default `_id`). */
  keyField?: string;
  /** Filter operators the system cannot push down: their cases must fail with `UNSUPPORTED` instead. */
  unsupportedOps?: string[];
  /** A document the system refuses per item (a missing key, a value over a size limit); without it the per-item check is skipped. */
  failingDocument?: Document;
  /**
   * Filter cases (by name, see `FILTER_CASES`) the system cannot push down although their
   * operators are supported elsewhere (CQL cannot compare with null nor reach into a UDT field):
   * they must fail with `UNSUPPORTED` instead.
   */
  unsupportedCases?: string[];
  /**
   * Set (to the reason) when the system declares its columns (Cassandra tables): reads use the
   * declared schema, so no document can drift outside a sample; instead, documents that do not
   * fit the declared columns must be refused per item, naming the field.
   */
  declaredSchema?: string;
}

type Docs = SparkleConnection<object> & DocumentStore;

const opsOf = (filter: unknown): string[] => {
  const f = filter as Record<string, unknown>;
  if (Array.isArray(f.and)) return f.and.flatMap(opsOf);
  if (Array.isArray(f.or)) return ['or', ...f.or.flatMap(opsOf)];
  if (f.not) return ['not', ...opsOf(f.not)];
  return [String(f.op)];
};

const idsOf = (docs: readonly Document[]) => docs.map((d) => Number(d._id)).sort((a, b) => a - b);

/** Plain rows of a frame, through the local engine's toolkit (nested values as objects and arrays). */
async function plainRows(frame: unknown): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for await (const batch of frame as AsyncIterable<RecordBatch>) rows.push(...arrowToolkit.rows(batch));
  return rows;
}

/** A document without nulls at any object level (the shape `ignoreNullValues` writes). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

/**
 * Registers the document-store suite for one connection type.
 * @example
 * ```ts
 * testDocumentStore({ type: 'memory_docs', config: { database: 'suite' }, failingDocument: { name: 'no key' } });
 * ```
 */
export function testDocumentStore(options: DocumentSuiteOptions): void {
  const live = liveSuite(options);
  const prefix = options.namePrefix ?? 'sparkle_ct';
  const key = options.keyField ?? '_id';
  const collection = uniqueName(prefix);
  let seeded = false;
  const ready = async (docs: Docs) => {
    if (seeded) return;
    const result = await docs.upsertDocuments(collection, DOCUMENT_SAMPLE, { keyFields: [key] });
    expect(result).toEqual({ written: DOCUMENT_SAMPLE.length, failed: [] });
    seeded = true;
  };

  describe(`${options.type} document-store conformance`, () => {
    it('is detected as a document store that reads and writes', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      for (const c of ['document', 'read', 'write'] as const) expect(capabilitiesOf(docs), `capability ${c}`).toContain(c);
    });

    it('passes the health check (collections listed)', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      await ready(docs);
      const report = await docs.check({ timeoutMs: 10_000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
      expect(report.steps.find((s) => s.tier === 'probe')).toMatchObject({ status: 'ok', message: expect.stringMatching(/collection/) });
    });

    it('upserts the sample and lists the collection', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      await ready(docs);
      expect(await docs.listCollections()).toContain(collection);
      expect(idsOf(await all(docs.findDocuments(collection)))).toEqual(DOCUMENT_SAMPLE.map((d) => d._id));
    });

    it.for(FILTER_CASES)('filter "$name" selects what matchesFilter selects', async ({ name, filter }, ctx) => {
      const docs = await live.open<Docs>(ctx);
      await ready(docs);
      const unsupported = [...opsOf(filter).filter((op) => options.unsupportedOps?.includes(op)), ...(options.unsupportedCases?.includes(name) ? [`case '${name}'`] : [])];
      const found = all(docs.findDocuments(collection, { filter }));
      if (unsupported.length) {
        const error = await rejection(found);
        expect((error as SparkleError | undefined)?.code, `declared unsupported: ${unsupported.join(', ')}`).toBe('UNSUPPORTED');
        return;
      }
      expect(idsOf(await found)).toEqual(expectedIds(filter));
    });

    it('projects fields, dotted paths included, and limits', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      await ready(docs);
      const projected = await all(docs.findDocuments(collection, { filter: { field: key, op: 'eq', value: 1 }, projection: [key, 'address.city', 'total'] }));
      expect(projected).toHaveLength(1);
      expect(projected[0]).toEqual({ [key]: 1, address: { city: 'Bern' }, total: 120.5 });
      expect(await all(docs.findDocuments(collection, { limit: 3 }))).toHaveLength(3);
    });

    it('gets a document by key; a missing key is undefined', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      await ready(docs);
      const doc = await docs.getDocument(collection, 3);
      expect(doc?.name).toBe(DOCUMENT_SAMPLE[2]!.name);
      expect(doc?.created).toEqual(DOCUMENT_SAMPLE[2]!.created);
      expect(await docs.getDocument(collection, 3, { projection: ['name'] })).toEqual({ name: DOCUMENT_SAMPLE[2]!.name });
      await expect(docs.getDocument(collection, 999)).resolves.toBeUndefined();
    });

    it('upserts replace by key', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      const target = uniqueName(`${prefix}_upsert`);
      await docs.upsertDocuments(target, [{ [key]: 1, v: 'old', extra: true }, { [key]: 2, v: 'two' }]);
      const result = await docs.upsertDocuments(target, [{ [key]: 1, v: 'new' }]);
      expect(result.written).toBe(1);
      expect(await docs.getDocument(target, 1)).toEqual({ [key]: 1, v: 'new' });
      expect((await all(docs.findDocuments(target))).length).toBe(2);
    });

    it('reports per-item errors of a bulk upsert and writes the rest', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      if (!options.failingDocument) ctx.skip('no failingDocument declared for this system');
      const target = uniqueName(`${prefix}_items`);
      const result = await docs.upsertDocuments(target, [{ [key]: 1, v: 1 }, options.failingDocument!, { [key]: 3, v: 3 }]);
      expect(result.written).toBe(2);
      expect(result.failed).toHaveLength(1);
      expect(result.failed[0]!.index).toBe(1);
      expect(result.failed[0]!.message.length).toBeGreaterThan(0);
      expect(idsOf(await all(docs.findDocuments(target)))).toEqual([1, 3]);
      const error = await rejection(docs.writeTable([{ [key]: 4, v: 4 }, { v: 5, ...options.failingDocument }], target, { mode: 'append' }));
      expect(SparkleError.isInstance(error)).toBe(true);
      expect((error as SparkleError).code).toBe('WRITE_FAILED');
      expect((error as SparkleError).message).toContain(result.failed[0]!.message);
      expect((error as SparkleError).details.committed).toBe(true);
    });

    it('deletes by key, counting only keys that existed', async (ctx) => {
      const docs = await live.open<Docs>(ctx);
      const target = uniqueName(`${prefix}_delete`);
      await docs.upsertDocuments(target, [{ [key]: 1 }, { [key]: 2 }, { [key]: 3 }]);
      expect(await docs.deleteDocuments(target, [1, 3, 99])).toBe(2);
      expect(idsOf(await all(docs.findDocuments(target)))).toEqual([2]);
    });

    describe('tables through the local engine', () => {
      it('reads the collection with an inferred schema: structs, lists, timestamps, mixed types as JSON text', async (ctx) => {
        const docs = await live.open<Docs>(ctx);
        await ready(docs);
        const frame = (await docs.readTable(collection)) as { schema(): Promise<{ fields: Array<{ name: string; type: { toString(): string } }> }> };
        const schema = await frame.schema();
        const types = Object.fromEntries(schema.fields.map((f) => [f.name, String(f.type)]));
        expect(types.address).toMatch(/^Struct<\{city:Utf8, zip:Utf8\}>$/);
        expect(types.tags).toMatch(/^List<Utf8>$/);
        expect(types.created).toMatch(/^Timestamp/);
        expect(types.total).toBe('Float64');
        expect(types.mixed).toBe('Utf8');
        const rows = await plainRows(frame);
        expect(idsOf(rows)).toEqual(DOCUMENT_SAMPLE.map((d) => d._id));
        const byId = new Map(rows.map((r) => [Number(r._id), r]));
        expect(byId.get(1)!.address).toEqual({ city: 'Bern', zip: '3011' });
        expect(byId.get(3)!.address).toEqual({ city: 'Basel', zip: null });
        expect(byId.get(1)!.tags).toEqual(['a', 'b']);
        expect(byId.get(1)!.created).toEqual(DOCUMENT_SAMPLE[0]!.created);
        expect([1, 2, 3, 6, 7, 8].map((id) => byId.get(id)!.mixed)).toEqual(['1', 'two', '{"three":3}', '[1,"x"]', 'true', '2.5']);
      });

      it('pushes a typed filter and a projection into the read; SQL is refused', async (ctx) => {
        const docs = await live.open<Docs>(ctx);
        await ready(docs);
        for (const { name, filter } of FILTER_CASES.slice(0, 6)) {
          if (opsOf(filter).some((op) => options.unsupportedOps?.includes(op)) || options.unsupportedCases?.includes(name)) continue;
          const rows = await plainRows(await docs.readTable(collection, { filter, columns: [key, 'status'] }));
          expect(idsOf(rows)).toEqual(expectedIds(filter));
          for (const r of rows) expect(Object.keys(r)).toEqual([key, 'status']);
        }
        const error = await rejection(docs.readTable(collection, { where: "status = 'open'" }).then(plainRows));
        expect((error as SparkleError | undefined)?.code).toBe('UNSUPPORTED');
        expect((error as SparkleError).message).toContain('filter');
      });

      it('reads in partitions, every document once', async (ctx) => {
        const docs = await live.open<Docs>(ctx);
        await ready(docs);
        for (const numPartitions of [1, 3, 20]) expect(idsOf(await plainRows(await docs.readTable(collection, { numPartitions })))).toEqual(DOCUMENT_SAMPLE.map((d) => d._id));
      });

      it.runIf(options.declaredSchema !== undefined)('a document that does not fit the declared columns is refused per item, naming the field', async (ctx) => {
        const docs = await live.open<Docs>(ctx);
        console.info(`[${options.type} document suite] declared schema: ${options.declaredSchema}`);
        const target = uniqueName(`${prefix}_drift`);
        await docs.upsertDocuments(target, [{ [key]: 1, n: 1 }, { [key]: 2, n: 2 }]);
        const result = await docs.upsertDocuments(target, [{ [key]: 3, n: 'three' }, { [key]: 4, n: 4, surprise: true }, { [key]: 5, n: 5 }]);
        expect(result.written).toBe(1);
        expect(result.failed.map((f) => f.index)).toEqual([0, 1]);
        expect(result.failed[0]!.message).toMatch(/field 'n'/);
        expect(result.failed[1]!.message).toMatch(/field 'surprise'/);
        expect(idsOf(await all(docs.findDocuments(target)))).toEqual([1, 2, 5]);
      });

      it.skipIf(options.declaredSchema !== undefined)('a document outside the sampled schema fails the read, naming the field', async (ctx) => {
        const docs = await live.open<Docs>(ctx);
        const target = uniqueName(`${prefix}_drift`);
        await docs.upsertDocuments(target, [{ [key]: 1, n: 1 }, { [key]: 2, n: 2 }, { [key]: 3, n: 'three', surprise: true }]);
        const error = await rejection(docs.readTable(target, { sampleSize: 2 }).then(plainRows));
        expect((error as SparkleError | undefined)?.code).toBe('INVALID_ARGUMENT');
        expect((error as SparkleError).message).toMatch(/field '(n|surprise)'/);
        expect((error as SparkleError).message).toContain('sampleSize');
        expect(idsOf(await plainRows(await docs.readTable(target, { sampleSize: 3 })))).toEqual([1, 2, 3]);
      });

      it('writes a read back into a new collection with every save mode', async (ctx) => {
        const docs = await live.open<Docs>(ctx);
        await ready(docs);
        const target = uniqueName(`${prefix}_copy`);
        const write = (mode: 'errorIfExists' | 'ignore' | 'append' | 'overwrite', columns?: string[]) =>
          docs.readTable(collection, columns ? { columns } : {}).then((frame) => docs.writeTable(frame, target, { mode, options: { idFieldList: key, ignoreNullValues: 'true' } }));
        expect(await write('errorIfExists')).toMatchObject({ rows: DOCUMENT_SAMPLE.length, written: true });
        const copied = await all(docs.findDocuments(target));
        const expected = DOCUMENT_SAMPLE.map((d) => withoutNulls({ ...d, ...(d.mixed === undefined || d.mixed === null ? {} : { mixed: typeof d.mixed === 'string' ? d.mixed : JSON.stringify(d.mixed) }) }));
        expect(copied.map(withoutNulls).sort((a, b) => Number((a as Document)._id) - Number((b as Document)._id))).toEqual(expected);
        const exists = await rejection(write('errorIfExists'));
        expect((exists as SparkleError | undefined)?.code).toMatch(/^(TABLE_EXISTS|WRITE_FAILED)$/);
        expect((await write('ignore')).written).toBe(false);
        expect((await write('append', [key, 'status'])).rows).toBe(DOCUMENT_SAMPLE.length);
        expect(Object.keys((await docs.getDocument(target, 1))!).sort()).toEqual([key, 'status']);
        const overwrite = await rejection(write('overwrite', [key, 'qty']));
        if (overwrite !== undefined) expect((overwrite as SparkleError).code).toBe('UNSUPPORTED');
        else expect(Object.keys((await docs.getDocument(target, 1))!).sort()).toEqual([key, 'qty']);
      });

      it('reports reads and writes to lineage with the collection as dataset, in valid RunEvents', async (ctx) => {
        const docs = await live.open<Docs>(ctx);
        await ready(docs);
        live.lineage.clear();
        await plainRows(await docs.readTable(collection, { filter: { field: 'status', op: 'eq', value: 'open' } }));
        expect(live.lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
        expect(live.lineage.events[0]!.spec.inputs).toEqual([docs.dataset(collection)]);
        expect(live.lineage.events[1]!.stats?.rows).toBe(expectedIds({ field: 'status', op: 'eq', value: 'open' }).length);
        expect(lineageProblems(live.lineage.events)).toEqual([]);
        live.lineage.clear();
        const target = uniqueName(`${prefix}_lineage`);
        await docs.writeTable([{ [key]: 1, v: 'x' }], target, { mode: 'append' });
        expect(live.lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
        expect(live.lineage.events[0]!.spec.outputs).toEqual([docs.dataset(target)]);
        expect(live.lineage.events[1]!.stats?.rows).toBe(1);
        expect(lineageProblems(live.lineage.events)).toEqual([]);
      });
    });
  });
}
