/**
 * Vertica's SQL dialect: ANSI double quotes (case-insensitive names, case kept), Vertica type
 * names, `v_catalog` metadata, `?` parameters, and a swap by one multi-table `ALTER TABLE …
 * RENAME` statement — Vertica renames both tables atomically there, although DDL commits.
 */
import { ANSI_QUOTES, ANSI_TYPE_NAMES, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

export const VERTICA_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ANSI_TYPE_NAMES,
  smallint: 'INTEGER',
  int: 'INTEGER',
  bigint: 'INTEGER',
  real: 'FLOAT',
  double: 'FLOAT',
  decimal: 'NUMERIC({p},{s})',
  text: 'LONG VARCHAR(1048576)',
  binary: 'LONG VARBINARY(1048576)',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  json: 'LONG VARCHAR(1048576)',
};

/** Vertica runs READ COMMITTED or SERIALIZABLE; the other ANSI levels map to the stricter neighbour. */
const VERTICA_ISOLATION: Record<string, string> = { READ_COMMITTED: 'READ COMMITTED', SERIALIZABLE: 'SERIALIZABLE', READ_UNCOMMITTED: 'READ COMMITTED', REPEATABLE_READ: 'SERIALIZABLE' };

const q = (parts: string[]) => parts.map((p) => quoteIdentifier(p, ANSI_QUOTES)).join('.');

/**
 * The Vertica dialect.
 *
 * @example
 * ```ts
 * verticaDialect.swapTables(['public', 'orders'], ['public', 'orders_stg']);
 * // ['ALTER TABLE "public"."orders", "public"."orders_stg" RENAME TO "orders_old_…", "orders"', 'DROP TABLE "public"."orders_old_…"']
 * ```
 */
export const verticaDialect: JdbcDialect = {
  name: 'vertica',
  quote: ANSI_QUOTES,
  typeNames: VERTICA_TYPE_NAMES,
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  transactionalDdl: false,
  isolationStatement: (level) => `SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${VERTICA_ISOLATION[level]}`,
  swapTables(target, staging) {
    const name = target[target.length - 1]!;
    const backup = `${name.slice(0, 80)}_old_${Math.random().toString(16).slice(2, 8)}`;
    return [
      `ALTER TABLE ${q(target)}, ${q(staging)} RENAME TO ${quoteIdentifier(backup, ANSI_QUOTES)}, ${quoteIdentifier(name, ANSI_QUOTES)}`,
      `DROP TABLE ${q([...target.slice(0, -1), backup])}`,
    ];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    return parts.length > 1
      ? { sql: 'SELECT 1 AS found FROM v_catalog.tables WHERE lower(table_schema) = lower(?) AND lower(table_name) = lower(?)', params: [parts[parts.length - 2], table] }
      : { sql: 'SELECT 1 AS found FROM v_catalog.tables WHERE lower(table_schema) = lower(current_schema()) AND lower(table_name) = lower(?)', params: [table] };
  },
  columnsQuery(schema) {
    return {
      sql:
        'SELECT table_schema AS schema_name, table_name, column_name, data_type, is_nullable FROM v_catalog.columns' +
        (schema ? ' WHERE lower(table_schema) = lower(?)' : '') +
        ' ORDER BY table_schema, table_name, ordinal_position',
      params: schema ? [schema] : [],
    };
  },
};
