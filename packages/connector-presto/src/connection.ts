/**
 * `PrestoFamilyConnection`: what Presto and Trino share (the HTTP statement protocol, the
 * dialect, catalog/schema URLs, lineage names), and `PrestoConnection`, the `presto` type.
 */
import { z } from 'zod';
import {
  JDBCConnection,
  jdbcConfigSchema,
  secret,
  splitQualifiedName,
  type ConnectionInit,
  type DatasetRef,
  type ErrorHints,
  type JdbcConnectionInfo,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { StatementClient } from './client.js';
import { PRESTO_TYPE_NAMES, prestoFamilyDialect } from './dialect.js';
import { PrestoSession } from './session.js';

/** Config of Presto and Trino: the JDBC shape plus the coordinator's session settings. */
export const prestoConfigSchema = jdbcConfigSchema.extend({
  /** Default catalog (also read from the URL: `jdbc:trino://host:8080/<catalog>/<schema>`). */
  catalog: z.string().optional(),
  /** Use HTTPS (also `SSL=true` in the URL or properties). */
  ssl: z.coerce.boolean().optional(),
  /** Bearer token (JWT/OAuth2) instead of a password. */
  accessToken: secret(z.string()).optional(),
  /** Query source reported to the coordinator. */
  source: z.string().default('sparkle'),
  /** Session properties sent with every statement. */
  sessionProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  clientTags: z.array(z.string()).default([]),
  timeZone: z.string().optional(),
  /** Longest INSERT statement text the writer sends. */
  maxStatementChars: z.coerce.number().int().positive().optional(),
});

export type PrestoConfig = z.output<typeof prestoConfigSchema>;

/** The protocol settings a Presto-family class declares. */
export interface PrestoProtocol {
  /** `X-Trino` or `X-Presto`. */
  headerPrefix: string;
}

/**
 * Base of Presto-protocol engines. Natively it talks to the coordinator over HTTP
 * (`POST /v1/statement`, following `nextUri`); under Spark it is a JDBC source.
 *
 * @example
 * ```ts
 * class MyTrinoFork extends PrestoFamilyConnection {
 *   static override protocol = { headerPrefix: 'X-Trino' };
 *   static override jdbc = { driver: 'io.trino.jdbc.TrinoDriver', subprotocol: 'trino', defaultPort: 8080, lineageScheme: 'trino' };
 * }
 * ```
 */
export class PrestoFamilyConnection extends JDBCConnection<PrestoConfig> {
  static override schema: z.ZodType = prestoConfigSchema;
  static protocol: PrestoProtocol = { headerPrefix: 'X-Presto' };
  static override errorHints: ErrorHints = {
    authCodes: ['PERMISSION_DENIED', 'AUTHENTICATION_FAILED'],
    retryableCodes: ['SERVER_SHUTTING_DOWN', 'SERVER_STARTING_UP', 'TOO_MANY_REQUESTS_FAILED', 'CLUSTER_OUT_OF_MEMORY', 'EXCEEDED_GLOBAL_MEMORY_LIMIT', 'NO_NODES_AVAILABLE'],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.facebook.presto.jdbc.PrestoDriver', subprotocol: 'presto', defaultPort: 8080, lineageScheme: 'presto' };

  constructor(init: ConnectionInit) {
    super(init);
  }

  override get dialect(): JdbcDialect {
    return prestoFamilyDialect('presto', PRESTO_TYPE_NAMES);
  }

  get protocol(): PrestoProtocol {
    return (this.constructor as typeof PrestoFamilyConnection).protocol;
  }

  /** Catalog and schema from the URL path (`/catalog/schema`) unless configured. */
  override connectionInfo(): JdbcConnectionInfo & { catalog?: string; schema?: string } {
    const info = super.connectionInfo();
    const [urlCatalog, urlSchema] = (info.database ?? '').split('/').filter(Boolean);
    return { ...info, database: undefined, catalog: this.config.catalog ?? urlCatalog, schema: this.config.schema ?? urlSchema };
  }

  /** `http(s)://host:port` of the coordinator. */
  serverUrl(): string {
    const info = this.connectionInfo();
    const ssl = this.config.ssl ?? ['true', '1'].includes((info.params.SSL ?? info.params.ssl ?? '').toLowerCase());
    const host = info.host?.includes(':') ? `[${info.host}]` : info.host;
    return `${ssl ? 'https' : 'http'}://${host}:${info.port ?? (ssl ? 443 : this.jdbcDefaults.defaultPort ?? 8080)}`;
  }

  /** A statement client with this connection's user, catalog, schema and session. */
  createClient(): StatementClient {
    const info = this.connectionInfo();
    const c = this.config;
    return new StatementClient({
      server: this.serverUrl(),
      user: info.user ?? 'sparkle',
      password: c.accessToken ? undefined : info.password,
      headers: c.accessToken ? { authorization: `Bearer ${c.accessToken}` } : undefined,
      headerPrefix: this.protocol.headerPrefix,
      catalog: info.catalog,
      schema: info.schema,
      source: c.source,
      timeZone: c.timeZone,
      sessionProperties: c.sessionProperties,
      clientTags: c.clientTags,
      requestTimeoutMs: c.queryTimeoutMs ?? 60_000,
      connector: this.type,
    });
  }

  protected override async openSession(): Promise<JdbcSession> {
    const session = new PrestoSession(this.createClient(), { connector: this.type, maxStatementChars: this.config.maxStatementChars });
    // Isolation levels only apply inside explicit transactions, which Sparkle does not open here
    // (most catalogs accept autocommit writes only); `isolationLevel` is passed to Spark alone.
    if (this.config.sessionInitStatement) await session.execute(this.config.sessionInitStatement);
    return session;
  }

  /** Authentication happens per HTTP request: ask the coordinator who we are. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    const client = this.createClient();
    const { rows } = await client.all('SELECT current_user', signal);
    return `authenticated as ${String(rows[0]?.[0] ?? this.connectionInfo().user)}`;
  }

  /** The rename of a staging table keeps its catalog and schema (an unqualified target would follow the session's). */
  protected override renameSql(from: string[], to: string[]): string {
    const qual = (parts: string[]) => parts.map((p) => this.quoteColumn(p)).join('.');
    return `ALTER TABLE ${qual(from)} RENAME TO ${qual([...from.slice(0, -1), to[to.length - 1]!])}`;
  }

  /** OpenLineage: namespace `<scheme>://host:port`, name `catalog.schema.table`. */
  override dataset(table: string): DatasetRef {
    const info = this.connectionInfo();
    const parts = splitQualifiedName(table, this.dialect.quote);
    const full = parts.length >= 3 ? parts : parts.length === 2 ? [info.catalog, ...parts] : [info.catalog, info.schema, ...parts];
    return {
      namespace: `${this.jdbcDefaults.lineageScheme ?? this.type}://${info.host ?? 'localhost'}:${info.port ?? this.jdbcDefaults.defaultPort}`,
      name: full.filter(Boolean).join('.'),
    };
  }
}

/**
 * Presto (PrestoDB): Spark reads it through the Presto JDBC driver, Node over the HTTP protocol.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-presto';
 *
 * await using presto = await getConnection('presto', { config: { url: 'jdbc:presto://coordinator:8080/hive/default', user: 'etl' } });
 * const frame = await presto.readTable('orders', { partitionColumn: 'id', numPartitions: 4 });
 * ```
 */
export class PrestoConnection extends PrestoFamilyConnection {
  static override description = 'Presto SQL (PrestoDB)';
}
