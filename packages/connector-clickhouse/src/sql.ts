/**
 * ClickHouse SQL text helpers: identifier quoting, `?` parameter binding with ClickHouse's
 * literal escapes (backslash and quote), and the dialect the JDBC base uses.
 */
import { BACKTICKS, InvalidArgumentError, quoteIdentifier, splitQualifiedName, type JdbcDialect } from '@sparkle/core';

/**
 * Quotes qualified-name parts with backticks. ClickHouse also treats `\` as an escape inside
 * quoted identifiers, so names containing one are refused rather than silently changed.
 */
export function quoteChParts(parts: readonly string[]): string {
  return parts
    .map((p) => {
      if (p.includes('\\')) throw new InvalidArgumentError(`ClickHouse identifiers containing a backslash are not supported: '${p}'`, { connector: 'clickhouse' });
      return quoteIdentifier(p, BACKTICKS);
    })
    .join('.');
}

/** Splits a quoted qualified name back into parts. */
export function splitQuotedTable(quoted: string): string[] {
  return splitQualifiedName(quoted, BACKTICKS);
}

/** A ClickHouse literal for a parameter value. */
export function chLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`Not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return `'${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  if (value instanceof Uint8Array) return `unhex('${Buffer.from(value).toString('hex')}')`;
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Replaces `?` placeholders outside quotes and comments with literals. */
export function bindParams(sql: string, params: readonly unknown[]): string {
  if (!params.length) return sql;
  let out = '';
  let index = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== ch) j += sql[j] === '\\' ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      out += sql.slice(i, end === -1 ? undefined : end);
      i = end === -1 ? sql.length : end - 1;
    } else if (ch === '?') {
      if (index >= params.length) throw new InvalidArgumentError(`The query has more '?' placeholders than the ${params.length} parameter(s) given`);
      out += chLiteral(params[index++]);
    } else out += ch;
  }
  if (index !== params.length) throw new InvalidArgumentError(`The query has ${index} '?' placeholder(s) but ${params.length} parameter(s) were given`);
  return out;
}

/**
 * The ClickHouse dialect. No transactions (empty begin/commit), tables swapped with
 * `EXCHANGE TABLES` where the database supports it, else with one multi-table `RENAME TABLE`,
 * which ClickHouse performs under a single lock.
 */
export function clickhouseDialect(exchange: boolean): JdbcDialect {
  return {
    name: 'clickhouse',
    quote: BACKTICKS,
    // Types come from chTypeForField (createTableSql is overridden); these names serve discover-like callers.
    typeNames: {
      boolean: 'UInt8',
      smallint: 'Int16',
      int: 'Int32',
      bigint: 'Int64',
      real: 'Float32',
      double: 'Float64',
      decimal: 'Decimal({p}, {s})',
      text: 'String',
      binary: 'String',
      date: 'Date',
      time: 'String',
      timestamp: 'DateTime',
      timestamptz: 'DateTime',
      json: 'String',
    },
    begin: '',
    commit: '',
    rollback: '',
    transactionalDdl: false,
    swapTables(target, staging) {
      if (exchange) return [`EXCHANGE TABLES ${quoteChParts(target)} AND ${quoteChParts(staging)}`, `DROP TABLE ${quoteChParts(staging)}`];
      const last = target[target.length - 1]!;
      const old = [...target.slice(0, -1), `${last.slice(0, 40)}__sparkle_old_${Math.random().toString(16).slice(2, 10)}`];
      return [`RENAME TABLE ${quoteChParts(target)} TO ${quoteChParts(old)}, ${quoteChParts(staging)} TO ${quoteChParts(target)}`, `DROP TABLE ${quoteChParts(old)}`];
    },
    tableExists(parts) {
      const table = parts[parts.length - 1]!;
      return parts.length > 1
        ? { sql: 'SELECT 1 AS found FROM system.tables WHERE database = ? AND name = ?', params: [parts[parts.length - 2], table] }
        : { sql: 'SELECT 1 AS found FROM system.tables WHERE database = currentDatabase() AND name = ?', params: [table] };
    },
    columnsQuery(schema) {
      return {
        sql:
          'SELECT database AS schema_name, table AS table_name, name AS column_name, type AS data_type, startsWith(type, \'Nullable(\') AS is_nullable FROM system.columns WHERE ' +
          (schema ? 'database = ?' : 'database = currentDatabase()'),
        params: schema ? [schema] : [],
      };
    },
  };
}
