/**
 * SOQL text built from typed input: identifiers checked against a strict pattern (and, by the
 * caller, against the sObject's describe), values written as SOQL literals with every special
 * character escaped as the SOQL reference lists them. No value is ever spliced in raw.
 */
import { InvalidArgumentError, type Filter, type FilterValue } from '@sparkle/core';

/** A field or relationship path: `Name`, `Custom__c`, `Account.Owner.Name`. */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** Escapes SOQL's string-literal specials (quote, backslash and the control escapes). */
const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A quoted SOQL string literal.
 * @example
 * ```ts
 * soqlString("O'Brien \\ Co"); // 'O\'Brien \\ Co'
 * ```
 */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => STRING_ESCAPES[c]!)}'`;
}

/** A LIKE pattern that matches `prefix` literally at the start (`%` and `_` escaped as well). */
export function soqlLikePrefix(prefix: string): string {
  const quoted = soqlString(prefix);
  return `${quoted.slice(0, -1).replace(/[%_]/g, (c) => `\\${c}`)}%'`;
}

/** How the caller's describe says a field compares: date fields take `YYYY-MM-DD`, datetimes a UTC instant. */
export type LiteralKind = 'date' | 'datetime' | 'other';

/** A SOQL literal for one filter value. */
export function soqlLiteral(value: FilterValue, kind: LiteralKind, connector: string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`${connector}: filter value ${value} is not a finite number; SOQL has no literal for it`, { connector });
    return String(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${connector}: a filter value is an invalid Date`, { connector });
    const iso = value.toISOString();
    // Whole seconds in the documented form; milliseconds kept when there are any (never rounded away).
    return kind === 'date' ? iso.slice(0, 10) : iso.replace(/\.000Z$/, 'Z');
  }
  // Date and datetime literals are unquoted in SOQL; a string for such a field must have their exact shape.
  if (kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  if (kind === 'datetime' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/.test(value)) return value;
  if (kind !== 'other') throw new InvalidArgumentError(`${connector}: ${JSON.stringify(value.slice(0, 40))} is not a ${kind} literal (use a Date or ${kind === 'date' ? 'YYYY-MM-DD' : 'an ISO 8601 instant'})`, { connector });
  return soqlString(value);
}

/** Checks a field path's shape (the caller checks it names a real field). */
export function soqlIdentifier(name: string, connector: string): string {
  if (!IDENTIFIER.test(name)) throw new InvalidArgumentError(`${connector}: ${JSON.stringify(name.slice(0, 60))} is not a Salesforce field name (letters, digits, _ and relationship dots)`, { connector });
  return name;
}

const COMPARISON = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * A WHERE condition for a typed filter. `kindOf` tells date/datetime fields apart (from describe)
 * and throws for a field the object does not have.
 */
export function soqlCondition(filter: Filter, kindOf: (field: string) => LiteralKind, connector: string): string {
  if ('and' in filter) return filter.and.length ? `(${filter.and.map((f) => soqlCondition(f, kindOf, connector)).join(' AND ')})` : 'Id != null';
  if ('or' in filter) return filter.or.length ? `(${filter.or.map((f) => soqlCondition(f, kindOf, connector)).join(' OR ')})` : 'Id = null';
  if ('not' in filter) return `(NOT ${soqlCondition(filter.not, kindOf, connector)})`;
  const field = soqlIdentifier(filter.field, connector);
  const kind = kindOf(field);
  switch (filter.op) {
    case 'eq':
    case 'ne':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return `${field} ${COMPARISON[filter.op]} ${soqlLiteral(filter.value, kind, connector)}`;
    case 'in':
    case 'nin': {
      // An empty list matches nothing (IN) or everything (NOT IN); `Id` is never null.
      if (!filter.values.length) return filter.op === 'in' ? 'Id = null' : 'Id != null';
      const list = filter.values.map((v) => soqlLiteral(v, kind, connector)).join(', ');
      return `${field} ${filter.op === 'in' ? 'IN' : 'NOT IN'} (${list})`;
    }
    case 'exists':
      return `${field} ${filter.value ? '!=' : '='} null`;
    case 'prefix':
      return `${field} LIKE ${soqlLikePrefix(filter.value)}`;
  }
}

/** `SELECT a, b FROM Object [WHERE …]`. */
export function soqlSelect(object: string, fields: readonly string[], where: string | undefined, connector: string): string {
  soqlIdentifier(object, connector);
  return `SELECT ${fields.map((f) => soqlIdentifier(f, connector)).join(', ')} FROM ${object}${where ? ` WHERE ${where}` : ''}`;
}

/**
 * The sObject a SOQL query reads (`FROM x`) and the plain field list of its SELECT, as far as a
 * simple scan can tell (used to type columns from describe; anything unusual is typed as text).
 */
export function soqlShape(soql: string): { object: string | undefined; fields: string[] } {
  const head = /^\s*select\s+/i.exec(soql);
  if (!head) return { object: undefined, fields: [] };
  const list: string[] = [];
  let depth = 0;
  let current = '';
  let quoted = false;
  for (let i = head[0].length; i < soql.length; i++) {
    const ch = soql[i]!;
    if (quoted) {
      current += ch;
      if (ch === '\\') current += soql[++i] ?? '';
      else if (ch === "'") quoted = false;
      continue;
    }
    if (ch === "'") quoted = true;
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    // The outer FROM: at depth 0, after whitespace, as a whole word.
    const from = depth === 0 && /\s/.test(ch) ? /^\s+from\s+([A-Za-z][A-Za-z0-9_]*)/i.exec(soql.slice(i)) : null;
    if (from) {
      if (current.trim()) list.push(current.trim());
      return { object: from[1], fields: list };
    }
    if (ch === ',' && depth === 0) {
      list.push(current.trim());
      current = '';
    } else current += ch;
  }
  return { object: undefined, fields: [] };
}
