/**
 * `DirectoryConnection`: the family base of directories (LDAP, Active Directory). A connector
 * implements `searchDirectory()` (a typed filter escaped into RFC 4515 syntax, paged results);
 * the base reads a subtree as a table — `readTable('ou=people,dc=example,dc=org')` — with one
 * row per entry: `dn`, then one `list<utf8>` column per attribute (LDAP attributes are
 * multi-valued, so every value is kept).
 */
import type { RecordBatch } from 'apache-arrow';
import { z } from 'zod';
import type { DirectoryEntry, DirectorySearch, DirectorySearchOptions } from '../capabilities/notify.js';
import { parseFilter, type Filter } from '../capabilities/filter.js';
import { SparkleConnection } from '../connection.js';
import type { NativeReadPlan, NativeSource, ReadTableOptions } from '../engine.js';
import { InvalidArgumentError, UnsupportedOperationError } from '../errors.js';
import { HealthSkip, type Endpoint } from '../health.js';
import type { DatasetRef } from '../lineage/types.js';
import { datasetNamespace } from '../lineage/naming.js';
import { rowsToRecordBatch, type RowColumn } from './arrow-rows.js';
import { serviceConfigSchema, serviceEndpoints } from './service.js';

/** Config of every directory connection: the service shape plus the base DN and bind identity. */
export const directoryConfigSchema = serviceConfigSchema.extend({
  /** Default search base (`dc=example,dc=org`). */
  baseDn: z.string().default(''),
  /** Bind DN; anonymous bind when absent. */
  bindDn: z.string().optional(),
  /** Attributes read when a read names no columns; default all user attributes the server returns. */
  attributes: z.array(z.string().min(1)).optional(),
  /** Entries per page (paged results control). */
  pageSize: z.coerce.number().int().positive().default(500),
});

export type DirectoryConfig = z.output<typeof directoryConfigSchema>;

/** Entries as rows: `dn` plus the given attributes (all seen attributes, sorted, when none given). */
export function directoryRows(entries: readonly DirectoryEntry[], attributes?: readonly string[]): { columns: RowColumn[]; rows: Array<Record<string, unknown>> } {
  const names = attributes?.length ? [...attributes] : [...new Set(entries.flatMap((e) => Object.keys(e.attributes)))].sort();
  const columns: RowColumn[] = [{ name: 'dn', kind: 'utf8', nullable: false }, ...names.map((name): RowColumn => ({ name, kind: 'list<utf8>' }))];
  const rows = entries.map((e) => {
    // Attribute names are case-insensitive in LDAP: match the requested spelling to the server's.
    const byLower = new Map(Object.entries(e.attributes).map(([k, v]) => [k.toLowerCase(), v]));
    return Object.fromEntries([['dn', e.dn], ...names.map((n) => [n, byLower.get(n.toLowerCase()) ?? null])]);
  });
  return { columns, rows };
}

/**
 * Base class of directory connections.
 *
 * @example
 * ```ts
 * class LdapConnection extends DirectoryConnection {
 *   async *searchDirectory(options: DirectorySearchOptions = {}) { … ldapts search with paging … }
 *   protected override async bind() { … client.bind(bindDn, password) … return `bound as ${bindDn}`; }
 * }
 * const people = await ldap.readTable('ou=people,dc=example,dc=org', {
 *   columns: ['cn', 'mail'],
 *   options: { filter: JSON.stringify(where.eq('objectClass', 'person')), scope: 'one' },
 * });
 * ```
 */
export abstract class DirectoryConnection<TConfig extends DirectoryConfig = DirectoryConfig> extends SparkleConnection<TConfig> implements DirectorySearch, NativeSource {
  static override schema: z.ZodType = directoryConfigSchema;
  static override family = 'directory';
  /** The local engine writes no entries: directory writes (add/modify) are not table writes. */
  static withoutCapabilities: readonly string[] = ['write'];
  /** Scheme of the lineage namespace; default `ldap`. */
  static lineageScheme = 'ldap';
  static defaultPort?: number = 389;

  abstract searchDirectory(options?: DirectorySearchOptions): AsyncIterable<DirectoryEntry>;

  protected override endpoints(): Endpoint[] {
    return serviceEndpoints(this.config, (this.constructor as typeof DirectoryConnection).defaultPort);
  }

  /** Lineage: namespace `ldap://host:port`, name the search base DN. */
  override dataset(base: string): DatasetRef {
    // Named from config, not from the network tier: a connection with no network check still has an identity.
    const endpoint = serviceEndpoints(this.config, (this.constructor as typeof DirectoryConnection).defaultPort)[0];
    const scheme = (this.constructor as typeof DirectoryConnection).lineageScheme;
    return { namespace: datasetNamespace({ scheme, host: endpoint?.host, port: endpoint?.port }), name: base || this.config.baseDn };
  }

  /** The search a read stands for: base from the table name, scope and typed filter from `options.options`. */
  protected searchFor(base: string, options: ReadTableOptions): DirectorySearchOptions {
    if (options.where || options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(
        `${this.type}: a directory read takes a typed filter, not SQL: pass options.options.filter as JSON (e.g. JSON.stringify(where.eq('objectClass', 'person'))).`,
        { connector: this.type },
      );
    }
    const o = options.options ?? {};
    const scope = (o.scope ?? 'sub') as DirectorySearchOptions['scope'];
    if (!['base', 'one', 'sub'].includes(scope!)) throw new InvalidArgumentError(`options.scope: expected base, one or sub, got '${o.scope}'`, { connector: this.type });
    let filter: Filter | undefined;
    if (o.filter !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(o.filter);
      } catch (cause) {
        throw new InvalidArgumentError(`options.filter: not JSON (${(cause as Error).message}); give a typed filter such as {"field":"uid","op":"eq","value":"ada"}.`, { connector: this.type });
      }
      filter = parseFilter(json, 'options.filter');
    }
    const limit = o.limit === undefined ? undefined : Number(o.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new InvalidArgumentError(`options.limit: expected a positive integer, got '${o.limit}'`, { connector: this.type });
    const attributes = options.columns?.filter((c) => c !== 'dn') ?? this.config.attributes;
    return { base: base || this.config.baseDn, scope, filter, attributes, pageSize: options.fetchSize ?? this.config.pageSize, limit, signal: options.signal };
  }

  /**
   * One partition that runs the search. With attributes known (columns or config) it streams a
   * batch per page; otherwise the columns are the union of attributes returned, so it collects
   * the entries first (bounded by `options.limit`).
   */
  async nativeRead(base: string, options: ReadTableOptions = {}): Promise<NativeReadPlan> {
    const search = this.searchFor(base, options);
    const connector = this.type;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the partition's generator runs later, unbound
    const self = this;
    const projection = options.columns;
    return {
      partitions: [
        {
          description: `${search.scope} search of '${search.base}'`,
          open: async function* (signal: AbortSignal): AsyncGenerator<RecordBatch> {
            const entries: DirectoryEntry[] = [];
            const streaming = Boolean(search.attributes?.length);
            const pageSize = search.pageSize ?? 500;
            let emitted = false;
            const emit = async () => {
              const { columns, rows } = directoryRows(entries.splice(0), search.attributes);
              const ordered = projection?.length ? projection.map((name) => columns.find((c) => c.name === name) ?? { name, kind: 'list<utf8>' as const }) : columns;
              emitted = true;
              return rowsToRecordBatch(ordered, rows, connector);
            };
            for await (const entry of self.searchDirectory({ ...search, signal })) {
              entries.push(entry);
              if (streaming && entries.length >= pageSize) yield await emit();
            }
            if (entries.length > 0 || !emitted) yield await emit();
          },
        },
      ],
    };
  }

  nativeWrite(): never {
    throw new UnsupportedOperationError(`${this.type} is a directory: it is read with searches; entries are not written as table rows.`, { connector: this.type });
  }

  /** The family's auth step: bind with the configured identity. Default: skipped (anonymous). */
  protected async bind(_signal: AbortSignal): Promise<string | HealthSkip> {
    return new HealthSkip('no bind step implemented: anonymous access');
  }

  protected override async checkAuth(signal: AbortSignal): Promise<string | HealthSkip> {
    return this.bind(signal);
  }

  /** The family's probe: a base-scoped search of the root DSE (every LDAP server answers it). */
  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    for await (const entry of this.searchDirectory({ base: '', scope: 'base', limit: 1, signal })) {
      const contexts = entry.attributes.namingContexts ?? entry.attributes.namingcontexts;
      return contexts?.length ? `root DSE answered (naming contexts: ${contexts.join(', ')})` : 'root DSE answered';
    }
    return 'root DSE search returned no entry';
  }
}
