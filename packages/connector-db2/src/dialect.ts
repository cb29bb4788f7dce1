/**
 * Db2's SQL dialect: ANSI double quotes (unquoted names fold to upper case, as Db2 does),
 * Db2 type names, SYSCAT metadata, `?` parameters, and an atomic swap — Db2 DDL is
 * transactional, so DROP + RENAME inside one unit of work roll back together.
 */
import { ANSI_QUOTES, ANSI_TYPE_NAMES, foldedNameParts, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

export const DB2_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ANSI_TYPE_NAMES,
  boolean: 'BOOLEAN',
  double: 'DOUBLE',
  decimal: 'DECIMAL({p},{s})',
  text: 'VARCHAR(32000)',
  binary: 'BLOB',
  time: 'TIME',
  timestamp: 'TIMESTAMP(6)',
  timestamptz: 'TIMESTAMP(6)',
  json: 'CLOB',
};

/** Db2's case rule: a name written without double quotes means its upper-case form. */
export function db2NameParts(name: string): string[] {
  return foldedNameParts(name, ANSI_QUOTES, 'upper');
}

/** Db2's isolation levels by their ANSI names (uncommitted, cursor stability, read stability, repeatable read). */
const DB2_ISOLATION: Record<string, string> = { READ_UNCOMMITTED: 'UR', READ_COMMITTED: 'CS', REPEATABLE_READ: 'RS', SERIALIZABLE: 'RR' };

const q = (parts: string[]) => parts.map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.');

/** `RENAME TABLE schema.a TO b` (the new name is unqualified in Db2). */
export function db2Rename(from: string[], newName: string): string {
  return `RENAME TABLE ${q(from)} TO ${quoteIdentifier(newName, ANSI_QUOTES)}`;
}

/**
 * The Db2 dialect.
 *
 * @example
 * ```ts
 * db2Dialect.swapTables(['APP', 'ORDERS'], ['APP', 'ORDERS_STG']);
 * // ['DROP TABLE "APP"."ORDERS"', 'RENAME TABLE "APP"."ORDERS_STG" TO "ORDERS"']
 * ```
 */
export const db2Dialect: JdbcDialect = {
  name: 'db2',
  quote: ANSI_QUOTES,
  typeNames: DB2_TYPE_NAMES,
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  transactionalDdl: true,
  unquotedCase: 'upper',
  probeSql: 'SELECT 1 FROM SYSIBM.SYSDUMMY1',
  isolationStatement: (level) => `SET CURRENT ISOLATION = ${DB2_ISOLATION[level]}`,
  swapTables(target, staging) {
    return [`DROP TABLE ${q(target)}`, db2Rename(staging, target[target.length - 1]!)];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    return parts.length > 1
      ? { sql: 'SELECT 1 AS found FROM SYSCAT.TABLES WHERE TABSCHEMA = ? AND TABNAME = ?', params: [parts[parts.length - 2], table] }
      : { sql: 'SELECT 1 AS found FROM SYSCAT.TABLES WHERE TABSCHEMA = CURRENT SCHEMA AND TABNAME = ?', params: [table] };
  },
  columnsQuery(schema) {
    return {
      sql:
        "SELECT RTRIM(TABSCHEMA) AS schema_name, TABNAME AS table_name, COLNAME AS column_name, TYPENAME || CASE WHEN TYPENAME = 'DECIMAL' THEN '(' || LENGTH || ',' || SCALE || ')' ELSE '' END AS data_type, " +
        "CASE NULLS WHEN 'Y' THEN 'YES' ELSE 'NO' END AS is_nullable FROM SYSCAT.COLUMNS WHERE TABSCHEMA = " +
        (schema ? '?' : 'CURRENT SCHEMA') +
        ' ORDER BY TABSCHEMA, TABNAME, COLNO',
      params: schema ? [schema] : [],
    };
  },
};
