/**
 * `PrestoFamilyConnection`: what Presto and Trino share (the HTTP statement protocol, the
 * dialect, catalog/schema URLs, lineage names), and `PrestoConnection`, the `presto` type.
 */
import type { RecordBatch } from 'apache-arrow';
import { z } from 'zod';
import {
  WriteError,
  newWriteToken,
  stagingTableName,
  takeWriterLease,
  type NativeWriteContext,
  type WriteResult,
  type WriteTableOptions,
  JDBCConnection,
  jdbcConfigSchema,
  secret,
  splitQualifiedName,
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

  /**
   * An HTTP statement client; nothing connects until the first statement. The base's
   * `initSession` then runs `sessionInitStatement`. Isolation levels only apply inside explicit
   * transactions, which Sparkle does not open here (most catalogs accept autocommit writes only),
   * so the dialect has no `isolationStatement` and `isolationLevel` is passed to Spark alone.
   */
  protected override async connectSession(): Promise<JdbcSession> {
    return new PrestoSession(this.createClient(), { connector: this.type, maxStatementChars: this.config.maxStatementChars });
  }

  /** Authentication happens per HTTP request: ask the coordinator who we are. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    const client = this.createClient();
    const { rows } = await client.all('SELECT current_user', signal);
    return `authenticated as ${String(rows[0]?.[0] ?? this.connectionInfo().user)}`;
  }

  /**
   * Appends load a staging table first and then move its rows with one `INSERT … SELECT`, which
   * catalogs commit as one statement: a failure while loading leaves the target untouched. (The
   * base class would send the rows as many INSERT statements in a protocol transaction, which
   * most catalogs refuse.) Other modes use the base's staging-and-swap path.
   */
  override async nativeWrite(
    table: string,
    batches: AsyncIterable<RecordBatch>,
    options: WriteTableOptions,
    context: NativeWriteContext,
  ): Promise<Omit<WriteResult, 'elapsedMs'>> {
    if ((options.mode ?? 'errorIfExists') !== 'append') return super.nativeWrite(table, batches, options, context);
    const iterator = batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    const replay = (async function* () {
      if (first.done) return;
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })();
    const exists = await this.withSession((s) => this.tableExists(s, table), context.signal);
    if (!exists || first.done) return super.nativeWrite(table, replay, options, context);
    const schema = first.value.schema;
    const target = this.tableParts(table);
    const token = newWriteToken();
    const staging = [...target.slice(0, -1), stagingTableName(target[target.length - 1]!, token)];
    const qual = (parts: string[]) => parts.map((p) => this.quoteColumn(p)).join('.');
    const columns = schema.fields.map((f) => this.quoteColumn(f.name)).join(', ');
    const lease = await takeWriterLease(token, { connector: this.type, target: qual(target) });
    return this.withSession(async (session) => {
      await session.execute(this.createTableSql(qual(staging), schema));
      try {
        const { rows, bytes } = await session.bulkInsert(qual(staging), schema, replay, { signal: context.signal, batchSize: options.batchSize ?? this.config.batchSize, onRows: context.onRows });
        context.signal.throwIfAborted();
        await session.execute(`INSERT INTO ${qual(target)} (${columns}) SELECT ${columns} FROM ${qual(staging)}`);
        return { table, mode: 'append' as const, rows, bytes, written: true };
      } catch (error) {
        const cause = this.wrapError(error, `append to ${qual(target)}`);
        throw new WriteError(`Write to ${qual(target)} failed (append); nothing was committed and the table is unchanged: ${cause.message}`, {
          connector: this.type,
          cause,
          retryable: cause.retryable,
          details: { committed: false, table: qual(target) },
        });
      } finally {
        await session.execute(`DROP TABLE IF EXISTS ${qual(staging)}`).catch(() => undefined);
      }
    }, context.signal).finally(() => lease.release());
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
