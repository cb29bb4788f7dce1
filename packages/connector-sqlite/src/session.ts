/**
 * The better-sqlite3 glue behind `SQLiteConnection`: reads stream `stmt.iterate()` raw rows into
 * Arrow batches; writes run prepared INSERTs inside one transaction.
 */
import type { DataType, RecordBatch, Schema } from 'apache-arrow';
import type BetterSqlite3 from 'better-sqlite3';
import { InvalidArgumentError, type JdbcSession } from '@sparkle/core';

export const DEFAULT_FETCH_SIZE = 10_000;

type Arrow = typeof import('apache-arrow');
type EngineLocal = typeof import('@sparkle/engine-local');

export interface SqliteModules {
  Database: typeof BetterSqlite3;
  arrow: Arrow;
  engine: EngineLocal;
}

/** Arrow type for a declared SQLite column type, by SQLite's affinity rules; undefined = infer. */
export function arrowTypeForDeclared(arrow: Arrow, declared: string | null): DataType | undefined {
  const t = (declared ?? '').toUpperCase();
  if (!t) return undefined;
  if (t.includes('BOOL')) return new arrow.Bool();
  if (t.includes('INT')) return new arrow.Int64();
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return new arrow.Utf8();
  if (t.includes('BLOB')) return new arrow.Binary();
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return new arrow.Float64();
  // DATE / TIMESTAMP columns hold whatever text the writer stored: keep it as text.
  if (t.includes('DATE') || t.includes('TIME')) return new arrow.Utf8();
  return undefined;
}

/** Arrow type for values seen in a column without a usable declared type. */
function inferType(arrow: Arrow, values: unknown[]): DataType {
  let kind: 'null' | 'int' | 'float' | 'text' | 'blob' = 'null';
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k = typeof v === 'bigint' ? 'int' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : v instanceof Uint8Array ? 'blob' : 'text';
    if (kind === 'null' || kind === k) kind = k;
    else if ((kind === 'int' && k === 'float') || (kind === 'float' && k === 'int')) kind = 'float';
    else kind = 'text';
  }
  switch (kind) {
    case 'int':
      return new arrow.Int64();
    case 'float':
      return new arrow.Float64();
    case 'blob':
      return new arrow.Binary();
    default:
      return new arrow.Utf8();
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** ISO-8601 text of µs since 1970 (exact, trailing zeros of the fraction trimmed). */
function microsToIso(us: bigint, zone: boolean): string {
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
  const micros = Number(us - ms * 1000n);
  const d = new Date(Number(ms));
  let frac = `${pad(d.getUTCMilliseconds(), 3)}${pad(micros, 3)}`.replace(/0+$/, '');
  frac = frac ? `.${frac}` : '';
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${frac}${zone ? 'Z' : ''}`;
}

function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits;
  return negative ? `-${text}` : text;
}

type Bindable = number | bigint | string | Buffer | null;

/** A reader turning one Arrow column into values SQLite can bind. */
function bindReader(batch: RecordBatch, index: number): (row: number) => Bindable {
  const data = batch.data.children[index]!;
  const vector = batch.getChildAt(index)!;
  const type = data.type as { typeId: number; unit?: number; timezone?: string | null; scale?: number; bitWidth?: number };
  const offset = data.offset;
  const bitmap = data.nullBitmap;
  const valid = (row: number) => {
    if (!bitmap || data.nullCount === 0 || bitmap.length === 0) return true;
    const i = offset + row;
    return (bitmap[i >> 3]! & (1 << (i & 7))) !== 0;
  };
  let read: (row: number) => Bindable;
  if (type.typeId === 10 && data.values instanceof BigInt64Array) {
    const values = data.values;
    const unit = type.unit ?? 2;
    read = (row) => {
      const raw = values[offset + row]!;
      return microsToIso(unit === 0 ? raw * 1_000_000n : unit === 1 ? raw * 1000n : unit === 2 ? raw : raw / 1000n, Boolean(type.timezone));
    };
  } else if (type.typeId === 8) {
    read = (row) => {
      const v = vector.get(row) as unknown;
      const ms = v instanceof Date ? v.getTime() : Number(v);
      return new Date(ms).toISOString().slice(0, 10);
    };
  } else if (type.typeId === 7 && data.values instanceof Uint32Array) {
    const words = data.values;
    const stride = (type.bitWidth ?? 128) / 32;
    read = (row) => {
      const i = (offset + row) * stride;
      let big = 0n;
      for (let k = stride - 1; k >= 0; k--) big = (big << 32n) | BigInt(words[i + k]!);
      return decimalText(BigInt.asIntN(stride * 32, big), type.scale ?? 0);
    };
  } else {
    read = (row) => {
      const v = vector.get(row) as unknown;
      if (v === null || v === undefined) return null;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      if (v instanceof Date) return v.toISOString();
      const plain = typeof (v as { toJSON?: () => unknown }).toJSON === 'function' ? (v as { toJSON: () => unknown }).toJSON() : v;
      return JSON.stringify(plain, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    };
  }
  return (row) => (valid(row) ? read(row) : null);
}

export class SqliteSession implements JdbcSession {
  constructor(
    private readonly modules: SqliteModules,
    readonly db: BetterSqlite3.Database,
  ) {}

  async *queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const { arrow, engine } = this.modules;
    const stmt = this.db.prepare(sql);
    if (!stmt.reader) throw new InvalidArgumentError('queryArrow needs a statement that returns rows', { connector: 'sqlite' });
    stmt.raw(true);
    stmt.safeIntegers(true);
    const columns = stmt.columns();
    const fetchSize = options.fetchSize ?? DEFAULT_FETCH_SIZE;
    let builder: InstanceType<EngineLocal['RowBatchBuilder']> | undefined;
    let pending: unknown[][] = [];
    let emitted = false;
    const makeBuilder = (sample: unknown[][]) => {
      const fields = columns.map((c, i) => new arrow.Field(c.name, arrowTypeForDeclared(arrow, c.type) ?? inferType(arrow, sample.map((r) => r[i])), true));
      return new engine.RowBatchBuilder(new arrow.Schema(fields));
    };
    for (const row of stmt.iterate(...(params as unknown[])) as IterableIterator<unknown[]>) {
      if (!builder) {
        // Types of undeclared columns (expressions) come from the first batch's values.
        pending.push(row);
        if (pending.length < fetchSize) continue;
        builder = makeBuilder(pending);
        for (const r of pending) builder.append(r);
        pending = [];
      } else {
        builder.append(row);
      }
      if (builder.length >= fetchSize) {
        options.signal.throwIfAborted();
        emitted = true;
        yield builder.flush();
        // Let other work (parallel partitions, the consumer) run between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (!builder) {
      builder = makeBuilder(pending);
      for (const r of pending) builder.append(r);
    }
    if (builder.length > 0 || !emitted) yield builder.flush();
  }

  async queryRows(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const stmt = this.db.prepare(sql);
    if (!stmt.reader) {
      stmt.run(...(params as unknown[]));
      return [];
    }
    stmt.safeIntegers(true);
    return stmt.all(...(params as unknown[])) as Array<Record<string, unknown>>;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const stmt = this.db.prepare(sql);
    if (stmt.reader) {
      stmt.all(...(params as unknown[]));
      return 0;
    }
    return stmt.run(...(params as unknown[])).changes;
  }

  async bulkInsert(
    quotedTable: string,
    schema: Schema,
    batches: AsyncIterable<RecordBatch>,
    options: { signal: AbortSignal; batchSize?: number; onRows: (rows: number, bytes: number) => void },
  ): Promise<{ rows: number; bytes: number }> {
    const columns = schema.fields.map((f) => `"${f.name.replace(/"/g, '""')}"`);
    const insert = this.db.prepare(`INSERT INTO ${quotedTable} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    // One transaction for the whole load (or a savepoint inside the caller's transaction).
    const own = !this.db.inTransaction;
    const begin = own ? 'BEGIN IMMEDIATE' : 'SAVEPOINT sparkle_load';
    const commit = own ? 'COMMIT' : 'RELEASE sparkle_load';
    const rollback = own ? 'ROLLBACK' : 'ROLLBACK TO sparkle_load; RELEASE sparkle_load';
    this.db.exec(begin);
    let rows = 0;
    let bytes = 0;
    try {
      for await (const batch of batches) {
        options.signal.throwIfAborted();
        const readers = schema.fields.map((_, i) => bindReader(batch, i));
        const values: Bindable[] = new Array(readers.length);
        for (let row = 0; row < batch.numRows; row++) {
          for (let c = 0; c < readers.length; c++) values[c] = readers[c]!(row);
          insert.run(values);
        }
        const size = batch.data.children.reduce((n, d) => n + (d.values?.byteLength ?? 0) + (d.valueOffsets?.byteLength ?? 0), 0);
        rows += batch.numRows;
        bytes += size;
        options.onRows(batch.numRows, size);
      }
      this.db.exec(commit);
      return { rows, bytes };
    } catch (error) {
      if (this.db.inTransaction) this.db.exec(rollback);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
