/**
 * How documents are stored in Redis values, and read back with their types.
 *
 * - `json` model: one string per document, JSON with typed wrappers for what JSON has no type
 *   for — `{"$date": "<ISO>"}`, `{"$numberLong": "<digits>"}` for bigints outside the safe range,
 *   `{"$binary": "<base64>"}` — the Extended JSON spellings, so a document read back has the
 *   `Date`s, bigints and bytes that were written.
 * - `hash` model (what spark-redis reads and writes): one hash per document, one field per
 *   top-level field; strings as they are, other scalars as their text, nested values as JSON.
 *   Redis hashes hold only strings, so values read back are strings.
 */
import { fieldValue, jsonText, type Document } from '@sparkle/core';

const WRAPPERS = new Set(['$date', '$numberLong', '$binary']);

/** Whether a value holds a Date, bytes or a bigint anywhere (the values that need a wrapper). */
function needsWrappers(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint';
  if (value instanceof Date || value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (needsWrappers(v)) return true;
    return false;
  }
  for (const k in value) if (needsWrappers((value as Record<string, unknown>)[k])) return true;
  return false;
}

/** A document's `json`-model text. */
export function encodeJson(doc: Document): string {
  // A replacer makes JSON.stringify call back for every value; most documents need none.
  if (!needsWrappers(doc)) return JSON.stringify(doc);
  return JSON.stringify(doc, function (this: Record<string, unknown>, key: string, value: unknown) {
    // Date and Buffer have toJSON, which runs before the replacer: look at the holder's raw value.
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (raw instanceof Uint8Array) return { $binary: Buffer.from(raw).toString('base64') };
    if (typeof raw === 'bigint') return { $numberLong: raw.toString() };
    return value;
  });
}

/** A `json`-model text back into a document (the typed wrappers become `Date`, bigint, bytes). */
export function decodeJson(text: string): Document {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && WRAPPERS.has(keys[0]!)) {
        const v = (value as Record<string, unknown>)[keys[0]!];
        if (typeof v === 'string') {
          if (keys[0] === '$date') return new Date(v);
          if (keys[0] === '$numberLong') return BigInt(v);
          return new Uint8Array(Buffer.from(v, 'base64'));
        }
      }
    }
    return value;
  }) as Document;
}

/** A document's `hash`-model fields (nulls are left out: a hash has no null). */
export function encodeHash(doc: Document): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === null || v === undefined) continue;
    out[k] = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : jsonText(v);
  }
  return out;
}

/** Picks dotted paths out of a document, keeping their nesting (as MongoDB projects). */
export function project(doc: Document, projection: readonly string[] | undefined): Document {
  if (!projection?.length) return doc;
  const out: Document = {};
  for (const path of projection) {
    const value = fieldValue(doc, path);
    if (value === undefined) continue;
    const parts = path.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Document;
    target[parts.at(-1)!] = value;
  }
  return out;
}
