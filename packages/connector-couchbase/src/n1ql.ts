/**
 * SQL++ (N1QL) statements built from typed filters and projections. Values travel as named
 * parameters (`$p0`, `$p1`, …) next to the statement, never spliced into it; identifiers
 * (bucket, scope, collection, field path parts) are validated and backquoted.
 *
 * SQL++ has four-valued logic (TRUE, FALSE, NULL, MISSING) and orders values across types
 * (numbers before strings); core's reference semantics (`matchesFilter`) is two-valued and
 * compares within a type only. So every leaf is wrapped in `IFMISSINGORNULL(…, FALSE)` and
 * ordering comparisons are guarded by a type test (`IS_NUMBER`, `IS_STRING`, `IS_BOOLEAN`).
 */
import { InvalidArgumentError, type Filter, type FilterValue } from '@sparkle/core';

/** A statement and its named parameters (keys without the `$`). */
export interface N1qlStatement {
  statement: string;
  parameters: Record<string, unknown>;
}

/** Where a keyspace lives: `bucket`.`scope`.`collection`. */
export interface Keyspace {
  bucket: string;
  scope: string;
  collection: string;
}

const BUCKET = /^[A-Za-z0-9._%-]{1,100}$/;
const SCOPE_OR_COLLECTION = /^(_default|[A-Za-z0-9%-][A-Za-z0-9_%-]{0,250})$/;
const FIELD_PART = /^[A-Za-z_$@0-9][\w$@-]*$/;
/** The alias of the collection in every statement. */
const ALIAS = 'd';
/** The result name carrying a document's key (the name the Couchbase Spark connector uses). */
export const META_ID = '__META_ID';

/** Validates a bucket name (Couchbase: letters, digits, `.`, `_`, `%`, `-`; at most 100). */
export function bucketName(name: string, connector?: string): string {
  if (!BUCKET.test(name)) throw new InvalidArgumentError(`Invalid Couchbase bucket name ${JSON.stringify(name)}: letters, digits, '.', '_', '%', '-' only (at most 100)`, { ...(connector ? { connector } : {}) });
  return name;
}

/** Validates a scope or collection name (`_default`, or letters, digits, `_`, `%`, `-`, not starting with `_`). */
export function scopeOrCollectionName(name: string, what: 'scope' | 'collection', connector?: string): string {
  if (!SCOPE_OR_COLLECTION.test(name)) {
    throw new InvalidArgumentError(`Invalid Couchbase ${what} name ${JSON.stringify(name)}: '_default', or letters, digits, '_', '%', '-' not starting with '_' (at most 251)`, {
      ...(connector ? { connector } : {}),
    });
  }
  return name;
}

/** `\`bucket\`.\`scope\`.\`collection\``, each part validated first. */
export function keyspaceText(ks: Keyspace): string {
  return [bucketName(ks.bucket), scopeOrCollectionName(ks.scope, 'scope'), scopeOrCollectionName(ks.collection, 'collection')].map((p) => `\`${p}\``).join('.');
}

/** `d.\`a\`.\`b\`` for the dotted path `a.b`; refuses anything but plain parts. */
export function fieldPath(path: string): string {
  const parts = path.split('.');
  for (const part of parts) {
    if (!FIELD_PART.test(part)) throw new InvalidArgumentError(`Invalid field path ${JSON.stringify(path)}: dotted plain names only (letters, digits, '_', '$', '@', '-')`);
  }
  return `${ALIAS}.${parts.map((p) => `\`${p}\``).join('.')}`;
}

/** A filter value as a JSON parameter: dates as ISO-8601 text (how JSON documents hold them), safe bigints as numbers. */
function paramValue(value: FilterValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') {
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new InvalidArgumentError(`Filter value ${value} is outside the range JSON numbers hold exactly (±2^53); Couchbase documents are JSON`);
    }
    return Number(value);
  }
  return value;
}

/** The SQL++ type test matching a value's type, for ordering comparisons within one type. */
function typeTest(value: unknown, field: string): string {
  if (typeof value === 'number') return `IS_NUMBER(${field})`;
  if (typeof value === 'boolean') return `IS_BOOLEAN(${field})`;
  return `IS_STRING(${field})`;
}

/** Escapes a prefix for LIKE (backslash is SQL++'s escape character there). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Builds a WHERE condition from a filter, adding its values to `params`. */
export function filterCondition(filter: Filter, params: Record<string, unknown>): string {
  if ('and' in filter) return `(${filter.and.map((f) => filterCondition(f, params)).join(' AND ')})`;
  if ('or' in filter) return `(${filter.or.map((f) => filterCondition(f, params)).join(' OR ')})`;
  if ('not' in filter) return `(NOT ${filterCondition(filter.not, params)})`;
  const field = fieldPath(filter.field);
  const bind = (value: unknown) => {
    const name = `p${Object.keys(params).length}`;
    params[name] = value;
    return `$${name}`;
  };
  const leaf = (expr: string) => `IFMISSINGORNULL(${expr}, FALSE)`;
  switch (filter.op) {
    case 'eq':
      return filter.value === null ? `(${field} IS NOT VALUED)` : leaf(`${field} = ${bind(paramValue(filter.value))}`);
    case 'ne':
      return filter.value === null ? `(${field} IS VALUED)` : `(${field} IS NOT VALUED OR ${leaf(`${field} != ${bind(paramValue(filter.value))}`)})`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (filter.value === null) return 'FALSE';
      const value = paramValue(filter.value);
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[filter.op];
      return leaf(`(${typeTest(value, field)} AND ${field} ${op} ${bind(value)})`);
    }
    case 'in':
    case 'nin': {
      const withNull = filter.values.some((v) => v === null);
      const values = filter.values.filter((v) => v !== null).map(paramValue);
      const member = values.length ? leaf(`${field} IN ${bind(values)}`) : 'FALSE';
      const matches = withNull ? `(${field} IS NOT VALUED OR ${member})` : member;
      return filter.op === 'in' ? matches : `(NOT ${matches})`;
    }
    case 'exists':
      return filter.value ? `(${field} IS NOT MISSING)` : `(${field} IS MISSING)`;
    case 'prefix':
      return leaf(`(IS_STRING(${field}) AND ${field} LIKE ${bind(likePrefix(filter.value))})`);
  }
}

/** What {@link selectStatement} builds. */
export interface SelectOptions {
  filter?: Filter;
  projection?: readonly string[];
  /** A `META().id` range `[from, to)` (one read partition). */
  idRange?: { from?: string; to?: string };
  limit?: number;
  /** Order by `META().id` (partitioned reads, for stable boundaries). */
  ordered?: boolean;
}

/**
 * A SELECT over one keyspace: the document key as `__META_ID`, then the whole document (`d.*`)
 * or each projected path aliased by its dotted name (`d.\`a\`.\`b\` AS \`a.b\``), which the
 * reader folds back into nested objects.
 * @example
 * ```ts
 * selectStatement({ bucket: 'shop', scope: '_default', collection: 'orders' }, { filter: { field: 'status', op: 'eq', value: 'open' }, projection: ['total'] });
 * // SELECT META(d).id AS `__META_ID`, d.`total` AS `total` FROM `shop`.`_default`.`orders` AS d WHERE IFMISSINGORNULL(d.`status` = $p0, FALSE)
 * // parameters: { p0: 'open' }
 * ```
 */
export function selectStatement(ks: Keyspace, options: SelectOptions = {}): N1qlStatement {
  const parameters: Record<string, unknown> = {};
  const columns = options.projection?.length
    ? options.projection.map((p) => `${fieldPath(p)} AS \`${p}\``).join(', ')
    : `${ALIAS}.*`;
  const conditions: string[] = [];
  if (options.filter) conditions.push(filterCondition(options.filter, parameters));
  conditions.push(...idRangeConditions(options.idRange, parameters));
  let statement = `SELECT META(${ALIAS}).id AS \`${META_ID}\`, ${columns} FROM ${keyspaceText(ks)} AS ${ALIAS}`;
  if (conditions.length) statement += ` WHERE ${conditions.join(' AND ')}`;
  if (options.ordered) statement += ` ORDER BY META(${ALIAS}).id`;
  if (options.limit !== undefined) {
    parameters.limit = options.limit;
    statement += ' LIMIT $limit';
  }
  return { statement, parameters };
}

function idRangeConditions(range: SelectOptions['idRange'], parameters: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (range?.from !== undefined) {
    parameters.idFrom = range.from;
    out.push(`META(${ALIAS}).id >= $idFrom`);
  }
  if (range?.to !== undefined) {
    parameters.idTo = range.to;
    out.push(`META(${ALIAS}).id < $idTo`);
  }
  return out;
}

/** `SELECT RAW COUNT(*)` of the documents a filter matches (to place partition boundaries). */
export function countStatement(ks: Keyspace, filter?: Filter): N1qlStatement {
  const parameters: Record<string, unknown> = {};
  const where = filter ? ` WHERE ${filterCondition(filter, parameters)}` : '';
  return { statement: `SELECT RAW COUNT(*) FROM ${keyspaceText(ks)} AS ${ALIAS}${where}`, parameters };
}

/** The `META().id` at position `offset` in key order among the matching documents: a partition boundary. */
export function boundaryStatement(ks: Keyspace, offset: number, filter?: Filter): N1qlStatement {
  const parameters: Record<string, unknown> = {};
  const where = filter ? ` WHERE ${filterCondition(filter, parameters)}` : '';
  parameters.offset = offset;
  return { statement: `SELECT RAW META(${ALIAS}).id FROM ${keyspaceText(ks)} AS ${ALIAS}${where} ORDER BY META(${ALIAS}).id LIMIT 1 OFFSET $offset`, parameters };
}

/** Folds a result row back into a document: projected `a.b` aliases become nested objects; the key becomes `idField` when the document lacks it. */
export function rowToDocument(row: Record<string, unknown>, idField: string, projection?: readonly string[]): Record<string, unknown> {
  const { [META_ID]: id, ...rest } = row;
  const doc: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rest)) {
    if (!projection?.length || !name.includes('.')) {
      doc[name] = value;
      continue;
    }
    const parts = name.split('.');
    let target = doc;
    for (const part of parts.slice(0, -1)) {
      const next = target[part];
      target = (target[part] = next && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
    }
    target[parts.at(-1)!] = value;
  }
  const wantsId = !projection?.length || projection.includes(idField);
  if (wantsId && doc[idField] === undefined && id !== undefined) return { [idField]: id, ...doc };
  return doc;
}
