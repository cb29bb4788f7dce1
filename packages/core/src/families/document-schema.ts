/**
 * Schemas for schemaless documents: inferred from a bounded sample, then every document is made
 * to fit it (or refused, naming the field) on its way into Arrow. Pure JavaScript: the columns
 * are plain {@link ColumnSpec}s that the local engine's toolkit turns into an Arrow schema.
 *
 * The rule, per field over the sampled documents (`null` and missing values are ignored):
 * - only booleans → `bool`; only integers (numbers or bigints) → `int64`; numbers with a
 *   fraction (with or without integers) → `float64`; only strings → `utf8`; only `Date`s →
 *   `timestamp`; only bytes → `binary`;
 * - only plain objects → `struct`, whose fields are the union of the objects' fields (in order of
 *   first appearance), each inferred by this same rule;
 * - only arrays → `list` of the type the elements agree on by this same rule;
 * - any other mix (a string and a number, an object and an array …), values of other classes
 *   (a driver's ObjectId, Decimal128 …) and fields that were null everywhere → `utf8`, where a
 *   string stays as it is and every other value is its JSON text (bigints as digits, bytes as
 *   base64, a class with `toJSON`/`toString` as that text).
 *
 * Later documents must fit: a field the sample never saw, or a value of another kind (text in an
 * `int64` field), fails with `InvalidArgumentError` naming the document and the field, and
 * telling to raise `sampleSize` or give the schema — nothing is dropped silently.
 */
import type { ColumnSpec, ColumnType } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';

/** What one value is, for inference. */
type Shape =
  | { kind: 'none' }
  | { kind: 'bool' | 'int' | 'float' | 'utf8' | 'timestamp' | 'binary' | 'json' }
  | { kind: 'struct'; fields: Map<string, Shape> }
  | { kind: 'list'; element: Shape };

const NONE: Shape = { kind: 'none' };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return NONE;
  switch (typeof value) {
    case 'boolean':
      return { kind: 'bool' };
    case 'bigint':
      return { kind: 'int' };
    case 'number':
      return { kind: Number.isInteger(value) ? 'int' : 'float' };
    case 'string':
      return { kind: 'utf8' };
  }
  if (value instanceof Date) return { kind: 'timestamp' };
  if (value instanceof Uint8Array) return { kind: 'binary' };
  if (Array.isArray(value)) return { kind: 'list', element: value.reduce<Shape>((s, v) => merge(s, shapeOf(v)), NONE) };
  if (isPlainObject(value)) {
    const fields = new Map<string, Shape>();
    for (const [k, v] of Object.entries(value)) fields.set(k, shapeOf(v));
    return { kind: 'struct', fields };
  }
  return { kind: 'json' };
}

function merge(a: Shape, b: Shape): Shape {
  if (a.kind === 'none') return b;
  if (b.kind === 'none') return a;
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = new Map(a.fields);
    for (const [k, v] of b.fields) fields.set(k, merge(fields.get(k) ?? NONE, v));
    return { kind: 'struct', fields };
  }
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', element: merge(a.element, b.element) };
  if (a.kind === b.kind) return a;
  if ((a.kind === 'int' && b.kind === 'float') || (a.kind === 'float' && b.kind === 'int')) return { kind: 'float' };
  return { kind: 'json' };
}

function typeOf(shape: Shape): ColumnType {
  switch (shape.kind) {
    case 'bool':
      return 'bool';
    case 'int':
      return 'int64';
    case 'float':
      return 'float64';
    case 'timestamp':
      return 'timestamp';
    case 'binary':
      return 'binary';
    case 'struct':
      return { struct: [...shape.fields].map(([name, s]) => ({ name, type: typeOf(s), nullable: true })) };
    case 'list':
      return { list: typeOf(shape.element) };
    default:
      return 'utf8';
  }
}

/**
 * Infers columns from sampled documents by the rule in this module's notes.
 * @example
 * ```ts
 * inferDocumentColumns([{ _id: 1, tags: ['a'], address: { city: 'Bern' } }, { _id: 2.5, tags: [] }]);
 * // _id: float64, tags: list<utf8>, address: struct<city: utf8>
 * ```
 */
export function inferDocumentColumns(documents: Iterable<Record<string, unknown>>): ColumnSpec[] {
  let shape: Shape = { kind: 'struct', fields: new Map() };
  for (const doc of documents) shape = merge(shape, shapeOf(doc));
  const type = typeOf(shape);
  return typeof type === 'object' && 'struct' in type ? [...type.struct] : [];
}

/** The columns of `columns` named by a projection (dotted paths select their top-level field, in projection order). */
export function projectColumns(columns: readonly ColumnSpec[], projection: readonly string[] | undefined): ColumnSpec[] {
  if (!projection?.length) return [...columns];
  const wanted = [...new Set(projection.map((p) => p.split('.')[0]!))];
  return wanted.map((name) => columns.find((c) => c.name === name) ?? { name, type: 'utf8', nullable: true });
}

/**
 * A value's JSON text: strings as they are, bigints as JSON numbers with every digit (as Spark's
 * `to_json` writes longs), bytes as base64 strings, dates as ISO text; other classes by their
 * `toJSON()` or `toString()`.
 * @example
 * ```ts
 * jsonText({ id: 9007199254740993n, at: new Date(0) }); // '{"id":9007199254740993,"at":"1970-01-01T00:00:00.000Z"}'
 * ```
 */
export function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (!isPlainObject(value) && !Array.isArray(value) && value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const own = (value as { toJSON?: () => unknown }).toJSON?.();
    if (own !== undefined) return typeof own === 'string' ? own : stringify(own);
    return String(value);
  }
  return stringify(value);
}

// Bigints leave JSON.stringify as marked strings and are put back as bare digits; the marker
// carries a per-process nonce so no user string can pass for one.
const NONCE = Math.random().toString(36).slice(2, 10);
const BIG = `\u0000bigint-${NONCE}:`;
const BIG_TEXT = new RegExp(`"\\\\u0000bigint-${NONCE}:(-?\\d+)"`, 'g');

function stringify(value: unknown): string {
  return JSON.stringify(value, replacer).replace(BIG_TEXT, '$1');
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${BIG}${value.toString()}`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  // Buffers serialise as { type: 'Buffer', data } before reaching the replacer.
  if (isPlainObject(value) && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data as number[]).toString('base64');
  return value;
}

/** Thrown for a document that does not fit the columns. */
function misfit(where: string, path: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${where}: field '${path}' ${what}; the schema was inferred from a sample — raise sampleSize or give the schema`,
    { details: { field: path } },
  );
}

function conform(value: unknown, type: ColumnType, path: string, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'utf8') return typeof value === 'string' ? value : jsonText(value);
  // The common JSON scalars that fit as they are, decided without building a shape (the hot path
  // of every record read); anything else takes the general check below.
  switch (typeof value) {
    case 'number':
      if (type === 'float64' || ((type === 'int64' || type === 'int32') && Number.isInteger(value))) return value;
      break;
    case 'boolean':
      if (type === 'bool') return value;
      break;
    case 'bigint':
      if (type === 'int64' || type === 'int32') return value;
      break;
  }
  const shape = shapeOf(value);
  if (typeof type === 'object') {
    if ('list' in type) {
      if (!Array.isArray(value)) throw misfit(where, path, `is ${shape.kind}, not a list`);
      return value.map((v, i) => conform(v, type.list, `${path}[${i}]`, where));
    }
    if (!isPlainObject(value)) throw misfit(where, path, `is ${shape.kind}, not an object`);
    return conformObject(value, type.struct, path, where);
  }
  const fits =
    (type === 'bool' && shape.kind === 'bool') ||
    (type === 'int64' && shape.kind === 'int') ||
    (type === 'float64' && (shape.kind === 'float' || shape.kind === 'int')) ||
    (type === 'int32' && shape.kind === 'int') ||
    (type === 'timestamp' && shape.kind === 'timestamp') ||
    (type === 'date' && shape.kind === 'timestamp') ||
    (type === 'binary' && shape.kind === 'binary');
  if (!fits) throw misfit(where, path, `holds ${shape.kind === 'json' ? 'an object of another kind' : `a ${shape.kind} value`} where the schema has ${type}`);
  return value;
}

/** The field names of a column list, built once per list (every document of a read shares it). */
const namesOf = new WeakMap<readonly ColumnSpec[], Set<string>>();

function columnNames(columns: readonly ColumnSpec[]): Set<string> {
  let names = namesOf.get(columns);
  if (!names) namesOf.set(columns, (names = new Set(columns.map((c) => c.name))));
  return names;
}

function conformObject(doc: Record<string, unknown>, columns: readonly ColumnSpec[], prefix: string, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The document itself when it already fits: every column present and kept as it is, no other field.
  let same = true;
  for (const column of columns) {
    const value = doc[column.name];
    const fitted = conform(value, column.type, prefix ? `${prefix}.${column.name}` : column.name, where);
    if (fitted !== value || value === undefined) same = false;
    out[column.name] = fitted;
  }
  if (same && Object.keys(doc).length === columns.length) return doc;
  const known = columnNames(columns);
  for (const key of Object.keys(doc)) {
    if (known.has(key)) continue;
    const value = doc[key];
    if (value !== undefined && value !== null) throw misfit(where, prefix ? `${prefix}.${key}` : key, 'is not in the schema');
  }
  return out;
}

/**
 * A document made to fit `columns` for the Arrow builders: mixed (`utf8`) values as JSON text,
 * nested objects and lists checked field by field. With `projected`, fields outside the columns
 * are ignored (the read asked for fewer); otherwise they fail as described in the module notes.
 * @example
 * ```ts
 * conformDocument({ a: 1, b: { c: 'x' } }, [{ name: 'a', type: 'utf8' }, { name: 'b', type: { struct: [{ name: 'c', type: 'utf8' }] } }], 'orders#0');
 * // { a: '1', b: { c: 'x' } }
 * ```
 */
export function conformDocument(doc: Record<string, unknown>, columns: readonly ColumnSpec[], where: string, projected = false): Record<string, unknown> {
  if (!projected) return conformObject(doc, columns, '', where);
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column.name] = conform(doc[column.name], column.type, column.name, where);
  return out;
}
