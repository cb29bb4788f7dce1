/**
 * `$filter` from typed filters. Properties must exist on the entity type (so no name can carry
 * syntax), and every value becomes an OData literal of the property's Edm type: strings quoted
 * with `'` doubled, GUIDs, numbers and dates checked against their grammar and spelt as the
 * version wants (V2 `datetime'…'`, `guid'…'`, `12.50M`, `42L`; V4 bare). A value that does not fit
 * its type is refused, not sent.
 */
import { InvalidArgumentError, UnsupportedOperationError, type Filter, type FilterValue } from '@sparkle/core';
import { isDate } from './edm.js';
import type { EdmEntitySet, EdmProperty } from './metadata.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function refuse(p: EdmProperty, value: unknown, what: string): never {
  throw new InvalidArgumentError(`sap: filter value ${JSON.stringify(String(value)).slice(0, 60)} for ${p.name} (${p.type}) is not ${what}`, { connector: 'sap', details: { property: p.name } });
}

/** An OData string literal: `'O''Brien'`. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function asDate(p: EdmProperty, value: FilterValue): Date {
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value) : undefined;
  if (!d || Number.isNaN(d.getTime())) refuse(p, value, 'a date');
  return d;
}

/**
 * The OData literal of `value` for property `p`.
 * @example
 * odataLiteral({ name: 'title', type: 'Edm.String', nullable: true }, "It's", 'v4') // → 'It''s'
 */
export function odataLiteral(p: EdmProperty, value: FilterValue, version: 'v2' | 'v4'): string {
  if (value === null) return 'null';
  const text = typeof value === 'bigint' ? value.toString() : value;
  if (isDate(p)) {
    const d = asDate(p, value);
    const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    return version === 'v4' ? day : `datetime'${day}T00:00:00'`;
  }
  switch (p.type) {
    case 'Edm.String':
      return odataString(String(text));
    case 'Edm.Guid':
      if (typeof text !== 'string' || !GUID.test(text)) refuse(p, value, 'a GUID');
      return version === 'v4' ? text : `guid'${text}'`;
    case 'Edm.Byte':
    case 'Edm.SByte':
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64': {
      const s = String(text);
      if (typeof text === 'boolean' || text instanceof Date || !INTEGER.test(s)) refuse(p, value, 'an integer');
      return p.type === 'Edm.Int64' && version === 'v2' ? `${s}L` : s;
    }
    case 'Edm.Decimal': {
      const s = typeof text === 'number' ? String(text) : String(text);
      if (typeof text === 'boolean' || text instanceof Date || !DECIMAL.test(s)) refuse(p, value, 'a decimal number');
      return version === 'v2' ? `${s}M` : s;
    }
    case 'Edm.Single':
    case 'Edm.Double': {
      const n = typeof text === 'number' ? text : Number(text);
      if (typeof text === 'boolean' || text instanceof Date || !Number.isFinite(n)) refuse(p, value, 'a finite number');
      return version === 'v2' ? `${n}d` : String(n);
    }
    case 'Edm.Boolean':
      if (typeof text !== 'boolean' && text !== 'true' && text !== 'false') refuse(p, value, 'true or false');
      return String(text);
    case 'Edm.DateTime':
    case 'Edm.DateTimeOffset': {
      const iso = asDate(p, value).toISOString();
      if (version === 'v4') return iso;
      return p.type === 'Edm.DateTime' ? `datetime'${iso.replace(/Z$/, '')}'` : `datetimeoffset'${iso}'`;
    }
    default:
      throw new UnsupportedOperationError(`sap: ${p.name} has type ${p.type}, which a filter cannot compare; filter on a primitive property`, { connector: 'sap' });
  }
}

const COMPARE: Record<string, string> = { eq: 'eq', ne: 'ne', gt: 'gt', gte: 'ge', lt: 'lt', lte: 'le' };

/** The property `name` of `set`, or an error listing the ones there are. */
export function propertyOf(set: EdmEntitySet, name: string, where: string): EdmProperty {
  const p = set.properties.find((x) => x.name === name);
  if (p) return p;
  throw new InvalidArgumentError(`sap: ${where}: entity set ${set.name} has no property '${name}' (it has ${set.properties.map((x) => x.name).join(', ')})`, { connector: 'sap', details: { property: name } });
}

/**
 * The `$filter` expression of a typed filter on an entity set.
 * @example
 * ```ts
 * import { where } from '@sparkle/core';
 * filterToOData(where.and(where.eq('title', "It's"), where.gt('price', '10.5')), books, 'v4');
 * // → (title eq 'It''s' and price gt 10.5)
 * ```
 */
export function filterToOData(filter: Filter, set: EdmEntitySet, version: 'v2' | 'v4'): string {
  const walk = (f: Filter): string => {
    if ('and' in f) return f.and.length ? `(${f.and.map(walk).join(' and ')})` : 'true';
    if ('or' in f) return f.or.length ? `(${f.or.map(walk).join(' or ')})` : 'false';
    if ('not' in f) return `not (${walk(f.not)})`;
    const p = propertyOf(set, f.field, 'filter');
    switch (f.op) {
      case 'eq':
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return `${p.name} ${COMPARE[f.op]} ${odataLiteral(p, f.value, version)}`;
      case 'in':
      case 'nin': {
        if (!f.values.length) throw new InvalidArgumentError(`sap: '${f.op}' on ${f.field} needs at least one value`, { connector: 'sap' });
        // `in` is OData 4.01; a chain of `eq` works on every V2 and V4 service.
        const any = `(${f.values.map((v) => `${p.name} eq ${odataLiteral(p, v, version)}`).join(' or ')})`;
        return f.op === 'in' ? any : `not ${any}`;
      }
      case 'exists':
        return `${p.name} ${f.value ? 'ne' : 'eq'} null`;
      case 'prefix': {
        if (p.type !== 'Edm.String') throw new UnsupportedOperationError(`sap: prefix needs a string property; ${p.name} is ${p.type}`, { connector: 'sap' });
        const call = `startswith(${p.name},${odataString(f.value)})`;
        return version === 'v2' ? `${call} eq true` : call;
      }
    }
  };
  return walk(filter);
}

/** `$orderby` terms checked against the entity type. */
export function orderByToOData(terms: readonly string[], set: EdmEntitySet): string {
  return terms
    .map((term) => {
      const m = /^(\S+)(?:\s+(asc|desc))?$/i.exec(term.trim());
      if (!m) throw new InvalidArgumentError(`sap: orderBy term '${term}' is not '<property> [asc|desc]'`, { connector: 'sap' });
      const p = propertyOf(set, m[1]!, 'orderBy');
      return m[2] ? `${p.name} ${m[2].toLowerCase()}` : p.name;
    })
    .join(',');
}
