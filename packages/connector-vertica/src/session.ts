/**
 * The vertica-nodejs glue: queries in array-row mode into Arrow batches, and writes through
 * `COPY … FROM LOCAL STDIN` fed from memory (Vertica's bulk-load path), inside the caller's
 * transaction (`NO COMMIT`).
 */
import { Readable } from 'node:stream';
import type { RecordBatch, Schema } from 'apache-arrow';
import { ANSI_QUOTES, quoteIdentifier, type JdbcBulkInsertOptions, type JdbcBulkInsertResult, type JdbcSession } from '@sparkle/core';
import { batchByteLength } from '@sparkle/engine-local';
import { columnReaders, type CellKind, type ColumnReader } from '@sparkle/engine-local';
import { rowPagesToBatches, type ColumnDescription } from '@sparkle/engine-local';

/* Structural views of vertica-nodejs (no dependency on its types). */
export interface VerticaField {
  name: string;
  dataTypeID: number;
  dataTypeModifier?: number;
}
export interface VerticaClientLike {
  connect(): Promise<void>;
  query(config: { text: string; values?: unknown[]; rowMode?: 'array'; copyStream?: Readable }): Promise<{ rows: unknown[]; fields: VerticaField[]; rowCount: number | null }>;
  end(): Promise<void>;
}

export const DEFAULT_FETCH_ROWS = 10_000;

/** Vertica's protocol type ids → type names. */
export const VERTICA_TYPE_IDS: Record<number, string> = {
  5: 'BOOLEAN',
  6: 'BIGINT',
  7: 'FLOAT',
  8: 'CHAR',
  9: 'VARCHAR',
  10: 'DATE',
  11: 'TIME',
  12: 'TIMESTAMP',
  13: 'TIMESTAMPTZ',
  14: 'INTERVAL',
  15: 'TIMETZ',
  16: 'NUMERIC',
  17: 'VARBINARY',
  20: 'UUID',
  115: 'LONG VARCHAR',
  116: 'LONG VARBINARY',
  117: 'BINARY',
};

export function describeVerticaField(f: VerticaField): ColumnDescription {
  const typeName = VERTICA_TYPE_IDS[f.dataTypeID] ?? 'VARCHAR';
  let precision: number | undefined;
  let scale: number | undefined;
  if (typeName === 'NUMERIC' && f.dataTypeModifier && f.dataTypeModifier > 4) {
    const m = f.dataTypeModifier - 4;
    precision = (m >> 16) & 0xffff;
    scale = m & 0xffff;
    if (precision < 1 || precision > 38 || scale > precision) precision = scale = undefined;
  }
  return { name: f.name, typeName, precision, scale };
}

/** One COPY field: unenclosed empty is NULL, text is enclosed with `"` and `\` escapes. */
function copyField(kind: CellKind, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (kind === 'binary') return Buffer.from(value as Uint8Array).toString('hex');
  if (kind === 'boolean') return value ? 't' : 'f';
  const text = typeof value === 'string' ? value : String(value);
  return `"${text.replace(/[\\"\t\n\r]/g, (c) => `\\${c}`)}"`;
}

export class VerticaSession implements JdbcSession {
  constructor(private readonly client: VerticaClientLike) {}

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const size = options.fetchSize ?? DEFAULT_FETCH_ROWS;
    // vertica-nodejs has no cursor: the result arrives whole, then converts in batches.
    const result = await this.client.query({ text: sql, values: params.length ? [...params] : undefined, rowMode: 'array' });
    options.signal.throwIfAborted();
    const columns = result.fields.map(describeVerticaField);
    yield* rowPagesToBatches(columns, (async function* () {
      yield result.rows as unknown[][];
    })(), size);
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const result = await this.client.query({ text: sql, values: params.length ? [...params] : undefined });
    return result.rows as Array<Record<string, unknown>>;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.client.query({ text: sql, values: params.length ? [...params] : undefined });
    return result.rowCount ?? 0;
  }

  async bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult> {
    let readers: ColumnReader[] = [];
    // Binary columns travel as hex text.
    const cols = schema.fields.map((f) => `${quoteIdentifier(f.name, ANSI_QUOTES)}${String(f.type).includes('Binary') ? " FORMAT 'hex'" : ''}`);
    let rows = 0;
    let bytes = 0;
    async function* lines(): AsyncGenerator<Buffer> {
      for await (const batch of batches) {
        options.signal.throwIfAborted();
        if (!batch.numRows) continue;
        readers = columnReaders(batch);
        let text = '';
        for (let i = 0; i < batch.numRows; i++) text += `${readers.map((r) => copyField(r.kind, r.read(i))).join('\t')}\n`;
        rows += batch.numRows;
        bytes += batchByteLength(batch);
        options.onRows(batch.numRows, batchByteLength(batch));
        yield Buffer.from(text, 'utf8');
      }
    }
    await this.client.query({
      text: `COPY ${quotedTable} (${cols.join(', ')}) FROM LOCAL STDIN DELIMITER E'\\t' ENCLOSED BY '"' ESCAPE AS E'\\\\' NULL '' RECORD TERMINATOR E'\\n' ABORT ON ERROR NO COMMIT`,
      copyStream: Readable.from(lines()),
    });
    return { rows, bytes };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
