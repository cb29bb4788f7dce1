// {{banner}}
import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { getConnection, type CommitRequest, type DataFile, type NativeReadPlan, type NativeWriteContext, type SnapshotSelector, type TableSnapshot } from '@sparkle/core';
import { sampleTable, SAMPLE_ROWS, testConnector } from '@sparkle/testkit';
import { {{className}}, type {{clientName}} } from '../src/connection.js';
import '../src/index.js';

// Registration, config schema, redaction, Spark specs, lifecycle: the shared suite.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: { location: 's3://lake/tables', storage: { type: 'local', config: { basePath: '/data' } } },
  invalidConfigs: [{ name: 'no location', config: {}, path: 'location' }],
  secretFields: [],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
});

/** An in-memory log: each commit is a version listing its files; files hold batches. */
class MemoryLog implements {{clientName}} {
  readonly versions = new Map<string, TableSnapshot[]>();
  readonly files = new Map<string, RecordBatch[]>();
  async snapshot(table: string, at: SnapshotSelector): Promise<TableSnapshot> {
    const log = this.versions.get(table) ?? [];
    const snap = at.version !== undefined ? log[Number(at.version)] : at.timestamp ? [...log].reverse().find((s) => s.timestamp! <= at.timestamp!) : log.at(-1);
    if (!snap) throw new Error(`no snapshot of ${table} for ${JSON.stringify(at)}`);
    return snap;
  }
  async commit(table: string, request: CommitRequest) {
    const log = this.versions.get(table) ?? [];
    if (log.length && request.mode === 'errorIfExists') throw new Error(`table ${table} exists`);
    if (log.length && request.mode === 'ignore') return { version: log.length - 1, committed: false };
    const files = request.mode === 'append' ? [...(log.at(-1)?.files ?? []), ...request.add] : request.add;
    log.push({ version: log.length, timestamp: new Date(), files });
    this.versions.set(table, log);
    return { version: log.length - 1, committed: true };
  }
  async *readFile(_table: string, file: DataFile): AsyncIterable<RecordBatch> {
    yield* this.files.get(file.path)!;
  }
  async writeFiles(table: string, batches: AsyncIterable<RecordBatch>, context: NativeWriteContext): Promise<DataFile[]> {
    const out: DataFile[] = [];
    for await (const b of batches) {
      const path = `${table}/part-${this.files.size}.data`;
      this.files.set(path, [b]);
      context.onRows(b.numRows, b.data.byteLength);
      out.push({ path, rows: b.numRows, size: b.data.byteLength });
    }
    return out;
  }
}

const context = { signal: new AbortController().signal, onRows: () => undefined };
async function* toAsync(batches: RecordBatch[]): AsyncIterable<RecordBatch> {
  yield* batches;
}
async function ids(plan: NativeReadPlan): Promise<number[]> {
  const out: number[] = [];
  for (const p of plan.partitions) for await (const b of p.open(context.signal)) for (const r of b.toArray()) out.push(Number((r as unknown as { id: number }).id));
  return out.sort((a, b) => a - b);
}

describe('{{type}} over an in-memory log', () => {
  it('writes data files then commits; reads the latest snapshot or an earlier version', async () => {
    const conn = new {{className}}({ type: '{{type}}', config: { location: '/lake' }, client: new MemoryLog() });
    expect(await conn.nativeWrite('orders', toAsync(sampleTable().batches), { mode: 'errorIfExists' }, context)).toMatchObject({ rows: SAMPLE_ROWS.length, written: true });
    const first = SAMPLE_ROWS.slice(0, 2);
    await conn.nativeWrite('orders', toAsync(sampleTable(first).batches), { mode: 'overwrite' }, context);
    expect(await ids(await conn.nativeRead('orders'))).toEqual(first.map((r) => r.id));
    expect(await ids(await conn.nativeRead('orders', { options: { versionAsOf: '0' } }))).toEqual(SAMPLE_ROWS.map((r) => r.id));
    expect(await conn.nativeWrite('orders', toAsync(sampleTable().batches), { mode: 'ignore' }, context)).toMatchObject({ written: false });
  });

  it('maps reads to Spark by path with time travel', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: { location: 's3://lake/tables' }, dotenv: false, variables: {} });
    expect(conn.sparkRead('orders', { options: { versionAsOf: '3' } })).toMatchObject({ format: '{{sparkFormat}}', paths: ['s3://lake/tables/orders'], options: { versionAsOf: '3' } });
    expect(conn.dataset('orders')).toEqual({ namespace: 's3://lake', name: '/tables/orders' });
  });
});
