/**
 * The Presto/Trino SQL dialect: ANSI double quotes, typed literals, `information_schema`
 * metadata with values inlined (the HTTP protocol has no bind parameters outside PREPARE),
 * and a table swap by renames, because DDL is not transactional there.
 */
import { ANSI_QUOTES, ANSI_TYPE_NAMES, InvalidArgumentError, quoteIdentifier, type JdbcDialect, type SqlTypeKind } from '@sparkle/core';
import type { CellKind } from '@sparkle/engine-local';

/** Trino's type names (timestamps with microseconds). */
export const TRINO_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ANSI_TYPE_NAMES,
  double: 'DOUBLE',
  decimal: 'DECIMAL({p},{s})',
  text: 'VARCHAR',
  binary: 'VARBINARY',
  time: 'TIME(6)',
  timestamp: 'TIMESTAMP(6)',
  timestamptz: 'TIMESTAMP(6) WITH TIME ZONE',
  json: 'VARCHAR',
};

/** Presto's type names (no timestamp precision). */
export const PRESTO_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...TRINO_TYPE_NAMES,
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMP WITH TIME ZONE',
};

/** A SQL string literal. */
export function stringLiteral(text: string): string {
  if (text.includes('\u0000')) throw new InvalidArgumentError('A string value must not contain NUL characters');
  return `'${text.replace(/'/g, "''")}'`;
}

/** Renders one cell as a typed literal. */
export function literal(kind: CellKind, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  switch (kind) {
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'integer':
      return typeof value === 'bigint' ? value.toString() : String(Math.trunc(Number(value)));
    case 'float': {
      const n = Number(value);
      if (Number.isNaN(n)) return 'nan()';
      if (!Number.isFinite(n)) return n > 0 ? 'infinity()' : '-infinity()';
      // Exponent form makes it a DOUBLE literal (a plain 1.5 would be a DECIMAL).
      return n.toExponential();
    }
    case 'decimal':
      return `DECIMAL '${String(value)}'`;
    case 'date':
      return `DATE '${String(value)}'`;
    case 'time':
      return `TIME '${String(value)}'`;
    case 'timestamp':
      return `TIMESTAMP '${String(value)}'`;
    case 'binary':
      return `X'${Buffer.from(value as Uint8Array).toString('hex')}'`;
    default:
      return stringLiteral(String(value));
  }
}

/** Replaces `?` placeholders (outside quotes) with literals of `params`. */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  if (!params.length) return sql;
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      if (n >= params.length) throw new InvalidArgumentError(`The statement has more '?' placeholders than the ${params.length} parameter(s) given`);
      out += valueLiteral(params[n++]);
    } else out += ch;
  }
  if (n !== params.length) throw new InvalidArgumentError(`The statement has ${n} '?' placeholder(s) but ${params.length} parameter(s) were given`);
  return out;
}

function valueLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return literal('boolean', value);
  if (typeof value === 'bigint') return literal('integer', value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : literal('float', value);
  if (value instanceof Date) return `TIMESTAMP '${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  if (value instanceof Uint8Array) return literal('binary', value);
  return stringLiteral(String(value));
}

const q = (name: string) => quoteIdentifier(name, ANSI_QUOTES);

/** `information_schema` of the table's catalog (its own when the name has three parts). */
function infoSchema(parts: string[]): string {
  return parts.length >= 3 ? `${q(parts[0]!)}.information_schema` : 'information_schema';
}

/**
 * Builds a Presto-family dialect.
 *
 * @example
 * ```ts
 * const dialect = prestoFamilyDialect('trino', TRINO_TYPE_NAMES);
 * dialect.swapTables(['s', 't'], ['s', 't_stg']); // three renames/drops, undone by the session on failure
 * ```
 */
export function prestoFamilyDialect(name: string, typeNames: Record<SqlTypeKind, string>): JdbcDialect {
  return {
    name,
    quote: ANSI_QUOTES,
    typeNames,
    // The session runs these itself: most catalogs only take autocommit writes, so Sparkle keeps
    // a journal of the renames made between begin and commit and undoes them on rollback.
    begin: 'START TRANSACTION',
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    transactionalDdl: false,
    swapTables(target, staging) {
      const prefix = target.slice(0, -1);
      const backup = [...prefix, `${target[target.length - 1]!.slice(0, 40)}__sparkle_old_${Math.random().toString(16).slice(2, 8)}`];
      const qual = (parts: string[]) => parts.map(q).join('.');
      return [
        `ALTER TABLE ${qual(target)} RENAME TO ${qual(backup)}`,
        `ALTER TABLE ${qual(staging)} RENAME TO ${qual([...prefix, target[target.length - 1]!])}`,
        `DROP TABLE ${qual(backup)}`,
      ];
    },
    tableExists(parts) {
      const table = parts[parts.length - 1]!.toLowerCase();
      const schema = parts.length >= 2 ? parts[parts.length - 2]!.toLowerCase() : undefined;
      return {
        sql: `SELECT 1 FROM ${infoSchema(parts)}.tables WHERE table_name = ${stringLiteral(table)} AND table_schema = ${schema ? stringLiteral(schema) : 'current_schema'}`,
        params: [],
      };
    },
    columnsQuery(schema) {
      return {
        sql:
          'SELECT table_schema AS schema_name, table_name, column_name, data_type, is_nullable FROM information_schema.columns' +
          (schema ? ` WHERE table_schema = ${stringLiteral(schema.toLowerCase())}` : " WHERE table_schema <> 'information_schema'") +
          ' ORDER BY table_schema, table_name, ordinal_position',
        params: [],
      };
    },
  };
}
