/**
 * Typed filters as Elasticsearch query DSL objects — values stay JSON values inside `term`,
 * `terms`, `range`, `prefix` and `exists` clauses, never text spliced into a query string. Each
 * operator keeps core's reference semantics (`matchesFilter`) as far as Elasticsearch can: a
 * missing field equals null (`must_not exists`); ordering comparisons with null match nothing.
 * One difference is documented rather than hidden: Elasticsearch does not index explicit nulls,
 * so `exists: true` does not match a field stored as `null` (the reference counts it as present).
 */
import type { Filter, FilterValue } from '@sparkle/core';

/** A query DSL object (`{ term: … }`, `{ bool: … }`, …). */
export type QueryDsl = Record<string, unknown>;

/**
 * Which concrete field a term-level clause targets: dynamic mappings index strings as `text`
 * with a `keyword` sub-field, and exact matches must go to the sub-field.
 */
export type TermField = (field: string) => string;

const MATCH_NONE: QueryDsl = { match_none: {} };

/** A value as Elasticsearch takes it: dates as ISO text, int64s beyond 2^53 as decimal text. */
function esValue(value: FilterValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const missing = (field: string): QueryDsl => ({ bool: { must_not: [{ exists: { field } }] } });

/**
 * A query DSL object for a typed filter.
 * @example
 * ```ts
 * import { where } from '@sparkle/core';
 * import { toEsQuery } from '@sparkle/connector-elasticsearch';
 * toEsQuery(where.and(where.eq('status', 'open'), where.gt('total', 100)));
 * // { bool: { filter: [{ term: { status: 'open' } }, { range: { total: { gt: 100 } } }] } }
 * ```
 */
export function toEsQuery(filter: Filter, termField: TermField = (f) => f): QueryDsl {
  if ('and' in filter) return { bool: { filter: filter.and.map((f) => toEsQuery(f, termField)) } };
  if ('or' in filter) return { bool: { should: filter.or.map((f) => toEsQuery(f, termField)), minimum_should_match: 1 } };
  if ('not' in filter) return { bool: { must_not: [toEsQuery(filter.not, termField)] } };
  const { field } = filter;
  const term = termField(field);
  switch (filter.op) {
    case 'eq':
      return filter.value === null ? missing(field) : { term: { [term]: esValue(filter.value) } };
    case 'ne':
      return filter.value === null ? { exists: { field } } : { bool: { must_not: [{ term: { [term]: esValue(filter.value) } }] } };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return filter.value === null ? MATCH_NONE : { range: { [field]: { [filter.op]: esValue(filter.value) } } };
    case 'in':
    case 'nin': {
      const values = filter.values.filter((v) => v !== null).map(esValue);
      const clauses: QueryDsl[] = [];
      if (values.length) clauses.push({ terms: { [term]: values } });
      if (values.length !== filter.values.length) clauses.push(missing(field));
      const any: QueryDsl = clauses.length === 0 ? MATCH_NONE : clauses.length === 1 ? clauses[0]! : { bool: { should: clauses, minimum_should_match: 1 } };
      return filter.op === 'in' ? any : { bool: { must_not: [any] } };
    }
    case 'exists':
      return filter.value ? { exists: { field } } : missing(field);
    case 'prefix':
      return { prefix: { [term]: filter.value } };
  }
}
