/**
 * The oracledb (thin mode) glue: result sets fetched in `fetchArraySize` chunks into Arrow
 * batches, `executeMany` array binds for writes, and a rename journal so BEGIN … ROLLBACK
 * can undo a table swap although Oracle commits DDL implicitly.
 */
import { Schema, type RecordBatch } from 'apache-arrow';
import { ANSI_QUOTES, insertInChunks, parameterizedInsertSql, quoteIdentifier, RenameJournal, splitQualifiedName, type JdbcBulkInsertOptions, type JdbcBulkInsertResult, type JdbcSession } from '@sparkle/core';
import { RowBatchBuilder, emptyBatch } from '@sparkle/engine-local';
import { columnReaders, type CellKind } from '@sparkle/engine-local';
import { arrowFieldOfOracle, type OracleColumn } from './types.js';

/** The parts of an oracledb connection this session uses (kept structural: no driver types needed). */
export interface OracleDriverConnection {
  execute(sql: string, binds?: unknown, options?: Record<string, unknown>): Promise<{ rows?: unknown[][]; rowsAffected?: number; metaData?: OracleColumn[]; resultSet?: OracleResultSet }>;
  executeMany(sql: string, binds: unknown[][], options?: Record<string, unknown>): Promise<{ rowsAffected?: number }>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
  break?(): Promise<void>;
}

export interface OracleResultSet {
  metaData: OracleColumn[];
  getRows(n: number): Promise<unknown[][]>;
  close(): Promise<void>;
}

/** Constants of the oracledb module the session needs. */
export interface OracleDriverConstants {
  OUT_FORMAT_ARRAY: number;
  OUT_FORMAT_OBJECT: number;
  DB_TYPE_NUMBER: unknown;
  DB_TYPE_BINARY_DOUBLE: unknown;
  DB_TYPE_VARCHAR: unknown;
  DB_TYPE_DATE: unknown;
  DB_TYPE_TIMESTAMP: unknown;
  DB_TYPE_TIMESTAMP_TZ: unknown;
  DB_TYPE_RAW: unknown;
  DB_TYPE_CLOB: unknown;
  DB_TYPE_BLOB: unknown;
  STRING: unknown;
  BUFFER: unknown;
}

/** Rows per Arrow batch (and per fetch round trip) without a fetch size. */
export const DEFAULT_FETCH_ROWS = 10_000;
/** Rows per `executeMany` call without a batch size. */
export const DEFAULT_BATCH_ROWS = 5_000;

const RENAME = /^ALTER TABLE (.+?) RENAME TO (.+)$/s;
const DROP_IF_EXISTS = /^DROP TABLE IF EXISTS (.+)$/is;

/** `YYYY-MM-DD HH24:MI:SS.FF6[ TZH:TZM]` (the session's NLS formats) → epoch ms. */
export function oracleTimestampToMs(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?(?: ([+-]\d{2}:\d{2}))?$/.exec(text.trim());
  if (!m) return Date.parse(text);
  return Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4] ?? 'Z'}`);
}

export class OracleSession implements JdbcSession {
  /** Oracle commits DDL on its own: renames inside BEGIN … ROLLBACK are undone from here. */
  private readonly journal = new RenameJournal<{ from: string[]; to: string }>();

  constructor(
    private readonly conn: OracleDriverConnection,
    private readonly driver: OracleDriverConstants,
  ) {}

  /** Fetch everything exactly: NUMBER, dates and LOBs as text or bytes, converted here. */
  private fetchTypeHandler = (meta: { dbType?: unknown }): { type: unknown } | undefined => {
    const d = this.driver;
    if (meta.dbType === d.DB_TYPE_NUMBER || meta.dbType === d.DB_TYPE_DATE || meta.dbType === d.DB_TYPE_TIMESTAMP || meta.dbType === d.DB_TYPE_TIMESTAMP_TZ || meta.dbType === d.DB_TYPE_CLOB) {
      return { type: d.STRING };
    }
    if (meta.dbType === d.DB_TYPE_BLOB) return { type: d.BUFFER };
    return undefined;
  };

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const size = options.fetchSize ?? DEFAULT_FETCH_ROWS;
    const result = await this.conn.execute(sql, [...params], {
      resultSet: true,
      outFormat: this.driver.OUT_FORMAT_ARRAY,
      fetchArraySize: Math.min(size, 10_000),
      fetchTypeHandler: this.fetchTypeHandler,
    });
    const rs = result.resultSet;
    if (!rs) {
      yield emptyBatch(new Schema([]));
      return;
    }
    const onAbort = () => void this.conn.break?.().catch(() => undefined);
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const schema = new Schema(rs.metaData.map(arrowFieldOfOracle));
      const convert = schema.fields.map((f) => converterFor(String(f.type)));
      const builder = new RowBatchBuilder(schema);
      let emitted = false;
      for (;;) {
        options.signal.throwIfAborted();
        const rows = await rs.getRows(size);
        for (const row of rows) builder.append(row.map((v, i) => (v === null || v === undefined ? null : convert[i]!(v))));
        if (builder.length >= size || (rows.length === 0 && (builder.length > 0 || !emitted))) {
          emitted = true;
          yield builder.flush();
        }
        if (rows.length < size) {
          if (builder.length > 0) yield builder.flush();
          return;
        }
      }
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      await rs.close().catch(() => undefined);
    }
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const result = await this.conn.execute(sql, [...params], { outFormat: this.driver.OUT_FORMAT_OBJECT });
    // Oracle reports unquoted aliases in upper case; the JDBC base reads lower-case keys (lo, hi, schema_name, …).
    return (result.rows ?? []).map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row as unknown as Record<string, unknown>)) out[k.toLowerCase()] = v;
      return out;
    });
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const text = sql.trim();
    const upper = text.toUpperCase();
    if (upper === 'BEGIN') {
      this.journal.begin();
      return 0;
    }
    if (upper === 'COMMIT') {
      this.journal.commit();
      await this.conn.commit();
      return 0;
    }
    if (upper === 'ROLLBACK') {
      await this.conn.rollback();
      await this.journal.rollback(({ from, to }) => {
        const renamed = [...from.slice(0, -1), to].map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.');
        return this.conn.execute(`ALTER TABLE ${renamed} RENAME TO ${quoteIdentifier(from[from.length - 1]!, ANSI_QUOTES)}`);
      });
      return 0;
    }
    const dropIfExists = DROP_IF_EXISTS.exec(text);
    if (dropIfExists) {
      // IF EXISTS arrived in 23ai only: drop and ignore ORA-00942 (table or view does not exist).
      try {
        await this.conn.execute(`DROP TABLE ${dropIfExists[1]} PURGE`);
      } catch (error) {
        if (!String((error as Error).message).includes('ORA-00942')) throw error;
      }
      return 0;
    }
    const result = await this.conn.execute(text, [...params]);
    const rename = RENAME.exec(text);
    if (rename) this.journal.record({ from: splitQualifiedName(rename[1]!.trim(), ANSI_QUOTES), to: splitQualifiedName(rename[2]!.trim(), ANSI_QUOTES).pop()! });
    return result.rowsAffected ?? 0;
  }

  async bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult> {
    const sql = parameterizedInsertSql(quotedTable, schema, ANSI_QUOTES, (i) => `:${i + 1}`);
    return insertInChunks(batches, { ...options, defaultChunkRows: DEFAULT_BATCH_ROWS }, async (batch, start, end) => {
      const readers = columnReaders(batch);
      const binds: unknown[][] = [];
      for (let i = start; i < end; i++) binds.push(readers.map((r) => bindValue(r.kind, r.read(i))));
      await this.conn.executeMany(sql, binds, { autoCommit: false, bindDefs: this.bindDefs(readers.map((r) => r.kind), binds) });
    });
  }

  /** Explicit bind types, so a chunk starting with NULLs still binds the right type. */
  private bindDefs(kinds: CellKind[], binds: unknown[][]): Array<Record<string, unknown>> {
    const d = this.driver;
    return kinds.map((kind, c) => {
      if (kind === 'integer' || kind === 'boolean') return { type: d.DB_TYPE_NUMBER };
      if (kind === 'float') return { type: d.DB_TYPE_BINARY_DOUBLE };
      let max = 1;
      for (const row of binds) {
        const v = row[c];
        if (v !== null && v !== undefined) max = Math.max(max, (v as { length: number }).length * (kind === 'binary' ? 1 : 4));
      }
      return kind === 'binary' ? { type: d.DB_TYPE_RAW, maxSize: max } : { type: d.DB_TYPE_VARCHAR, maxSize: max };
    });
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

function converterFor(type: string): (v: unknown) => unknown {
  if (type.startsWith('Timestamp')) return (v) => (typeof v === 'string' ? oracleTimestampToMs(v) : v);
  if (type === 'Int64') return (v) => BigInt(String(v));
  if (type === 'Bool') return (v) => v === true || v === 1 || v === '1';
  if (type.startsWith('Float')) return (v) => Number(v);
  return (v) => v;
}

/**
 * Cell → bind value. Decimals, dates and timestamps go as text that Oracle converts with the
 * session's NLS formats (set at connect, UTC), so no client time zone can shift them.
 */
function bindValue(kind: CellKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'integer':
      return typeof value === 'bigint' && Number.isSafeInteger(Number(value)) ? Number(value) : value;
    case 'boolean':
      return value ? 1 : 0;
    case 'float':
      return value;
    case 'binary':
      return Buffer.from(value as Uint8Array);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}
