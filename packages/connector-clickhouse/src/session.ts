/**
 * The @clickhouse/client glue: reads stream `FORMAT Native` into Arrow batches, writes stream
 * Native blocks into `INSERT … FORMAT Native`, small queries use JSONEachRow.
 */
import { Readable } from 'node:stream';
import type { RecordBatch, Schema } from 'apache-arrow';
import { abortError, type JdbcSession } from '@sparkle/core';
import type { ClickHouseClient } from '@clickhouse/client';
import { decodeNative, encodeNativeBlock } from './native.js';
import { withServerCode } from './errors.js';
import { bindParams, quoteChParts, splitQuotedTable } from './sql.js';
import { chTypeForField, parseChType, type ServerFeatures } from './types.js';

/** Rows per server block (and so per Arrow batch) when the caller gives no fetch size. */
export const DEFAULT_BLOCK_ROWS = 65_536;

export class ClickHouseSession implements JdbcSession {
  constructor(
    readonly client: ClickHouseClient,
    readonly features: ServerFeatures,
    private readonly connector: string,
  ) {}

  /** Settings asking for plain columns (no LowCardinality dictionaries) where the server knows the setting. */
  private readSettings(fetchSize?: number): Record<string, unknown> {
    return {
      max_block_size: String(fetchSize ?? DEFAULT_BLOCK_ROWS),
      ...(this.features.lowCardinalitySetting ? { low_cardinality_allow_in_native_format: 0 } : {}),
    };
  }

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    options.signal.throwIfAborted();
    const query = `${stripFormat(bindParams(sql, params))} FORMAT Native`;
    const controller = new AbortController();
    const onAbort = () => controller.abort(abortError(options.signal, 'read', this.connector));
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.client
        .exec({ query, clickhouse_settings: this.readSettings(options.fetchSize) as never, abort_signal: controller.signal })
        .catch((error: unknown) => Promise.reject(withServerCode(error)));
      let any = false;
      try {
        for await (const batch of decodeNative(result.stream as AsyncIterable<Uint8Array>)) {
          any = true;
          yield batch;
        }
      } finally {
        if (!result.stream.readableEnded) result.stream.destroy();
      }
      options.signal.throwIfAborted();
      if (!any) {
        // Old servers send no block at all for an empty result: ask for the header.
        yield* this.emptyResult(query);
      }
    } finally {
      options.signal.removeEventListener('abort', onAbort);
    }
  }

  /** An empty batch with the result's columns (from `DESCRIBE` of the query). */
  private async *emptyResult(query: string): AsyncGenerator<RecordBatch> {
    const sub = query.replace(/\s+FORMAT Native$/, '');
    const rows = await this.queryRows(`DESCRIBE TABLE (${sub})`);
    const { Schema: S, RecordBatch: RB, makeData, Struct } = await import('apache-arrow');
    const { arrowFieldOfCh } = await import('./types.js');
    const fields = rows.map((r) => arrowFieldOfCh(String(r.name), String(r.type)));
    const schema = new S(fields);
    yield new RB(schema, makeData({ type: new Struct(fields), length: 0, nullCount: 0, children: fields.map((f) => makeData({ type: f.type, length: 0 } as never)) }));
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    try {
      const rs = await this.client.query({ query: stripFormat(bindParams(sql, params)), format: 'JSONEachRow' });
      return (await rs.json()) as Array<Record<string, unknown>>;
    } catch (error) {
      throw withServerCode(error);
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    // ClickHouse has no transactions: the JDBC base's BEGIN/COMMIT arrive here as empty statements.
    if (!sql.trim()) return 0;
    try {
      await this.client.command({ query: bindParams(sql, params) });
    } catch (error) {
      throw withServerCode(error);
    }
    return 0;
  }

  /** Column names and types of an existing table. */
  async describe(quotedTable: string): Promise<Array<{ name: string; type: string }>> {
    const rows = await this.queryRows(`DESCRIBE TABLE ${quotedTable}`);
    return rows.map((r) => ({ name: String(r.name), type: String(r.type) }));
  }

  /**
   * Streams the batches as Native blocks into the table. When the table's column types are not
   * exactly the ones Sparkle would create for the Arrow schema (an existing table), the rows go
   * to a staging table first and reach the target through one `INSERT … SELECT`, where the
   * server converts types.
   */
  async bulkInsert(
    quotedTable: string,
    schema: Schema,
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; batchSize?: number; onRows: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }> {
    const wanted = schema.fields.map((f) => chTypeForField(f, this.features));
    const existing = await this.describe(quotedTable);
    const byName = new Map(existing.map((c) => [c.name, c.type]));
    const missing = schema.fields.filter((f) => !byName.has(f.name)).map((f) => f.name);
    if (missing.length) throw new Error(`Table ${quotedTable} has no column(s) ${missing.map((m) => `'${m}'`).join(', ')}`);
    const exact = schema.fields.every((f, i) => normalizeType(byName.get(f.name)!) === normalizeType(wanted[i]!));
    if (exact) return this.insertNative(quotedTable, schema, wanted, batches, options);
    const parts = splitQuotedTable(quotedTable);
    const staging = [...parts.slice(0, -1), `${parts[parts.length - 1]!.slice(0, 40)}__sparkle_ins_${Math.random().toString(16).slice(2, 10)}`];
    const quotedStaging = quoteChParts(staging);
    await this.execute(`CREATE TABLE ${quotedStaging} (${schema.fields.map((f, i) => `${quoteChParts([f.name])} ${wanted[i]}`).join(', ')}) ENGINE = MergeTree ORDER BY tuple()`);
    try {
      const result = await this.insertNative(quotedStaging, schema, wanted, batches, options);
      const cols = schema.fields.map((f) => quoteChParts([f.name])).join(', ');
      await this.execute(`INSERT INTO ${quotedTable} (${cols}) SELECT ${cols} FROM ${quotedStaging}`);
      return result;
    } finally {
      await this.execute(`DROP TABLE IF EXISTS ${quotedStaging}`).catch(() => undefined);
    }
  }

  private async insertNative(
    quotedTable: string,
    schema: Schema,
    chTypes: string[],
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; onRows: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }> {
    let rows = 0;
    let bytes = 0;
    const columns = schema.fields.map((f) => quoteChParts([f.name])).join(', ');
    async function* blocks(): AsyncGenerator<Buffer> {
      for await (const batch of batches) {
        options.signal.throwIfAborted();
        if (batch.numRows === 0) continue;
        const block = encodeNativeBlock(batch, chTypes);
        rows += batch.numRows;
        bytes += block.length;
        yield block;
        options.onRows(batch.numRows, block.length);
      }
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(abortError(options.signal, 'write', this.connector));
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.client
        .exec({
          query: `INSERT INTO ${quotedTable} (${columns}) FORMAT Native`,
          values: Readable.from(blocks(), { objectMode: false }),
          abort_signal: controller.signal,
        })
        .catch((error: unknown) => Promise.reject(withServerCode(error)));
      // Drain (and so wait for) the server's answer.
      for await (const _ of result.stream) void _;
    } finally {
      options.signal.removeEventListener('abort', onAbort);
    }
    return { rows, bytes };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Removes a trailing `FORMAT x` the caller may have written; the session picks the format. */
function stripFormat(sql: string): string {
  return sql.replace(/\s+FORMAT\s+\w+\s*;?\s*$/i, '').replace(/;\s*$/, '');
}

function normalizeType(t: string): string {
  return parseChType(t).text.replace(/\s+/g, '').replace(/"/g, "'");
}
