/** Deep merge of config layers: objects merge key by key, arrays and scalars replace. */

export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null, not a Date or class instance). */
export function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Sets an own property. A plain assignment to `__proto__` would change the object's prototype
 * instead of adding a key, so a config file holding `"__proto__"` must not reach one.
 */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Merges `overlay` onto `base` without mutating either. Nested objects merge recursively; an
 * array, scalar or `null` in the overlay replaces whatever the base held at that key.
 *
 * @example
 * deepMerge({ a: { x: 1, y: 2 }, tags: ['a'] }, { a: { y: 3 }, tags: ['b'] });
 * // → { a: { x: 1, y: 3 }, tags: ['b'] }
 */
export function deepMerge(base: JsonObject, overlay: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(base)) setOwn(out, key, cloneJson(value));
  for (const [key, value] of Object.entries(overlay)) {
    const current = out[key];
    setOwn(out, key, isPlainObject(current) && isPlainObject(value) && Object.hasOwn(out, key) ? deepMerge(current, value) : cloneJson(value));
  }
  return out;
}

/** A deep copy of JSON-shaped data, so callers can never mutate a layer through the result. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneJson(item)) as T;
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) setOwn(out, key, cloneJson(item));
    return out as T;
  }
  return value;
}
