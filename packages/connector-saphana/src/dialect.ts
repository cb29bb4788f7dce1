/**
 * SAP HANA's SQL dialect: ANSI double quotes (unquoted names fold to upper case), HANA type
 * names, SYS catalog views, `?` parameters, and an atomic DROP + RENAME swap — the session turns
 * DDL autocommit off (`SET TRANSACTION AUTOCOMMIT DDL OFF`), so DDL rolls back with the rest.
 */
import { ANSI_QUOTES, ANSI_TYPE_NAMES, foldedNameParts, isolationLevelWords, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

export const HANA_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ANSI_TYPE_NAMES,
  double: 'DOUBLE',
  decimal: 'DECIMAL({p},{s})',
  text: 'NVARCHAR(5000)',
  binary: 'VARBINARY(5000)',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMP',
  json: 'NCLOB',
};

/** HANA's case rule: a name written without double quotes means its upper-case form. */
export function hanaNameParts(name: string): string[] {
  return foldedNameParts(name, ANSI_QUOTES, 'upper');
}

const q = (parts: string[]) => parts.map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.');

/** `RENAME TABLE "S"."A" TO "B"` (the new name stays in the schema). */
export function hanaRename(from: string[], newName: string): string {
  return `RENAME TABLE ${q(from)} TO ${quoteIdentifier(newName, ANSI_QUOTES)}`;
}

/**
 * The SAP HANA dialect.
 *
 * @example
 * ```ts
 * hanaDialect.swapTables(['APP', 'ORDERS'], ['APP', 'ORDERS_STG']);
 * // ['DROP TABLE "APP"."ORDERS"', 'RENAME TABLE "APP"."ORDERS_STG" TO "ORDERS"']
 * ```
 */
export const hanaDialect: JdbcDialect = {
  name: 'saphana',
  quote: ANSI_QUOTES,
  typeNames: HANA_TYPE_NAMES,
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  transactionalDdl: true,
  unquotedCase: 'upper',
  probeSql: 'SELECT 1 FROM DUMMY',
  // HANA has no READ UNCOMMITTED; that level keeps the default (READ COMMITTED).
  isolationStatement: (level) => (level === 'READ_UNCOMMITTED' ? undefined : `SET TRANSACTION ISOLATION LEVEL ${isolationLevelWords(level)}`),
  swapTables(target, staging) {
    return [`DROP TABLE ${q(target)}`, hanaRename(staging, target[target.length - 1]!)];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    return parts.length > 1
      ? { sql: 'SELECT 1 AS found FROM SYS.TABLES WHERE SCHEMA_NAME = ? AND TABLE_NAME = ?', params: [parts[parts.length - 2], table] }
      : { sql: 'SELECT 1 AS found FROM SYS.TABLES WHERE SCHEMA_NAME = CURRENT_SCHEMA AND TABLE_NAME = ?', params: [table] };
  },
  columnsQuery(schema) {
    return {
      sql:
        "SELECT SCHEMA_NAME AS schema_name, TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE_NAME || CASE WHEN DATA_TYPE_NAME = 'DECIMAL' THEN '(' || LENGTH || ',' || IFNULL(SCALE, 0) || ')' ELSE '' END AS data_type, " +
        "CASE IS_NULLABLE WHEN 'TRUE' THEN 'YES' ELSE 'NO' END AS is_nullable FROM SYS.TABLE_COLUMNS WHERE SCHEMA_NAME = " +
        (schema ? '?' : 'CURRENT_SCHEMA') +
        ' ORDER BY SCHEMA_NAME, TABLE_NAME, POSITION',
      params: schema ? [schema] : [],
    };
  },
};
