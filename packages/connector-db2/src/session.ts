/**
 * The ibm_db glue: `queryResult` + `fetchN` pages (array mode) into Arrow batches, array
 * inserts (`query({ sql, rows })`, one round trip per chunk) for writes, and the driver's
 * transaction calls for BEGIN/COMMIT/ROLLBACK.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { ANSI_QUOTES, fetchPages, insertInChunks, parameterizedInsertSql, type JdbcBulkInsertOptions, type JdbcBulkInsertResult, type JdbcSession } from '@sparkle/core';
import { columnReaders, type CellKind } from '@sparkle/engine-local';
import { rowPagesToBatches, type ColumnDescription } from '@sparkle/engine-local';

/* Structural views of ibm_db (no dependency on its types). */
export interface Db2Result {
  getColumnMetadataSync(): Array<Record<string, unknown>>;
  fetchN(count: number, options?: { fetchMode: number }): Promise<unknown[][]>;
  closeSync(): void;
}
export interface Db2ConnectionLike {
  query(query: string | { sql: string; params?: unknown[]; rows?: unknown[][] }, params?: unknown[]): Promise<unknown[]>;
  queryResult(sql: string, params?: unknown[]): Promise<Db2Result | [Db2Result, unknown]>;
  beginTransaction(): Promise<unknown>;
  commitTransaction(): Promise<unknown>;
  rollbackTransaction(): Promise<unknown>;
  close(): Promise<unknown>;
}

export const DEFAULT_FETCH_ROWS = 10_000;
export const DEFAULT_BATCH_ROWS = 5_000;
const FETCH_ARRAY = 3;
const DROP_IF_EXISTS = /^DROP TABLE IF EXISTS (.+)$/is;

/** ibm_db errors carry `sqlcode` and `state`; expose the SQLCODE as `code` for classification. */
export function normalizeDb2Error(error: unknown): unknown {
  const e = error as { sqlcode?: unknown; code?: unknown; message?: unknown } | null;
  if (e && typeof e === 'object' && e.code === undefined && typeof e.sqlcode === 'number') {
    const wrapped = error instanceof Error ? error : Object.assign(new Error(String(e.message ?? 'Db2 error')), e);
    Object.defineProperty(wrapped, 'code', { value: e.sqlcode, enumerable: true });
    return wrapped;
  }
  return error;
}

function describeColumn(meta: Record<string, unknown>): ColumnDescription {
  const pick = (...keys: string[]) => keys.map((k) => meta[k]).find((v) => v !== undefined && v !== null);
  return {
    name: String(pick('SQL_DESC_NAME', 'SQL_DESC_LABEL', 'name') ?? ''),
    typeName: String(pick('SQL_DESC_TYPE_NAME', 'typeName', 'SQL_DESC_LOCAL_TYPE_NAME') ?? 'VARCHAR'),
    precision: Number(pick('SQL_DESC_PRECISION', 'precision') ?? 0) || undefined,
    scale: Number(pick('SQL_DESC_SCALE', 'scale') ?? 0),
    nullable: pick('SQL_DESC_NULLABLE', 'nullable') === undefined ? true : Boolean(pick('SQL_DESC_NULLABLE', 'nullable')),
  };
}

export class Db2Session implements JdbcSession {
  constructor(private readonly conn: Db2ConnectionLike) {}

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw normalizeDb2Error(error);
    }
  }

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const size = options.fetchSize ?? DEFAULT_FETCH_ROWS;
    const answer = await this.run(() => this.conn.queryResult(sql, [...params]));
    const result = Array.isArray(answer) ? answer[0] : answer;
    try {
      const columns = result.getColumnMetadataSync().map(describeColumn);
      const pages = fetchPages((n) => this.run(() => result.fetchN(n, { fetchMode: FETCH_ARRAY })), size, options.signal);
      yield* rowPagesToBatches(columns, pages, size);
    } finally {
      result.closeSync();
    }
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const rows = (await this.run(() => this.conn.query(sql, [...params]))) as Array<Record<string, unknown>>;
    // Db2 reports unquoted aliases in upper case; the JDBC base reads lower-case keys.
    return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])));
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const text = sql.trim();
    const upper = text.toUpperCase();
    const transaction = { BEGIN: 'beginTransaction', COMMIT: 'commitTransaction', ROLLBACK: 'rollbackTransaction' } as const;
    if (upper in transaction) {
      await this.run(() => this.conn[transaction[upper as keyof typeof transaction]]());
      return 0;
    }
    const drop = DROP_IF_EXISTS.exec(text);
    if (drop) {
      // IF EXISTS arrived in Db2 11.5: drop and ignore SQL0204N (undefined name).
      try {
        await this.run(() => this.conn.query(`DROP TABLE ${drop[1]}`));
      } catch (error) {
        if ((error as { code?: unknown }).code !== -204) throw error;
      }
      return 0;
    }
    await this.run(() => this.conn.query(text, [...params]));
    return 0;
  }

  async bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult> {
    const sql = parameterizedInsertSql(quotedTable, schema, ANSI_QUOTES);
    return insertInChunks(batches, { ...options, defaultChunkRows: DEFAULT_BATCH_ROWS }, async (batch, start, end) => {
      const readers = columnReaders(batch);
      const values: unknown[][] = [];
      for (let i = start; i < end; i++) values.push(readers.map((r) => bindValue(r.kind, r.read(i))));
      await this.run(() => this.conn.query({ sql, rows: values }));
    });
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

/** Cell → bind value: 64-bit integers and decimals as text (exact), booleans as true/false. */
function bindValue(kind: CellKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'integer' && typeof value === 'bigint') return value.toString();
  if (kind === 'binary') return Buffer.from(value as Uint8Array);
  return value;
}
