/**
 * The chunking loop of array-bind bulk inserts, shared by JDBC sessions: a driver that inserts
 * N rows per round trip (ibm_db `query({ rows })`, oracledb `executeMany`, teradatasql
 * `executemany`, hdb batch `exec`, mssql `bulk`) supplies only the round trip.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { JdbcBulkInsertOptions, JdbcBulkInsertResult } from './jdbc.js';
import { quoteIdentifier, type IdentifierStyle } from './sql.js';

/** What `JdbcSession.bulkInsert` receives, plus the connector's rows per round trip when the write set no `batchSize`. */
export interface ChunkInsertOptions extends JdbcBulkInsertOptions {
  defaultChunkRows: number;
}

/**
 * `INSERT INTO <table> (<every column of schema>) VALUES (<one placeholder each>)`, the statement
 * an array-bind insert prepares. Placeholders are `?` unless `placeholder` numbers them.
 *
 * @example
 * ```ts
 * parameterizedInsertSql('"APP"."T"', schema, ANSI_QUOTES);                     // INSERT INTO "APP"."T" ("id", "name") VALUES (?, ?)
 * parameterizedInsertSql('"APP"."T"', schema, ANSI_QUOTES, (i) => `:${i + 1}`); // … VALUES (:1, :2)
 * ```
 */
export function parameterizedInsertSql(quotedTable: string, schema: Schema, quote: IdentifierStyle, placeholder: (index: number) => string = () => '?'): string {
  const columns = schema.fields.map((f) => quoteIdentifier(f.name, quote));
  return `INSERT INTO ${quotedTable} (${columns.join(', ')}) VALUES (${columns.map((_, i) => placeholder(i)).join(', ')})`;
}

/**
 * Feeds `batches` to `insertChunk` in row ranges of at most `batchSize` rows, checking the
 * signal before each round trip and reporting progress after it. Empty batches are skipped.
 * Bytes are each batch's Arrow size shared evenly over its rows.
 *
 * @returns the rows inserted and their (rounded) Arrow bytes.
 * @example
 * ```ts
 * return insertInChunks(batches, { ...options, defaultChunkRows: 5_000 }, async (batch, start, end) => {
 *   const readers = columnReaders(batch);
 *   const rows = [];
 *   for (let i = start; i < end; i++) rows.push(readers.map((r) => r.read(i)));
 *   await conn.executeMany(insertSql, rows);
 * });
 * ```
 */
export async function insertInChunks(
  batches: AsyncIterable<RecordBatch>,
  options: ChunkInsertOptions,
  insertChunk: (batch: RecordBatch, start: number, end: number) => Promise<void>,
): Promise<JdbcBulkInsertResult> {
  const chunk = options.batchSize ?? options.defaultChunkRows;
  let rows = 0;
  let bytes = 0;
  for await (const batch of batches) {
    if (!batch.numRows) continue;
    const perRow = batch.data.byteLength / batch.numRows;
    for (let start = 0; start < batch.numRows; start += chunk) {
      options.signal.throwIfAborted();
      const end = Math.min(batch.numRows, start + chunk);
      await insertChunk(batch, start, end);
      rows += end - start;
      bytes += perRow * (end - start);
      options.onRows(end - start, Math.round(perRow * (end - start)));
    }
  }
  return { rows, bytes: Math.round(bytes) };
}
