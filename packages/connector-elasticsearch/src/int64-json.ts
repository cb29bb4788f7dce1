/**
 * JSON for Elasticsearch `long`s without losing digits: a bigint is written as its exact number
 * text (`JSON.rawJSON`), and an integer beyond ±2^53 in a response is read as a bigint from its
 * source text (the `JSON.parse` reviver's `context.source`) — where plain `JSON.parse` would
 * round it silently. Both need Node ≥ 21, inside the supported range (>= 22.12).
 */

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const INTEGER = /^-?\d+$/;
const rawJSON = (JSON as unknown as { rawJSON: (text: string) => unknown }).rawJSON;

/** `JSON.stringify` replacer: bigints as exact JSON numbers. */
export function int64Replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? rawJSON(value.toString()) : value;
}

/** `JSON.parse` reviver: unsafe integers as bigints; `__proto__` keys dropped (prototype poisoning). */
export const int64Reviver: Reviver = (key, value, context) => {
  if (key === '__proto__') return undefined;
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && INTEGER.test(context.source)) return BigInt(context.source);
  return value;
};

/** Parses JSON text with {@link int64Reviver}. */
export function parseInt64Json<T = unknown>(text: string): T {
  return JSON.parse(text, int64Reviver as never) as T;
}

/** Serializes with {@link int64Replacer}. */
export function stringifyInt64Json(value: unknown): string {
  return JSON.stringify(value, int64Replacer);
}
