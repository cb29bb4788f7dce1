/**
 * Typed filters and projections as Cosmos DB NoSQL queries: the SQL text names fields only
 * (validated, escaped as `c["…"]` when they are not plain identifiers or are reserved words) and
 * every value travels as a parameter (`@p0`, `@p1`, …) — never spliced into the text.
 *
 * The translation keeps core's reference semantics (`matchesFilter`): a missing field equals
 * `null`; ordering comparisons with `null` or across types are false. Cosmos comparisons across
 * types and with missing fields yield `undefined`, which a `WHERE` drops like `false` — except
 * under `NOT`, so every negation wraps its operand in `IIF(…, true, false)`, turning `undefined`
 * into `false` first.
 */
import { InvalidArgumentError, type Filter, type FilterValue } from '@sparkle/core';

/** A parameterized query as `container.items.query` takes it. */
export interface CosmosQuerySpec {
  query: string;
  parameters: Array<{ name: string; value: JsonScalar | JsonScalar[] }>;
}

type JsonScalar = string | number | boolean | null;

/** Words of the Cosmos NoSQL grammar that cannot follow a `.` as a property name. */
const RESERVED = new Set(
  [
    'and', 'array', 'as', 'asc', 'between', 'by', 'case', 'cast', 'convert', 'cross', 'desc', 'distinct', 'else', 'end', 'escape', 'exists',
    'false', 'for', 'from', 'group', 'having', 'in', 'inner', 'insert', 'into', 'is', 'join', 'left', 'like', 'limit', 'not', 'null', 'of',
    'offset', 'on', 'or', 'order', 'outer', 'over', 'right', 'select', 'set', 'then', 'top', 'true', 'udf', 'undefined', 'update', 'value',
    'when', 'where', 'with', 'rank', 'first', 'last',
  ],
);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A property path under the alias `c`: `c.total`, `c.address.city`, `c["weird name"]`,
 * `c["value"]`. Segments are JSON-escaped string literals when they are not plain identifiers.
 * @example
 * ```ts
 * propertyPath(['address', 'zip-code']); // 'c.address["zip-code"]'
 * ```
 */
export function propertyPath(segments: readonly string[]): string {
  if (!segments.length || segments.some((s) => s.length === 0)) throw new InvalidArgumentError(`empty field name in ${JSON.stringify(segments.join('.'))}`, { connector: 'cosmosdb' });
  return 'c' + segments.map((s) => (IDENT.test(s) && !RESERVED.has(s.toLowerCase()) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** A filter value as a JSON parameter; dates as ISO-8601 text (how documents store them), bigints only when exact as JSON numbers. */
export function parameterValue(value: FilterValue, field: string): JsonScalar {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new InvalidArgumentError(
        `filter on '${field}': ${value} is beyond ±2^53; Cosmos DB numbers are IEEE-754 doubles and cannot hold it exactly — compare against a string field instead`,
        { connector: 'cosmosdb', details: { field } },
      );
    }
    return Number(value);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new InvalidArgumentError(`filter on '${field}': ${value} is not a JSON number`, { connector: 'cosmosdb', details: { field } });
  return value;
}

/** Builds the WHERE clause of a filter, adding its values to `params`. */
export class FilterTranslator {
  readonly parameters: CosmosQuerySpec['parameters'] = [];

  #param(value: JsonScalar | JsonScalar[]): string {
    const name = `@p${this.parameters.length}`;
    this.parameters.push({ name, value });
    return name;
  }

  translate(filter: Filter): string {
    if ('and' in filter) return `(${filter.and.map((f) => this.translate(f)).join(' AND ')})`;
    if ('or' in filter) return `(${filter.or.map((f) => this.translate(f)).join(' OR ')})`;
    if ('not' in filter) return `(NOT IIF(${this.translate(filter.not)}, true, false))`;
    const path = propertyPath(filter.field.split('.'));
    const isNullish = `(NOT IS_DEFINED(${path}) OR IS_NULL(${path}))`;
    switch (filter.op) {
      case 'eq':
        return filter.value === null ? isNullish : `(${path} = ${this.#param(parameterValue(filter.value, filter.field))})`;
      case 'ne':
        return filter.value === null
          ? `(IS_DEFINED(${path}) AND NOT IS_NULL(${path}))`
          : `(NOT IIF(${path} = ${this.#param(parameterValue(filter.value, filter.field))}, true, false))`;
      case 'in':
      case 'nin': {
        const values = filter.values.filter((v) => v !== null).map((v) => parameterValue(v, filter.field));
        const parts: string[] = [];
        if (values.length) parts.push(`ARRAY_CONTAINS(${this.#param(values)}, ${path})`);
        if (values.length < filter.values.length) parts.push(isNullish);
        const any = parts.length ? `(${parts.join(' OR ')})` : 'false';
        return filter.op === 'in' ? any : `(NOT IIF(${any}, true, false))`;
      }
      case 'exists':
        return filter.value ? `IS_DEFINED(${path})` : `(NOT IS_DEFINED(${path}))`;
      case 'prefix':
        return `STARTSWITH(${path}, ${this.#param(filter.value)}, false)`;
      default: {
        // Ordering comparisons with null are false in the reference semantics.
        if (filter.value === null) return 'false';
        const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[filter.op];
        return `(${path} ${op} ${this.#param(parameterValue(filter.value, filter.field))})`;
      }
    }
  }
}

/** A nested projection: top-level fields in order, each whole (`true`) or a tree of sub-fields. */
type Tree = Map<string, true | Tree>;

function projectionTree(projection: readonly string[]): Tree {
  const root: Tree = new Map();
  for (const path of projection) {
    const segments = path.split('.');
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      const existing = node.get(s);
      if (existing === true) break;
      if (i === segments.length - 1) node.set(s, true);
      else {
        const next = existing ?? new Map();
        node.set(s, next);
        node = next;
      }
    }
  }
  return root;
}

function objectLiteral(tree: Tree, prefix: readonly string[]): string {
  return `{${[...tree].map(([k, v]) => `${JSON.stringify(k)}: ${v === true ? propertyPath([...prefix, k]) : objectLiteral(v, [...prefix, k])}`).join(', ')}}`;
}

/**
 * The query of a read: `SELECT * FROM c` or, with a projection, `SELECT c.a, c.b FROM c` (plain
 * top-level fields) or `SELECT VALUE {"a": c.a, "address": {"city": c.address.city}} FROM c`
 * (dotted paths or names that need escaping keep their nesting), then `WHERE` with parameters.
 * @example
 * ```ts
 * import { where } from '@sparkle/core';
 * toCosmosQuery(where.eq('status', 'open'), ['id', 'total']);
 * // { query: 'SELECT c.id, c.total FROM c WHERE (c.status = @p0)', parameters: [{ name: '@p0', value: 'open' }] }
 * ```
 */
export function toCosmosQuery(filter: Filter | undefined, projection?: readonly string[]): CosmosQuerySpec {
  let select = '*';
  if (projection?.length) {
    const tree = projectionTree(projection);
    const plain = [...tree].every(([k, v]) => v === true && IDENT.test(k) && !RESERVED.has(k.toLowerCase()));
    select = plain ? [...tree.keys()].map((k) => propertyPath([k])).join(', ') : `VALUE ${objectLiteral(tree, [])}`;
  }
  const translator = new FilterTranslator();
  const where = filter ? ` WHERE ${translator.translate(filter)}` : '';
  return { query: `SELECT ${select} FROM c${where}`, parameters: translator.parameters };
}
