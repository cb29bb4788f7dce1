/**
 * Documents between Sparkle and Cosmos DB items: what an item must carry (a string `id`, JSON
 * values) and what a read gives back (no system properties, ISO timestamps as `Date`s, the
 * derived `id` hidden when the connection keys documents by other fields).
 */
import { InvalidArgumentError, type Document, type DocumentKey } from '@sparkle/core';

/** Properties Cosmos DB adds to every item. */
export const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'] as const;

/**
 * ISO-8601 UTC timestamps as `Date#toISOString` writes them and as Cosmos DB's own functions
 * (`GetCurrentDateTime`) do (up to 7 fraction digits).
 */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

/** One key value as text: dates as ISO text, everything else as `String()` gives it. */
function keyPart(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * The item `id` of a document key: the one value as text, or the values of a composite key
 * joined with `|` (in `keyFields` order).
 * @example
 * ```ts
 * itemId(7, ['_id']); // '7'
 * itemId({ region: 'eu', sku: 'A1' }, ['region', 'sku']); // 'eu|A1'
 * ```
 */
export function itemId(key: DocumentKey, keyFields: readonly string[]): string {
  if (key !== null && typeof key === 'object') {
    const record = key as Record<string, unknown>;
    return (keyFields.length > 1 ? keyFields : Object.keys(record)).map((f) => keyPart(record[f])).join('|');
  }
  return keyPart(key);
}

/** A JSON value for the item body; throws naming the field for what JSON cannot hold exactly. */
function jsonValue(value: unknown, path: string): unknown {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`field '${path}' is ${value}, which JSON cannot hold; write null or a string`, { connector: 'cosmosdb', details: { field: path } });
    return value;
  }
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new InvalidArgumentError(
        `field '${path}' holds ${value}, beyond ±2^53: Cosmos DB stores numbers as IEEE-754 doubles and would round it; write it as a string (or a decimal text) instead`,
        { connector: 'cosmosdb', details: { field: path } },
      );
    }
    return Number(value);
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v, i) => jsonValue(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v, `${path}.${k}`)]));
  throw new InvalidArgumentError(`field '${path}' holds a ${typeof value}, which JSON cannot hold`, { connector: 'cosmosdb', details: { field: path } });
}

/**
 * The item written for a document: its fields as JSON (dates as ISO text, bytes as base64,
 * int64 within ±2^53 as numbers) and `id` derived from the key. A document that already has an
 * `id` other than its key is refused, so no field is overwritten silently.
 */
export function toItem(doc: Document, key: DocumentKey, keyFields: readonly string[]): Document {
  const id = itemId(key, keyFields);
  if (!id) throw new InvalidArgumentError(`the key ${keyFields.map((f) => `'${f}'`).join(', ')} is empty; Cosmos DB items need a non-empty id`, { connector: 'cosmosdb' });
  if (/[/\\?#]/.test(id)) {
    throw new InvalidArgumentError(`the item id ${JSON.stringify(id)} contains '/', '\\', '?' or '#', which Cosmos DB does not allow in ids`, { connector: 'cosmosdb' });
  }
  if (!keyFields.includes('id') && doc.id !== undefined && doc.id !== null && String(doc.id) !== id) {
    throw new InvalidArgumentError(
      `the document has its own 'id' (${JSON.stringify(String(doc.id))}) but is keyed by ${keyFields.map((f) => `'${f}'`).join(', ')}; Cosmos DB keeps one id per item — key by 'id' or drop the field`,
      { connector: 'cosmosdb', details: { field: 'id' } },
    );
  }
  const body: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v !== undefined) body[k] = jsonValue(v, k);
  }
  body.id = id;
  return body;
}

function revive(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!ISO_UTC.test(value)) return value;
    // Dates hold milliseconds: Cosmos's 7-digit fractions are cut to 3.
    const d = new Date(value.replace(/(\.\d{3})\d+Z$/, '$1Z'));
    return Number.isNaN(d.getTime()) ? value : d;
  }
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  return value;
}

/** How items become documents on read. */
export interface FromItemOptions {
  /** The connection's key fields: when `id` is not one of them, an `id` equal to the derived key is hidden. */
  keyFields: readonly string[];
  /** `timestamp`: ISO-8601 UTC strings come back as `Date`s; `text`: as they are. */
  dateStrings: 'timestamp' | 'text';
  /** Keep `_ts`, `_etag` and the other system properties. */
  systemProperties: boolean;
}

/**
 * A document read from an item.
 * @example
 * ```ts
 * fromItem({ id: '1', _id: 1, at: '2024-01-05T10:00:00.000Z', _rid: 'x', _ts: 1 }, { keyFields: ['_id'], dateStrings: 'timestamp', systemProperties: false });
 * // { _id: 1, at: new Date('2024-01-05T10:00:00.000Z') }
 * ```
 */
export function fromItem(item: Document, options: FromItemOptions): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(item)) {
    if (!options.systemProperties && (SYSTEM_PROPERTIES as readonly string[]).includes(k)) continue;
    out[k] = options.dateStrings === 'timestamp' && !(SYSTEM_PROPERTIES as readonly string[]).includes(k) ? revive(v) : v;
  }
  if (!options.keyFields.includes('id') && typeof out.id === 'string' && options.keyFields.every((f) => item[f] !== undefined)) {
    const derived = itemId(options.keyFields.length === 1 ? (item[options.keyFields[0]!] as DocumentKey) : Object.fromEntries(options.keyFields.map((f) => [f, item[f]])), options.keyFields);
    if (derived === out.id) delete out.id;
  }
  return out;
}
