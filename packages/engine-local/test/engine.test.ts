import { describe, expect, it } from 'vitest';
import { Table, tableFromArrays } from 'apache-arrow';
import { SparkleError, UnsupportedOperationError, SparkleConnection, type Progress } from '@sparkle/core';
import { LocalEngine, LocalFrame, copyTable, inferSchema, localEngine } from '../src/index.js';
import { MemoryConnection, RecordingLineage } from './memory-connection.js';

function people(n: number) {
  return Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `p${i + 1}`, score: i % 3 === 0 ? null : i * 1.5 }));
}

function setup(rows = 20, config: Record<string, unknown> = {}) {
  const lineage = new RecordingLineage();
  const conn = new MemoryConnection(lineage, config);
  conn.seed('people', people(rows));
  return { lineage, conn };
}

describe('readTable', () => {
  it('is lazy: nothing is read until the frame is consumed', async () => {
    const { conn, lineage } = setup();
    let planned = 0;
    const original = conn.nativeRead.bind(conn);
    conn.nativeRead = async (t, o) => (planned++, original(t, o));
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 3 });
    expect(frame).toBeInstanceOf(LocalFrame);
    expect(planned).toBe(0);
    expect(lineage.events).toHaveLength(0);
    expect(await frame.count()).toBe(20);
    expect(planned).toBe(1);
  });

  it('reads every partition once and every row exactly once', async () => {
    const { conn } = setup(101);
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 7 });
    const rows = await frame.toArray();
    expect(rows).toHaveLength(101);
    expect(new Set(rows.map((r) => Number(r.id))).size).toBe(101);
    expect(conn.readCounts.reduce((a, b) => a + b, 0)).toBe(101);
    expect(conn.closedPartitions.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('runs at most maxConnections partitions at once (default 4)', async () => {
    const { conn } = setup(64);
    for (let p = 0; p < 8; p++) conn.behaviours.set(p, { delayMs: 5 });
    await (await localEngine.readTable(conn, 'people', { numPartitions: 8 })).count();
    expect(conn.peakOpen).toBe(4);

    const limited = setup(64, { maxConnections: 2 }).conn;
    for (let p = 0; p < 8; p++) limited.behaviours.set(p, { delayMs: 5 });
    await (await localEngine.readTable(limited, 'people', { numPartitions: 8 })).count();
    expect(limited.peakOpen).toBe(2);
  });

  it('keeps at most a few batches buffered per partition when the consumer is slow', async () => {
    const { conn } = setup(200);
    conn.batchRows = 1;
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 2 });
    let seen = 0;
    for await (const batch of frame) {
      seen += batch.numRows;
      const produced = conn.readCounts.reduce((a, b) => a + b, 0);
      // 2 partitions × 2 buffered + the one each has in flight, plus the one being consumed.
      expect(produced - seen).toBeLessThanOrEqual(6);
      if (seen === 40) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(200);
  });

  it('an error in one partition cancels the others, fails lineage and is rethrown typed', async () => {
    const { conn, lineage } = setup(400);
    conn.batchRows = 1;
    for (let p = 0; p < 4; p++) conn.behaviours.set(p, { delayMs: 2 });
    conn.behaviours.set(2, { delayMs: 2, failAfterBatches: 3 });
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 4 });
    const error = await frame.count().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(SparkleError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('partition 2 broke');
    // Every partition was closed, and none read to the end (100 rows each).
    expect(conn.open).toBe(0);
    expect(conn.readCounts.every((n) => n < 100)).toBe(true);
    const types = lineage.events.map((e) => e.type);
    expect(types).toEqual(['START', 'FAIL']);
    expect(lineage.events[0]!.spec.operation).toBe('read');
    expect(lineage.events[0]!.spec.engine).toBe('local');
  });

  it('stops on abort with an ABORTED error and closes the partitions', async () => {
    const { conn, lineage } = setup(400);
    conn.batchRows = 1;
    for (let p = 0; p < 4; p++) conn.behaviours.set(p, { delayMs: 2 });
    const controller = new AbortController();
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 4, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await frame.count().catch((e: unknown) => e);
    expect((error as SparkleError).code).toBe('ABORTED');
    await new Promise((r) => setTimeout(r, 10));
    expect(conn.open).toBe(0);
    expect(lineage.events.map((e) => e.type)).toEqual(['START', 'FAIL']);
  });

  it('reports throttled progress and a final report with partitions and the estimate', async () => {
    const { conn } = setup(50);
    conn.batchRows = 1;
    for (let p = 0; p < 2; p++) conn.behaviours.set(p, { delayMs: 3 });
    const reports: Progress[] = [];
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 2, onProgress: (p) => reports.push(p) });
    await frame.count();
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.length).toBeLessThan(50);
    const last = reports.at(-1)!;
    expect(last).toMatchObject({ rows: 50, partitions: 2, partitionsDone: 2, totalRows: 50, estimated: true });
    expect(last.bytes).toBeGreaterThan(0);
  });

  it('emits START and COMPLETE with row and byte statistics and the read metadata', async () => {
    const { conn, lineage } = setup(10);
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 2, columns: ['id'], where: 'id > 0' });
    await frame.toTable();
    expect(lineage.events.map((e) => e.type)).toEqual(['START', 'COMPLETE']);
    expect(lineage.events[1]!.stats?.rows).toBe(10);
    expect(lineage.events[1]!.stats?.bytes).toBeGreaterThan(0);
    expect(lineage.events[0]!.spec.metadata).toMatchObject({ table: 'people', partitions: 2, columns: ['id'], where: 'id > 0' });
    expect(lineage.events[0]!.spec.inputs).toEqual([conn.dataset('people')]);
  });

  it('gives the schema without reading rows, and toTable/toArray the data', async () => {
    const { conn, lineage } = setup(5);
    const frame = await localEngine.readTable(conn, 'people', {});
    expect((await frame.schema()).fields.map((f) => f.name)).toEqual(['id', 'name', 'score']);
    expect(lineage.events).toHaveLength(0);
    const table = await frame.toTable();
    expect(table.numRows).toBe(5);
    const rows = await frame.toArray();
    expect(rows[0]).toEqual({ id: 1n, name: 'p1', score: null });
    expect(frame.source.dataset).toEqual(conn.dataset('people'));
  });

  it('rejects connections without a native driver with UnsupportedOperationError', async () => {
    class SparkOnly extends SparkleConnection {}
    const conn = new SparkOnly({ type: 'sparkonly', config: {}, lineage: new RecordingLineage() });
    await expect(localEngine.readTable(conn, 't', {})).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(localEngine.writeTable(conn, [{ a: 1 }], 't', {})).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(localEngine.query(conn, 'select 1', [], {})).rejects.toBeInstanceOf(UnsupportedOperationError);
  });

  it('rejects a bad numPartitions', async () => {
    const { conn } = setup();
    await expect(localEngine.readTable(conn, 'people', { numPartitions: 0 })).rejects.toThrow(/numPartitions/);
  });
});

describe('writeTable', () => {
  it('writes rows with inferred types and returns stats with elapsedMs', async () => {
    const { conn, lineage } = setup();
    const result = await localEngine.writeTable(conn, [{ a: 1, b: 'x' }, { a: 2, b: null }], 'out', { mode: 'overwrite' });
    expect(result).toMatchObject({ table: 'out', mode: 'overwrite', rows: 2, written: true });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(conn.rows('out')).toEqual([{ a: 1n, b: 'x' }, { a: 2n, b: null }]);
    expect(lineage.events.map((e) => [e.type, e.spec.operation])).toEqual([
      ['START', 'write'],
      ['COMPLETE', 'write'],
    ]);
    expect(lineage.events[0]!.spec.outputs).toEqual([conn.dataset('out')]);
  });

  it('accepts a frame, a Table, batches and async iterables; a frame is the write input in lineage', async () => {
    const { conn, lineage } = setup(9);
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 3 });
    await localEngine.writeTable(conn, frame, 'copy1', {});
    expect(conn.rows('copy1')).toHaveLength(9);
    const write = lineage.events.find((e) => e.spec.operation === 'write')!;
    expect(write.spec.inputs).toEqual([conn.dataset('people')]);

    const table = tableFromArrays({ x: Int32Array.from([1, 2, 3]) });
    await localEngine.writeTable(conn, table, 'copy2', {});
    await localEngine.writeTable(conn, table.batches, 'copy3', {});
    await localEngine.writeTable(conn, (async function* () { yield* table.batches; })(), 'copy4', {});
    for (const t of ['copy2', 'copy3', 'copy4']) expect(conn.rows(t).map((r) => r.x)).toEqual([1, 2, 3]);
  });

  it('an empty source still hands the writer one empty batch with the schema', async () => {
    const { conn } = setup(0);
    conn.seed('people', [], inferSchema(people(3)));
    const frame = await localEngine.readTable(conn, 'people', {});
    const result = await localEngine.writeTable(conn, frame, 'empty', {});
    expect(result.rows).toBe(0);
    expect(conn.tables.get('empty')!.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'score']);
    await localEngine.writeTable(conn, new Table(conn.tables.get('people')!.schema), 'empty2', {});
    expect(conn.tables.get('empty2')!.schema.fields).toHaveLength(3);
  });

  it('fails the write run (and the read run) when the source breaks mid-write; nothing is published', async () => {
    const { conn, lineage } = setup(40);
    conn.behaviours.set(1, { failAfterBatches: 1 });
    const frame = await localEngine.readTable(conn, 'people', { numPartitions: 2 });
    await expect(localEngine.writeTable(conn, frame, 'broken', {})).rejects.toThrow(/partition 1 broke/);
    expect(conn.tables.has('broken')).toBe(false);
    const fails = lineage.events.filter((e) => e.type === 'FAIL').map((e) => e.spec.operation).sort();
    expect(fails).toEqual(['read', 'write']);
  });

  it('stops a write on abort: nothing is published and the run fails', async () => {
    const { conn, lineage } = setup();
    const controller = new AbortController();
    async function* slowRows() {
      for (let i = 0; ; i++) {
        if (i === 20) controller.abort();
        yield { id: i };
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    const error = await localEngine.writeTable(conn, slowRows(), 'aborted', { signal: controller.signal, batchSize: 5 }).catch((e: unknown) => e);
    expect((error as SparkleError).code).toBe('ABORTED');
    expect(conn.tables.has('aborted')).toBe(false);
    expect(lineage.events.map((e) => e.type)).toEqual(['START', 'FAIL']);
  });

  it('reports write progress from the rows the writer lands', async () => {
    const { conn } = setup();
    const reports: Progress[] = [];
    await localEngine.writeTable(conn, people(30), 'p', { onProgress: (p) => reports.push(p), batchSize: 7 });
    expect(reports.at(-1)).toMatchObject({ rows: 30 });
  });
});

describe('query', () => {
  it('streams nativeQuery results as a frame', async () => {
    const { conn, lineage } = setup();
    Object.assign(conn, {
      nativeQuery: (sql: string, params: readonly unknown[]) =>
        (async function* () {
          yield tableFromArrays({ sql: [sql], n: Float64Array.from([params.length]) }).batches[0]!;
        })(),
    });
    const frame = await new LocalEngine().query(conn, 'select  1', [1, 2]);
    expect(await frame.toArray()).toEqual([{ sql: 'select  1', n: 2 }]);
    expect(lineage.events.map((e) => e.spec.operation)).toEqual(['query', 'query']);
  });

  it('is unsupported for sources without nativeQuery', async () => {
    const { conn } = setup();
    await expect(localEngine.query(conn, 'select 1', [])).rejects.toBeInstanceOf(UnsupportedOperationError);
  });
});

describe('copyTable', () => {
  it('copies with a parent copy run linking the read and the write runs', async () => {
    const lineage = new RecordingLineage();
    const source = new MemoryConnection(lineage);
    source.seed('people', people(33));
    const target = new MemoryConnection(lineage);
    const reports: Progress[] = [];
    const result = await copyTable({
      source: { connection: source, table: 'people', options: { numPartitions: 3 } },
      target: { connection: target, table: 'people_copy', options: { mode: 'overwrite' } },
      onProgress: (p) => reports.push(p),
    });
    expect(result.rows).toBe(33);
    expect(target.rows('people_copy')).toHaveLength(33);
    expect(reports.at(-1)).toMatchObject({ rows: 33 });
    const copy = lineage.events.filter((e) => e.spec.operation === 'copy');
    expect(copy.map((e) => e.type)).toEqual(['START', 'COMPLETE']);
    expect(copy[0]!.runId).toBe(result.runId);
    const children = lineage.events.filter((e) => e.spec.operation !== 'copy' && e.type === 'START');
    expect(children.map((e) => e.spec.operation).sort()).toEqual(['read', 'write']);
    for (const child of children) expect(child.spec.parent).toEqual({ runId: result.runId, jobNamespace: 'tests', jobName: copy[0]!.spec.jobName });
    expect(copy[0]!.spec.inputs).toEqual([source.dataset('people')]);
    expect(copy[0]!.spec.outputs).toEqual([target.dataset('people_copy')]);
  });

  it('fails the copy run and leaves the target untouched when the write fails', async () => {
    const lineage = new RecordingLineage();
    const source = new MemoryConnection(lineage);
    source.seed('people', people(20));
    const target = new MemoryConnection(lineage);
    target.seed('people_copy', [{ id: 99 }]);
    target.failWriteAfter = 2;
    await expect(
      copyTable({ source: { connection: source, table: 'people' }, target: { connection: target, table: 'people_copy', options: { mode: 'overwrite' } } }),
    ).rejects.toThrow(/disk full/);
    expect(target.rows('people_copy')).toEqual([{ id: 99n }]);
    expect(lineage.events.filter((e) => e.spec.operation === 'copy').map((e) => e.type)).toEqual(['START', 'FAIL']);
  });

  // Issue 10 item 1: a failed read surfaces as the read's error whatever the sink does with it.
  it("a failed read surfaces as the read's error even when the writer masks it with its own", async () => {
    const lineage = new RecordingLineage();
    const source = new MemoryConnection(lineage);
    source.seed('people', people(20));
    const target = new MemoryConnection(lineage);
    target.maskInputErrors = true;
    const missing = await copyTable({ source: { connection: source, table: 'no_such_table' }, target: { connection: target, table: 'out' } }).catch((e: unknown) => e);
    expect(SparkleError.isInstance(missing)).toBe(true);
    expect((missing as SparkleError).message).toMatch(/no such table no_such_table/);
    expect((missing as SparkleError).connector).toBe('memory');

    source.behaviours.set(0, { failAfterBatches: 2 });
    const broken = await copyTable({ source: { connection: source, table: 'people' }, target: { connection: target, table: 'out' } }).catch((e: unknown) => e);
    expect((broken as Error).message).toMatch(/partition 0 broke/);
    expect(target.tables.has('out')).toBe(false);
  });

  it("the writer's own error still surfaces when the read went fine", async () => {
    const lineage = new RecordingLineage();
    const source = new MemoryConnection(lineage);
    source.seed('people', people(20));
    const target = new MemoryConnection(lineage);
    target.maskInputErrors = true;
    target.failWriteAfter = 1;
    await expect(copyTable({ source: { connection: source, table: 'people' }, target: { connection: target, table: 'out' } })).rejects.toThrow(/disk full/);
  });

  // Issue 10 item 4: what a hint may suggest comes from the target's declared write modes.
  it('refuses a mode the target does not support, and TABLE_EXISTS carries the modes that can work', async () => {
    const lineage = new RecordingLineage();
    const source = new MemoryConnection(lineage);
    source.seed('people', people(5));
    const target = new MemoryConnection(lineage);
    target.supportedWriteModes = () => ['overwrite', 'errorIfExists', 'ignore'];
    target.seed('out', [{ id: 1 }]);
    const appended = await copyTable({ source: { connection: source, table: 'people' }, target: { connection: target, table: 'out', options: { mode: 'append' } } }).catch((e: unknown) => e);
    expect(appended).toBeInstanceOf(UnsupportedOperationError);
    expect((appended as SparkleError).message).toMatch(/does not support mode 'append'; use 'overwrite', 'errorIfExists' or 'ignore'/);
    const exists = await copyTable({ source: { connection: source, table: 'people' }, target: { connection: target, table: 'out' } }).catch((e: unknown) => e);
    expect((exists as SparkleError).code).toBe('TABLE_EXISTS');
    expect((exists as SparkleError).details.writeModes).toEqual(['overwrite', 'errorIfExists', 'ignore']);
  });
});
