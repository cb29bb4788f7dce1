import { describe, expect, it } from 'vitest';
import {
  capabilitiesOf,
  filterFields,
  hasCapability,
  InvalidArgumentError,
  matchesFilter,
  parseFilter,
  where,
  type ObjectInfo,
} from '../src/index.js';

describe('capabilitiesOf', () => {
  class Base {
    nativeRead() {}
    nativeWrite() {}
  }
  class Store extends Base {
    storeSemantics = { atomicPut: true, conditionalPut: true, atomicRename: false, listAfterWrite: 'strong' as const };
    async *listObjects(): AsyncIterable<ObjectInfo> {}
    async statObject() { return undefined; }
    async *getObject(): AsyncIterable<Uint8Array> {}
    async putObject(key: string) { return { key, size: 0 }; }
    async deleteObjects() { return 0; }
    async copyObject(_from: string, to: string) { return { key: to, size: 0 }; }
    objectUri(key: string) { return `mem://${key}`; }
  }
  class NoNative extends Base {
    static withoutCapabilities = ['read', 'write'];
  }

  it('detects capabilities from inherited methods, on classes and instances', () => {
    expect(capabilitiesOf(Base)).toEqual(['read', 'write']);
    expect(capabilitiesOf(Store)).toEqual(['read', 'write', 'object_store']);
    expect(capabilitiesOf(new Store())).toEqual(['read', 'write', 'object_store']);
    expect(hasCapability(new Store(), 'object_store')).toBe(true);
    expect(hasCapability(new Base(), 'object_store')).toBe(false);
  });

  it('honours withoutCapabilities for inherited methods a class cannot serve', () => {
    expect(capabilitiesOf(NoNative)).toEqual([]);
  });

  it('needs every method of a capability, not some', () => {
    class Half {
      describeTopic() {}
      consumeRange() {}
    }
    expect(capabilitiesOf(Half)).toEqual([]);
  });
});

describe('typed filters', () => {
  const doc = { _id: 1, status: 'open', total: 120, tags: ['a'], address: { city: 'Oslo' }, createdAt: new Date('2024-01-02T00:00:00Z'), big: 2n ** 60n };

  it('evaluates comparisons, membership, existence, prefixes and nesting', () => {
    expect(matchesFilter(doc, where.eq('status', 'open'))).toBe(true);
    expect(matchesFilter(doc, where.gt('total', 100))).toBe(true);
    expect(matchesFilter(doc, where.lte('total', 100))).toBe(false);
    expect(matchesFilter(doc, where.in('status', ['closed', 'open']))).toBe(true);
    expect(matchesFilter(doc, where.nin('status', ['open']))).toBe(false);
    expect(matchesFilter(doc, where.eq('address.city', 'Oslo'))).toBe(true);
    expect(matchesFilter(doc, where.exists('address.zip'))).toBe(false);
    expect(matchesFilter(doc, where.exists('address.zip', false))).toBe(true);
    expect(matchesFilter(doc, where.prefix('address.city', 'Os'))).toBe(true);
    expect(matchesFilter(doc, where.gte('createdAt', new Date('2024-01-01T00:00:00Z')))).toBe(true);
    expect(matchesFilter(doc, where.gt('big', 2 ** 59))).toBe(true);
    expect(matchesFilter(doc, where.and(where.eq('status', 'open'), where.not(where.lt('total', 50))))).toBe(true);
    expect(matchesFilter(doc, where.or(where.eq('status', 'x'), where.eq('_id', 2)))).toBe(false);
  });

  it('treats a missing field as null and never orders across types', () => {
    expect(matchesFilter(doc, where.eq('missing', null))).toBe(true);
    expect(matchesFilter(doc, where.gt('status', 5))).toBe(false);
    expect(matchesFilter(doc, where.lt('missing', 5))).toBe(false);
  });

  it('parses filters from JSON with errors that name the path', () => {
    const parsed = parseFilter(JSON.parse('{"and":[{"field":"a.b","op":"gte","value":3},{"not":{"field":"c","op":"in","values":[1,2]}}]}'));
    expect(filterFields(parsed)).toEqual(['a.b', 'c']);
    expect(() => parseFilter({ and: [{ field: 'a', op: 'like', value: 'x%' }] })).toThrow(/filter\.and\[0\]\.op: unknown operator "like"/);
    expect(() => parseFilter({ field: "a'; DROP", op: 'eq', value: 1 })).toThrow(InvalidArgumentError);
    expect(() => parseFilter({ field: 'a', op: 'eq', value: { $gt: 1 } })).toThrow(/filter\.value/);
    expect(() => parseFilter({ or: [] })).toThrow(/non-empty/);
  });
});
