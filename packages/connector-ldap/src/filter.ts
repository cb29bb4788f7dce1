/**
 * Typed filters → LDAP filters. Values are never spliced into filter text: each comparison
 * becomes an ldapts filter object (encoded as BER, where a value is opaque bytes), and
 * {@link ldapFilterText} renders the same tree with every value escaped per RFC 4515 for
 * messages and logs. Ordering comparisons (`gt`, `gte`, `lt`, `lte`) are evaluated by Sparkle, not
 * the server: many attributes (`uid`, `mail`) have no ORDERING rule, so servers answer
 * "undefined" for them; the server is sent a presence test instead and the exact comparison runs on
 * the entries that come back (core's reference semantics).
 */
import type { Filter as LdapFilterObject } from 'ldapts';
import { InvalidArgumentError, type Filter, type FilterValue } from '@sparkle/core';

/** ldapts' filter classes, passed in so this module loads without the driver. */
export interface LdapFilterClasses {
  AndFilter: new (o: { filters: LdapFilterObject[] }) => LdapFilterObject;
  OrFilter: new (o: { filters: LdapFilterObject[] }) => LdapFilterObject;
  NotFilter: new (o: { filter: LdapFilterObject }) => LdapFilterObject;
  EqualityFilter: new (o: { attribute: string; value: string }) => LdapFilterObject;
  PresenceFilter: new (o: { attribute: string }) => LdapFilterObject;
  SubstringFilter: new (o: { attribute: string; initial?: string; any?: string[]; final?: string }) => LdapFilterObject;
}

/** An attribute description: a name (letters, digits, hyphens) or an OID, optionally with options (`;lang-en`). */
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;

/** A filter value as LDAP text: booleans `TRUE`/`FALSE`, dates as GeneralizedTime, numbers in decimal. */
export function ldapValue(value: FilterValue, field: string): string {
  if (value === null) throw new InvalidArgumentError(`filter on '${field}': LDAP has no null value; use exists(false) for a missing attribute`);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `${value.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, '')}Z`;
  return String(value);
}

/** RFC 4515 escaping of a value: `*`, `(`, `)`, `\`, NUL and non-ASCII bytes as `\XX`. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x20 || byte > 0x7e || ch === '*' || ch === '(' || ch === ')' || ch === '\\' ? `\\${byte.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

function attribute(field: string): string {
  if (!ATTRIBUTE.test(field)) throw new InvalidArgumentError(`filter field '${field}' is not an LDAP attribute name (letters, digits and hyphens, or an OID)`);
  return field;
}

const ORDERING = new Set(['gt', 'gte', 'lt', 'lte']);

/** True when the filter holds a comparison Sparkle evaluates itself (see the module comment). */
export function needsResidual(filter: Filter): boolean {
  if ('and' in filter) return filter.and.some(needsResidual);
  if ('or' in filter) return filter.or.some(needsResidual);
  if ('not' in filter) return needsResidual(filter.not);
  return ORDERING.has(filter.op);
}

/** Every attribute a filter names (so a residual check has the values it needs). */
export function filterAttributes(filter: Filter): string[] {
  if ('and' in filter) return filter.and.flatMap(filterAttributes);
  if ('or' in filter) return filter.or.flatMap(filterAttributes);
  if ('not' in filter) return filterAttributes(filter.not);
  return [filter.field];
}

/**
 * The server-side filter of a typed filter, as ldapts objects. Under a `not`, an ordering
 * comparison cannot be widened safely, so the whole `not` is left to the residual check (the
 * server then matches everything for that branch).
 */
export function toLdapFilter(filter: Filter, f: LdapFilterClasses): LdapFilterObject {
  if ('and' in filter) return new f.AndFilter({ filters: filter.and.map((x) => toLdapFilter(x, f)) });
  if ('or' in filter) return new f.OrFilter({ filters: filter.or.map((x) => toLdapFilter(x, f)) });
  if ('not' in filter) {
    if (needsResidual(filter.not)) return new f.PresenceFilter({ attribute: 'objectClass' });
    return new f.NotFilter({ filter: toLdapFilter(filter.not, f) });
  }
  const a = attribute(filter.field);
  switch (filter.op) {
    case 'eq':
      return new f.EqualityFilter({ attribute: a, value: ldapValue(filter.value, a) });
    case 'ne':
      return new f.NotFilter({ filter: new f.EqualityFilter({ attribute: a, value: ldapValue(filter.value, a) }) });
    case 'in':
      return new f.OrFilter({ filters: filter.values.map((v) => new f.EqualityFilter({ attribute: a, value: ldapValue(v, a) })) });
    case 'nin':
      return new f.NotFilter({ filter: new f.OrFilter({ filters: filter.values.map((v) => new f.EqualityFilter({ attribute: a, value: ldapValue(v, a) })) }) });
    case 'exists':
      return filter.value ? new f.PresenceFilter({ attribute: a }) : new f.NotFilter({ filter: new f.PresenceFilter({ attribute: a }) });
    case 'prefix':
      return new f.SubstringFilter({ attribute: a, initial: filter.value, any: [], final: '' });
    default:
      // gt/gte/lt/lte: the server only checks the attribute is there; Sparkle compares.
      return new f.PresenceFilter({ attribute: a });
  }
}

/**
 * The RFC 4515 text of a typed filter, every value escaped (for messages; searches send the BER
 * objects of {@link toLdapFilter}).
 * @example
 * ```ts
 * ldapFilterText(where.eq('cn', 'a*b')); // '(cn=a\\2ab)'
 * ```
 */
export function ldapFilterText(filter: Filter): string {
  if ('and' in filter) return `(&${filter.and.map(ldapFilterText).join('')})`;
  if ('or' in filter) return `(|${filter.or.map(ldapFilterText).join('')})`;
  if ('not' in filter) return `(!${ldapFilterText(filter.not)})`;
  const a = attribute(filter.field);
  const v = (x: FilterValue) => escapeFilterValue(ldapValue(x, a));
  switch (filter.op) {
    case 'eq':
      return `(${a}=${v(filter.value)})`;
    case 'ne':
      return `(!(${a}=${v(filter.value)}))`;
    case 'gte':
      return `(${a}>=${v(filter.value)})`;
    case 'lte':
      return `(${a}<=${v(filter.value)})`;
    case 'gt':
      return `(&(${a}>=${v(filter.value)})(!(${a}=${v(filter.value)})))`;
    case 'lt':
      return `(&(${a}<=${v(filter.value)})(!(${a}=${v(filter.value)})))`;
    case 'in':
      return `(|${filter.values.map((x) => `(${a}=${v(x)})`).join('')})`;
    case 'nin':
      return `(!(|${filter.values.map((x) => `(${a}=${v(x)})`).join('')}))`;
    case 'exists':
      return filter.value ? `(${a}=*)` : `(!(${a}=*))`;
    case 'prefix':
      return `(${a}=${escapeFilterValue(filter.value)}*)`;
  }
}
