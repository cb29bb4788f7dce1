/**
 * The MySQL dialect: backtick identifiers, `?` parameters, information_schema scoped to the
 * current database, and a table swap with one multi-table `RENAME TABLE` (atomic in MySQL and
 * MariaDB) because MySQL DDL commits implicitly and cannot be rolled back.
 */
import { BACKTICKS, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

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

/** A name next to `parts` (same schema), for the table a swap moves aside. */
function sibling(parts: readonly string[], suffix: string): string[] {
  const last = parts[parts.length - 1]!;
  return [...parts.slice(0, -1), `${last.slice(0, 40)}${suffix}`];
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
    const old = sibling(target, `__sparkle_old_${Math.random().toString(16).slice(2, 10)}`);
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
