/**
 * The mssql (tedious) glue: streamed reads in array-row mode with back pressure into Arrow
 * batches, the TDS bulk-load path (`Request.bulk`) for writes, and BEGIN/COMMIT/ROLLBACK as an
 * mssql Transaction so every statement of a write runs on the transaction's connection.
 */
import { Schema, type RecordBatch } from 'apache-arrow';
import { abortError, insertInChunks, sqlKindOf, type JdbcBulkInsertOptions, type JdbcBulkInsertResult, type JdbcSession } from '@sparkle/core';
import { RowBatchBuilder } from '@sparkle/engine-local';
import type { Readable } from 'node:stream';
import { columnReaders, type CellKind } from '@sparkle/engine-local';
import { arrowFieldOfMssql, type MssqlColumn } from './types.js';

/* Structural views of the mssql module (no dependency on its types). */
export interface MssqlRequest {
  arrayRowMode: boolean;
  input(name: string, value: unknown): MssqlRequest;
  query(sql: string): Promise<{ recordset?: Array<Record<string, unknown>>; rowsAffected: number[] }>;
  bulk(table: unknown): Promise<{ rowsAffected: number }>;
  toReadableStream(options?: { highWaterMark?: number }): Readable;
  on(event: 'recordset', listener: (columns: MssqlColumn[] | Record<string, MssqlColumn>) => void): unknown;
  cancel(): void;
}
export interface MssqlTransaction {
  begin(isolationLevel?: number): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
export interface MssqlPool {
  request(): MssqlRequest;
  connect(): Promise<MssqlPool>;
  close(): Promise<void>;
}
export interface MssqlTable {
  create: boolean;
  columns: { add(name: string, type: unknown, options: { nullable: boolean }): void };
  rows: { add(...values: unknown[]): void };
}
export type MssqlTypeFactory = ((...args: unknown[]) => unknown) & Record<string, unknown>;
export interface MssqlModule {
  ConnectionPool: new (config: Record<string, unknown>) => MssqlPool;
  Request: new (parent: MssqlTransaction | MssqlPool) => MssqlRequest;
  Transaction: new (pool: MssqlPool) => MssqlTransaction;
  Table: new (name: string) => MssqlTable;
  MAX: number;
  ISOLATION_LEVEL: Record<string, number>;
  [type: string]: unknown;
}

export const DEFAULT_FETCH_ROWS = 10_000;
export const DEFAULT_BATCH_ROWS = 10_000;

const DROP_IF_EXISTS = /^DROP TABLE IF EXISTS (.+)$/is;

export class SqlServerSession implements JdbcSession {
  private tx: MssqlTransaction | undefined;

  constructor(
    private readonly pool: MssqlPool,
    private readonly mssql: MssqlModule,
    private readonly options: { connector: string; isolationLevel?: number },
  ) {}

  private request(params: readonly unknown[] = []): MssqlRequest {
    const req = this.tx ? new this.mssql.Request(this.tx) : this.pool.request();
    params.forEach((v, i) => req.input(`p${i + 1}`, v));
    return req;
  }

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const size = options.fetchSize ?? DEFAULT_FETCH_ROWS;
    const req = this.request(params);
    req.arrayRowMode = true;
    let columns: MssqlColumn[] | undefined;
    req.on('recordset', (c) => {
      columns ??= Array.isArray(c) ? c : Object.values(c);
    });
    const stream = req.toReadableStream({ highWaterMark: Math.min(size, 2048) });
    req.query(sql).catch(() => undefined); // failures arrive on the stream
    let done = false;
    const onAbort = () => stream.destroy(abortError(options.signal, 'read', this.options.connector));
    options.signal.addEventListener('abort', onAbort, { once: true });
    let builder: RowBatchBuilder | undefined;
    let convert: Array<(v: unknown) => unknown> = [];
    let emitted = false;
    try {
      for await (const row of stream as AsyncIterable<unknown[]>) {
        if (!builder) {
          const schema = new Schema((columns ?? []).map(arrowFieldOfMssql));
          builder = new RowBatchBuilder(schema);
          convert = (columns ?? []).map(converterFor);
        }
        builder.append(row.map((v, i) => (v === null || v === undefined ? null : convert[i]!(v))));
        if (builder.length >= size) {
          emitted = true;
          yield builder.flush();
        }
      }
      done = true;
      builder ??= new RowBatchBuilder(new Schema((columns ?? []).map(arrowFieldOfMssql)));
      if (builder.length > 0 || !emitted) yield builder.flush();
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      if (!done) {
        req.cancel();
        stream.destroy();
      }
    }
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const result = await this.request(params).query(sql);
    return result.recordset ?? [];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const text = sql.trim();
    const upper = text.toUpperCase();
    if (upper === 'BEGIN TRANSACTION') {
      const tx = new this.mssql.Transaction(this.pool);
      await tx.begin(this.options.isolationLevel);
      this.tx = tx;
      return 0;
    }
    if (upper === 'COMMIT TRANSACTION' || upper === 'ROLLBACK TRANSACTION') {
      const tx = this.tx;
      this.tx = undefined;
      if (tx) await (upper.startsWith('COMMIT') ? tx.commit() : tx.rollback());
      return 0;
    }
    const drop = DROP_IF_EXISTS.exec(text);
    // DROP … IF EXISTS needs SQL Server 2016; OBJECT_ID works on 2012 too.
    const statement = drop ? `IF OBJECT_ID(N'${drop[1]!.replace(/'/g, "''")}', N'U') IS NOT NULL DROP TABLE ${drop[1]}` : text;
    const result = await this.request(params).query(statement);
    return result.rowsAffected.reduce((a, b) => a + b, 0);
  }

  async bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult> {
    const types = schema.fields.map((f) => this.bulkType(f.type));
    return insertInChunks(batches, { ...options, defaultChunkRows: DEFAULT_BATCH_ROWS }, async (batch, start, end) => {
      const readers = columnReaders(batch);
      const table = new this.mssql.Table(quotedTable);
      table.create = false;
      schema.fields.forEach((f, i) => table.columns.add(f.name, types[i], { nullable: true }));
      for (let i = start; i < end; i++) table.rows.add(...readers.map((r) => bulkValue(r.kind, r.read(i))));
      await this.request().bulk(table);
    });
  }

  /** The mssql type of a column in the staging table's dialect types. */
  private bulkType(type: Parameters<typeof sqlKindOf>[0]): unknown {
    const m = this.mssql as unknown as Record<string, MssqlTypeFactory>;
    const { kind, precision, scale } = sqlKindOf(type);
    switch (kind) {
      case 'boolean':
        return m.Bit;
      case 'smallint':
        return m.SmallInt;
      case 'int':
        return m.Int;
      case 'bigint':
        return m.BigInt;
      case 'real':
        return m.Real;
      case 'double':
        return m.Float;
      case 'decimal':
        return m.Decimal!(precision ?? 38, scale ?? 0);
      case 'binary':
        return m.VarBinary!(this.mssql.MAX);
      case 'date':
        return m.Date;
      case 'timestamp':
        return m.DateTime2!(6);
      case 'timestamptz':
        return m.DateTimeOffset!(6);
      case 'time':
        return m.Time!(6);
      default:
        return m.NVarChar!(this.mssql.MAX);
    }
  }

  async close(): Promise<void> {
    if (this.tx) await this.tx.rollback().catch(() => undefined);
    await this.pool.close();
  }
}

function converterFor(column: MssqlColumn): (v: unknown) => unknown {
  const t = column.type?.declaration ?? '';
  if (t === 'time') return (v) => (v instanceof Date ? v.toISOString().slice(11, 23) : String(v));
  if (t === 'bigint') return (v) => BigInt(String(v));
  return (v) => v;
}

/** Cell → bulk value: times as UTC Dates (mssql runs with useUTC), the rest as they are. */
function bulkValue(kind: CellKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'timestamp':
      return new Date(`${String(value).replace(' ', 'T').slice(0, 23)}Z`);
    case 'date':
      return new Date(`${String(value)}T00:00:00Z`);
    case 'time':
      return new Date(`1970-01-01T${String(value).slice(0, 12)}Z`);
    case 'integer':
      return typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;
    case 'binary':
      return Buffer.from(value as Uint8Array);
    default:
      return value;
  }
}
