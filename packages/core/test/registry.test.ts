import { afterEach, describe, expect, it } from 'vitest';
import { findRegistryEntry, nearMatches, normalizeTypeName, registerConnection, registryEntries, unknownType, unregisterConnection, type ConnectionClass } from '../src/registry.js';
import { SparkleError, UnknownConnectionTypeError } from '../src/errors.js';

// Registry tests use stand-in classes: the registry only stores them.
const fakeClass = (family = 'custom') => {
  const cls = class {} as unknown as ConnectionClass;
  (cls as { family?: string }).family = family;
  return cls;
};

afterEach(() => {
  for (const t of ['alpha_db', 'beta', 'decorated']) unregisterConnection(t);
});

describe('registry', () => {
  it('registers a type with aliases, case- and dash-insensitively', () => {
    const cls = fakeClass('jdbc');
    registerConnection(['alpha_db', 'alpha', 'adb'], cls);
    for (const name of ['alpha_db', 'ALPHA-DB', 'alpha', 'adb']) expect(findRegistryEntry(name)?.connectionClass).toBe(cls);
    expect(findRegistryEntry('alpha')?.family).toBe('jdbc');
    expect(normalizeTypeName(' Alpha-DB ')).toBe('alpha_db');
  });

  it('is idempotent and lets a later registration replace the class', () => {
    const a = fakeClass();
    const b = fakeClass();
    registerConnection('beta', a);
    registerConnection('beta', a);
    expect(registryEntries().filter((e) => e.type === 'beta')).toHaveLength(1);
    registerConnection('beta', b);
    expect(findRegistryEntry('beta')?.connectionClass).toBe(b);
  });

  it('works as a standard class decorator', () => {
    const decorate = registerConnection('decorated');
    const cls = fakeClass();
    const returned = decorate(cls, { kind: 'class', name: 'X' } as ClassDecoratorContext);
    expect(returned).toBe(cls);
    expect(findRegistryEntry('decorated')?.connectionClass).toBe(cls);
  });

  it('lives on a Symbol.for key so every copy of core shares it', () => {
    registerConnection('alpha_db', fakeClass());
    const shared = (globalThis as Record<symbol, { entries: Map<string, unknown> }>)[Symbol.for('sparkle.registry.v1')];
    expect(shared?.entries.has('alpha_db')).toBe(true);
  });

  it('suggests near matches for unknown names', () => {
    registerConnection(['alpha_db', 'alpha'], fakeClass());
    expect(nearMatches('alpah')).toContain('alpha');
    const err = unknownType('alpah_db');
    expect(err).toBeInstanceOf(UnknownConnectionTypeError);
    expect(SparkleError.isInstance(err)).toBe(true);
    expect(err.code).toBe('UNKNOWN_CONNECTION_TYPE');
    expect(err.message).toMatch(/Unknown connection type 'alpah_db'\. Did you mean 'alpha_db'/);
  });

  it('refuses invalid names', () => {
    expect(() => registerConnection('../evil', fakeClass())).toThrow(/Invalid connection type name/);
    expect(() => registerConnection([], fakeClass())).toThrow(/at least one/);
  });
});
