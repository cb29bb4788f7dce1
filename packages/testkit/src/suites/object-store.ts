/**
 * `testObjectStore`: the conformance suite of the object-store capability. It checks what every
 * store promises — listing by prefix and glob, stat, ranged reads, streamed multi-chunk puts,
 * create-only puts where the store says it enforces them, delete, copy, keys confined to the
 * root — plus the table view through the local engine (when file formats are installed), health
 * and lineage with OpenLineage-valid events.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, getFileFormats, SparkleError, type ObjectStore, type SparkleConnection, type SparkSource } from '@sparkle/core';
import { collectRows } from '../conformance.js';
import { lineageProblems } from '../lineage.js';
import { normaliseRows, SAMPLE_ROWS, sampleTable } from '../sample.js';
import { all, bytesOf, liveSuite, rejection, text, uniqueName, type CapabilitySuiteOptions } from './common.js';

/** Options of {@link testObjectStore}. */
export interface ObjectStoreSuiteOptions extends CapabilitySuiteOptions {
  /** Bytes of the streamed put (sent in several chunks); default 1.5 MiB. Stores with a 5 MiB multipart minimum may ask for more. */
  streamedBytes?: number;
  /** Part size passed to the streamed put. */
  partSize?: number;
  /** Extension the table round trip writes (a format the installed file formats handle). Default `jsonl`. */
  tableExtension?: string;
}

type Store = SparkleConnection<object> & ObjectStore & SparkSource;

const PATH_ESCAPES = ['../x', 'a/../../x', '/etc/passwd', '..\\x', 'C:\\windows\\x', 'file:///etc/passwd'];

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Registers the object-store suite for one connection type.
 * @example
 * ```ts
 * testObjectStore({ type: 'memory_objects', config: { bucket: 'suite' } });
 * testObjectStore({ type: 's3', service: findMinio, streamedBytes: 11 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
 * ```
 */
export function testObjectStore(options: ObjectStoreSuiteOptions): void {
  const live = liveSuite(options);
  const root = uniqueName(options.namePrefix ?? 'sparkle_ct');
  const k = (key: string) => `${root}/${key}`;

  describe(`${options.type} object-store conformance`, () => {
    it('is detected as an object store that reads and writes', async (ctx) => {
      const store = await live.open<Store>(ctx);
      const caps = capabilitiesOf(store);
      for (const c of ['object_store', 'read', 'write'] as const) expect(caps, `capability ${c}`).toContain(c);
      const s = store.storeSemantics;
      for (const flag of ['atomicPut', 'conditionalPut', 'atomicRename'] as const) expect(typeof s[flag]).toBe('boolean');
      expect(['strong', 'eventual']).toContain(s.listAfterWrite);
      if (s.atomicRename) expect(typeof store.renameObject).toBe('function');
    });

    it('puts and stats an object; a missing key stats as undefined', async (ctx) => {
      const store = await live.open<Store>(ctx);
      const info = await store.putObject(k('stat/a.txt'), 'hello, store', { contentType: 'text/plain', metadata: { origin: 'suite' } });
      expect(info.key).toBe(k('stat/a.txt'));
      expect(info.size).toBe(12);
      const stat = await store.statObject(k('stat/a.txt'));
      expect(stat?.key).toBe(k('stat/a.txt'));
      expect(stat?.size).toBe(12);
      if (stat?.metadata) expect(stat.metadata.origin).toBe('suite');
      await expect(store.statObject(k('stat/missing.txt'))).resolves.toBeUndefined();
    });

    it('lists by prefix and by glob, in key order, honouring limit', async (ctx) => {
      const store = await live.open<Store>(ctx);
      for (const key of ['list/a/1.csv', 'list/a/2.json', 'list/a/b/3.csv', 'list/c/4.csv', 'list/ab.csv']) await store.putObject(k(key), key);
      const keys = async (o: Parameters<ObjectStore['listObjects']>[0]) => (await all(store.listObjects(o))).map((i) => i.key);
      expect(await keys({ prefix: k('list/a/') })).toEqual([k('list/a/1.csv'), k('list/a/2.json'), k('list/a/b/3.csv')]);
      expect(await keys({ prefix: k('list/a') })).toEqual([k('list/a/1.csv'), k('list/a/2.json'), k('list/a/b/3.csv'), k('list/ab.csv')]);
      expect(await keys({ glob: k('list/a/*.csv') })).toEqual([k('list/a/1.csv')]);
      expect(await keys({ glob: k('list/**/*.csv') })).toEqual([k('list/a/1.csv'), k('list/a/b/3.csv'), k('list/ab.csv'), k('list/c/4.csv')]);
      expect(await keys({ glob: k('list/{a,c}/*.csv') })).toEqual([k('list/a/1.csv'), k('list/c/4.csv')]);
      expect(await keys({ prefix: k('list/'), limit: 2 })).toHaveLength(2);
      expect(await keys({ prefix: k('list/none/') })).toEqual([]);
    });

    it('reads byte ranges; a missing object is a typed not-found error', async (ctx) => {
      const store = await live.open<Store>(ctx);
      await store.putObject(k('range/alphabet.txt'), 'abcdefghijklmnopqrstuvwxyz');
      expect(text(await bytesOf(store.getObject(k('range/alphabet.txt'))))).toBe('abcdefghijklmnopqrstuvwxyz');
      expect(text(await bytesOf(store.getObject(k('range/alphabet.txt'), { range: { start: 2, end: 5 } })))).toBe('cde');
      expect(text(await bytesOf(store.getObject(k('range/alphabet.txt'), { range: { start: 23 } })))).toBe('xyz');
      const error = await rejection(bytesOf(store.getObject(k('range/missing.txt'))));
      expect(SparkleError.isInstance(error), 'typed error').toBe(true);
      expect((error as SparkleError).code).toBe('QUERY_FAILED');
      expect((error as SparkleError).details.notFound).toBe(true);
    });

    it('streams a multi-chunk put whole, and reads it back byte for byte', async (ctx) => {
      const store = await live.open<Store>(ctx);
      const size = options.streamedBytes ?? 1.5 * 1024 * 1024;
      const chunk = 256 * 1024 + 7; // odd size: parts never line up with chunks
      const expected = pattern(size, 42);
      let progress = 0;
      async function* body() {
        for (let at = 0; at < size; at += chunk) yield expected.slice(at, Math.min(size, at + chunk));
      }
      const info = await store.putObject(k('stream/big.bin'), body(), {
        ...(options.partSize ? { partSize: options.partSize } : {}),
        onProgress: (bytes) => (progress = bytes),
      });
      expect(info.size).toBe(size);
      if (progress > 0) expect(progress).toBe(size);
      expect((await store.statObject(k('stream/big.bin')))?.size).toBe(size);
      const back = await bytesOf(store.getObject(k('stream/big.bin')));
      expect(back.byteLength).toBe(size);
      expect(sha(back)).toBe(sha(expected));
      const middle = await bytesOf(store.getObject(k('stream/big.bin'), { range: { start: 1000, end: 1000 + chunk } }));
      expect(sha(middle)).toBe(sha(expected.slice(1000, 1000 + chunk)));
    });

    it('refuses a create-only put on an existing key when the store says it can', async (ctx) => {
      const store = await live.open<Store>(ctx);
      if (!store.storeSemantics.conditionalPut) ctx.skip('storeSemantics.conditionalPut is false: the store does not enforce ifNoneMatch');
      await store.putObject(k('cond/once.txt'), 'first', { ifNoneMatch: '*' });
      const error = await rejection(store.putObject(k('cond/once.txt'), 'second', { ifNoneMatch: '*' }));
      expect(SparkleError.isInstance(error), 'typed error').toBe(true);
      expect((error as SparkleError).code).toMatch(/^(TABLE_EXISTS|WRITE_FAILED)$/);
      expect(text(await bytesOf(store.getObject(k('cond/once.txt'))))).toBe('first');
      const copyError = await rejection(store.copyObject(k('stat/a.txt'), k('cond/once.txt'), { ifNoneMatch: '*' }));
      expect((copyError as SparkleError | undefined)?.code).toMatch(/^(TABLE_EXISTS|WRITE_FAILED)$/);
    });

    it('deletes keys, counting only those that existed', async (ctx) => {
      const store = await live.open<Store>(ctx);
      await store.putObject(k('del/1.txt'), '1');
      await store.putObject(k('del/2.txt'), '2');
      expect(await store.deleteObjects([k('del/1.txt'), k('del/2.txt'), k('del/never.txt')])).toBe(2);
      await expect(store.statObject(k('del/1.txt'))).resolves.toBeUndefined();
      expect(await all(store.listObjects({ prefix: k('del/') }))).toEqual([]);
    });

    it('copies an object; copying a missing one is not-found', async (ctx) => {
      const store = await live.open<Store>(ctx);
      await store.putObject(k('copy/src.txt'), 'copy me');
      const info = await store.copyObject(k('copy/src.txt'), k('copy/dst.txt'));
      expect(info.key).toBe(k('copy/dst.txt'));
      expect(info.size).toBe(7);
      expect(text(await bytesOf(store.getObject(k('copy/dst.txt'))))).toBe('copy me');
      expect(text(await bytesOf(store.getObject(k('copy/src.txt'))))).toBe('copy me');
      const error = await rejection(store.copyObject(k('copy/missing.txt'), k('copy/x.txt')));
      expect((error as SparkleError | undefined)?.details?.notFound).toBe(true);
    });

    it.for(PATH_ESCAPES)('refuses the key %s everywhere (INVALID_ARGUMENT)', async (bad, ctx) => {
      const store = await live.open<Store>(ctx);
      // Started one at a time: a store that refuses at once must not leave rejections unawaited.
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['statObject', () => store.statObject(bad)],
        ['getObject', () => bytesOf(store.getObject(bad))],
        ['putObject', () => store.putObject(bad, 'x')],
        ['deleteObjects', () => store.deleteObjects([bad])],
        ['copyObject from', () => store.copyObject(bad, k('escape/x'))],
        ['copyObject to', () => store.copyObject(k('stat/a.txt'), bad)],
        ['readTable', () => store.readTable(bad).then((f) => collectRows(f))],
      ];
      for (const [what, attempt] of attempts) {
        const error = await rejection(Promise.resolve().then(attempt));
        expect(SparkleError.isInstance(error), `${what}(${bad}) fails typed`).toBe(true);
        expect((error as SparkleError).code, `${what}(${bad})`).toBe('INVALID_ARGUMENT');
      }
    });

    it('refuses SQL and typed filters on reads instead of returning unfiltered rows', async (ctx) => {
      const store = await live.open<Store>(ctx);
      for (const options of [{ where: 'id > 1' }, { filter: { field: 'id', op: 'gt' as const, value: 1 } }]) {
        const error = await rejection(store.readTable(k('stat/a.txt'), options).then((f) => collectRows(f)));
        expect((error as SparkleError | undefined)?.code, JSON.stringify(options)).toBe('UNSUPPORTED');
      }
    });

    it('passes the health check (list and stat of the root)', async (ctx) => {
      const store = await live.open<Store>(ctx);
      const report = await store.check({ timeoutMs: 10_000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
      expect(report.steps.find((s) => s.tier === 'auth')?.status).toBe('ok');
      expect(['ok', 'skipped']).toContain(report.steps.find((s) => s.tier === 'probe')?.status);
    });

    it('maps a key to a Spark read and write on its URI', async (ctx) => {
      const store = await live.open<Store>(ctx);
      const read = store.sparkRead(k('spark/data.parquet'), {});
      expect(read.format).toBe('parquet');
      expect(read.paths).toEqual([store.objectUri(k('spark/data.parquet'))]);
      const write = store.sparkWrite(k('spark/out.csv'), { mode: 'overwrite' });
      expect(write).toMatchObject({ format: 'csv', mode: 'overwrite', path: store.objectUri(k('spark/out.csv')) });
      for (const key of write.secretOptions) expect(Object.keys(write.options)).toContain(key);
      expect(() => store.sparkRead('../x.csv', {})).toThrow(/leaves the connection's root/);
    });

    describe('tables through the local engine', () => {
      const ext = options.tableExtension ?? 'jsonl';
      const table = k(`tables/sample.${ext}`);
      const needFormats = async (ctx: { skip: (note?: string) => never }) => {
        try {
          await getFileFormats();
        } catch (error) {
          ctx.skip(`no file formats installed (${(error as Error).message})`);
        }
      };
      const read = async (store: Store, name: string) => normaliseRows(await collectRows(await store.readTable(name)));

      it('writes the sample table, reads it back, and honours every save mode', async (ctx) => {
        const store = await live.open<Store>(ctx);
        await needFormats(ctx);
        const written = await store.writeTable(sampleTable(), table, { mode: 'errorIfExists' });
        expect(written).toMatchObject({ rows: SAMPLE_ROWS.length, written: true });
        expect(await read(store, table)).toEqual(normaliseRows(SAMPLE_ROWS as never));
        const exists = await rejection(store.writeTable(sampleTable(), table, { mode: 'errorIfExists' }));
        expect((exists as SparkleError | undefined)?.code).toMatch(/^(TABLE_EXISTS|WRITE_FAILED)$/);
        expect((await store.writeTable(sampleTable(SAMPLE_ROWS.slice(0, 1)), table, { mode: 'ignore' })).written).toBe(false);
        await store.writeTable(sampleTable(SAMPLE_ROWS.slice(1, 3)), table, { mode: 'overwrite' });
        expect(await read(store, table)).toEqual(normaliseRows(SAMPLE_ROWS.slice(1, 3) as never));
      });

      it('reads every object a glob matches, one partition each', async (ctx) => {
        const store = await live.open<Store>(ctx);
        await needFormats(ctx);
        await store.writeTable(sampleTable(SAMPLE_ROWS.slice(0, 2)), k(`tables/parts/p1.${ext}`), { mode: 'overwrite' });
        await store.writeTable(sampleTable(SAMPLE_ROWS.slice(2)), k(`tables/parts/p2.${ext}`), { mode: 'overwrite' });
        expect(await read(store, k(`tables/parts/*.${ext}`))).toEqual(normaliseRows(SAMPLE_ROWS as never));
        expect(await read(store, k('tables/parts'))).toEqual(normaliseRows(SAMPLE_ROWS as never));
        const missing = await rejection(store.readTable(k('tables/none/*.csv')).then((f) => collectRows(f)));
        expect((missing as SparkleError | undefined)?.details?.notFound).toBe(true);
      });

      it('reports reads and writes to lineage with the key as dataset, in valid RunEvents', async (ctx) => {
        const store = await live.open<Store>(ctx);
        await needFormats(ctx);
        await store.writeTable(sampleTable(), k(`tables/lineage.${ext}`), { mode: 'overwrite' });
        live.lineage.clear();
        await collectRows(await store.readTable(k(`tables/lineage.${ext}`)));
        expect(live.lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
        const input = live.lineage.events[0]!.spec.inputs[0]!;
        expect(input).toEqual(store.dataset(k(`tables/lineage.${ext}`)));
        expect(input.namespace).toMatch(/^[a-z][a-z0-9+.-]*(:\/\/[^/]*)?$/);
        expect(input.name.endsWith(k(`tables/lineage.${ext}`))).toBe(true);
        expect(live.lineage.events[1]!.stats?.rows).toBe(SAMPLE_ROWS.length);
        live.lineage.clear();
        await store.writeTable(sampleTable(), k(`tables/lineage-out.${ext}`), { mode: 'overwrite' });
        expect(live.lineage.events.map((e) => [e.eventType, e.spec.operation])).toEqual([
          ['START', 'write'],
          ['COMPLETE', 'write'],
        ]);
        expect(live.lineage.events[0]!.spec.outputs).toEqual([store.dataset(k(`tables/lineage-out.${ext}`))]);
        expect(lineageProblems(live.lineage.events)).toEqual([]);
      });
    });
  });
}
