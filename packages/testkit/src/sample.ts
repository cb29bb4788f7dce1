/**
 * The sample table the conformance suite writes and reads back: portable column types, awkward
 * values (NULLs, quotes, non-ASCII text, negative and fractional numbers).
 */
import { Bool, Field, Float64, Int32, Schema, Table, Utf8, makeData, RecordBatch, Struct, type Data } from 'apache-arrow';

/** The rows of the sample table (also what a read must return, after normalisation). */
export const SAMPLE_ROWS: ReadonlyArray<{ id: number; name: string | null; score: number | null; active: boolean | null }> = [
  { id: 1, name: 'alpha', score: 1.5, active: true },
  { id: 2, name: "O'Brien \"quoted\"", score: -2.25, active: false },
  { id: 3, name: 'Zürich – 東京 ✓', score: 0, active: null },
  { id: 4, name: null, score: null, active: true },
  { id: 5, name: '', score: 1e10, active: false },
];

function column(type: Data['type'], values: readonly unknown[]): Data {
  const length = values.length;
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else validity[i >> 3]! |= 1 << (i & 7);
  });
  const typeId = (type as { typeId: number }).typeId;
  if (typeId === 5) {
    const encoder = new TextEncoder();
    const parts = values.map((v) => (v === null ? new Uint8Array() : encoder.encode(v as string)));
    const offsets = new Int32Array(length + 1);
    parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
    const bytes = new Uint8Array(offsets[length]!);
    parts.forEach((p, i) => bytes.set(p, offsets[i]!));
    return makeData({ type: type as Utf8, length, nullCount, nullBitmap: validity, valueOffsets: offsets, data: bytes });
  }
  if (typeId === 6) {
    const bits = new Uint8Array((length + 7) >> 3);
    values.forEach((v, i) => {
      if (v === true) bits[i >> 3]! |= 1 << (i & 7);
    });
    return makeData({ type: type as Bool, length, nullCount, nullBitmap: validity, data: bits });
  }
  if (typeId === 2) return makeData({ type: type as Int32, length, nullCount, nullBitmap: validity, data: Int32Array.from(values.map((v) => (v as number) ?? 0)) });
  return makeData({ type: type as Float64, length, nullCount, nullBitmap: validity, data: Float64Array.from(values.map((v) => (v as number) ?? 0)) });
}

/** The sample as an Arrow table (one batch). `rows` selects a subset. */
export function sampleTable(rows = SAMPLE_ROWS): Table {
  const schema = new Schema([
    new Field('id', new Int32(), false),
    new Field('name', new Utf8(), true),
    new Field('score', new Float64(), true),
    new Field('active', new Bool(), true),
  ]);
  const children = [
    column(new Int32(), rows.map((r) => r.id)),
    column(new Utf8(), rows.map((r) => r.name)),
    column(new Float64(), rows.map((r) => r.score)),
    column(new Bool(), rows.map((r) => r.active)),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
  return new Table([batch]);
}

/** Plain JSON-comparable values: bigint → number, booleans stay, Uint8Array → array, dates → ISO. */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return [...value];
  return value;
}

/** Rows of a sample read, normalised for comparison (sorted by id; booleans as stored by the connector). */
export function normaliseRows(rows: ReadonlyArray<Record<string, unknown>>, booleanAs: 'boolean' | 'number' = 'boolean'): Array<Record<string, unknown>> {
  return rows
    .map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        let x = plain(v);
        if (k === 'active' && booleanAs === 'number' && typeof x === 'number') x = x !== 0;
        out[k] = x;
      }
      return out;
    })
    .sort((a, b) => Number(a.id) - Number(b.id));
}
