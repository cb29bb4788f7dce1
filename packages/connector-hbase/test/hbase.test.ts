// HBase-specific behaviour against the REAL HBase REST gateway (tools/services/ensure-hbase.sh);
// a forwarding proxy (test/proxy.ts) records requests, fakes region splits and cuts a scan.
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, where, type Document } from '@sparkle/core';
import { arrowToolkit, type LocalFrame } from '@sparkle/engine-local';
import '../src/index.js';
import type { HBaseConnection } from '../src/index.js';
import { liveConfig } from './live-config.js';
import { startProxy, type Proxy } from './proxy.js';

const url = liveConfig().url as string;
const unique = (p: string) => `${p}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const created: string[] = [];
const proxies: Proxy[] = [];
afterAll(async () => {
  for (const p of proxies) await p.close();
  for (const t of created) await fetch(`${url}/${t}/schema`, { method: 'DELETE' }).catch(() => undefined);
});

async function open(config: Record<string, unknown> = {}): Promise<HBaseConnection> {
  return getConnection<HBaseConnection>('hbase', { config: liveConfig(config), dotenv: false, variables: {} });
}
async function rows(frame: unknown): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const batch of frame as AsyncIterable<Parameters<typeof arrowToolkit.rows>[0]>) out.push(...arrowToolkit.rows(batch));
  return out;
}
async function all(docs: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const d of docs) out.push(d);
  return out;
}
async function rejection(p: Promise<unknown>): Promise<SparkleError> {
  try {
    await p;
  } catch (error) {
    return error as SparkleError;
  }
  throw new Error('expected a rejection');
}
/** A raw cell straight from the gateway (no connector code involved). */
async function rawCell(table: string, row: string, column: string): Promise<Buffer> {
  const res = await fetch(`${url}/${table}/${encodeURIComponent(row)}/${column}`, { headers: { accept: 'application/json' } });
  const json = (await res.json()) as { Row: Array<{ Cell: Array<{ $: string }> }> };
  return Buffer.from(json.Row[0]!.Cell[0]!.$, 'base64');
}
async function proxy(hooks: Parameters<typeof startProxy>[1] = {}): Promise<Proxy> {
  const p = await startProxy(url, hooks);
  proxies.push(p);
  return p;
}
const scannerBodies = (p: Proxy) => p.requests.filter((r) => r.method === 'PUT' && /\/scanner$/.test(r.path)).map((r) => JSON.parse(r.body) as Record<string, unknown>);
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('hbase against the real REST gateway', () => {
  it('check() reports the cluster version and live region servers', async () => {
    await using conn = await open();
    const report = await conn.check({ timeoutMs: 20_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/^HBase 2\.\d+\.\d+, 1 live \/ 0 dead region server/);
  });

  it('declared columns are written as HBase Bytes encodings and read back typed into Arrow', async () => {
    const table = unique('typed');
    created.push(table);
    const tables = { [table]: { columns: { name: { column: 'd:name', type: 'utf8' }, n: { column: 'd:n', type: 'int64' }, score: { column: 'm:score', type: 'double' }, raw: { column: 'm:raw', type: 'binary' } } } };
    await using conn = await open({ tables });
    const big = 2n ** 62n + 1n;
    const result = await conn.upsertDocuments(table, [
      { _id: 'a', name: 'Zürich', n: big, score: 1.5, raw: new Uint8Array([0, 255, 7]) },
      { _id: 'b', name: 'b', n: -3, score: -0.25 },
    ]);
    expect(result).toEqual({ written: 2, failed: [] });
    expect((await rawCell(table, 'a', 'd:n')).readBigInt64BE()).toBe(big);
    expect((await rawCell(table, 'b', 'd:n')).readBigInt64BE()).toBe(-3n);
    expect((await rawCell(table, 'a', 'm:score')).readDoubleBE()).toBe(1.5);
    expect((await rawCell(table, 'a', 'd:name')).toString('utf8')).toBe('Zürich');
    const frame = await conn.readTable<LocalFrame>(table);
    const schema = await frame.schema();
    expect(Object.fromEntries(schema.fields.map((f) => [f.name, String(f.type)]))).toEqual({ _id: 'Utf8', name: 'Utf8', n: 'Int64', score: 'Float64', raw: 'Binary' });
    const got = await rows(frame);
    expect(got.map((r) => [r._id, r.n, r.score])).toEqual([['a', big, 1.5], ['b', -3n, -0.25]]);
    expect([...(got[0]!.raw as Uint8Array)]).toEqual([0, 255, 7]);
    expect(got[1]!.raw).toBeNull();
  });

  it('an int64 row key sorts as HBase sorts it and reads back as int64', async () => {
    const table = unique('intkey');
    created.push(table);
    await using conn = await open({ tables: { [table]: { rowKey: 'int64', columns: { v: { column: 'd:v', type: 'utf8' } } } } });
    await conn.upsertDocuments(table, [300, 2, 17].map((k) => ({ _id: k, v: `v${k}` })));
    const got = await rows(await conn.readTable(table));
    expect(got.map((r) => r._id)).toEqual([2n, 17n, 300n]);
    expect(await conn.getDocument(table, 17)).toEqual({ _id: 17n, v: 'v17' });
    await expect(conn.getDocument(table, 18)).resolves.toBeUndefined();
  });

  it('a declared type that does not match the stored bytes fails the read naming the column', async () => {
    const table = unique('mismatch');
    created.push(table);
    await using docs = await open();
    await docs.upsertDocuments(table, [{ _id: 'r1', n: 'not a number' }]);
    await using typed = await open({ tables: { [table]: { columns: { n: { column: 'd:n', type: 'int64' } } } } });
    const error = await rejection(rows(await typed.readTable(table)));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.message).toContain("column 'd:n'");
    expect(error.message).toContain('cannot be an int64');
    expect(error.message).toContain('binary');
  });

  it('a value of the wrong type for a declared column is refused per item, naming the field', async () => {
    const table = unique('wrongtype');
    created.push(table);
    await using conn = await open({ tables: { [table]: { columns: { n: { column: 'd:n', type: 'int64' } } } } });
    const result = await conn.upsertDocuments(table, [{ _id: 'a', n: 1 }, { _id: 'b', n: 'two' }, { _id: 'c', n: 1.5 }, { _id: 'd', other: 1 }]);
    expect(result.written).toBe(1);
    expect(result.failed.map((f) => f.index)).toEqual([1, 2, 3]);
    expect(result.failed[0]!.message).toMatch(/field 'n' is declared int64/);
    expect(result.failed[2]!.message).toMatch(/field 'other' is not a declared column/);
  });

  it('an unknown table is a clear QUERY_FAILED error for reads, gets and partitions', async () => {
    await using conn = await open();
    const attempts = [() => conn.readTable('no_such_table_xyz').then(rows), () => all(conn.findDocuments('no_such_table_xyz')), () => conn.getDocument('no_such_table_xyz', 1), () => conn.documentPartitions('no_such_table_xyz', {})];
    for (const attempt of attempts) {
      const error = await rejection(attempt());
      expect(error.code).toBe('QUERY_FAILED');
      expect(error.message).toContain("HBase table 'no_such_table_xyz' does not exist");
    }
  });

  it('a missing column family is named before anything is read or written', async () => {
    const table = unique('family');
    created.push(table);
    await using docs = await open();
    await docs.upsertDocuments(table, [{ _id: 'a', v: 1 }]);
    await using typed = await open({ tables: { [table]: { columns: { v: { column: 'x:v', type: 'utf8' } } } } });
    for (const attempt of [() => all(typed.findDocuments(table)), () => typed.upsertDocuments(table, [{ _id: 'b', v: 'b' }])]) {
      const error = await rejection(attempt());
      expect(error.code).toBe('QUERY_FAILED');
      expect(error.message).toMatch(/no column family 'x' \(it has 'd'\)/);
    }
    await using otherFamily = await open({ family: 'nope' });
    expect((await rejection(all(otherFamily.findDocuments(table)))).message).toMatch(/set 'family' in the config/);
  });

  it('hostile table names are refused before any request', async () => {
    const p = await proxy();
    await using conn = await open({ url: p.url });
    for (const name of ['../hbase:meta', 'a/b', 'x%2Fy', 'ns:table', '', 'a b', 'hbase:meta']) {
      expect((await rejection(all(conn.findDocuments(name)))).code).toBe('INVALID_ARGUMENT');
      expect((await rejection(conn.upsertDocuments(name, [{ _id: 1 }]))).code).toBe('INVALID_ARGUMENT');
    }
    expect(p.requests).toEqual([]);
  });

  describe('pushdown, partitions and scanners', () => {
    const table = unique('scan');
    created.push(table);
    const sample = Array.from({ length: 9 }, (_, i) => ({ _id: `k${i + 1}`, group: i % 3, label: `row ${i + 1}` }));
    const seed = async () => {
      await using conn = await open();
      if (!(await conn.listCollections()).includes(table)) await conn.upsertDocuments(table, sample);
    };

    it('a key prefix becomes a PrefixFilter with its start/stop rows; key eq becomes a multi-get; projections become columns', async () => {
      await seed();
      const p = await proxy();
      await using conn = await open({ url: p.url, scanBatch: 4 });
      expect((await all(conn.findDocuments(table, { filter: where.prefix('_id', 'k1') }))).map((d) => d._id)).toEqual(['k1']);
      const [prefixScan] = scannerBodies(p);
      expect(prefixScan).toMatchObject({ startRow: b64('k1'), endRow: b64('k2'), batch: 4, filter: JSON.stringify({ type: 'PrefixFilter', value: b64('k1') }) });
      p.requests.length = 0;
      expect(await all(conn.findDocuments(table, { filter: where.in('_id', ['k2', 'k5', 'zz']), projection: ['label'] }))).toEqual([{ label: 'row 2' }, { label: 'row 5' }]);
      expect(scannerBodies(p)).toEqual([]);
      expect(p.requests.some((r) => r.path.includes('/multiget?row=k2&row=k5&row=zz&column=d%3Alabel'))).toBe(true);
      p.requests.length = 0;
      const ranged = await all(conn.findDocuments(table, { filter: where.and(where.gte('_id', 'k3'), where.lt('_id', 'k5')), projection: ['_id', 'group'] }));
      expect(ranged).toEqual([{ _id: 'k3', group: 2 }, { _id: 'k4', group: 0 }]);
      expect(scannerBodies(p)[0]).toMatchObject({ startRow: b64('k3'), endRow: b64('k5'), column: [b64('d:_id'), b64('d:group')] });
    });

    it('reads one partition per region (/<table>/regions), each scanning its row range, every row once', async () => {
      await seed();
      // A fresh table has one region; the proxy reports three, split at k4 and k7, as a split table would.
      const p = await proxy({
        rewrite: (req, json) => {
          if (!req.url?.endsWith('/regions')) return json;
          const r = (json as { Region: Array<Record<string, unknown>> }).Region[0]!;
          const cut = [undefined, 'k4', 'k7', undefined];
          return { ...(json as object), Region: [0, 1, 2].map((i) => ({ ...r, name: `${r.name}-${i}`, startKey: cut[i] ? b64(cut[i]!) : '', endKey: cut[i + 1] ? b64(cut[i + 1]!) : '' })) };
        },
      });
      await using conn = await open({ url: p.url });
      const parts = await conn.documentPartitions(table, {});
      expect(parts.map((x) => x.description.replace(/ region .* on /, ' @ '))).toEqual([`${table} @ 127.0.0.1:16020`, `${table} @ 127.0.0.1:16020`, `${table} @ 127.0.0.1:16020`]);
      const got = await rows(await conn.readTable(table));
      // Partitions run concurrently: every row once, in any partition order.
      expect(got.map((r) => String(r._id)).sort()).toEqual(sample.map((s) => s._id));
      const ranges = scannerBodies(p).map((b) => [b.startRow ?? '', b.endRow ?? '']);
      expect(ranges).toEqual(expect.arrayContaining([['', b64('k4')], [b64('k4'), b64('k7')], [b64('k7'), '']]));
      // A key range that misses a region scans nothing there.
      p.requests.length = 0;
      expect((await rows(await conn.readTable(table, { filter: where.prefix('_id', 'k8') }))).map((r) => r._id)).toEqual(['k8']);
      // One scan for the schema sample, one for the only region the range meets; none for the others.
      expect(scannerBodies(p).map((b) => [b.startRow, b.endRow])).toEqual([[b64('k8'), b64('k9')], [b64('k8'), b64('k9')]]);
    });

    it('deletes its scanner when a read ends early or completes', async () => {
      await seed();
      const p = await proxy();
      await using conn = await open({ url: p.url, scanBatch: 2 });
      expect(await all(conn.findDocuments(table, { limit: 2 }))).toHaveLength(2);
      expect(await all(conn.findDocuments(table))).toHaveLength(9);
      const opened = p.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/scanner')).length;
      const deleted = p.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/scanner/')).length;
      expect(opened).toBe(2);
      expect(deleted).toBe(2);
    });

    it('a server going down mid-scan is a retryable CONNECTION_FAILED error saying how far it got', async () => {
      await seed();
      let gets = 0;
      const p = await proxy({ cut: (req) => req.method === 'GET' && /\/scanner\//.test(req.url ?? '') && ++gets === 3 });
      await using conn = await open({ url: p.url, scanBatch: 3 });
      const error = await rejection(all(conn.findDocuments(table)));
      expect(error.code).toBe('CONNECTION_FAILED');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/broke off after \d+ row\(s\)/);
      expect(error.message).toContain('Rerun the read');
      // Scanner GETs are never retried (a lost answer would skip rows): exactly the cut one failed.
      expect(gets).toBe(3);
    });
  });

  it('upserts replace a row: cells the new document lacks are deleted', async () => {
    const table = unique('replace');
    created.push(table);
    await using conn = await open({ batchSize: 2, writeConcurrency: 2 });
    const many = Array.from({ length: 11 }, (_, i) => ({ _id: `r${String(i).padStart(2, '0')}`, a: i, b: `x${i}` }));
    expect(await conn.upsertDocuments(table, many)).toEqual({ written: 11, failed: [] });
    await conn.upsertDocuments(table, [{ _id: 'r03', c: true }]);
    expect(await conn.getDocument(table, 'r03')).toEqual({ _id: 'r03', c: true });
    expect((await all(conn.findDocuments(table))).length).toBe(11);
  });

  it('writes multi-row puts of batchSize rows each', async () => {
    const table = unique('batches');
    created.push(table);
    const p = await proxy();
    await using conn = await open({ url: p.url, batchSize: 3, writeConcurrency: 2 });
    const docs = Array.from({ length: 10 }, (_, i) => ({ _id: `w${i}`, v: i }));
    expect(await conn.upsertDocuments(table, docs)).toEqual({ written: 10, failed: [] });
    const puts = p.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/sparkle-batch')).map((r) => (JSON.parse(r.body) as { Row: unknown[] }).Row.length);
    expect(puts.sort()).toEqual([1, 3, 3, 3]);
    expect((await all(conn.findDocuments(table))).map((d) => d.v)).toEqual(docs.map((d) => d.v));
  });

  it('deletes its scanner when the read is aborted', async () => {
    const table = unique('abort');
    created.push(table);
    await using seedConn = await open();
    await seedConn.upsertDocuments(table, Array.from({ length: 6 }, (_, i) => ({ _id: `a${i}` })));
    const p = await proxy();
    await using conn = await open({ url: p.url, scanBatch: 1 });
    const controller = new AbortController();
    const error = await rejection(
      (async () => {
        for await (const _doc of conn.findDocuments(table, { signal: controller.signal })) controller.abort();
      })(),
    );
    expect(error.name).toMatch(/Abort/);
    expect(p.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/scanner/'))).toHaveLength(1);
  });

  it('overwrite is refused: the gateway has no atomic table swap', async () => {
    await using conn = await open();
    const error = await rejection(conn.writeTable([{ _id: 'a' }], unique('ow'), { mode: 'overwrite' }));
    expect(error.code).toBe('UNSUPPORTED');
  });

  it('discover() lists namespaces, tables with their families and inferred or declared columns', async () => {
    const table = unique('disc');
    created.push(table);
    await using conn = await open({ tables: { [table]: { columns: { n: { column: 'q:n', type: 'double' } } } } });
    await conn.upsertDocuments(table, [{ _id: 'a', n: 2.5 }]);
    expect(await conn.namespaces()).toEqual(expect.arrayContaining(['default', 'hbase']));
    const found = (await conn.discover({ collections: [table] }))[0]!;
    expect(found).toMatchObject({ name: table, namespace: 'default', families: ['q'] });
    expect(found.columns).toEqual([{ name: '_id', type: 'utf8', nullable: false }, { name: 'n', type: 'float64' }]);
  });

  it('sends basic auth and never prints the password', async () => {
    const p = await proxy();
    await using conn = await open({ url: p.url, auth: 'basic', user: 'etl', password: 'hb-secret-pw' });
    await conn.listCollections();
    expect(p.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('etl:hb-secret-pw').toString('base64')}`);
    const error = await rejection(all(conn.findDocuments('no_such_table_xyz')));
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain('hb-secret-pw');
  });
});

describe('hbase-spark mapping (golden options)', () => {
  it('maps a declared table to hbase.columns.mapping and the query options', async () => {
    await using conn = await getConnection<HBaseConnection>('apache_hbase', {
      config: { url: 'http://gw:8080', namespace: 'shop', tables: { orders: { rowKey: 'int64', columns: { status: { column: 'd:status', type: 'utf8' }, total: { column: 'd:total', type: 'double' }, blob: { column: 'b:blob', type: 'binary' } } } } },
      dotenv: false,
      variables: {},
    });
    expect(conn.sparkRead('orders', { fetchSize: 200 })).toEqual({
      format: 'org.apache.hadoop.hbase.spark',
      options: {
        'hbase.table': 'shop:orders',
        'hbase.columns.mapping': '_id LONG :key, status STRING d:status, total DOUBLE d:total, blob BINARY b:blob',
        'hbase.spark.use.hbasecontext': 'false',
        'hbase.spark.pushdown.columnfilter': 'true',
        'hbase.spark.query.batchsize': '200',
        'hbase.spark.query.cachedrows': '200',
      },
      secretOptions: [],
    });
    expect(conn.sparkWrite('orders', { mode: 'append' })).toMatchObject({ format: 'org.apache.hadoop.hbase.spark', mode: 'append', options: { 'hbase.table': 'shop:orders' } });
    expect(() => conn.sparkRead('undeclared')).toThrow(/declare tables\.undeclared\.columns/);
  });
});
