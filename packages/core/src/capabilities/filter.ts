/**
 * Typed filters: the one predicate language of the document/key-value, directory and catalog
 * capabilities. A connector translates a filter into its system's own typed query (a MongoDB
 * filter document, CQL WHERE on key columns with bound values, DynamoDB key conditions, an
 * Elasticsearch query DSL object, Cypher parameters, an escaped LDAP filter) — never by splicing
 * strings — and refuses with `UnsupportedOperationError` what its system cannot push down.
 *
 * `matchesFilter` evaluates a filter in memory: the reference semantics every translation must
 * agree with (testkit checks connectors against it), and the fallback for residual predicates.
 */
import { InvalidArgumentError } from '../errors.js';

/** A scalar a filter compares against. */
export type FilterValue = string | number | bigint | boolean | Date | null;

/** Comparison operators on one field (dotted paths reach into nested documents). */
export type FieldFilter =
  | { field: string; op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte'; value: FilterValue }
  | { field: string; op: 'in' | 'nin'; values: readonly FilterValue[] }
  | { field: string; op: 'exists'; value: boolean }
  | { field: string; op: 'prefix'; value: string };

/** A typed predicate tree. */
export type Filter = FieldFilter | { and: readonly Filter[] } | { or: readonly Filter[] } | { not: Filter };

/** Shorthands so filters read like the predicate they state. */
export const where = {
  eq: (field: string, value: FilterValue): Filter => ({ field, op: 'eq', value }),
  ne: (field: string, value: FilterValue): Filter => ({ field, op: 'ne', value }),
  gt: (field: string, value: FilterValue): Filter => ({ field, op: 'gt', value }),
  gte: (field: string, value: FilterValue): Filter => ({ field, op: 'gte', value }),
  lt: (field: string, value: FilterValue): Filter => ({ field, op: 'lt', value }),
  lte: (field: string, value: FilterValue): Filter => ({ field, op: 'lte', value }),
  in: (field: string, values: readonly FilterValue[]): Filter => ({ field, op: 'in', values }),
  nin: (field: string, values: readonly FilterValue[]): Filter => ({ field, op: 'nin', values }),
  exists: (field: string, value = true): Filter => ({ field, op: 'exists', value }),
  prefix: (field: string, value: string): Filter => ({ field, op: 'prefix', value }),
  and: (...filters: Filter[]): Filter => ({ and: filters }),
  or: (...filters: Filter[]): Filter => ({ or: filters }),
  not: (filter: Filter): Filter => ({ not: filter }),
};

const COMPARE_OPS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']);
const FIELD = /^[A-Za-z_$@][\w$@-]*(\.[A-Za-z_$@0-9][\w$@-]*)*$/;

/**
 * Checks a filter's shape (it may come from JSON config or a CLI flag) and returns it typed.
 * Field names are plain dotted identifiers: anything else is refused, so no translation ever
 * has to escape a field name into a query language.
 */
export function parseFilter(value: unknown, path = 'filter'): Filter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${path}: expected a filter object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const v = value as Record<string, unknown>;
  if ('and' in v || 'or' in v) {
    const key = 'and' in v ? 'and' : 'or';
    const list = v[key];
    if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError(`${path}.${key}: expected a non-empty array of filters`);
    const parts = list.map((f, i) => parseFilter(f, `${path}.${key}[${i}]`));
    return key === 'and' ? { and: parts } : { or: parts };
  }
  if ('not' in v) return { not: parseFilter(v.not, `${path}.not`) };
  const { field, op } = v;
  if (typeof field !== 'string' || !FIELD.test(field)) {
    throw new InvalidArgumentError(`${path}.field: expected a dotted field name like 'address.city', got ${JSON.stringify(field)}`);
  }
  if (typeof op === 'string' && COMPARE_OPS.has(op)) return { field, op: op as 'eq', value: scalar(v.value, `${path}.value`) };
  if (op === 'in' || op === 'nin') {
    if (!Array.isArray(v.values)) throw new InvalidArgumentError(`${path}.values: '${op}' needs an array of values`);
    return { field, op, values: v.values.map((x, i) => scalar(x, `${path}.values[${i}]`)) };
  }
  if (op === 'exists') {
    if (typeof v.value !== 'boolean') throw new InvalidArgumentError(`${path}.value: 'exists' needs true or false`);
    return { field, op, value: v.value };
  }
  if (op === 'prefix') {
    if (typeof v.value !== 'string') throw new InvalidArgumentError(`${path}.value: 'prefix' needs a string`);
    return { field, op, value: v.value };
  }
  throw new InvalidArgumentError(
    `${path}.op: unknown operator ${JSON.stringify(op)}; use one of eq, ne, gt, gte, lt, lte, in, nin, exists, prefix (or and/or/not)`,
  );
}

function scalar(value: unknown, path: string): FilterValue {
  if (value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value) || value instanceof Date) return value as FilterValue;
  throw new InvalidArgumentError(`${path}: expected a string, number, boolean, date or null`);
}

/** Reads a dotted path out of a nested record. */
export function fieldValue(record: unknown, field: string): unknown {
  let current: unknown = record;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function comparable(value: unknown): string | number | bigint | boolean | null | undefined {
  if (value instanceof Date) return value.getTime();
  if (value === null || value === undefined) return value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  return undefined;
}

function compare(a: unknown, b: unknown): number | undefined {
  const x = comparable(a);
  const y = comparable(b);
  if (x === undefined || y === undefined || x === null || y === null) return undefined;
  const numeric = (typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint');
  if (!numeric && typeof x !== typeof y) return undefined;
  if (numeric) return Number(x) < Number(y) ? -1 : Number(x) > Number(y) ? 1 : x == y ? 0 : Number(x) === Number(y) ? 0 : x < y ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  return compare(a, b) === 0;
}

/**
 * Evaluates a filter against one record: the reference semantics. A missing field equals
 * `null`; ordering comparisons against null or across types are false (as in SQL and MongoDB's
 * type-bracketed comparisons).
 */
export function matchesFilter(record: unknown, filter: Filter): boolean {
  if ('and' in filter) return filter.and.every((f) => matchesFilter(record, f));
  if ('or' in filter) return filter.or.some((f) => matchesFilter(record, f));
  if ('not' in filter) return !matchesFilter(record, filter.not);
  const actual = fieldValue(record, filter.field);
  switch (filter.op) {
    case 'eq':
      return equal(actual, filter.value);
    case 'ne':
      return !equal(actual, filter.value);
    case 'in':
      return filter.values.some((v) => equal(actual, v));
    case 'nin':
      return !filter.values.some((v) => equal(actual, v));
    case 'exists':
      return (actual !== undefined) === filter.value;
    case 'prefix':
      return typeof actual === 'string' && actual.startsWith(filter.value);
    default: {
      const c = compare(actual, filter.value);
      if (c === undefined) return false;
      return filter.op === 'gt' ? c > 0 : filter.op === 'gte' ? c >= 0 : filter.op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

/** Field names a filter mentions (for projection checks and key-column pushdown decisions). */
export function filterFields(filter: Filter): string[] {
  if ('and' in filter) return [...new Set(filter.and.flatMap(filterFields))];
  if ('or' in filter) return [...new Set(filter.or.flatMap(filterFields))];
  if ('not' in filter) return filterFields(filter.not);
  return [filter.field];
}
