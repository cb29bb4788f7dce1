/**
 * Typed filters as MongoDB filter documents — values stay values (BSON), never text spliced
 * into a query. Each operator keeps core's reference semantics (`matchesFilter`): a missing field
 * equals null; ordering comparisons with null match nothing; `exists` counts a null as present.
 */
import type { Filter } from '@sparkle/core';

/** A filter that matches no document (an empty `$in`). */
const NOTHING = { _id: { $in: [] as unknown[] } };

/** Escapes a string for a regular expression matching it literally. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A Mongo filter document for a typed filter.
 * @example
 * ```ts
 * toMongoFilter({ and: [{ field: 'status', op: 'eq', value: 'open' }, { field: 'total', op: 'gt', value: 100 }] });
 * // { $and: [{ status: { $eq: 'open' } }, { total: { $gt: 100 } }] }
 * ```
 */
export function toMongoFilter(filter: Filter): Record<string, unknown> {
  if ('and' in filter) return { $and: filter.and.map(toMongoFilter) };
  if ('or' in filter) return { $or: filter.or.map(toMongoFilter) };
  if ('not' in filter) return { $nor: [toMongoFilter(filter.not)] };
  const { field } = filter;
  switch (filter.op) {
    case 'eq':
      // { $eq: null } matches null and missing fields: the reference semantics.
      return { [field]: { $eq: filter.value } };
    case 'ne':
      return { [field]: { $ne: filter.value } };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      // Mongo's { $lte: null } would match null and missing; the reference says nothing compares with null.
      return filter.value === null ? NOTHING : { [field]: { [`$${filter.op}`]: filter.value } };
    case 'in':
      return { [field]: { $in: [...filter.values] } };
    case 'nin':
      return { [field]: { $nin: [...filter.values] } };
    case 'exists':
      return { [field]: { $exists: filter.value } };
    case 'prefix':
      return { [field]: { $regex: new RegExp(`^${escapeRegex(filter.value)}`) } };
  }
}
