// {{banner}}
import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { getConnection, type NativeWriteContext, type StagedData, type WriteMode } from '@sparkle/core';
import { sampleTable, SAMPLE_ROWS, testConnector } from '@sparkle/testkit';
import { {{className}}, type {{clientName}} } from '../src/connection.js';
import '../src/index.js';

// Registration, config schema, redaction, Spark specs, lifecycle: the shared suite.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: { host: 'warehouse.example.test', database: 'analytics', user: 'loader', password: 'example-secret' },
  secretFields: ['password'],
  capabilities: { read: false, write: true, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { host: '127.0.0.1', port: 1 },
});

/** An in-memory warehouse: staged files are batches; a load applies the write mode to a table. */
class MemoryStage implements {{clientName}} {
  readonly tables = new Map<string, RecordBatch[]>();
  readonly staged = new Map<string, RecordBatch[]>();
  async stage(_table: string, batches: AsyncIterable<RecordBatch>, context: NativeWriteContext): Promise<StagedData> {
    const files: RecordBatch[] = [];
    for await (const b of batches) {
      files.push(b);
      context.onRows(b.numRows, b.data.byteLength);
    }
    const location = `stage-${this.staged.size}`;
    this.staged.set(location, files);
    return { location, files: files.map((_, i) => `${location}/part-${i}`), rows: files.reduce((n, b) => n + b.numRows, 0), bytes: files.reduce((n, b) => n + b.data.byteLength, 0) };
  }
  async load(table: string, staged: StagedData, mode: WriteMode): Promise<{ rows: number; written: boolean }> {
    const exists = this.tables.has(table);
    if (exists && mode === 'errorIfExists') throw new Error(`table ${table} exists`);
    if (exists && mode === 'ignore') return { rows: 0, written: false };
    const batches = this.staged.get(staged.location)!;
    this.tables.set(table, mode === 'append' && exists ? [...this.tables.get(table)!, ...batches] : batches);
    return { rows: staged.rows, written: true };
  }
  async clean(staged: StagedData): Promise<void> {
    this.staged.delete(staged.location);
  }
}

const context = { signal: new AbortController().signal, onRows: () => undefined };
const ids = (stage: MemoryStage, table: string) => stage.tables.get(table)!.flatMap((b) => b.toArray().map((r) => Number((r as unknown as { id: number }).id)));

describe('{{type}} staged loads over an in-memory stage', () => {
  it('stages then loads with Spark SaveMode semantics, and always cleans the stage', async () => {
    const stage = new MemoryStage();
    const conn = new {{className}}({ type: '{{type}}', config: {}, client: stage });
    expect(await conn.nativeWrite('orders', toAsync(sampleTable().batches), { mode: 'errorIfExists' }, context)).toMatchObject({ rows: SAMPLE_ROWS.length, written: true });
    await expect(conn.nativeWrite('orders', toAsync(sampleTable().batches), {}, context)).rejects.toThrow(/exists/);
    expect(await conn.nativeWrite('orders', toAsync(sampleTable().batches), { mode: 'ignore' }, context)).toMatchObject({ written: false });
    await conn.nativeWrite('orders', toAsync(sampleTable().batches), { mode: 'append' }, context);
    expect(ids(stage, 'orders')).toHaveLength(SAMPLE_ROWS.length * 2);
    await conn.nativeWrite('orders', toAsync(sampleTable().batches), { mode: 'overwrite' }, context);
    expect(ids(stage, 'orders')).toEqual(SAMPLE_ROWS.map((r) => r.id));
    expect(stage.staged.size).toBe(0);
  });

  it('maps to Spark with the password marked secret', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: { url: 'jdbc:{{type}}://warehouse.example.test/analytics', user: 'loader', password: 'example-secret' }, dotenv: false, variables: {} });
    const spec = conn.sparkRead('orders', {});
    expect(spec.format).toBe('{{sparkFormat}}');
    expect(spec.options.dbtable).toBe('orders');
    expect(spec.secretOptions).toContain('password');
  });
});

async function* toAsync(batches: RecordBatch[]): AsyncIterable<RecordBatch> {
  yield* batches;
}
