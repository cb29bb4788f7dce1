/**
 * Multi-row `INSERT … VALUES` for servers that cannot take `COPY … FROM STDIN` (PGlite behind
 * its socket server answers copy-in with a protocol error). Values go as text parameters the
 * server casts to each column's type; decimals and timestamps keep every digit.
 */
import type { Data, RecordBatch, Vector } from 'apache-arrow';

/** PostgreSQL's limit on bind parameters in one statement. */
const MAX_PARAMS = 65_535;

function isValid(data: Data, row: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || data.nullCount === 0 || bitmap.length === 0) return true;
  const i = data.offset + row;
  return (bitmap[i >> 3]! & (1 << (i & 7))) !== 0;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** ISO text of µs since 1970, exact. */
export function microsToIso(us: bigint, withZone: boolean): string {
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
  const micros = Number(us - ms * 1000n);
  const d = new Date(Number(ms));
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}${pad(micros, 3)}`;
  return withZone ? `${base}+00` : base;
}

/** Text of an unscaled decimal at `scale`. */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** A function giving the parameter value (text, Buffer or null) of one column at a row. */
function paramReader(data: Data, vector: Vector): (row: number) => unknown {
  const type = data.type as { typeId: number; unit?: number; timezone?: string | null; scale?: number; bitWidth?: number };
  const offset = data.offset;
  if (type.typeId === 10 && data.values instanceof BigInt64Array) {
    const values = data.values;
    const factor = [1_000_000n, 1000n, 1n, 1n][type.unit ?? 2]!;
    return (row) => {
      const raw = values[offset + row]!;
      return microsToIso(type.unit === 3 ? raw / 1000n : raw * factor, Boolean(type.timezone));
    };
  }
  if (type.typeId === 7 && data.values instanceof Uint32Array) {
    const words = data.values;
    const stride = (type.bitWidth ?? 128) / 32;
    return (row) => {
      const i = (offset + row) * stride;
      let big = 0n;
      for (let k = stride - 1; k >= 0; k--) big = (big << 32n) | BigInt(words[i + k]!);
      return decimalText(BigInt.asIntN(stride * 32, big), type.scale ?? 0);
    };
  }
  if (type.typeId === 8 && data.values instanceof Int32Array) {
    const values = data.values;
    return (row) => new Date(values[offset + row]! * 86_400_000).toISOString().slice(0, 10);
  }
  return (row) => {
    const v = vector.get(row) as unknown;
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    if (typeof v === 'number' && type.typeId === 2 && !Number.isInteger(v)) return String(v);
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      const plain = typeof (v as { toJSON?: () => unknown }).toJSON === 'function' ? (v as { toJSON: () => unknown }).toJSON() : v;
      return JSON.stringify(plain, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    }
    return v;
  };
}

/** Statements (SQL + params) inserting one batch, at most `maxRows` rows each. */
export function* insertStatements(quotedTable: string, quotedColumns: string[], batch: RecordBatch, maxRows = 1000): Generator<{ sql: string; params: unknown[] }> {
  const width = quotedColumns.length;
  if (width === 0) return;
  const readers = quotedColumns.map((_, i) => {
    const data = batch.data.children[i]!;
    const read = paramReader(data, batch.getChildAt(i)!);
    return (row: number) => (isValid(data, row) ? read(row) : null);
  });
  const perStatement = Math.max(1, Math.min(maxRows, Math.floor(MAX_PARAMS / width)));
  for (let start = 0; start < batch.numRows; start += perStatement) {
    const end = Math.min(batch.numRows, start + perStatement);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let row = start; row < end; row++) {
      const slots: string[] = [];
      for (let c = 0; c < width; c++) {
        params.push(readers[c]!(row));
        slots.push(`$${params.length}`);
      }
      tuples.push(`(${slots.join(', ')})`);
    }
    yield { sql: `INSERT INTO ${quotedTable} (${quotedColumns.join(', ')}) VALUES ${tuples.join(', ')}`, params };
  }
}
