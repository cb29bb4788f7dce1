/**
 * `MemoryDirectoryConnection`: the in-memory reference of the directory capability — a DIT of
 * entries searched by base, scope and typed filter, with LDAP's multi-valued semantics on top of
 * core's `matchesFilter` (see {@link entryMatches}), a root DSE and simple binds.
 */
import { z } from 'zod';
import {
  AuthenticationError,
  DirectoryConnection,
  directoryConfigSchema,
  matchesFilter,
  QueryError,
  secret,
  type DirectoryEntry,
  type Endpoint,
  type DirectorySearchOptions,
  type FieldFilter,
  type Filter,
} from '@sparkle/core';
import { memoryState } from './memory-store.js';

export const memoryDirectoryConfigSchema = directoryConfigSchema.extend({
  store: z.string().min(1).default('default'),
  /** Bind password (checked against the bind entry's `userPassword`). */
  password: secret(z.string()).optional(),
});

export type MemoryDirectoryConfig = z.output<typeof memoryDirectoryConfigSchema>;

interface DirectoryState {
  entries: Map<string, DirectoryEntry>;
}

/** DN normal form for comparisons: lower case, no spaces around separators. */
export function normalizeDn(dn: string): string {
  return dn
    .split(',')
    .map((rdn) => rdn.split('=').map((p) => p.trim()).join('='))
    .join(',')
    .toLowerCase();
}

function attributeValues(entry: DirectoryEntry, name: string): string[] {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(entry.attributes)) if (k.toLowerCase() === lower) return v;
  return [];
}

/**
 * Whether a directory entry matches a typed filter, by LDAP's rules for multi-valued attributes:
 * a comparison holds when ANY value satisfies it (core's `matchesFilter` on that value);
 * `ne`/`nin` are the negation of `eq`/`in` over all values (as `(!(a=v))` in RFC 4515); `exists`
 * means the attribute has a value. Attribute names are case-insensitive; values compare exactly.
 *
 * @example
 * ```ts
 * entryMatches({ dn: 'uid=ada,…', attributes: { mail: ['a@x', 'ada@y'] } }, where.eq('mail', 'ada@y')); // true
 * ```
 */
export function entryMatches(entry: DirectoryEntry, filter: Filter): boolean {
  if ('and' in filter) return filter.and.every((f) => entryMatches(entry, f));
  if ('or' in filter) return filter.or.some((f) => entryMatches(entry, f));
  if ('not' in filter) return !entryMatches(entry, filter.not);
  const values = attributeValues(entry, filter.field);
  const any = (leaf: FieldFilter) => values.some((value) => matchesFilter({ v: value }, { ...leaf, field: 'v' } as Filter));
  switch (filter.op) {
    case 'exists':
      return values.length > 0 === filter.value;
    case 'ne':
      return !any({ ...filter, op: 'eq' });
    case 'nin':
      return !any({ ...filter, op: 'in' });
    default:
      return any(filter);
  }
}

/**
 * The directory reference.
 *
 * @example
 * ```ts
 * const dir = new MemoryDirectoryConnection({ type: 'memory_directory', config: { store: 't', baseDn: 'dc=example,dc=org' } });
 * dir.addEntry({ dn: 'uid=ada,ou=people,dc=example,dc=org', attributes: { objectClass: ['person'], uid: ['ada'] } });
 * for await (const e of dir.searchDirectory({ filter: where.eq('uid', 'ada') })) console.log(e.dn);
 * ```
 */
export class MemoryDirectoryConnection extends DirectoryConnection<MemoryDirectoryConfig> {
  static override schema: z.ZodType = memoryDirectoryConfigSchema;
  static override description = 'In-memory directory (reference implementation)';

  private get state(): DirectoryState {
    return memoryState<DirectoryState>('directory', this.config.store, () => ({ entries: new Map() }));
  }

  /** In memory: the `url` names the directory in lineage, but there is nothing to reach. */
  protected override endpoints(): Endpoint[] {
    return [];
  }

  /** Adds (or replaces) an entry. */
  addEntry(entry: DirectoryEntry): void {
    this.state.entries.set(normalizeDn(entry.dn), structuredClone(entry));
  }

  private rootDse(): DirectoryEntry {
    const suffixes = new Set<string>();
    for (const e of this.state.entries.values()) {
      const parts = e.dn.split(',').map((p) => p.trim());
      const dcStart = parts.findIndex((p) => /^dc=/i.test(p));
      if (dcStart >= 0) suffixes.add(parts.slice(dcStart).join(','));
    }
    return { dn: '', attributes: { namingContexts: [...suffixes].sort(), supportedLDAPVersion: ['3'] } };
  }

  async *searchDirectory(options: DirectorySearchOptions = {}): AsyncIterable<DirectoryEntry> {
    this.assertOpen();
    const base = options.base ?? this.config.baseDn;
    const scope = options.scope ?? 'sub';
    const nbase = normalizeDn(base);
    let candidates: DirectoryEntry[];
    if (nbase === '' && scope === 'base') candidates = [this.rootDse()];
    else {
      if (nbase !== '' && !this.state.entries.has(normalizeDn(base))) {
        throw new QueryError(`${this.type}: no such object '${base}' (LDAP result 32)`, { connector: this.type, details: { notFound: true } });
      }
      const depth = (dn: string) => (dn === '' ? 0 : dn.split(',').length);
      candidates = [...this.state.entries.entries()]
        .filter(([dn]) => {
          const under = nbase === '' || dn === nbase || dn.endsWith(`,${nbase}`);
          if (!under) return false;
          if (scope === 'base') return dn === nbase;
          if (scope === 'one') return depth(dn) === depth(nbase) + 1;
          return true;
        })
        .sort(([a], [b]) => depth(a) - depth(b) || a.localeCompare(b))
        .map(([, e]) => e);
    }
    let count = 0;
    for (const entry of candidates) {
      options.signal?.throwIfAborted();
      if (options.filter && !entryMatches(entry, options.filter)) continue;
      if (options.limit !== undefined && count >= options.limit) return;
      count++;
      yield project(entry, options.attributes);
    }
  }

  protected override async bind(): Promise<string> {
    this.assertOpen();
    const bindDn = this.config.bindDn;
    if (!bindDn) return 'anonymous bind';
    const entry = this.state.entries.get(normalizeDn(bindDn));
    const expected = entry ? attributeValues(entry, 'userPassword')[0] : undefined;
    if (!entry || expected === undefined || expected !== this.config.password) {
      throw new AuthenticationError(`${this.type}: invalid credentials for '${bindDn}' (LDAP result 49)`, { connector: this.type });
    }
    return `bound as ${bindDn}`;
  }
}

function project(entry: DirectoryEntry, attributes?: readonly string[]): DirectoryEntry {
  const out: Record<string, string[]> = {};
  if (!attributes?.length) {
    for (const [k, v] of Object.entries(entry.attributes)) if (k.toLowerCase() !== 'userpassword') out[k] = [...v];
  } else {
    for (const name of attributes) {
      const values = attributeValues(entry, name);
      if (values.length) out[name] = [...values];
    }
  }
  return { dn: entry.dn, attributes: out };
}
