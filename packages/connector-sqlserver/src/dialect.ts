/**
 * The SQL Server dialect: bracket quoting (independent of QUOTED_IDENTIFIER), T-SQL type names,
 * `@pN` parameters, and a table swap with `sp_rename` inside one transaction — SQL Server DDL is
 * transactional, so a rollback restores the old table.
 */
import { ANSI_TYPE_NAMES, BRACKETS, isolationLevelWords, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';

export const SQLSERVER_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ANSI_TYPE_NAMES,
  boolean: 'BIT',
  smallint: 'SMALLINT',
  int: 'INT',
  bigint: 'BIGINT',
  real: 'REAL',
  double: 'FLOAT',
  decimal: 'DECIMAL({p},{s})',
  text: 'NVARCHAR(MAX)',
  binary: 'VARBINARY(MAX)',
  date: 'DATE',
  time: 'TIME(6)',
  timestamp: 'DATETIME2(6)',
  timestamptz: 'DATETIMEOFFSET(6)',
  json: 'NVARCHAR(MAX)',
};

/** Quotes a qualified name with brackets. */
export function quoteBrackets(parts: string[]): string {
  return parts.map((p) => quoteIdentifier(p, BRACKETS)).join('.');
}

/** An N'…' literal. */
export function nString(text: string): string {
  return `N'${text.replace(/'/g, "''")}'`;
}

/** `EXEC sp_rename` of a table to a new (unqualified) name in the same schema. */
export function spRename(from: string[], newName: string): string {
  return `EXEC sp_rename ${nString(quoteBrackets(from))}, ${nString(newName)}, N'OBJECT'`;
}

/**
 * The SQL Server dialect.
 *
 * @example
 * ```ts
 * sqlServerDialect.swapTables(['dbo', 'orders'], ['dbo', 'orders_stg']);
 * // ['DROP TABLE [dbo].[orders]', "EXEC sp_rename N'[dbo].[orders_stg]', N'orders', N'OBJECT'"]
 * ```
 */
export const sqlServerDialect: JdbcDialect = {
  name: 'sqlserver',
  quote: BRACKETS,
  typeNames: SQLSERVER_TYPE_NAMES,
  begin: 'BEGIN TRANSACTION',
  commit: 'COMMIT TRANSACTION',
  rollback: 'ROLLBACK TRANSACTION',
  transactionalDdl: true,
  isolationStatement: (level) => `SET TRANSACTION ISOLATION LEVEL ${isolationLevelWords(level)}`,
  swapTables(target, staging) {
    return [`DROP TABLE ${quoteBrackets(target)}`, spRename(staging, target[target.length - 1]!)];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    return parts.length > 1
      ? { sql: 'SELECT 1 AS found FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2', params: [parts[parts.length - 2], table] }
      : { sql: 'SELECT 1 AS found FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = SCHEMA_NAME() AND TABLE_NAME = @p1', params: [table] };
  },
  columnsQuery(schema) {
    return {
      sql:
        "SELECT TABLE_SCHEMA AS schema_name, TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE + CASE WHEN DATA_TYPE IN ('decimal', 'numeric') THEN '(' + CAST(NUMERIC_PRECISION AS varchar(3)) + ',' + CAST(NUMERIC_SCALE AS varchar(3)) + ')' ELSE '' END AS data_type, IS_NULLABLE AS is_nullable " +
        'FROM INFORMATION_SCHEMA.COLUMNS' +
        (schema ? ' WHERE TABLE_SCHEMA = @p1' : " WHERE TABLE_SCHEMA NOT IN ('sys', 'INFORMATION_SCHEMA')") +
        ' ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION',
      params: schema ? [schema] : [],
    };
  },
};
