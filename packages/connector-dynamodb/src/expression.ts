/**
 * Typed filters as DynamoDB expressions: every field name is an expression attribute name
 * (`#n0`) and every value an expression attribute value (`:v0`), so no user text is ever
 * spliced into an expression. Each operator keeps core's reference semantics (`matchesFilter`):
 * a missing attribute equals null, ordering comparisons with null match nothing, `exists` counts
 * a NULL attribute as present. Dates are compared as the ISO-8601 text they are stored as.
 */
import type { FieldFilter, Filter, FilterValue } from '@sparkle/core';

/** Names and values an expression refers to, shared by the expressions of one request. */
export class ExpressionContext {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #byName = new Map<string, string>();
  #n = 0;
  #v = 0;

  /** `#n0.#n1` for `address.city`. */
  path(field: string): string {
    return field
      .split('.')
      .map((part) => {
        let alias = this.#byName.get(part);
        if (!alias) {
          alias = `#n${this.#n++}`;
          this.#byName.set(part, alias);
          this.names[alias] = part;
        }
        return alias;
      })
      .join('.');
  }

  /** `:v0` bound to the value (dates as their ISO text, as they are stored). */
  value(value: unknown): string {
    const alias = `:v${this.#v++}`;
    this.values[alias] = value instanceof Date ? value.toISOString() : value;
    return alias;
  }
}


function isNull(ctx: ExpressionContext, path: string): string {
  return `(attribute_not_exists(${path}) OR attribute_type(${path}, ${ctx.value('NULL')}))`;
}

function eq(ctx: ExpressionContext, path: string, value: FilterValue): string {
  return value === null ? isNull(ctx, path) : `${path} = ${ctx.value(value)}`;
}

function field(ctx: ExpressionContext, f: FieldFilter): string {
  const path = ctx.path(f.field);
  switch (f.op) {
    case 'eq':
      return eq(ctx, path, f.value);
    case 'ne':
      return `(NOT ${eq(ctx, path, f.value)})`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      // Nothing orders against null (the reference semantics): an expression that is always false.
      if (f.value === null) return `(attribute_exists(${path}) AND attribute_not_exists(${path}))`;
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
      return `${path} ${op} ${ctx.value(f.value)}`;
    }
    case 'in':
    case 'nin': {
      const any = f.values.length ? `(${f.values.map((v) => eq(ctx, path, v)).join(' OR ')})` : `(attribute_exists(${path}) AND attribute_not_exists(${path}))`;
      return f.op === 'in' ? any : `(NOT ${any})`;
    }
    case 'exists':
      return f.value ? `attribute_exists(${path})` : `attribute_not_exists(${path})`;
    case 'prefix':
      return `begins_with(${path}, ${ctx.value(f.value)})`;
  }
}

/**
 * A DynamoDB condition expression for a typed filter, its names and values added to `ctx`.
 * @example
 * ```ts
 * const ctx = new ExpressionContext();
 * toExpression({ field: 'status', op: 'eq', value: 'open' }, ctx); // '#n0 = :v0'
 * // ctx.names: { '#n0': 'status' }, ctx.values: { ':v0': 'open' }
 * ```
 */
export function toExpression(filter: Filter, ctx: ExpressionContext): string {
  if ('and' in filter) return `(${filter.and.map((f) => toExpression(f, ctx)).join(' AND ')})`;
  if ('or' in filter) return `(${filter.or.map((f) => toExpression(f, ctx)).join(' OR ')})`;
  if ('not' in filter) return `(NOT ${toExpression(filter.not, ctx)})`;
  return field(ctx, filter);
}

/** The parts of a key condition a filter gives for a table's key: `eq` on the hash key, and one condition on the range key. */
export interface KeyPlan {
  keyCondition: Filter[];
  rest: Filter[];
}

/**
 * Splits a filter into a Query's key condition (an `eq` on the partition key, optionally one
 * `eq`/`gt`/`gte`/`lt`/`lte`/`prefix` on the sort key, each a non-null value) and the rest;
 * `undefined` when the filter does not pin the partition key or the rest still names a key
 * attribute (a Query's FilterExpression may not) — then the read scans.
 */
export function planQuery(filter: Filter | undefined, hashKey: string, rangeKey: string | undefined): KeyPlan | undefined {
  if (!filter) return undefined;
  const parts = 'and' in filter ? [...filter.and] : [filter];
  const hash = parts.findIndex((p) => 'field' in p && p.field === hashKey && p.op === 'eq' && p.value !== null);
  if (hash < 0) return undefined;
  const keyCondition = [parts[hash]!];
  const rest = parts.filter((_, i) => i !== hash);
  if (rangeKey) {
    const range = rest.findIndex((p) => 'field' in p && p.field === rangeKey && ['eq', 'gt', 'gte', 'lt', 'lte', 'prefix'].includes(p.op) && (p as { value: unknown }).value !== null);
    if (range >= 0) keyCondition.push(rest.splice(range, 1)[0]!);
  }
  const mentions = (f: Filter): boolean =>
    'and' in f ? f.and.some(mentions) : 'or' in f ? f.or.some(mentions) : 'not' in f ? mentions(f.not) : f.field === hashKey || f.field === rangeKey || f.field.startsWith(`${hashKey}.`);
  if (rest.some(mentions)) return undefined;
  return { keyCondition, rest };
}

/** A key condition expression (`=`, comparisons, `begins_with`) for the parts {@link planQuery} chose. */
export function toKeyCondition(parts: readonly Filter[], ctx: ExpressionContext): string {
  return parts
    .map((p) => {
      const f = p as FieldFilter & { value: FilterValue };
      const path = ctx.path(f.field);
      if (f.op === 'prefix') return `begins_with(${path}, ${ctx.value(f.value)})`;
      const op = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op as 'eq'];
      return `${path} ${op} ${ctx.value(f.value)}`;
    })
    .join(' AND ');
}
