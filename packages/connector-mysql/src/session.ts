/**
 * The mysql2 glue behind a MySQL-protocol connection: streamed reads into Arrow batches and
 * two bulk write paths (`LOAD DATA LOCAL INFILE` fed from memory, or multi-row INSERT).
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import type { RecordBatch, Schema } from 'apache-arrow';
import { Schema as ArrowSchema } from 'apache-arrow';
import { abortError, type JdbcSession } from '@sparkle/core';
import { batchFromBuilders, cellReader, columnBuilder, emptyBatch, type Cell, type ColumnBuilder } from '@sparkle/engine-local';
import type { Connection as PromiseConnectionLike } from 'mysql2/promise';
import { quoteMysql } from './dialect.js';
import { arrowFieldOfColumn, type MysqlColumn } from './types.js';

/** How rows reach the server in `bulkInsert`. */
export type MysqlBulkLoad = 'load-data' | 'insert';

/** Rows per Arrow batch when the caller gives no fetch size. */
export const DEFAULT_BATCH_ROWS = 16_384;

/** Server errors meaning `LOAD DATA LOCAL` is disabled: fall back to INSERT. */
// 1148 (MySQL, old MariaDB), 3948/3950 (MySQL 8), 4166 (MariaDB 10.5+).
const LOCAL_INFILE_DISABLED = new Set([1148, 3948, 3950, 4166, 'ER_NOT_ALLOWED_COMMAND', 'ER_CLIENT_LOCAL_FILES_DISABLED', 'ER_LOAD_INFILE_CAPABILITY_DISABLED']);

type Mysql2Core = {
  query(options: { sql: string; values?: unknown; rowsAsArray?: boolean; infileStreamFactory?: (path: string) => Readable }): {
    stream(options?: { highWaterMark?: number }): Readable;
  };
  escape(value: unknown): string;
  stream: import('node:net').Socket;
  destroy(): void;
};

export class MysqlSession implements JdbcSession {
  /** Set when a read was abandoned mid-result: the connection cannot be reused cleanly. */
  private broken = false;

  constructor(
    private readonly conn: PromiseConnectionLike,
    private readonly options: { bulkLoad: MysqlBulkLoad; maxAllowedPacket: number; connector: string },
  ) {}

  private get core(): Mysql2Core {
    return (this.conn as unknown as { connection: Mysql2Core }).connection;
  }

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const batchRows = options.fetchSize ?? DEFAULT_BATCH_ROWS;
    const stream = this.core.query({ sql, values: params.length ? [...params] : undefined, rowsAsArray: true }).stream({ highWaterMark: Math.min(batchRows, 2048) });
    let schema: Schema | undefined;
    let builders: ColumnBuilder[] = [];
    stream.on('fields', (fields: MysqlColumn[] | undefined) => {
      if (!fields || schema) return;
      schema = new ArrowSchema(fields.map(arrowFieldOfColumn));
      builders = schema.fields.map(columnBuilder);
    });
    const onAbort = () => {
      this.broken = true;
      stream.destroy(abortError(options.signal, 'read', this.options.connector));
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    let yielded = false;
    let finished = false;
    try {
      options.signal.throwIfAborted();
      for await (const rows of drainRows(stream)) {
        for (const row of rows) {
          for (let c = 0; c < builders.length; c++) builders[c]!.append(row[c]);
          if (builders[0]!.length >= batchRows) {
            yielded = true;
            yield batchFromBuilders(schema!, builders);
          }
        }
      }
      finished = true;
      if (schema && (builders[0]?.length || !yielded)) yield batchFromBuilders(schema, builders);
      else if (!schema) yield emptyBatch(new ArrowSchema([]));
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      if (!finished) {
        // The consumer stopped early: the rest of the result would still stream in.
        this.broken = true;
        stream.destroy();
      }
    }
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const [rows] = await this.conn.query({ sql, values: params.length ? [...params] : undefined });
    return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const [result] = await this.conn.query({ sql, values: params.length ? [...params] : undefined });
    return typeof (result as { affectedRows?: unknown }).affectedRows === 'number' ? (result as { affectedRows: number }).affectedRows : 0;
  }

  async bulkInsert(
    quotedTable: string,
    schema: Schema,
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; batchSize?: number; onRows: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }> {
    if (this.options.bulkLoad === 'insert') return this.insertRows(quotedTable, schema, batches, options);
    // Probe LOAD DATA with the first batch only when the server may refuse it; a refusal comes
    // before any row is sent, so falling back to INSERT loses nothing.
    const iterator = batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    const rest: AsyncIterable<RecordBatch> = {
      [Symbol.asyncIterator]: () => iterator,
    };
    const all = (async function* () {
      if (!first.done) yield first.value;
      yield* rest;
    })();
    const progress = { started: false };
    try {
      return await this.loadData(quotedTable, schema, all, options, progress);
    } catch (error) {
      const code = (error as { errno?: number; code?: string }).errno ?? (error as { code?: string }).code;
      if (code !== undefined && LOCAL_INFILE_DISABLED.has(code) && !progress.started) {
        const again = (async function* () {
          if (!first.done) yield first.value;
          yield* rest;
        })();
        return this.insertRows(quotedTable, schema, again, options);
      }
      throw error;
    }
  }

  /** `LOAD DATA LOCAL INFILE` fed by a generated tab-separated stream, with socket backpressure. */
  private async loadData(
    quotedTable: string,
    schema: Schema,
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; onRows: (rows: number, bytes: number) => void },
    progress: { started: boolean },
  ): Promise<{ rows: number; bytes: number }> {
    const targets: string[] = [];
    const sets: string[] = [];
    schema.fields.forEach((f, i) => {
      const column = quoteMysql([f.name]);
      if (isBinaryField(f.type)) {
        targets.push(`@sparkle_v${i}`);
        sets.push(`${column} = UNHEX(@sparkle_v${i})`);
      } else targets.push(column);
    });
    const sql =
      `LOAD DATA LOCAL INFILE 'sparkle-arrow-stream' INTO TABLE ${quotedTable} CHARACTER SET utf8mb4` +
      ` FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${targets.join(', ')})` +
      (sets.length ? ` SET ${sets.join(', ')}` : '');
    const socket = this.core.stream;
    let rows = 0;
    let bytes = 0;
    async function* tsv(): AsyncGenerator<Buffer> {
      progress.started = true;
      for await (const batch of batches) {
        options.signal.throwIfAborted();
        const readers = batch.schema.fields.map((_, c) => cellReader(batch.getChildAt(c)!));
        const binary = batch.schema.fields.map((f) => isBinaryField(f.type));
        let text = '';
        for (let r = 0; r < batch.numRows; r++) {
          for (let c = 0; c < readers.length; c++) {
            if (c) text += '\t';
            text += tsvField(readers[c]!(r), binary[c]!);
          }
          text += '\n';
          if (text.length > 1 << 20) {
            const chunk = Buffer.from(text, 'utf8');
            bytes += chunk.length;
            text = '';
            yield chunk;
            if (socket.writableNeedDrain) await once(socket, 'drain');
          }
        }
        if (text) {
          const chunk = Buffer.from(text, 'utf8');
          bytes += chunk.length;
          yield chunk;
          if (socket.writableNeedDrain) await once(socket, 'drain');
        }
        rows += batch.numRows;
        options.onRows(batch.numRows, 0);
      }
    }
    const [result] = await this.conn.query({ sql, infileStreamFactory: () => Readable.from(tsv(), { objectMode: false }) } as never);
    const affected = (result as { affectedRows?: number }).affectedRows;
    if (typeof affected === 'number' && affected !== rows) {
      throw new Error(`LOAD DATA stored ${affected} of ${rows} rows (check for rejected values or duplicate keys)`);
    }
    return { rows, bytes };
  }

  /** Multi-row INSERT statements, each kept under the server's max_allowed_packet. */
  private async insertRows(
    quotedTable: string,
    schema: Schema,
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; batchSize?: number; onRows: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }> {
    const head = `INSERT INTO ${quotedTable} (${schema.fields.map((f) => quoteMysql([f.name])).join(', ')}) VALUES `;
    const maxBytes = Math.max(64 * 1024, Math.min(this.options.maxAllowedPacket - 1024, 8 << 20));
    const maxRows = options.batchSize ?? 10_000;
    const core = this.core;
    let rows = 0;
    let bytes = 0;
    let values: string[] = [];
    let size = head.length;
    const flush = async () => {
      if (!values.length) return;
      const sql = head + values.join(',');
      await this.conn.query(sql);
      bytes += sql.length;
      options.onRows(values.length, sql.length);
      values = [];
      size = head.length;
    };
    for await (const batch of batches) {
      options.signal.throwIfAborted();
      const readers = batch.schema.fields.map((_, c) => cellReader(batch.getChildAt(c)!));
      for (let r = 0; r < batch.numRows; r++) {
        let tuple = '(';
        for (let c = 0; c < readers.length; c++) {
          if (c) tuple += ',';
          tuple += sqlLiteral(readers[c]!(r), core);
        }
        tuple += ')';
        if (size + tuple.length + 1 > maxBytes || values.length >= maxRows) await flush();
        values.push(tuple);
        size += tuple.length + 1;
        rows++;
      }
    }
    await flush();
    return { rows, bytes };
  }

  async close(): Promise<void> {
    if (this.broken) {
      this.conn.destroy();
      return;
    }
    await this.conn.end().catch(() => this.conn.destroy());
  }
}

/**
 * Rows of an object-mode stream in arrays: everything buffered is taken synchronously, so the
 * per-row cost of async iteration is paid once per buffer instead of once per row.
 */
async function* drainRows(stream: Readable): AsyncGenerator<unknown[][]> {
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('readable', signal);
  stream.on('end', () => {
    ended = true;
    signal();
  });
  stream.on('close', () => {
    ended = true;
    signal();
  });
  stream.on('error', (error: unknown) => {
    failure = error;
    signal();
  });
  for (;;) {
    const rows: unknown[][] = [];
    let row: unknown[] | null;
    while ((row = stream.read() as unknown[] | null) !== null) rows.push(row);
    if (rows.length) yield rows;
    if (failure) throw failure;
    if (ended || stream.readableEnded) {
      if (failure) throw failure;
      return;
    }
    if (!rows.length) await new Promise<void>((resolve) => (wake = resolve));
  }
}

function isBinaryField(type: { typeId: number }): boolean {
  // Binary, LargeBinary, FixedSizeBinary
  return type.typeId === 4 || type.typeId === 19 || type.typeId === 15;
}

/** One field of LOAD DATA's tab-separated text (escape char `\`, `\N` for NULL). */
function tsvField(value: Cell, binary: boolean): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`MySQL cannot store ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (binary) return Buffer.from(value, 'utf8').toString('hex');
  return escapeTsv(value);
}

const TSV_SPECIAL = /[\\\t\n\r\0]/;

function escapeTsv(text: string): string {
  if (!TSV_SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r\0]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\0'));
}

function sqlLiteral(value: Cell, core: Mysql2Core): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`MySQL cannot store ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `X'${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'`;
  return core.escape(value);
}
