/**
 * Importing the connector must not load the Couchbase SDK's native module (a C++ binary from its
 * platform package): only the first call that talks to a cluster does. Checked by watching
 * `process.dlopen`, through which Node loads every `.node` binary.
 */
import { expect, it } from 'vitest';

it('loads the native module on first use, not on import', async () => {
  const loaded: string[] = [];
  const original = process.dlopen;
  process.dlopen = function (this: unknown, module: unknown, filename: string, ...rest: unknown[]) {
    loaded.push(filename);
    return (original as (...a: unknown[]) => unknown).call(this, module, filename, ...rest);
  } as typeof process.dlopen;
  try {
    const { CouchbaseConnection } = await import('../src/index.js');
    const { getConnection } = await import('@sparkle/core');
    await using cb = await getConnection<InstanceType<typeof CouchbaseConnection>>('couchbase', { config: { username: 'u', password: 'lazy-pw', bucket: 'b' }, dotenv: false, variables: {} });
    expect(cb.findStatement('orders').statement).toContain('`b`.`_default`.`orders`');
    expect(loaded.filter((f) => /couchbase/i.test(f))).toEqual([]);
    const sdk = await (cb as unknown as { loadSdk(): Promise<{ connect: unknown }> }).loadSdk();
    expect(typeof sdk.connect).toBe('function');
    expect(loaded.filter((f) => /couchbase/i.test(f)).length).toBe(1);
  } finally {
    process.dlopen = original;
  }
});
