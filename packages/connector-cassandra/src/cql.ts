/**
 * CQL text the connector builds: quoted identifiers (validated, so a hostile name is refused
 * rather than escaped into a statement), CQL types ↔ the local engine's column types, and typed
 * filters → a WHERE clause with bind markers (values are always bound, never spliced).
 */
import { InvalidArgumentError, UnsupportedOperationError, type ColumnSpec, type ColumnType, type Filter, type FilterValue } from '@sparkle/core';

/** CQL type codes of the native protocol (the driver's `types.dataTypes`). */
export const CQL = {
  custom: 0x00, ascii: 0x01, bigint: 0x02, blob: 0x03, boolean: 0x04, counter: 0x05, decimal: 0x06, double: 0x07, float: 0x08,
  int: 0x09, text: 0x0a, timestamp: 0x0b, uuid: 0x0c, varchar: 0x0d, varint: 0x0e, timeuuid: 0x0f, inet: 0x10, date: 0x11,
  time: 0x12, smallint: 0x13, tinyint: 0x14, duration: 0x15, list: 0x20, map: 0x21, set: 0x22, udt: 0x30, tuple: 0x31,
} as const;

/** A CQL type as the driver describes it (`{ code, info }`). */
export interface CqlType {
  code: number;
  info?: unknown;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_$@.-]{0,47}$/;

/**
 * A column, table or keyspace name in double quotes. Names outside letters, digits and `_ $ @ . -`
 * (quotes, spaces, semicolons, control characters) are refused: no caller has a reason to send
 * them, and refusing is safer than escaping.
 * @example
 * ```ts
 * quoteIdent('_id'); // '"_id"'
 * quoteIdent('x"; DROP'); // throws InvalidArgumentError
 * ```
 */
export function quoteIdent(name: string, what = 'identifier'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidArgumentError(`Cassandra ${what} ${JSON.stringify(name)} is not allowed: use letters, digits and _ (at most 48 characters, starting with a letter or _)`, {
      connector: 'cassandra',
      details: { [what]: typeof name === 'string' ? name.slice(0, 60) : typeof name },
    });
  }
  return `"${name}"`;
}

/** `"keyspace"."table"`. */
export function qualified(keyspace: string, table: string): string {
  return `${quoteIdent(keyspace, 'keyspace')}.${quoteIdent(table, 'table')}`;
}

interface UdtInfo {
  name: string;
  fields: Array<{ name: string; type: CqlType }>;
}

/** The local engine's column type of a CQL type (see the package README's table). */
export function columnTypeOf(type: CqlType): ColumnType {
  switch (type.code) {
    case CQL.boolean:
      return 'bool';
    case CQL.int:
    case CQL.smallint:
    case CQL.tinyint:
      return 'int32';
    case CQL.bigint:
    case CQL.counter:
    case CQL.time:
      return 'int64';
    case CQL.float:
    case CQL.double:
      return 'float64';
    case CQL.timestamp:
      return 'timestamp';
    case CQL.date:
      return 'date';
    case CQL.blob:
      return 'binary';
    case CQL.list:
    case CQL.set:
      return { list: columnTypeOf(type.info as CqlType) };
    case CQL.map: {
      const [k, v] = type.info as [CqlType, CqlType];
      return { list: { struct: [{ name: 'key', type: columnTypeOf(k), nullable: false }, { name: 'value', type: columnTypeOf(v), nullable: true }] } };
    }
    case CQL.udt:
      return { struct: (type.info as UdtInfo).fields.map((f) => ({ name: f.name, type: columnTypeOf(f.type), nullable: true })) };
    case CQL.tuple:
      return { struct: (type.info as CqlType[]).map((t, i) => ({ name: `_${i + 1}`, type: columnTypeOf(t), nullable: true })) };
    default:
      // text, ascii, varchar, uuid, timeuuid, inet, decimal and varint (exact text), duration, custom
      return 'utf8';
  }
}

/** CQL type text for a column type inferred from documents (tables this connector creates). */
export function cqlTypeText(type: ColumnType, udtFor: (path: string, fields: readonly ColumnSpec[]) => string, path: string): string {
  if (typeof type === 'object') {
    if ('list' in type) return `frozen<list<${cqlTypeText(type.list, udtFor, `${path}[]`)}>>`;
    return type.struct.length ? `frozen<${udtFor(path, type.struct)}>` : 'text';
  }
  switch (type) {
    case 'bool':
      return 'boolean';
    case 'int32':
      return 'int';
    case 'int64':
      return 'bigint';
    case 'float64':
      return 'double';
    case 'timestamp':
      return 'timestamp';
    case 'date':
      return 'date';
    case 'binary':
      return 'blob';
    default:
      return 'text';
  }
}

/** What the WHERE translation needs to know of a table. */
export interface TableShape {
  name: string;
  partitionKeys: readonly string[];
  clusteringKeys: readonly string[];
  columns: ReadonlyMap<string, CqlType>;
}

/** A WHERE clause with its bound values, and whether it restricts the whole partition key by equality. */
export interface CqlWhere {
  clauses: string[];
  params: unknown[];
  /** Every partition-key column is restricted by `=`/`IN`: a single-partition (or multi-key) read. */
  partitionKeyBound: boolean;
  /** Some restriction needs ALLOW FILTERING. */
  needsFiltering: boolean;
}

const CQL_OPS: Record<string, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * Translates a typed filter into CQL restrictions. CQL has AND only: `or`, `not`, `ne`, `nin`,
 * `exists`, `prefix`, comparisons with null and nested (UDT) fields are refused with
 * `UnsupportedOperationError`. Restrictions that are not on key columns (or not the way CQL
 * serves them without a scan) need `allowFiltering`; without it they are refused, naming the
 * column and the opt-in.
 */
export function filterToCql(filter: Filter | undefined, table: TableShape, allowFiltering: boolean): CqlWhere {
  const out: CqlWhere = { clauses: [], params: [], partitionKeyBound: false, needsFiltering: false };
  if (!filter) return out;
  const leaves: Filter[] = [];
  const flatten = (f: Filter) => {
    if ('and' in f) f.and.forEach(flatten);
    else leaves.push(f);
  };
  flatten(filter);
  const pkEq = new Set<string>();
  for (const leaf of leaves) {
    if ('or' in leaf || 'not' in leaf) {
      throw unsupported(`'${'or' in leaf ? 'or' : 'not'}' filters (CQL WHERE joins restrictions with AND only)`);
    }
    if (!('field' in leaf)) throw unsupported('this filter');
    const { field, op } = leaf;
    if (field.includes('.')) throw unsupported(`the nested field '${field}' (CQL cannot restrict a field of a user-defined type)`);
    const type = table.columns.get(field);
    if (!type) {
      throw new InvalidArgumentError(`filter field '${field}' is not a column of table '${table.name}' (columns: ${[...table.columns.keys()].join(', ')})`, { connector: 'cassandra', details: { field } });
    }
    const column = quoteIdent(field, 'column');
    if (op === 'in') {
      if (leaf.values.some((v) => v === null)) throw unsupported(`'in' with null on '${field}' (CQL cannot compare with null)`);
      out.clauses.push(`${column} IN ?`);
      out.params.push([...leaf.values]);
    } else if (op in CQL_OPS) {
      const value = (leaf as { value: FilterValue }).value;
      if (value === null) throw unsupported(`'${op}' null on '${field}' (CQL cannot compare with null)`);
      out.clauses.push(`${column} ${CQL_OPS[op]} ?`);
      out.params.push(value);
    } else {
      throw unsupported(`'${op}' (on '${field}'; CQL has =, <, <=, >, >=, IN and token ranges)`);
    }
    const isPk = table.partitionKeys.includes(field);
    if (isPk && (op === 'eq' || op === 'in')) pkEq.add(field);
    else if (!table.clusteringKeys.includes(field) || isPk) out.needsFiltering = true;
  }
  out.partitionKeyBound = table.partitionKeys.length > 0 && table.partitionKeys.every((k) => pkEq.has(k));
  // Clustering restrictions are served without a scan only inside one partition.
  if (!out.partitionKeyBound && leaves.some((l) => 'field' in l && table.clusteringKeys.includes(l.field))) out.needsFiltering = true;
  if (out.needsFiltering && !allowFiltering) {
    const columns = leaves.filter((l) => 'field' in l && !pkEq.has((l as { field: string }).field)).map((l) => (l as { field: string }).field);
    throw new UnsupportedOperationError(
      `the filter on ${[...new Set(columns)].map((c) => `'${c}'`).join(', ')} of '${table.name}' needs a scan of the table: Cassandra serves restrictions on the partition key ` +
        `(${table.partitionKeys.join(', ')}) with = or IN and on clustering columns within a partition; set "allowFiltering": true in the connection config to run it with ALLOW FILTERING`,
      { connector: 'cassandra', details: { columns } },
    );
  }
  return out;
}

function unsupported(what: string): UnsupportedOperationError {
  return new UnsupportedOperationError(`Cassandra cannot filter by ${what}; filter after reading, or restrict by key columns`, { connector: 'cassandra' });
}

/** Murmur3 token bounds: `(lower, upper]` per range, covering the ring once. */
export function tokenRanges(count: number): Array<[bigint, bigint]> {
  const min = -(2n ** 63n);
  const max = 2n ** 63n - 1n;
  const n = BigInt(Math.max(1, Math.floor(count)));
  const span = (max - min) / n;
  const ranges: Array<[bigint, bigint]> = [];
  let lower = min;
  for (let i = 1n; i <= n; i++) {
    const upper = i === n ? max : min + span * i;
    ranges.push([lower, upper]);
    lower = upper;
  }
  return ranges;
}
