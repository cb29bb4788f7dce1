/**
 * SQL++ statements from typed filters: values only ever as named parameters, identifiers
 * validated and backquoted, and the four-valued logic of SQL++ pinned to core's two-valued
 * reference semantics. No query service runs here (CouchbaseMock has none), so these check the
 * statement and parameters the SDK is given; the opt-in live suite runs them on a real cluster.
 */
import { describe, expect, it } from 'vitest';
import { getConnection, where, type SparkleError } from '@sparkle/core';
import { boundaryStatement, countStatement, filterCondition, rowToDocument, selectStatement, type CouchbaseConnection } from '../src/index.js';

const ks = { bucket: 'shop', scope: 'sales', collection: 'orders' };
const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as SparkleError;
  }
  return undefined;
};

describe('couchbase SQL++ statements', () => {
  it('selects with the key as __META_ID and values as named parameters, never spliced', () => {
    const hostile = "o'pen\"; DELETE FROM `shop` --";
    expect(selectStatement(ks, { filter: where.and(where.eq('status', hostile), where.gt('total', 100)) })).toEqual({
      statement:
        'SELECT META(d).id AS `__META_ID`, d.* FROM `shop`.`sales`.`orders` AS d WHERE (IFMISSINGORNULL(d.`status` = $p0, FALSE) AND IFMISSINGORNULL((IS_NUMBER(d.`total`) AND d.`total` > $p1), FALSE))',
      parameters: { p0: hostile, p1: 100 },
    });
  });

  it('projects dotted paths under their dotted names and folds them back into nested documents', () => {
    const { statement } = selectStatement(ks, { projection: ['_id', 'address.city', 'total'], limit: 5 });
    expect(statement).toBe('SELECT META(d).id AS `__META_ID`, d.`_id` AS `_id`, d.`address`.`city` AS `address.city`, d.`total` AS `total` FROM `shop`.`sales`.`orders` AS d LIMIT $limit');
    expect(rowToDocument({ __META_ID: 'k1', 'address.city': 'Bern', total: 1 }, '_id', ['_id', 'address.city', 'total'])).toEqual({ _id: 'k1', address: { city: 'Bern' }, total: 1 });
    expect(rowToDocument({ __META_ID: 'k1', _id: 7, a: 1 }, '_id')).toEqual({ _id: 7, a: 1 });
    expect(rowToDocument({ __META_ID: 'k1', a: 1 }, '_id', ['a'])).toEqual({ a: 1 });
  });

  it('keeps SQL++ NULL/MISSING and cross-type ordering out of the reference semantics', () => {
    const p: Record<string, unknown> = {};
    expect(filterCondition(where.eq('a', null), p)).toBe('(d.`a` IS NOT VALUED)');
    expect(filterCondition(where.ne('a', 1), p)).toBe('(d.`a` IS NOT VALUED OR IFMISSINGORNULL(d.`a` != $p0, FALSE))');
    expect(filterCondition(where.lte('a', null), p)).toBe('FALSE');
    expect(filterCondition(where.gte('at', new Date('2024-01-01T00:00:00Z')), p)).toBe('IFMISSINGORNULL((IS_STRING(d.`at`) AND d.`at` >= $p1), FALSE)');
    expect(p.p1).toBe('2024-01-01T00:00:00.000Z');
    expect(filterCondition(where.nin('a', [1, null]), p)).toBe('(NOT (d.`a` IS NOT VALUED OR IFMISSINGORNULL(d.`a` IN $p2, FALSE)))');
    expect(p.p2).toEqual([1]);
    expect(filterCondition(where.exists('a', false), p)).toBe('(d.`a` IS MISSING)');
    expect(filterCondition(where.prefix('name', '50%_off\\'), p)).toBe('IFMISSINGORNULL((IS_STRING(d.`name`) AND d.`name` LIKE $p3), FALSE)');
    expect(p.p3).toBe('50\\%\\_off\\\\%');
    expect(filterCondition(where.not(where.in('a', [])), p)).toBe('(NOT FALSE)');
  });

  it('splits by META().id: count, boundary at an offset, ranges as parameters', () => {
    expect(countStatement(ks, where.eq('s', 'x'))).toEqual({ statement: 'SELECT RAW COUNT(*) FROM `shop`.`sales`.`orders` AS d WHERE IFMISSINGORNULL(d.`s` = $p0, FALSE)', parameters: { p0: 'x' } });
    expect(boundaryStatement(ks, 40)).toEqual({ statement: 'SELECT RAW META(d).id FROM `shop`.`sales`.`orders` AS d ORDER BY META(d).id LIMIT 1 OFFSET $offset', parameters: { offset: 40 } });
    expect(selectStatement(ks, { idRange: { from: 'k10', to: 'k20' }, ordered: true })).toEqual({
      statement: 'SELECT META(d).id AS `__META_ID`, d.* FROM `shop`.`sales`.`orders` AS d WHERE META(d).id >= $idFrom AND META(d).id < $idTo ORDER BY META(d).id',
      parameters: { idFrom: 'k10', idTo: 'k20' },
    });
  });

  it('refuses hostile identifiers and unsafe values instead of escaping them', async () => {
    expect(thrown(() => selectStatement({ ...ks, collection: 'orders` WHERE 1=1 --' }))?.code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => selectStatement({ ...ks, bucket: 'a`b' }))?.code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => selectStatement(ks, { projection: ['a`) FROM x --'] }))?.code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => selectStatement(ks, { filter: { field: 'a b', op: 'eq', value: 1 } }))?.code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => selectStatement(ks, { filter: where.eq('n', 2n ** 60n) }))?.message).toMatch(/2\^53/);
    await using cb = await getConnection<CouchbaseConnection>('couchbase', { config: { username: 'u', password: 'secret-pw-1', bucket: 'shop', scope: 'sales' }, dotenv: false, variables: {} });
    expect(cb.findStatement('orders', { filter: where.eq('a', 1) }).statement).toContain('FROM `shop`.`sales`.`orders`');
    expect(cb.findStatement('inventory.items').statement).toContain('FROM `shop`.`inventory`.`items`');
    for (const bad of ['a.b.c', 'x`y', '_system.foo', '.x']) expect(thrown(() => cb.findStatement(bad))?.code, bad).toBe('INVALID_ARGUMENT');
    expect(thrown(() => cb.findStatement('orders', { native: 'SELECT 1' }))?.code).toBe('UNSUPPORTED');
  });
});
