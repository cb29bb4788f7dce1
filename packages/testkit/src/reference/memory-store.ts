/**
 * Named in-memory stores shared by the reference connections: two connections opened with the
 * same `store` name see the same data, as two clients of one server would.
 */
const STORES = new Map<string, Map<string, unknown>>();

/** The state of one reference family in a named store, created on first use. */
export function memoryState<T>(family: string, store: string, create: () => T): T {
  let byFamily = STORES.get(store);
  if (!byFamily) STORES.set(store, (byFamily = new Map()));
  if (!byFamily.has(family)) byFamily.set(family, create());
  return byFamily.get(family) as T;
}

/** Forgets a named store (every family's data in it). */
export function dropMemoryStore(store: string): boolean {
  return STORES.delete(store);
}
