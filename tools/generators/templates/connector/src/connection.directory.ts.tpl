// {{banner}}
/**
 * `{{className}}`: {{description}}, a directory. `DirectoryConnection` owns the shared
 * behaviour — `readTable(baseDn)` into Arrow (`dn` + `list<utf8>` attributes), typed filters,
 * lineage names, the bind and root-DSE health tiers; this class adds the protocol client.
 */
import { z } from 'zod';
import {
  DirectoryConnection,
  directoryConfigSchema,
  HealthSkip,
  secret,
  UnsupportedOperationError,
  type ConnectionInit,
  type DirectoryEntry,
  type DirectorySearch,
  type DirectorySearchOptions,
} from '@sparkle/core';

/** Config of the `{{type}}` connection: url (ldap:// or ldaps://), base DN, bind DN and password. */
export const {{schemaName}} = directoryConfigSchema.extend({
  password: secret(z.string()).optional(),
});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/** What this connection needs from the directory: searches, and optionally a simple bind. */
export interface {{clientName}} extends DirectorySearch {
  authenticate?(bindDn: string, password: string | undefined, signal: AbortSignal): Promise<void>;
}

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { url: 'ldaps://dir.example.com', baseDn: 'dc=example,dc=com' } });
 * for await (const e of conn.searchDirectory({ filter: where.eq('uid', 'ada') })) console.log(e.dn);
 * ```
 */
export class {{className}} extends DirectoryConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';
{{#port}}
  static override defaultPort = {{port}};
{{/port}}
  readonly #client: {{clientName}} | undefined;

  /** `client` replaces the protocol client (tests pass an in-memory directory). */
  constructor(init: ConnectionInit & { client?: {{clientName}} }) {
    super(init);
    this.#client = init.client;
  }

  /** The protocol client. TODO: connect with an LDAP client library here. */
  protected async client(): Promise<{{clientName}}> {
    if (this.#client) return this.#client;
    throw new UnsupportedOperationError(`${this.type}: the directory client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  async *searchDirectory(options?: DirectorySearchOptions): AsyncIterable<DirectoryEntry> {
    yield* (await this.client()).searchDirectory(options);
  }

  protected override async bind(signal: AbortSignal): Promise<string | HealthSkip> {
    const client = await this.client();
    if (!this.config.bindDn) return new HealthSkip('no bindDn configured: anonymous access');
    if (!client.authenticate) return new HealthSkip('the client has no bind call');
    await client.authenticate(this.config.bindDn, this.config.password, signal);
    return `bound as ${this.config.bindDn}`;
  }
}
