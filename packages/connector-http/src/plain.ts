/** Arrow rows (from the engine's toolkit) as JSON-ready values for request bodies. */

/**
 * A value as JSON can carry it: safe int64s as numbers (larger ones as digit strings), dates as
 * ISO text, bytes as base64; arrays and objects converted field by field.
 */
export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonValue(v);
    return out;
  }
  return value;
}

/** One row as a JSON object (`dropNulls` leaves null fields out, for APIs that refuse them). */
export function jsonRecord(row: Record<string, unknown>, dropNulls = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (dropNulls && (v === null || v === undefined)) continue;
    out[k] = jsonValue(v);
  }
  return out;
}
