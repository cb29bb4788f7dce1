/**
 * `COPY (query) TO STDOUT` cannot take bind parameters, so a parameterised query streamed
 * through COPY has its `$n` placeholders replaced by properly quoted literals. The scanner skips
 * string literals, quoted identifiers, comments and dollar-quoted bodies, so a `$1` inside any
 * of those is left alone. Literals rely on `standard_conforming_strings = on` (the default since
 * PostgreSQL 9.1; the session sets it explicitly).
 */
import { InvalidArgumentError } from '@sparkle/core';

/** A SQL literal for one parameter value. */
export function pgLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "'NaN'";
    if (!Number.isFinite(value)) return value > 0 ? "'Infinity'" : "'-Infinity'";
    return value < 0 ? `(${String(value)})` : String(value);
  }
  if (typeof value === 'bigint') return value < 0n ? `(${value.toString()})` : value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return quoteString(value.toISOString());
  if (value instanceof Uint8Array) return `'\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'::bytea`;
  if (typeof value === 'string') return quoteString(value);
  return quoteString(JSON.stringify(value));
}

function quoteString(text: string): string {
  if (text.includes('\u0000')) throw new InvalidArgumentError('PostgreSQL text cannot contain NUL bytes');
  return `'${text.replace(/'/g, "''")}'`;
}

/** Replaces `$1…$n` outside literals, identifiers and comments with the parameters' literals. */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  if (params.length === 0) return sql;
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = skipQuoted(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = skipBlockComment(sql, i);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '$') {
      const number = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (number && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const index = Number(number[1]) - 1;
        if (index < 0 || index >= params.length) throw new InvalidArgumentError(`The query uses $${index + 1} but only ${params.length} parameter(s) were given`);
        out += pgLiteral(params[index]);
        i += number[0].length;
        continue;
      }
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const stop = close === -1 ? n : close + tag[0].length;
        out += sql.slice(i, stop);
        i = stop;
        continue;
      }
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}
