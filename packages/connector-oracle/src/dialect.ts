/**
 * Oracle's SQL dialect: ANSI double quotes (unquoted names fold to upper case, as Oracle does),
 * NUMBER/VARCHAR2/BINARY_DOUBLE type names, `:n` binds, and a table swap by renames, because
 * Oracle commits every DDL statement implicitly.
 */
import { ANSI_QUOTES, ANSI_TYPE_NAMES, foldedNameParts, isolationLevelWords, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

export const ORACLE_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ANSI_TYPE_NAMES,
  boolean: 'NUMBER(1)',
  smallint: 'NUMBER(5)',
  int: 'NUMBER(10)',
  bigint: 'NUMBER(19)',
  real: 'BINARY_FLOAT',
  double: 'BINARY_DOUBLE',
  decimal: 'NUMBER({p},{s})',
  text: 'VARCHAR2(4000 CHAR)',
  binary: 'BLOB',
  date: 'DATE',
  time: 'VARCHAR2(18)',
  timestamp: 'TIMESTAMP(6)',
  timestamptz: 'TIMESTAMP(6) WITH TIME ZONE',
  json: 'CLOB',
};

/** Oracle's case rule: a name written without double quotes means its upper-case form. */
export function oracleNameParts(name: string): string[] {
  return foldedNameParts(name, ANSI_QUOTES, 'upper');
}

const q = (parts: string[]) => parts.map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.');

/**
 * The Oracle dialect.
 *
 * @example
 * ```ts
 * oracleDialect.swapTables(['APP', 'ORDERS'], ['APP', 'ORDERS_STG']);
 * // rename ORDERS → backup, ORDERS_STG → ORDERS, drop backup (undone by the session on failure)
 * ```
 */
export const oracleDialect: JdbcDialect = {
  name: 'oracle',
  quote: ANSI_QUOTES,
  typeNames: ORACLE_TYPE_NAMES,
  // Oracle opens transactions implicitly; the session treats BEGIN as "start the rename journal".
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  transactionalDdl: false,
  unquotedCase: 'upper',
  probeSql: 'SELECT 1 FROM dual',
  // Oracle sets READ COMMITTED or SERIALIZABLE per session; other levels keep the default.
  isolationStatement: (level) => (level === 'READ_COMMITTED' || level === 'SERIALIZABLE' ? `ALTER SESSION SET ISOLATION_LEVEL = ${isolationLevelWords(level)}` : undefined),
  swapTables(target, staging) {
    const name = target[target.length - 1]!;
    const backup = `${name.slice(0, 80)}_OLD_${Math.random().toString(16).slice(2, 8).toUpperCase()}`;
    return [
      `ALTER TABLE ${q(target)} RENAME TO ${q([backup])}`,
      `ALTER TABLE ${q(staging)} RENAME TO ${q([name])}`,
      `DROP TABLE ${q([...target.slice(0, -1), backup])} PURGE`,
    ];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    return parts.length > 1
      ? { sql: 'SELECT 1 FROM all_tables WHERE owner = :1 AND table_name = :2', params: [parts[parts.length - 2], table] }
      : { sql: 'SELECT 1 FROM user_tables WHERE table_name = :1', params: [table] };
  },
  columnsQuery(schema) {
    return {
      sql:
        "SELECT owner AS schema_name, table_name, column_name, data_type || CASE WHEN data_type = 'NUMBER' AND data_precision IS NOT NULL THEN '(' || data_precision || ',' || NVL(data_scale, 0) || ')' END AS data_type, " +
        "CASE nullable WHEN 'Y' THEN 'YES' ELSE 'NO' END AS is_nullable FROM all_tab_columns WHERE owner = " +
        (schema ? ':1' : 'USER') +
        ' ORDER BY owner, table_name, column_id',
      params: schema ? [schema] : [],
    };
  },
};
