/**
 * `LdapConnection` (type `ldap`): LDAP directories through `ldapts`. One client per connection,
 * bound once (simple bind; StartTLS or LDAPS as configured); searches page with the simple paged
 * results control; typed filters become ldapts filter objects, so no value is ever spliced into
 * filter text. Entries read as tables come from core's `DirectoryConnection`: `dn` plus one
 * `list<utf8>` column per attribute.
 */
import type { z } from 'zod';
import type { Client } from 'ldapts';
import {
  AuthenticationError,
  ConnectionFailedError,
  DirectoryConnection,
  matchesFilter,
  MissingDriverError,
  QueryError,
  SparkleError,
  type ConnectionInit,
  type DirectoryEntry,
  type DirectorySearchOptions,
  type FieldFilter,
  type Filter,
} from '@sparkle/core';
import { ldapConfigSchema, type LdapConfig } from './config.js';
import { filterAttributes, ldapFilterText, needsResidual, toLdapFilter, type LdapFilterClasses } from './filter.js';

type Ldapts = typeof import('ldapts');

/** LDAP result codes this connection names (RFC 4511). */
const RESULT = { noSuchObject: 32, invalidCredentials: 49, insufficientAccess: 50, inappropriateAuth: 48, unwillingToPerform: 53, busy: 51, unavailable: 52 } as const;

function values(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : String(v)));
}

/** LDAP's multi-valued semantics over core's `matchesFilter` (any value matches; `ne`/`nin` negate over all values). */
export function entryMatchesFilter(entry: DirectoryEntry, filter: Filter): boolean {
  if ('and' in filter) return filter.and.every((f) => entryMatchesFilter(entry, f));
  if ('or' in filter) return filter.or.some((f) => entryMatchesFilter(entry, f));
  if ('not' in filter) return !entryMatchesFilter(entry, filter.not);
  const lower = filter.field.toLowerCase();
  const found = Object.entries(entry.attributes).find(([k]) => k.toLowerCase() === lower)?.[1] ?? [];
  const any = (leaf: FieldFilter) => found.some((value) => matchesFilter({ v: value }, { ...leaf, field: 'v' } as Filter));
  if (filter.op === 'exists') return found.length > 0 === filter.value;
  if (filter.op === 'ne') return !any({ ...filter, op: 'eq' });
  if (filter.op === 'nin') return !any({ ...filter, op: 'in' });
  return any(filter);
}

/**
 * An LDAP directory.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-ldap';
 *
 * await using ldap = await getConnection('ldap', { env: 'prod' }); // config/connections/ldap/{common,prod}.json
 * for await (const person of ldap.searchDirectory({ base: 'ou=people,dc=example,dc=com', filter: where.eq('uid', userInput) })) {
 *   console.log(person.dn, person.attributes.mail);
 * }
 * const people = await ldap.readTable('ou=people,dc=example,dc=com', { columns: ['dn', 'cn', 'mail'] });
 * ```
 */
export class LdapConnection extends DirectoryConnection<LdapConfig> {
  static override schema: z.ZodType = ldapConfigSchema;
  static override family = 'directory';
  static override description = 'LDAP directories (ldapts): escaped filters, paged searches into Arrow';
  static override defaultPort = 389;
  #client: Promise<{ client: Client; lib: Ldapts }> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#client;
      this.#client = undefined;
      if (pending) await pending.then(({ client }) => client.unbind()).catch(() => undefined);
    });
  }

  get #where(): string {
    return this.config.url.replace(/\/$/, '');
  }

  /** The bound client (connected and bound on first use). */
  protected client(): Promise<{ client: Client; lib: Ldapts }> {
    this.assertOpen();
    this.#client ??= this.#connect().catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  async #connect(): Promise<{ client: Client; lib: Ldapts }> {
    let lib: Ldapts;
    try {
      lib = await import('ldapts');
    } catch (cause) {
      throw new MissingDriverError(this.type, 'ldapts', cause);
    }
    const c = this.config;
    const tlsOptions = { rejectUnauthorized: c.tls.rejectUnauthorized, ...(c.tls.ca ? { ca: c.tls.ca } : {}), ...(c.tls.servername ? { servername: c.tls.servername } : {}) };
    const client = new lib.Client({
      url: c.url,
      timeout: c.timeoutMs,
      connectTimeout: c.connectTimeoutMs ?? 10_000,
      ...(/^ldaps:/i.test(c.url) ? { tlsOptions } : {}),
    });
    try {
      if (c.startTls) await client.startTLS(tlsOptions);
      if (c.bindDn) await client.bind(c.bindDn, c.bindPassword ?? '');
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw this.#error(error, c.bindDn ? `bind as '${c.bindDn}'` : 'connect');
    }
    return { client, lib };
  }

  /** A typed, redacted error from an ldapts failure. */
  #error(error: unknown, what: string, base?: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const code = (error as { code?: unknown } | null)?.code;
    const message = this.redact(error instanceof Error ? error.message : String(error));
    const details = { ...(typeof code === 'number' ? { resultCode: code } : {}), ...(base !== undefined ? { base } : {}) };
    if (code === RESULT.invalidCredentials || code === RESULT.inappropriateAuth) {
      return new AuthenticationError(`${this.type}: ${this.#where} refused to ${what} (${message}); check bindDn and bindPassword`, { connector: this.type, cause: error, details });
    }
    if (code === RESULT.insufficientAccess) {
      return new AuthenticationError(`${this.type}: ${this.#where}: insufficient access to ${what} (${message}); the bound identity may not read there`, { connector: this.type, cause: error, details });
    }
    if (code === RESULT.noSuchObject) {
      return new QueryError(`${this.type}: ${what}: no entry '${base ?? ''}' in ${this.#where} (${message}); check the base DN`, { connector: this.type, cause: error, details: { ...details, notFound: true } });
    }
    if (code === RESULT.busy || code === RESULT.unavailable || code === RESULT.unwillingToPerform) {
      return new ConnectionFailedError(`${this.type}: ${this.#where} is busy or unavailable (${message}) during ${what}`, { connector: this.type, cause: error, details });
    }
    if (typeof code === 'string' || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|ECONNRESET|timeout|Connection closed/i.test(message)) {
      return new ConnectionFailedError(`${this.type}: cannot reach ${this.#where} to ${what} (${message})`, { connector: this.type, cause: error, details });
    }
    return new QueryError(`${this.type}: ${what} failed on ${this.#where}: ${message}`, { connector: this.type, cause: error, details });
  }

  /**
   * Searches with paged results. The typed filter is sent as ldapts filter objects (values are
   * BER-encoded, never spliced into text); ordering comparisons are checked here on the entries
   * the server returns (see filter.ts). Stops after `limit` entries.
   */
  async *searchDirectory(options: DirectorySearchOptions = {}): AsyncIterable<DirectoryEntry> {
    const { client, lib } = await this.client();
    const base = options.base ?? this.config.baseDn;
    const filter = options.filter;
    const residual = filter !== undefined && needsResidual(filter);
    const requested = options.attributes?.length ? [...options.attributes] : undefined;
    // A residual check needs the filtered attributes even when the caller did not ask for them.
    const extra = residual && requested ? filterAttributes(filter).filter((a) => !requested.some((r) => r.toLowerCase() === a.toLowerCase())) : [];
    const attributes = requested ? [...requested, ...extra] : undefined;
    const what = `search '${base}'${filter ? ` for ${ldapFilterText(filter)}` : ''}`;
    const pageSize = Math.max(1, Math.min(options.pageSize ?? this.config.pageSize, 10_000));
    let n = 0;
    const pages = client.searchPaginated(base, {
      scope: options.scope ?? 'sub',
      filter: filter ? toLdapFilter(filter, lib as unknown as LdapFilterClasses) : '(objectClass=*)',
      ...(attributes ? { attributes } : {}),
      paged: { pageSize },
      ...(options.limit !== undefined && !residual ? { sizeLimit: options.limit } : {}),
    });
    try {
      for await (const page of pages) {
        options.signal?.throwIfAborted();
        for (const raw of page.searchEntries) {
          const entry: DirectoryEntry = { dn: raw.dn, attributes: {} };
          for (const [name, value] of Object.entries(raw)) if (name !== 'dn') entry.attributes[name] = values(value);
          if (residual && !entryMatchesFilter(entry, filter)) continue;
          for (const name of extra) for (const k of Object.keys(entry.attributes)) if (k.toLowerCase() === name.toLowerCase()) delete entry.attributes[k];
          yield entry;
          if (options.limit !== undefined && ++n >= options.limit) return;
        }
      }
    } catch (error) {
      // The server's sizeLimit answer ends a limited search that had more entries: that is the limit working.
      if ((error as { code?: unknown } | null)?.code === 4 && options.limit !== undefined) return;
      throw this.#error(error, what, base);
    }
  }

  /** The auth tier: bind with the configured identity, then a base-scoped read of `baseDn`. */
  protected override async bind(signal: AbortSignal): Promise<string> {
    await this.client();
    const c = this.config;
    if (c.baseDn) {
      for await (const _entry of this.searchDirectory({ base: c.baseDn, scope: 'base', attributes: ['objectClass'], limit: 1, signal })) break;
    }
    const how = c.startTls ? ' over StartTLS' : /^ldaps:/i.test(c.url) ? ' over LDAPS' : '';
    return `${c.bindDn ? `bound as ${c.bindDn}` : 'anonymous'}${how}${c.baseDn ? `; base ${c.baseDn} readable` : ''}`;
  }
}
