/**
 * The hdb glue (SAP's pure-JavaScript HANA client): result sets streamed as row chunks into
 * Arrow batches, prepared-statement batch execution for writes, and transactions by switching
 * autocommit off between BEGIN and COMMIT/ROLLBACK.
 */
import type { Readable } from 'node:stream';
import type { RecordBatch, Schema } from 'apache-arrow';
import { ANSI_QUOTES, insertInChunks, parameterizedInsertSql, type JdbcBulkInsertOptions, type JdbcBulkInsertResult, type JdbcSession } from '@sparkle/core';
import { columnReaders, type CellKind } from '@sparkle/engine-local';
import { rowPagesToBatches, type ColumnDescription } from '@sparkle/engine-local';

/* Structural views of hdb (no dependency on its types). */
export interface HanaColumnMetadata {
  columnDisplayName: string;
  dataType: number;
  length?: number;
  fraction?: number;
  nullable?: boolean;
}
export interface HanaResultSet {
  metadata: HanaColumnMetadata[];
  createArrayStream(options?: { arrayMode: number }): Readable;
  close(cb?: (err?: Error) => void): void;
}
export interface HanaStatement {
  execute(params: unknown[], cb: (err: Error | null, result: unknown) => void): void;
  exec(params: unknown[], cb: (err: Error | null, result: unknown) => void): void;
  drop(cb?: (err?: Error) => void): void;
}
export interface HanaClientLike {
  execute(sql: string, cb: (err: Error | null, result: unknown) => void): void;
  exec(sql: string, cb: (err: Error | null, result: unknown) => void): void;
  prepare(sql: string, cb: (err: Error | null, statement: HanaStatement) => void): void;
  setAutoCommit(autoCommit: boolean): void;
  commit(cb: (err: Error | null) => void): void;
  rollback(cb: (err: Error | null) => void): void;
  disconnect(cb: (err?: Error | null) => void): void;
  close(): void;
}

export const DEFAULT_FETCH_ROWS = 10_000;
export const DEFAULT_BATCH_ROWS = 5_000;

/** hdb's type codes (the HANA SQL command network protocol's) → type names. */
export const HANA_TYPE_CODES: Record<number, string> = {
  1: 'TINYINT',
  2: 'SMALLINT',
  3: 'INTEGER',
  4: 'BIGINT',
  5: 'DECIMAL',
  6: 'REAL',
  7: 'DOUBLE',
  8: 'CHAR',
  9: 'VARCHAR',
  10: 'NCHAR',
  11: 'NVARCHAR',
  12: 'BINARY',
  13: 'VARBINARY',
  14: 'DATE',
  15: 'TIME',
  16: 'TIMESTAMP',
  25: 'CLOB',
  26: 'NCLOB',
  27: 'BLOB',
  28: 'BOOLEAN',
  29: 'STRING',
  30: 'NSTRING',
  61: 'LONGDATE',
  62: 'SECONDDATE',
  63: 'DAYDATE',
  64: 'SECONDTIME',
};

const call = <T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));

export function describeHanaColumn(m: HanaColumnMetadata): ColumnDescription {
  const typeName = HANA_TYPE_CODES[m.dataType] ?? 'NVARCHAR';
  return { name: m.columnDisplayName, typeName, precision: typeName === 'DECIMAL' ? m.length : undefined, scale: m.fraction, nullable: m.nullable ?? true };
}

export class HanaSession implements JdbcSession {
  constructor(private readonly client: HanaClientLike) {}

  private async statement(sql: string, params: readonly unknown[]): Promise<unknown> {
    if (!params.length) return call((cb) => this.client.execute(sql, cb));
    const stmt = await call<HanaStatement>((cb) => this.client.prepare(sql, cb));
    try {
      return await call((cb) => stmt.execute([...params], cb));
    } finally {
      stmt.drop(() => undefined);
    }
  }

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const size = options.fetchSize ?? DEFAULT_FETCH_ROWS;
    const rs = (await this.statement(sql, params)) as HanaResultSet;
    const columns = rs.metadata.map(describeHanaColumn);
    const stream = rs.createArrayStream({ arrayMode: Math.min(size, 1000) });
    const onAbort = () => stream.destroy(options.signal.reason as Error);
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const pages = (async function* () {
        for await (const chunk of stream as AsyncIterable<Array<Record<string, unknown>>>) {
          yield chunk.map((row) => columns.map((c) => row[c.name]));
        }
      })();
      yield* rowPagesToBatches(columns, pages, size);
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      stream.destroy();
      rs.close(() => undefined);
    }
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const rows = params.length
      ? await this.statement(sql, params).then(async (rs) => {
          const r = rs as HanaResultSet;
          const out: Array<Record<string, unknown>> = [];
          for await (const chunk of r.createArrayStream() as AsyncIterable<Array<Record<string, unknown>>>) out.push(...chunk);
          return out;
        })
      : ((await call<unknown>((cb) => this.client.exec(sql, cb))) as Array<Record<string, unknown>>);
    // HANA reports unquoted aliases in upper case; the JDBC base reads lower-case keys.
    return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])));
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const upper = sql.trim().toUpperCase();
    if (upper === 'BEGIN') {
      this.client.setAutoCommit(false);
      return 0;
    }
    if (upper === 'COMMIT' || upper === 'ROLLBACK') {
      try {
        await call((cb) => (upper === 'COMMIT' ? this.client.commit(cb) : this.client.rollback(cb)));
      } finally {
        this.client.setAutoCommit(true);
      }
      return 0;
    }
    const result = await this.statement(sql.trim(), params);
    return typeof result === 'number' ? result : 0;
  }

  async bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult> {
    const stmt = await call<HanaStatement>((cb) => this.client.prepare(parameterizedInsertSql(quotedTable, schema, ANSI_QUOTES), cb));
    try {
      return await insertInChunks(batches, { ...options, defaultChunkRows: DEFAULT_BATCH_ROWS }, async (batch, start, end) => {
        const readers = columnReaders(batch);
        const values: unknown[][] = [];
        for (let i = start; i < end; i++) values.push(readers.map((r) => bindValue(r.kind, r.read(i))));
        // An array of parameter arrays executes as one batch round trip.
        await call((cb) => stmt.exec(values, cb));
      });
    } finally {
      stmt.drop(() => undefined);
    }
  }

  async close(): Promise<void> {
    await call((cb) => this.client.disconnect(cb)).catch(() => undefined);
    this.client.close();
  }
}

function bindValue(kind: CellKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'integer' && typeof value === 'bigint') return value.toString();
  if (kind === 'binary') return Buffer.from(value as Uint8Array);
  return value;
}
