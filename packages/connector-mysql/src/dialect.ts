/**
 * The MySQL dialect: backtick identifiers, `?` parameters, information_schema scoped to the
 * current database, and a table swap with one multi-table `RENAME TABLE` (atomic in MySQL and
 * MariaDB) because MySQL DDL commits implicitly and cannot be rolled back.
 */
import { BACKTICKS, newWriteToken, quoteIdentifier, RETIRED_TABLE_MARKER, STAGING_TABLE_MARKER, stagingTableName, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

export const MYSQL_TYPE_NAMES: Record<SqlTypeKind, string> = {
  boolean: 'BOOLEAN',
  smallint: 'SMALLINT',
  int: 'INT',
  bigint: 'BIGINT',
  real: 'FLOAT',
  double: 'DOUBLE',
  decimal: 'DECIMAL({p},{s})',
  text: 'LONGTEXT',
  binary: 'LONGBLOB',
  date: 'DATE',
  time: 'TIME(6)',
  timestamp: 'DATETIME(6)',
  // Stored as UTC wall time: DATETIME has no 2038 limit, unlike TIMESTAMP.
  timestamptz: 'DATETIME(6)',
  json: 'LONGTEXT',
};

/** Quotes a qualified name's parts with backticks. */
export function quoteMysql(parts: readonly string[]): string {
  return parts.map((p) => quoteIdentifier(p, BACKTICKS)).join('.');
}

export const mysqlDialect: JdbcDialect = {
  name: 'mysql',
  quote: BACKTICKS,
  // A schema is a database here: `db.table`, never `catalog.db.table`.
  nameParts: ['database', 'table'],
  typeNames: MYSQL_TYPE_NAMES,
  begin: 'START TRANSACTION',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  transactionalDdl: false,
  swapTables(target, staging) {
    // The table moved aside carries the staging table's token, so a kill between the RENAME and
    // the DROP leaves a leftover that `sparkle clean` (or the next write) recognises.
    const stagingName = staging[staging.length - 1]!;
    const retired = stagingName.includes(STAGING_TABLE_MARKER)
      ? stagingName.replace(STAGING_TABLE_MARKER, RETIRED_TABLE_MARKER)
      : stagingTableName(target[target.length - 1]!, newWriteToken(), RETIRED_TABLE_MARKER);
    const old = [...target.slice(0, -1), retired];
    return [`RENAME TABLE ${quoteMysql(target)} TO ${quoteMysql(old)}, ${quoteMysql(staging)} TO ${quoteMysql(target)}`, `DROP TABLE ${quoteMysql(old)}`];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    const schema = parts.length > 1 ? parts[parts.length - 2]! : null;
    return {
      sql: 'SELECT 1 AS found FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?',
      params: [schema, table],
    };
  },
  tablesQuery(schema) {
    return {
      sql: 'SELECT table_schema AS schema_name, table_name AS table_name FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE())',
      params: [schema ?? null],
    };
  },
  columnsQuery(schema) {
    return {
      sql:
        'SELECT table_schema AS schema_name, table_name AS table_name, column_name AS column_name, column_type AS data_type, is_nullable AS is_nullable' +
        ' FROM information_schema.columns WHERE table_schema = COALESCE(?, DATABASE())' +
        ' ORDER BY table_schema, table_name, ordinal_position',
      params: [schema ?? null],
    };
  },
};
