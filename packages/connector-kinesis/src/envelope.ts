/**
 * The optional record envelope (`recordFormat: 'envelope'`): Kinesis records carry only a
 * partition key and a data blob, so headers, a null value, a binary key and the producer's
 * timestamp need a frame around the data to survive a round trip. Layout:
 *
 *   "SPK1" | uint32 big-endian length of the JSON meta | JSON meta (UTF-8) | value bytes
 *
 * meta: `{ h?: { name: base64 }, t?: epoch ms, k?: base64 key, n?: 1 (null value) }`. A blob that
 * does not start with the magic is read as a raw value, so mixed streams stay readable.
 */

const MAGIC = new Uint8Array([0x53, 0x50, 0x4b, 0x31]); // "SPK1"
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What an envelope holds besides the value. */
export interface EnvelopeMeta {
  headers?: Record<string, Uint8Array>;
  timestamp?: Date;
  /** The record's key when it was not text (the partition key then is its base64). */
  key?: Uint8Array | null;
  value: Uint8Array | null;
}

/** Wraps a value with its headers, timestamp and key. */
export function wrap(meta: EnvelopeMeta): Uint8Array {
  const json: Record<string, unknown> = {};
  if (meta.headers && Object.keys(meta.headers).length) json.h = Object.fromEntries(Object.entries(meta.headers).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  if (meta.timestamp) json.t = meta.timestamp.getTime();
  if (meta.key) json.k = Buffer.from(meta.key).toString('base64');
  if (meta.key === null) json.k = null;
  if (meta.value === null) json.n = 1;
  const head = encoder.encode(JSON.stringify(json));
  const value = meta.value ?? new Uint8Array();
  const out = new Uint8Array(MAGIC.length + 4 + head.length + value.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, head.length);
  out.set(head, MAGIC.length + 4);
  out.set(value, MAGIC.length + 4 + head.length);
  return out;
}

/** Unwraps a blob; `undefined` when it is not an envelope (a raw record). */
export function unwrap(data: Uint8Array): EnvelopeMeta | undefined {
  if (data.length < MAGIC.length + 4 || MAGIC.some((b, i) => data[i] !== b)) return undefined;
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + length > data.length) return undefined;
  let json: { h?: Record<string, string>; t?: number; k?: string | null; n?: 1 };
  try {
    json = JSON.parse(decoder.decode(data.subarray(start, start + length))) as typeof json;
  } catch {
    return undefined;
  }
  const meta: EnvelopeMeta = { value: json.n ? null : data.slice(start + length) };
  if (json.h) meta.headers = Object.fromEntries(Object.entries(json.h).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
  if (typeof json.t === 'number') meta.timestamp = new Date(json.t);
  if (typeof json.k === 'string') meta.key = new Uint8Array(Buffer.from(json.k, 'base64'));
  if (json.k === null) meta.key = null;
  return meta;
}
