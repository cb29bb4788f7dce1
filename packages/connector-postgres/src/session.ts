/**
 * The node-postgres glue behind `PostgreSQLConnection`: one `pg.Client` per session, reads through
 * binary `COPY (query) TO STDOUT` decoded into Arrow, writes through binary `COPY … FROM STDIN`.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Client, FieldDef } from 'pg';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError, TimeoutError, type JdbcSession } from '@sparkle/core';
import { CopyBinaryDecoder } from './copy-decoder.js';
import { CopyBinaryEncoder, type TargetColumn } from './copy-encoder.js';
import { CopyOutQuery } from './copy-out.js';
import type { Drivers } from './deps.js';
import { inlineParams } from './params.js';
import { columnFor, PgOid, type PgColumn } from './pg-types.js';
import type { PgClientSettings } from './settings.js';

export const DEFAULT_FETCH_SIZE = 65_536;
/** Rows encoded between two socket flushes on the write path. */
const ENCODE_SLICE_ROWS = 8192;

/** Session options beyond the client settings. */
export interface PgSessionOptions {
  /** `SET search_path …` to run after connecting. */
  searchPath?: string;
  /** Re-applied with SET: servers behind poolers may ignore the startup parameter. */
  applicationName?: string;
  isolationLevel?: string;
  sessionInitStatement?: string;
}

/** Opens a client and prepares the session (isolation level, init statement). */
export async function openPgSession(drivers: Drivers, settings: PgClientSettings, options: PgSessionOptions): Promise<PgSession> {
  const client = new drivers.pg.Client(settings as never);
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    if (error instanceof Error && /timeout/i.test(error.message) && !(error as { code?: string }).code) {
      throw new TimeoutError(`connect to ${settings.host}:${settings.port} timed out after ${settings.connectionTimeoutMillis} ms`, { connector: 'postgres', cause: error });
    }
    throw error;
  }
  const session = new PgSession(drivers, client);
  try {
    // Literal inlining for COPY relies on standard strings (the server default since 9.1).
    const results = (await client.query('SET standard_conforming_strings = on; SELECT version() AS version')) as unknown as Array<{ rows: Array<{ version?: string }> }>;
    const version = results[1]?.rows[0]?.version ?? '';
    // PGlite behind its socket server cannot take COPY FROM STDIN: writes use INSERT there.
    session.copyIn = !/PGlite/i.test(version);
    if (options.searchPath) await client.query(options.searchPath);
    if (options.applicationName) await client.query({ text: "SELECT set_config('application_name', $1, false)", values: [options.applicationName] });
    if (options.isolationLevel && options.isolationLevel !== 'NONE') {
      await client.query(`SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${options.isolationLevel.replace(/_/g, ' ')}`);
    }
    if (options.sessionInitStatement) await client.query(options.sessionInitStatement);
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

/** Row values for small metadata queries: exact text for numeric/dates, BigInt for int8. */
function metadataTypes(drivers: Drivers) {
  const { types } = drivers.pg;
  return {
    getTypeParser(oid: number, format?: string) {
      switch (oid) {
        case PgOid.int8:
          return (v: string) => BigInt(v);
        case PgOid.numeric:
        case PgOid.date:
        case PgOid.timestamp:
          return (v: string) => v;
        case PgOid.timestamptz:
          return (v: string) => {
            const parse = types.getTypeParser(oid, 'text') as (t: string) => Date;
            return parse(v).toISOString();
          };
        default:
          return types.getTypeParser(oid, (format ?? 'text') as 'text');
      }
    },
  };
}

function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new InvalidArgumentError('An identifier must not contain NUL bytes');
  return `"${name.replace(/"/g, '""')}"`;
}

export class PgSession implements JdbcSession {
  /** False when the server cannot take `COPY … FROM STDIN` (writes fall back to multi-row INSERT). */
  copyIn = true;
  private busy = false;
  private closed = false;

  constructor(
    private readonly drivers: Drivers,
    readonly client: Client,
  ) {}

  /** Result columns of a query, from a zero-row execution's row description. */
  async describe(sql: string): Promise<PgColumn[]> {
    const result = await this.client.query({ text: `SELECT * FROM (${sql}) AS sparkle_q LIMIT 0` });
    return result.fields.map((f: FieldDef) => columnFor(f.name, f.dataTypeID, f.dataTypeModifier));
  }

  /**
   * The query COPY runs: the user's query, or a wrapper casting columns without a binary decoder
   * to text (positional aliases keep duplicate or odd column names intact).
   */
  copySql(sql: string, columns: PgColumn[]): { sql: string; columns: PgColumn[] } {
    if (columns.every((c) => c.kind !== undefined)) return { sql, columns };
    const aliases = columns.map((_, i) => `c${i + 1}`);
    const select = columns
      .map((c, i) => (c.kind === undefined ? `${quoteIdent(aliases[i]!)}::text AS ${quoteIdent(c.name)}` : `${quoteIdent(aliases[i]!)} AS ${quoteIdent(c.name)}`))
      .join(', ');
    return {
      sql: `SELECT ${select} FROM (${sql}) AS sparkle_q(${aliases.map(quoteIdent).join(', ')})`,
      columns: columns.map((c) => (c.kind === undefined ? { ...c, kind: 'utf8' as const } : c)),
    };
  }

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    options.signal.throwIfAborted();
    const base = stripTrailingSemicolons(inlineParams(sql, params));
    const plan = this.copySql(base, await this.describe(base));
    const decoder = new CopyBinaryDecoder(this.drivers.arrow, plan.columns, options.fetchSize ?? DEFAULT_FETCH_SIZE);
    const copy = new CopyOutQuery(`COPY (${plan.sql}) TO STDOUT (FORMAT binary)`, decoder);
    const running = this.client.query(copy as never) as unknown;
    void running;
    this.busy = true;
    let emitted = false;
    let completed = false;
    try {
      for await (const batch of copy.batches(options.signal)) {
        emitted = true;
        yield batch;
      }
      const last = decoder.finish(!emitted);
      completed = true;
      if (last) yield last;
    } finally {
      this.busy = !completed;
      // A consumer that stops early (or an abort) leaves the COPY running: the connection cannot be reused.
      if (!completed) this.destroy();
    }
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const result = await this.client.query({ text: sql, values: params as unknown[], types: metadataTypes(this.drivers) });
    return result.rows as Array<Record<string, unknown>>;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.client.query({ text: sql, values: params as unknown[] });
    return result.rowCount ?? 0;
  }

  /** Target columns (name, type OID, typmod) of an existing table, by its quoted name. */
  async targetColumns(quotedTable: string): Promise<Map<string, TargetColumn>> {
    const rows = await this.queryRows(
      'SELECT a.attname AS name, a.atttypid::int AS oid, a.atttypmod AS typmod FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
      [quotedTable],
    );
    return new Map(rows.map((r) => [String(r.name), { name: String(r.name), oid: Number(r.oid), typmod: Number(r.typmod) }]));
  }

  async bulkInsert(
    quotedTable: string,
    schema: Schema,
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; batchSize?: number; onRows: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }> {
    const columns = await this.targetColumns(quotedTable);
    const targets = schema.fields.map((f) => {
      const t = columns.get(f.name);
      if (!t) throw new InvalidArgumentError(`Column "${f.name}" does not exist in ${quotedTable} (it has: ${[...columns.keys()].join(', ')})`, { connector: 'postgres' });
      return t;
    });
    if (!this.copyIn) return this.insertBatches(quotedTable, targets, batches, options);
    const sql = `COPY ${quotedTable} (${targets.map((t) => quoteIdent(t.name)).join(', ')}) FROM STDIN (FORMAT binary)`;
    const stream = this.client.query(this.drivers.copy.from(sql)) as unknown as Writable;
    let failure: Error | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', (e: Error) => {
        failure = e;
        reject(e);
      });
    });
    finished.catch(() => undefined);
    const pending: Buffer[] = [];
    const encoder = new CopyBinaryEncoder(targets, (chunk) => pending.push(chunk));
    // Encoded chunks are handed to the socket without waiting for each to drain, so the next batch
    // is encoded while the server ingests this one; past `maxBuffered` bytes we wait.
    const maxBuffered = 4 * 2 ** 20;
    const drain = async () => {
      for (const chunk of pending.splice(0)) {
        if (failure) throw failure;
        stream.write(chunk);
      }
      if (stream.writableLength > maxBuffered) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => {
            stream.off('error', onError);
            resolve();
          };
          const onError = (e: Error) => {
            stream.off('drain', onDrain);
            reject(e);
          };
          stream.once('drain', onDrain);
          stream.once('error', onError);
        });
      }
    };
    this.busy = true;
    let rows = 0;
    let sent = 0;
    try {
      encoder.header();
      for await (const batch of batches) {
        options.signal.throwIfAborted();
        if (batch.schema.fields.length !== targets.length) throw new InvalidArgumentError('Every batch of a write must have the same columns', { connector: 'postgres' });
        // Encode in slices, handing each to the socket and letting the event loop flush it, so
        // the server ingests while the next slice is encoded.
        const encodeRows = encoder.prepare(batch);
        for (let start = 0; start < batch.numRows; start += ENCODE_SLICE_ROWS) {
          encodeRows(start, Math.min(batch.numRows, start + ENCODE_SLICE_ROWS));
          encoder.flush();
          await drain();
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        rows += batch.numRows;
        const bytes = encoder.bytes.value - sent;
        sent = encoder.bytes.value;
        options.onRows(batch.numRows, bytes);
      }
      encoder.trailer();
      await drain();
      stream.end();
      await finished;
      this.busy = false;
      return { rows, bytes: encoder.bytes.value };
    } catch (error) {
      // Abort the COPY: the server rolls back everything this statement loaded.
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      await finished.catch(() => undefined);
      throw failure && !(error instanceof InvalidArgumentError) ? failure : error;
    }
  }

  /** The INSERT path for servers without copy-in. */
  private async insertBatches(
    quotedTable: string,
    targets: TargetColumn[],
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; onRows: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }> {
    const { insertStatements } = await import('./insert-fallback.js');
    const columns = targets.map((t) => quoteIdent(t.name));
    let rows = 0;
    let bytes = 0;
    for await (const batch of batches) {
      options.signal.throwIfAborted();
      for (const statement of insertStatements(quotedTable, columns, batch)) await this.execute(statement.sql, statement.params);
      const size = batch.data.children.reduce((n, d) => n + (d.values?.byteLength ?? 0) + (d.valueOffsets?.byteLength ?? 0), 0);
      rows += batch.numRows;
      bytes += size;
      options.onRows(batch.numRows, size);
    }
    return { rows, bytes };
  }

  private destroy(): void {
    const connection = (this.client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
    connection?.stream?.destroy();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.busy) this.destroy();
    await Promise.race([this.client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}
