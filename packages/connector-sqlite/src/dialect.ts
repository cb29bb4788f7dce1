/** SQLite's SQL dialect for the JDBC family base. */
import { ANSI_QUOTES, ansiDialect, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

/**
 * Column types for tables Sparkle creates. SQLite stores by affinity, so exact decimals and
 * timestamps are kept as text (ISO 8601 for times, the decimal's digits for numerics) rather
 * than as lossy REALs.
 */
const SQLITE_TYPE_NAMES: Record<SqlTypeKind, string> = {
  boolean: 'BOOLEAN',
  smallint: 'INTEGER',
  int: 'INTEGER',
  bigint: 'INTEGER',
  real: 'REAL',
  double: 'REAL',
  decimal: 'TEXT',
  text: 'TEXT',
  binary: 'BLOB',
  date: 'DATE',
  time: 'TEXT',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMP',
  json: 'TEXT',
};

function schemaPrefix(parts: string[]): string {
  return parts.length > 1 ? `${quoteIdentifier(parts[parts.length - 2]!, ANSI_QUOTES)}.` : '';
}

/** SQLite: double-quoted identifiers, `?` parameters, sqlite_master catalogue, transactional DDL. */
export const sqliteDialect: JdbcDialect = {
  ...ansiDialect,
  name: 'sqlite',
  typeNames: SQLITE_TYPE_NAMES,
  begin: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  transactionalDdl: true,
  swapTables(target, staging) {
    // Both statements run inside the base class's transaction: readers see old or new, never neither.
    const last = target[target.length - 1]!;
    return [
      `DROP TABLE ${target.map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.')}`,
      `ALTER TABLE ${staging.map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.')} RENAME TO ${quoteIdentifier(last, ANSI_QUOTES)}`,
    ];
  },
  tableExists(parts) {
    return { sql: `SELECT 1 AS present FROM ${schemaPrefix(parts)}sqlite_master WHERE type IN ('table', 'view') AND name = ?`, params: [parts[parts.length - 1]!] };
  },
  columnsQuery(schema) {
    const db = schema ?? 'main';
    const quoted = quoteIdentifier(db, ANSI_QUOTES);
    return {
      sql:
        `SELECT ? AS schema_name, m.name AS table_name, p.name AS column_name, p.type AS data_type, ` +
        `CASE p."notnull" WHEN 1 THEN 'NO' ELSE 'YES' END AS is_nullable ` +
        `FROM ${quoted}.sqlite_master m JOIN pragma_table_info(m.name, ?) p ` +
        `WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid`,
      params: [db, db],
    };
  },
};
