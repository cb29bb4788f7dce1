/**
 * The JDBC family's session over the Presto/Trino HTTP protocol: pages stream into Arrow
 * batches, writes go as multi-row `INSERT … VALUES` statements bounded in rows and characters,
 * and begin/commit/rollback keep a journal of renames so a failed table swap is undone.
 */
import { Schema, type RecordBatch } from 'apache-arrow';
import { abortError, quoteIdentifier, ANSI_QUOTES, type JdbcBulkInsertOptions, type JdbcBulkInsertResult, type JdbcSession } from '@sparkle/core';
import { RowBatchBuilder, batchByteLength, emptyBatch } from '@sparkle/engine-local';
import type { StatementClient } from './client.js';
import { columnReaders } from '@sparkle/engine-local';
import { inlineParams, literal } from './dialect.js';
import { mapColumns } from './types.js';

/** Rows per INSERT statement when the caller gives no batch size. */
export const DEFAULT_INSERT_ROWS = 1_000;
/** Upper bound of one statement's text (servers default to a 1,000,000-character limit). */
export const MAX_STATEMENT_CHARS = 900_000;

const RENAME = /^ALTER TABLE (.+) RENAME TO (.+)$/s;

export class PrestoSession implements JdbcSession {
  /** Renames done since `START TRANSACTION`, for undoing them on `ROLLBACK`. */
  private journal: Array<{ from: string; to: string }> | undefined;

  constructor(
    readonly client: StatementClient,
    private readonly options: { connector: string; maxStatementChars?: number },
  ) {}

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const target = options.fetchSize ?? 10_000;
    let builder: RowBatchBuilder | undefined;
    let converters: Array<(v: unknown) => unknown> = [];
    let emitted = false;
    for await (const page of this.client.run(inlineParams(sql, params), options.signal)) {
      if (!builder && page.columns) {
        const mapped = mapColumns(page.columns);
        builder = new RowBatchBuilder(new Schema(mapped.fields));
        converters = mapped.converters;
      }
      if (!page.data || !builder) continue;
      for (const row of page.data) {
        builder.append(row.map((v, i) => (v === null ? null : converters[i]!(v))));
        if (builder.length >= target) {
          emitted = true;
          yield builder.flush();
        }
      }
      if (options.signal.aborted) throw abortError(options.signal, 'read', this.options.connector);
    }
    if (!builder) {
      yield emptyBatch(new Schema([]));
      return;
    }
    if (builder.length > 0 || !emitted) yield builder.flush();
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const { columns, rows } = await this.client.all(inlineParams(sql, params));
    const { converters } = mapColumns(columns);
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      columns.forEach((c, i) => {
        const v = row[i];
        // Keep integers as numbers where exact (bounds arithmetic), bigints otherwise.
        const converted = v === null || v === undefined ? null : converters[i]!(v);
        out[c.name] = typeof converted === 'bigint' && Number.isSafeInteger(Number(converted)) ? Number(converted) : converted;
      });
      return out;
    });
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const text = sql.trim().toUpperCase();
    if (text === 'START TRANSACTION') {
      this.journal = [];
      return 0;
    }
    if (text === 'COMMIT') {
      this.journal = undefined;
      return 0;
    }
    if (text === 'ROLLBACK') {
      const done = this.journal ?? [];
      this.journal = undefined;
      for (const { from, to } of done.reverse()) await this.client.all(`ALTER TABLE ${to} RENAME TO ${from}`);
      return 0;
    }
    const { updateCount } = await this.client.all(inlineParams(sql, params));
    const rename = RENAME.exec(sql.trim());
    if (rename && this.journal) this.journal.push({ from: rename[1]!.trim(), to: rename[2]!.trim() });
    return updateCount ?? 0;
  }

  async bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult> {
    const maxRows = options.batchSize ?? DEFAULT_INSERT_ROWS;
    const maxChars = this.options.maxStatementChars ?? MAX_STATEMENT_CHARS;
    const head = `INSERT INTO ${quotedTable} (${schema.fields.map((f) => quoteIdentifier(f.name, ANSI_QUOTES)).join(', ')}) VALUES `;
    let tuples: string[] = [];
    let chars = head.length;
    let rows = 0;
    let bytes = 0;
    let pendingBytes = 0;
    const flush = async () => {
      if (!tuples.length) return;
      options.signal.throwIfAborted();
      await this.client.all(head + tuples.join(', '), options.signal);
      rows += tuples.length;
      bytes += pendingBytes;
      options.onRows(tuples.length, pendingBytes);
      tuples = [];
      chars = head.length;
      pendingBytes = 0;
    };
    for await (const batch of batches) {
      if (!batch.numRows) continue;
      const readers = columnReaders(batch);
      const perRow = batchByteLength(batch) / batch.numRows;
      for (let i = 0; i < batch.numRows; i++) {
        const tuple = `(${readers.map((r) => literal(r.kind, r.read(i))).join(', ')})`;
        if (tuples.length && (tuples.length >= maxRows || chars + tuple.length + 2 > maxChars)) await flush();
        tuples.push(tuple);
        chars += tuple.length + 2;
        pendingBytes += perRow;
      }
    }
    await flush();
    return { rows, bytes: Math.round(bytes) };
  }

  async close(): Promise<void> {
    // Stateless HTTP: nothing held between statements.
  }
}
