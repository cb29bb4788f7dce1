/**
 * The teradatasql glue: `executeAsync` + `fetchmany` pages into Arrow batches, `executemanyAsync`
 * batches for writes (optionally FastLoad through `{fn teradata_try_fastload}`), explicit
 * transactions by turning autocommit off, and a rename journal for undoing a failed swap.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { ANSI_QUOTES, ConnectionFailedError, fetchPages, insertInChunks, parameterizedInsertSql, RenameJournal, type JdbcBulkInsertOptions, type JdbcBulkInsertResult, type JdbcSession } from '@sparkle/core';
import { columnReaders, type CellKind } from '@sparkle/engine-local';
import { rowPagesToBatches, type ColumnDescription } from '@sparkle/engine-local';

/* Structural views of teradatasql (no dependency on its types). */
export interface TeradataCursorLike {
  readonly description: unknown[][] | null;
  readonly columntypename?: string[] | null;
  readonly rowcount: bigint | number;
  executeAsync(sql: string, params?: unknown[]): Promise<void>;
  executemanyAsync(sql: string, rows: unknown[][]): Promise<void>;
  fetchmany(n?: number): unknown[][];
  close(): void;
}
export interface TeradataConnectionLike {
  autocommit: boolean;
  cursor(): TeradataCursorLike;
  commit(): void;
  rollback(): void;
  cancel(): void;
  closeAsync(): Promise<void>;
}

export const DEFAULT_FETCH_ROWS = 10_000;
export const DEFAULT_BATCH_ROWS = 10_000;

const RENAME = /^RENAME TABLE (.+?) TO (.+)$/is;
const DDL = /^(CREATE|DROP|RENAME|ALTER)\b/i;
const DROP_IF_EXISTS = /^DROP TABLE IF EXISTS (.+)$/is;

/**
 * teradatasql errors carry the database's error number only in their message (`[Error 8017]`);
 * this puts it on `code` so Sparkle's classifier can tell bad credentials from retryable faults.
 */
export function normalizeTeradataError(error: unknown, connector: string): unknown {
  if (!(error instanceof Error)) return error;
  const first = error.message.split('\n')[0] ?? '';
  if (/Failed to connect|connection refused|no such host|i\/o timeout|connection reset/i.test(first) && !/\[Error \d+\]/.test(first)) {
    return new ConnectionFailedError(`Cannot reach the Teradata server: ${first}`, { connector, cause: error });
  }
  const code = /\[Error (\d+)\]/.exec(error.message)?.[1];
  if (code && (error as { code?: unknown }).code === undefined) Object.defineProperty(error, 'code', { value: Number(code), enumerable: true });
  return error;
}

export class TeradataSession implements JdbcSession {
  /** Teradata commits DDL on its own: renames inside BT … ROLLBACK are undone from here. */
  private readonly journal = new RenameJournal<{ from: string; to: string }>();

  constructor(
    private readonly conn: TeradataConnectionLike,
    private readonly options: { connector: string; fastLoad?: boolean },
  ) {}

  private async run<T>(fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw normalizeTeradataError(error, this.options.connector);
    }
  }

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const size = options.fetchSize ?? DEFAULT_FETCH_ROWS;
    const cur = this.conn.cursor();
    const onAbort = () => this.conn.cancel();
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.run(() => cur.executeAsync(sql, params.length ? [...params] : undefined));
      const typeNames = cur.columntypename ?? [];
      const columns: ColumnDescription[] = (cur.description ?? []).map((d, i) => ({
        name: String(d[0]),
        typeName: String(typeNames[i] ?? d[1] ?? 'VARCHAR'),
        precision: typeof d[4] === 'number' ? d[4] : undefined,
        scale: typeof d[5] === 'number' ? d[5] : undefined,
        nullable: d[6] === undefined ? true : Boolean(d[6]),
      }));
      const pages = fetchPages((n) => this.run(() => cur.fetchmany(n)), size, options.signal);
      yield* rowPagesToBatches(columns, pages, size);
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      cur.close();
    }
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const cur = this.conn.cursor();
    try {
      await this.run(() => cur.executeAsync(sql, params.length ? [...params] : undefined));
      const names = (cur.description ?? []).map((d) => String(d[0]).toLowerCase());
      const rows: Array<Record<string, unknown>> = [];
      for (;;) {
        const page = await this.run(() => cur.fetchmany(1000));
        if (!page.length) break;
        for (const row of page) rows.push(Object.fromEntries(names.map((n, i) => [n, typeof row[i] === 'bigint' && Number.isSafeInteger(Number(row[i])) ? Number(row[i]) : row[i]])));
      }
      return rows;
    } finally {
      cur.close();
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const text = sql.trim();
    const upper = text.toUpperCase();
    if (upper === 'BT') {
      this.conn.autocommit = false;
      this.journal.begin();
      return 0;
    }
    if (upper === 'ET') {
      await this.run(() => this.conn.commit());
      this.conn.autocommit = true;
      this.journal.commit();
      return 0;
    }
    if (upper === 'ROLLBACK') {
      await this.run(() => this.conn.rollback());
      this.conn.autocommit = true;
      await this.journal.rollback(({ from, to }) => this.statement(`RENAME TABLE ${to} TO ${from}`, []));
      return 0;
    }
    const drop = DROP_IF_EXISTS.exec(text);
    if (drop) {
      // No IF EXISTS in Teradata: ignore error 3807 (object does not exist).
      try {
        await this.statement(`DROP TABLE ${drop[1]}`, []);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 3807) throw error;
      }
      return 0;
    }
    const count = await this.statement(text, params);
    // Teradata closes a transaction at a DDL statement: commit it and keep the journal for undo.
    if (DDL.test(text) && !this.conn.autocommit) await this.run(() => this.conn.commit());
    const rename = RENAME.exec(text);
    if (rename) this.journal.record({ from: rename[1]!.trim(), to: rename[2]!.trim() });
    return count;
  }

  private async statement(sql: string, params: readonly unknown[]): Promise<number> {
    const cur = this.conn.cursor();
    try {
      await this.run(() => cur.executeAsync(sql, params.length ? [...params] : undefined));
      return Number(cur.rowcount ?? 0);
    } finally {
      cur.close();
    }
  }

  async bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult> {
    const insert = parameterizedInsertSql(quotedTable, schema, ANSI_QUOTES);
    const sql = this.options.fastLoad ? `{fn teradata_try_fastload}${insert}` : insert;
    const cur = this.conn.cursor();
    try {
      return await insertInChunks(batches, { ...options, defaultChunkRows: DEFAULT_BATCH_ROWS }, async (batch, start, end) => {
        const readers = columnReaders(batch);
        const values: unknown[][] = [];
        for (let i = start; i < end; i++) values.push(readers.map((r) => bindValue(r.kind, r.read(i))));
        await this.run(() => cur.executemanyAsync(sql, values));
      });
    } finally {
      cur.close();
    }
  }

  async close(): Promise<void> {
    await this.conn.closeAsync();
  }
}

/** Cell → bind value: booleans as 1/0 (BYTEINT), binary as Uint8Array, text forms for the rest. */
function bindValue(kind: CellKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'boolean') return value ? 1 : 0;
  if (kind === 'integer' && typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  return value;
}
