/**
 * The metadata/service family bases: what each adds on top of SparkleConnection — name
 * resolution, the read path through a table format, Spark mappings, time travel, staged loads,
 * lineage naming and health hooks. (Their capability suites run against testkit's in-memory
 * references, in testkit.)
 */
import type { RecordBatch } from 'apache-arrow';
import { tableFromArrays } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import {
  capabilitiesOf,
  CatalogConnection,
  NoNativeDriverConnection,
  parseMlListing,
  registerConnection,
  registerTableFormatReader,
  runRows,
  serviceEndpoints,
  TableFormatConnection,
  unregisterConnection,
  unregisterTableFormatReader,
  WarehouseConnection,
  type CatalogTable,
  type CommitRequest,
  type ConnectionClass,
  type DataFile,
  type LineageClient,
  type LineageRunSpec,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SnapshotSelector,
  type StagedData,
  type TableSnapshot,
  type WriteMode,
} from '../src/index.js';

const TABLES: Record<string, CatalogTable> = {
  'main.sales.orders': { namespace: ['main', 'sales'], name: 'orders', format: 'rows', location: 'mem://orders', columns: [], properties: {} },
  'main.sales.events': { namespace: ['main', 'sales'], name: 'events', format: 'delta', location: 's3://lake/events', columns: [], properties: {} },
  'main.sales.v': { namespace: ['main', 'sales'], name: 'v', format: 'view', tableType: 'VIEW', columns: [], properties: {} },
};

class TinyCatalog extends CatalogConnection {
  static override lineageScheme = 'unity';
  async listNamespaces() {
    return [['main']];
  }
  async listTables() {
    return ['orders', 'events', 'v'];
  }
  async getTable(name: readonly string[]) {
    const t = TABLES[name.join('.')];
    if (!t) throw new Error(`no ${name.join('.')}`);
    return t;
  }
}

async function drainPlan(plan: NativeReadPlan): Promise<number[]> {
  const ids: number[] = [];
  for (const p of plan.partitions) for await (const b of p.open(new AbortController().signal)) for (const r of b.toArray()) ids.push(Number((r as unknown as { id: number }).id));
  return ids;
}

describe('CatalogConnection', () => {
  afterEach(() => unregisterTableFormatReader('rows'));

  it('splits names (backticks keep dots), prefixes defaultNamespace, and names lineage by the catalog', () => {
    const uc = new TinyCatalog({ type: 'tiny_catalog', config: { url: 'https://uc.example.com/api/2.1/unity-catalog', defaultNamespace: 'main.sales' } });
    expect(uc.tableName('main.`sales.eu`.orders')).toEqual(['main', 'sales.eu', 'orders']);
    expect(uc.tableName('orders')).toEqual(['main', 'sales', 'orders']);
    expect(uc.dataset('main.sales.orders')).toEqual({ namespace: 'unity://uc.example.com:443', name: 'main.sales.orders' });
    expect(() => uc.tableName('a..b')).toThrow(/Invalid (catalog )?table name 'a..b'/);
  });

  it('reads a table through the reader registered for its format', async () => {
    const seen: Array<{ table: string; options: ReadTableOptions }> = [];
    registerTableFormatReader('ROWS', async (table) => ({
      table: table.location!,
      options: { options: { format: 'rows' } },
      source: {
        async nativeRead(t: string, options: ReadTableOptions) {
          seen.push({ table: t, options });
          const batch = tableFromArrays({ id: Int32Array.from([1, 2, 3]) }).batches[0]!;
          return { partitions: [{ description: t, async *open() { yield batch; } }] };
        },
        nativeWrite: () => Promise.reject(new Error('read only')),
      },
    }));
    const uc = new TinyCatalog({ type: 'tiny_catalog', config: {} });
    expect(await drainPlan(await uc.nativeRead('main.sales.orders', { columns: ['id'], options: { x: '1' } }))).toEqual([1, 2, 3]);
    expect(seen).toEqual([{ table: 'mem://orders', options: { columns: ['id'], options: { x: '1', format: 'rows' } } }]);
  });

  it('refuses a format with no reader, naming the format, the location and the fix', async () => {
    const uc = new TinyCatalog({ type: 'tiny_catalog', config: {} });
    const error = await uc.nativeRead('main.sales.events').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNSUPPORTED', connector: 'tiny_catalog', details: { format: 'delta' } });
    expect((error as Error).message).toContain("stored as 'delta' at s3://lake/events");
    expect((error as Error).message).toContain("registerTableFormatReader('delta'");
    await expect(uc.nativeRead('main.sales.v')).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('is a view') });
  });

  it('maps to Spark by table name, writes with saveAsTable, and declares no native write', () => {
    const uc = new TinyCatalog({ type: 'tiny_catalog', config: {} });
    expect(uc.sparkRead('main.sales.orders')).toMatchObject({ namedTable: 'main.sales.orders' });
    expect(uc.sparkWrite('main.sales.out', { mode: 'append', options: { format: 'iceberg' } })).toMatchObject({
      format: 'iceberg',
      mode: 'append',
      table: { name: 'main.sales.out', saveMethod: 'saveAsTable' },
      options: {},
    });
    expect(capabilitiesOf(TinyCatalog)).toEqual(['read', 'spark', 'catalog']);
    expect(() => uc.nativeWrite()).toThrow(/does not write rows/);
  });

  it('the probe lists namespaces; the network tier reaches the URL’s host', async () => {
    const uc = new TinyCatalog({ type: 'tiny_catalog', config: { url: 'http://127.0.0.1:1/api' } });
    const report = await uc.check({ timeoutMs: 3000 });
    expect(report.failedTier).toBe('network');
    const local = new TinyCatalog({ type: 'tiny_catalog', config: {} });
    const ok = await local.check();
    expect(ok.steps.find((s) => s.tier === 'probe')).toMatchObject({ status: 'ok', message: 'listed 1 top-level namespace' });
  });
});

describe('serviceEndpoints', () => {
  it('derives host and port from url (scheme defaults) or host/port', () => {
    expect(serviceEndpoints({ url: 'https://mlflow.internal:5000/api' })).toEqual([{ host: 'mlflow.internal', port: 5000 }]);
    expect(serviceEndpoints({ url: 'ldaps://dir.example.org' })).toEqual([{ host: 'dir.example.org', port: 636 }]);
    expect(serviceEndpoints({ url: 'http://[::1]/x' })).toEqual([{ host: '::1', port: 80 }]);
    expect(serviceEndpoints({ host: 'smtp.local' }, 587)).toEqual([{ host: 'smtp.local', port: 587 }]);
    expect(serviceEndpoints({})).toEqual([]);
  });
});

describe('ML listings', () => {
  it('parses listing names and refuses others with the list of valid ones', () => {
    expect(parseMlListing('runs: churn')).toEqual({ kind: 'runs', experiment: 'churn' });
    expect(parseMlListing('versions:m')).toEqual({ kind: 'versions', model: 'm' });
    expect(() => parseMlListing('runs')).toThrow(/'experiments', 'models', 'runs:<experiment/);
  });

  it('runRows flattens metrics, params and tags into typed, sorted columns', () => {
    const { columns, rows } = runRows([
      { id: 'r1', experimentId: 'e', status: 'FINISHED', params: { b: '2', a: '1' }, metrics: { auc: 0.9 }, tags: {} },
      { id: 'r2', experimentId: 'e', status: 'FAILED', params: {}, metrics: { loss: 0.1 }, tags: { t: 'x' } },
    ]);
    expect(columns.slice(7).map((c) => `${c.name}:${c.kind}`)).toEqual(['metrics.auc:float64', 'metrics.loss:float64', 'params.a:utf8', 'params.b:utf8', 'tags.t:utf8']);
    // The Arrow batch itself is built by the local engine's toolkit: testkit's ML suite reads it back.
    expect(rows).toEqual([
      { run_id: 'r1', experiment_id: 'e', run_name: undefined, status: 'FINISHED', start_time: undefined, end_time: undefined, artifact_uri: undefined, 'metrics.auc': 0.9, 'params.a': '1', 'params.b': '2' },
      { run_id: 'r2', experiment_id: 'e', run_name: undefined, status: 'FAILED', start_time: undefined, end_time: undefined, artifact_uri: undefined, 'metrics.loss': 0.1, 'tags.t': 'x' },
    ]);
  });
});

/** A table format over an in-memory "log": versions of file lists, data files of ids. */
class ToyFormat extends TableFormatConnection {
  static override tableFormat = 'toy';
  static override timeTravel = { version: 'versionAsOf', timestamp: 'timestampAsOf' };
  static override withoutCapabilities: readonly string[] = [];
  log: TableSnapshot[] = [];
  files = new Map<string, number[]>();
  commits: CommitRequest[] = [];

  async snapshot(_table: string, at: SnapshotSelector = {}) {
    if (at.version !== undefined) return this.log[Number(at.version)]!;
    if (at.timestamp) return [...this.log].reverse().find((s) => s.timestamp! <= at.timestamp!)!;
    return this.log.at(-1)!;
  }
  async commit(_table: string, request: CommitRequest) {
    this.commits.push(request);
    const prev = this.log.at(-1)?.files ?? [];
    const files = request.mode === 'overwrite' ? request.add : [...prev, ...request.add];
    this.log.push({ version: this.log.length, timestamp: new Date(), files });
    return { version: this.log.length - 1, committed: true };
  }
  protected async *readDataFile(_t: string, file: DataFile) {
    yield tableFromArrays({ id: Int32Array.from(this.files.get(file.path)!) }).batches[0]!;
  }
  protected override async writeDataFiles(_t: string, batches: AsyncIterable<RecordBatch>, _o: unknown, context: NativeWriteContext): Promise<DataFile[]> {
    const out: DataFile[] = [];
    for await (const b of batches) {
      const path = `part-${this.files.size}.toy`;
      this.files.set(path, b.toArray().map((r) => Number((r as unknown as { id: number }).id)));
      context.onRows(b.numRows, 0);
      out.push({ path, rows: b.numRows, size: b.numRows * 4 });
    }
    return out;
  }
  nativeWriteVia(batches: RecordBatch[], mode: WriteMode) {
    return this.nativeWrite('t', (async function* () {
      yield* batches;
    })(), { mode }, { signal: new AbortController().signal, onRows: () => undefined });
  }
}

describe('TableFormatConnection', () => {
  const batch = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) }).batches[0]!;

  it('writes data files then one commit; reads a snapshot per version, one partition per file', async () => {
    const toy = new ToyFormat({ type: 'toy', config: { location: 's3://lake/tables/' } });
    await toy.nativeWriteVia([batch([1, 2]), batch([3])], 'append');
    await toy.nativeWriteVia([batch([9])], 'overwrite');
    expect(toy.commits.map((c) => [c.mode, c.add.length])).toEqual([['append', 2], ['overwrite', 1]]);
    expect(await drainPlan(await toy.nativeRead('t'))).toEqual([9]);
    const v0 = await toy.nativeRead('t', { options: { versionAsOf: '0' } });
    expect(v0.partitions.map((p) => p.description)).toEqual(['t@0: part-0.toy', 't@0: part-1.toy']);
    expect(v0.estimatedRows).toBe(3);
    expect(await drainPlan(v0)).toEqual([1, 2, 3]);
  });

  it('maps time travel to Spark options and names lineage by storage location', () => {
    const toy = new ToyFormat({ type: 'toy', config: { location: 's3://lake/tables', version: 4 } });
    expect(toy.sparkRead('orders')).toEqual({ format: 'toy', options: { versionAsOf: '4' }, paths: ['s3://lake/tables/orders'], secretOptions: [] });
    expect(toy.sparkRead('orders', { options: { timestampAsOf: '2026-01-01T00:00:00Z', versionAsOf: '' } }).options.timestampAsOf).toBe('2026-01-01T00:00:00Z');
    expect(toy.sparkWrite('orders', { mode: 'overwrite' })).toMatchObject({ format: 'toy', path: 's3://lake/tables/orders', mode: 'overwrite' });
    expect(toy.dataset('orders')).toEqual({ namespace: 's3://lake', name: '/tables/orders' });
    expect(() => toy.tableUri('../etc')).toThrow(/may not contain/);
    expect(() => toy.sparkRead('x', { options: { timestampAsOf: 'yesterday' } })).toThrow(/not a timestamp/);
    expect(capabilitiesOf(ToyFormat)).toEqual(['read', 'write', 'spark']);
  });

  it('opens its storage connection through the registry, closes it with itself, and probes it', async () => {
    let closed = 0;
    class FakeStorage extends CatalogConnection {
      async listNamespaces() {
        return [];
      }
      async listTables() {
        return [];
      }
      async getTable(): Promise<CatalogTable> {
        throw new Error('none');
      }
      override async close() {
        closed++;
        await super.close();
      }
    }
    registerConnection('fake_storage', FakeStorage as unknown as ConnectionClass);
    try {
      const toy = new ToyFormat({ type: 'toy', config: { location: '/lake', storage: { type: 'fake_storage' } } });
      const report = await toy.check();
      expect(report.steps.find((s) => s.tier === 'probe')).toMatchObject({ status: 'ok', message: "storage connection 'fake_storage' healthy" });
      await toy.close();
      expect(closed).toBe(1);
      const none = new ToyFormat({ type: 'toy', config: { location: '/lake' } });
      expect((await none.check()).steps.find((s) => s.tier === 'probe')?.status).toBe('skipped');
    } finally {
      unregisterConnection('fake_storage');
    }
  });
});

describe('WarehouseConnection', () => {
  class Wh extends WarehouseConnection {
    static override sparkFormat = 'snowflake';
    staged: StagedData[] = [];
    cleaned = 0;
    protected override async stageBatches(_t: string, batches: AsyncIterable<RecordBatch>): Promise<StagedData> {
      let rows = 0;
      for await (const b of batches) rows += b.numRows;
      const s = { location: '@stage', files: ['f1.parquet'], rows, bytes: 10 };
      this.staged.push(s);
      return s;
    }
    protected override async loadStaged(_t: string, staged: StagedData, mode: WriteMode) {
      if (mode === 'errorIfExists') throw new Error('exists');
      return { rows: staged.rows, written: true };
    }
    protected override async cleanStage() {
      this.cleaned++;
    }
    nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: { mode?: WriteMode }, context: NativeWriteContext) {
      return this.stagedWrite(table, batches, options, context);
    }
  }
  const ctx = { signal: new AbortController().signal, onRows: () => undefined };
  const one = async function* () {
    yield tableFromArrays({ id: Int32Array.from([1, 2]) }).batches[0]!;
  };

  it('stages, loads and always cleans the stage', async () => {
    const wh = new Wh({ type: 'wh', config: { account: 'acme', user: 'u', password: 'wh-secret-1' } });
    expect(await wh.nativeWrite('t', one(), { mode: 'append' }, ctx)).toEqual({ table: 't', mode: 'append', rows: 2, bytes: 10, written: true });
    await expect(wh.nativeWrite('t', one(), {}, ctx)).rejects.toThrow('exists');
    expect(wh.cleaned).toBe(2);
  });

  it('carries JDBC-like options to Spark with secrets marked, and the staging location as tempdir', () => {
    const wh = new Wh({ type: 'wh', config: { url: 'jdbc:snowflake://acme.snowflakecomputing.com', user: 'u', password: 'wh-secret-1', stagingLocation: 's3://stage/tmp', properties: { sfWarehouse: 'W' } } });
    const spec = wh.sparkRead('DB.PUBLIC.T');
    expect(spec).toMatchObject({ format: 'snowflake', options: { dbtable: 'DB.PUBLIC.T', tempdir: 's3://stage/tmp', sfWarehouse: 'W', password: 'wh-secret-1' } });
    expect(spec.secretOptions).toEqual(['password', 'token']);
    expect(String(wh)).not.toContain('wh-secret-1');
    expect(capabilitiesOf(Wh)).toEqual(['write', 'spark']);
  });
});

describe('NoNativeDriverConnection', () => {
  it('declares only the Spark capability', () => {
    expect(capabilitiesOf(NoNativeDriverConnection)).toEqual(['spark']);
  });
});

describe('lineage send runs', () => {
  it('a send is an output of its run', async () => {
    const specs: LineageRunSpec[] = [];
    const lineage: LineageClient = {
      enabled: true,
      run: (spec) => {
        specs.push(spec);
        return { runId: 'r', start: async () => undefined, complete: async () => undefined, fail: async () => undefined };
      },
      close: async () => undefined,
    };
    const uc = new TinyCatalog({ type: 'tiny_catalog', config: {}, lineage });
    uc.lineageRun('send', 'channel-x');
    uc.lineageRun('read', 'main.sales.orders');
    expect(specs.map((s) => [s.operation, s.inputs.length, s.outputs.length])).toEqual([
      ['send', 0, 1],
      ['read', 1, 0],
    ]);
  });
});
