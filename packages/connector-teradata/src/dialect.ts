/**
 * Teradata's SQL dialect: ANSI double quotes, Teradata type names, `DBC` dictionary views for
 * metadata, `?` parameters, and a table swap by `RENAME TABLE` journaled by the session
 * (Teradata ends a transaction at each DDL statement).
 */
import { ANSI_QUOTES, ANSI_TYPE_NAMES, isolationLevelWords, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

export const TERADATA_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ANSI_TYPE_NAMES,
  boolean: 'BYTEINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  bigint: 'BIGINT',
  real: 'FLOAT',
  double: 'FLOAT',
  decimal: 'DECIMAL({p},{s})',
  text: 'VARCHAR(32000) CHARACTER SET UNICODE',
  binary: 'VARBYTE(64000)',
  date: 'DATE',
  time: 'TIME(6)',
  timestamp: 'TIMESTAMP(6)',
  timestamptz: 'TIMESTAMP(6) WITH TIME ZONE',
  json: 'VARCHAR(32000) CHARACTER SET UNICODE',
};

const q = (parts: string[]) => parts.map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.');

/** DBC.ColumnsV type codes → type names that `discover()` maps to Spark types. */
const COLUMN_TYPE_SQL =
  "CASE TRIM(ColumnType) WHEN 'I' THEN 'INTEGER' WHEN 'I1' THEN 'TINYINT' WHEN 'I2' THEN 'SMALLINT' WHEN 'I8' THEN 'BIGINT' WHEN 'F' THEN 'DOUBLE' " +
  "WHEN 'D' THEN 'DECIMAL(' || TRIM(DecimalTotalDigits) || ',' || TRIM(DecimalFractionalDigits) || ')' WHEN 'DA' THEN 'DATE' WHEN 'TS' THEN 'TIMESTAMP' " +
  "WHEN 'SZ' THEN 'TIMESTAMP WITH TIME ZONE' WHEN 'BV' THEN 'VARBINARY' WHEN 'BF' THEN 'BINARY' WHEN 'BO' THEN 'BLOB' ELSE 'VARCHAR' END";

/**
 * The Teradata dialect.
 *
 * @example
 * ```ts
 * teradataDialect.swapTables(['sales', 'orders'], ['sales', 'orders_stg']);
 * // RENAME orders → backup, orders_stg → orders, DROP backup (undone by the session on failure)
 * ```
 */
export const teradataDialect: JdbcDialect = {
  name: 'teradata',
  quote: ANSI_QUOTES,
  typeNames: TERADATA_TYPE_NAMES,
  begin: 'BT',
  commit: 'ET',
  rollback: 'ROLLBACK',
  transactionalDdl: false,
  // Teradata offers SERIALIZABLE and READ UNCOMMITTED (ACCESS locks) per session.
  isolationStatement: (level) =>
    level === 'READ_UNCOMMITTED' || level === 'SERIALIZABLE' ? `SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${isolationLevelWords(level)}` : undefined,
  swapTables(target, staging) {
    const prefix = target.slice(0, -1);
    const backup = [...prefix, `${target[target.length - 1]!.slice(0, 100)}_old_${Math.random().toString(16).slice(2, 8)}`];
    return [`RENAME TABLE ${q(target)} TO ${q(backup)}`, `RENAME TABLE ${q(staging)} TO ${q(target)}`, `DROP TABLE ${q(backup)}`];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    return parts.length > 1
      ? { sql: 'SELECT 1 AS found FROM DBC.TablesV WHERE DatabaseName = ? AND TableName = ?', params: [parts[parts.length - 2], table] }
      : { sql: 'SELECT 1 AS found FROM DBC.TablesV WHERE DatabaseName = DATABASE AND TableName = ?', params: [table] };
  },
  columnsQuery(schema) {
    return {
      sql:
        `SELECT DatabaseName AS schema_name, TableName AS table_name, ColumnName AS column_name, ${COLUMN_TYPE_SQL} AS data_type, ` +
        "CASE Nullable WHEN 'Y' THEN 'YES' ELSE 'NO' END AS is_nullable FROM DBC.ColumnsV WHERE DatabaseName = " +
        (schema ? '?' : 'DATABASE') +
        ' ORDER BY DatabaseName, TableName, ColumnId',
      params: schema ? [schema] : [],
    };
  },
};
