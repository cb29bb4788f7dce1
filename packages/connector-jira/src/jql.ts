/**
 * JQL from typed filters. Values are always JQL string literals (double-quoted, backslash
 * escaped) or plain numbers, and field references are either plain identifiers, `cf[id]` for
 * custom fields, or quoted names — so no value can end a clause and start another.
 */
import { InvalidArgumentError, UnsupportedOperationError, type Filter, type FilterValue } from '@sparkle/core';

/** Words JQL reserves; a field spelt like one must be quoted. */
const RESERVED = new Set(['and', 'or', 'not', 'empty', 'null', 'order', 'by', 'asc', 'desc', 'in', 'is', 'was', 'changed', 'to', 'from', 'after', 'before', 'on', 'during']);

/**
 * A JQL string literal: `"…"` with `\` and `"` escaped and line breaks as `\n`/`\r`/`\t`.
 * Other control characters have no place in a JQL value and are refused.
 * @example
 * jqlString('say "hi"') // → "say \"hi\""
 */
export function jqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch === '\u007f') {
      throw new InvalidArgumentError(`jira: a filter value contains control character U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}, which JQL cannot carry; remove it from the value`, { connector: 'jira' });
    } else out += ch;
  }
  return `${out}"`;
}

/** A field reference: `summary`, `cf[10016]` for `customfield_10016`, or a quoted field name. */
export function jqlField(name: string): string {
  const custom = /^customfield_(\d+)$/.exec(name);
  if (custom) return `cf[${custom[1]}]`;
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase())) return name;
  return jqlString(name);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A JQL value: numbers bare, everything else a string literal (dates as `yyyy-MM-dd HH:mm`, UTC). */
export function jqlValue(value: FilterValue): string {
  if (value === null) throw new InvalidArgumentError('jira: null is only comparable with eq/ne (IS EMPTY / IS NOT EMPTY)', { connector: 'jira' });
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`jira: ${value} is not a number JQL can compare with`, { connector: 'jira' });
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError('jira: an invalid Date in a filter', { connector: 'jira' });
    // JQL reads dates in the searching user's time zone; UTC components are the stable choice.
    return jqlString(`${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}`);
  }
  return jqlString(String(value));
}

const COMPARE: Record<string, string> = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * The JQL of a typed filter.
 * @example
 * ```ts
 * import { where } from '@sparkle/core';
 * filterToJql(where.and(where.eq('project', 'OPS'), where.in('status', ['Open', 'In Progress'])));
 * // → (project = "OPS" AND status IN ("Open", "In Progress"))
 * ```
 */
export function filterToJql(filter: Filter): string {
  if ('and' in filter) return filter.and.length ? `(${filter.and.map(filterToJql).join(' AND ')})` : '';
  if ('or' in filter) return filter.or.length ? `(${filter.or.map(filterToJql).join(' OR ')})` : '';
  if ('not' in filter) return `NOT (${filterToJql(filter.not)})`;
  const field = jqlField(filter.field);
  switch (filter.op) {
    case 'eq':
    case 'ne':
      if (filter.value === null) return `${field} ${filter.op === 'eq' ? 'IS EMPTY' : 'IS NOT EMPTY'}`;
      return `${field} ${COMPARE[filter.op]} ${jqlValue(filter.value)}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return `${field} ${COMPARE[filter.op]} ${jqlValue(filter.value)}`;
    case 'in':
    case 'nin': {
      if (!filter.values.length) throw new InvalidArgumentError(`jira: '${filter.op}' on ${filter.field} needs at least one value`, { connector: 'jira' });
      return `${field} ${filter.op === 'in' ? 'IN' : 'NOT IN'} (${filter.values.map(jqlValue).join(', ')})`;
    }
    case 'exists':
      return `${field} ${filter.value ? 'IS NOT EMPTY' : 'IS EMPTY'}`;
    case 'prefix':
      throw new UnsupportedOperationError(`jira: JQL has no exact prefix match for ${filter.field} ('~' is a fuzzy text search); filter with eq/in, or filter the rows after reading`, { connector: 'jira' });
  }
}

/** `ORDER BY` terms: a field and an optional direction, each field quoted as {@link jqlField}. */
export function orderByJql(terms: readonly string[]): string {
  return terms
    .map((term) => {
      const m = /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(term.trim())!;
      return `${jqlField(m[1]!)}${m[2] ? ` ${m[2].toUpperCase()}` : ''}`;
    })
    .join(', ');
}

/** The clauses ANDed into one JQL query, then its ORDER BY. */
export function composeJql(parts: { project?: string; filter?: Filter; jql?: string; orderBy?: readonly string[] }): string {
  const clauses: string[] = [];
  if (parts.project) clauses.push(`project = ${jqlString(parts.project)}`);
  if (parts.filter) {
    const text = filterToJql(parts.filter);
    if (text) clauses.push(text);
  }
  if (parts.jql) clauses.push(`(${parts.jql})`);
  const order = parts.orderBy?.length ? ` ORDER BY ${orderByJql(parts.orderBy)}` : '';
  return `${clauses.join(' AND ')}${order}`;
}
