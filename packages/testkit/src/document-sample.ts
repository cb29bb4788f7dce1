/**
 * The fixed document sample and filter cases of the document suite: nested objects, arrays,
 * nulls, missing fields, dates, a field of mixed types, awkward text — and, per filter, the
 * expected answer computed with core's `matchesFilter` (the reference semantics).
 */
import { matchesFilter, where, type Document, type Filter } from '@sparkle/core';

/** The documents the suite upserts (keys `_id` 1–8). */
export const DOCUMENT_SAMPLE: readonly Document[] = [
  { _id: 1, name: 'alpha', status: 'open', total: 120.5, qty: 3, tags: ['a', 'b'], address: { city: 'Bern', zip: '3011' }, created: new Date('2024-01-05T10:00:00Z'), mixed: 1 },
  { _id: 2, name: "O'Brien \"quoted\"", status: 'closed', total: 80, qty: 1, tags: [], address: { city: 'Zürich', zip: '8001' }, created: new Date('2024-02-10T12:30:00Z'), mixed: 'two' },
  { _id: 3, name: 'Zürich – 東京 ✓', status: 'open', total: 0, qty: 0, tags: ['b'], address: { city: 'Basel' }, created: new Date('2023-12-31T23:59:59Z'), mixed: { three: 3 } },
  { _id: 4, name: null, status: 'pending', total: -15.25, qty: 7, tags: ['c', 'a'], address: null, mixed: null },
  { _id: 5, name: 'epsilon', status: 'open', total: 1e6, qty: 2, tags: ['a'], address: { city: 'Bern', zip: '3012' }, created: new Date('2024-03-01T00:00:00Z') },
  { _id: 6, name: 'zeta', status: 'closed', qty: 5, tags: null, address: { city: 'Genève', zip: '1201' }, created: new Date('2024-01-31T08:00:00Z'), mixed: [1, 'x'] },
  { _id: 7, name: 'eta-prefixed', status: 'open', total: 99.99, qty: 4, tags: ['d'], address: { city: 'Lugano', zip: '6900' }, created: new Date('2024-04-15T16:45:00Z'), mixed: true },
  { _id: 8, name: '', status: 'archived', total: 42, qty: 9, tags: ['a', 'b', 'c'], address: { city: 'Bern', zip: '3013' }, created: new Date('2022-06-01T00:00:00Z'), mixed: 2.5 },
];

/** Filter cases, by name. Each answer is `DOCUMENT_SAMPLE.filter((d) => matchesFilter(d, filter))`. */
export const FILTER_CASES: ReadonlyArray<{ name: string; filter: Filter }> = [
  { name: 'eq string', filter: where.eq('status', 'open') },
  { name: 'ne string', filter: where.ne('status', 'open') },
  { name: 'gt number', filter: where.gt('total', 80) },
  { name: 'gte number', filter: where.gte('total', 80) },
  { name: 'lt number', filter: where.lt('qty', 3) },
  { name: 'lte number', filter: where.lte('qty', 3) },
  { name: 'in', filter: where.in('status', ['pending', 'archived']) },
  { name: 'nin', filter: where.nin('status', ['open', 'closed']) },
  { name: 'exists true', filter: where.exists('created') },
  { name: 'exists false', filter: where.exists('total', false) },
  { name: 'prefix', filter: where.prefix('name', 'e') },
  { name: 'eq null (null or missing)', filter: where.eq('name', null) },
  { name: 'nested field', filter: where.eq('address.city', 'Bern') },
  { name: 'date range', filter: where.and(where.gte('created', new Date('2024-01-01T00:00:00Z')), where.lt('created', new Date('2024-03-01T00:00:00Z'))) },
  { name: 'and', filter: where.and(where.eq('status', 'open'), where.gt('total', 50)) },
  { name: 'or', filter: where.or(where.eq('status', 'pending'), where.lt('total', 1)) },
  { name: 'not', filter: where.not(where.eq('status', 'open')) },
  { name: 'nested and/or/not', filter: where.and(where.or(where.eq('address.city', 'Bern'), where.eq('address.city', 'Basel')), where.not(where.in('_id', [8]))) },
];

/** The `_id`s a filter selects from the sample, by the reference semantics. */
export function expectedIds(filter: Filter): number[] {
  return DOCUMENT_SAMPLE.filter((d) => matchesFilter(d, filter)).map((d) => d._id as number);
}
