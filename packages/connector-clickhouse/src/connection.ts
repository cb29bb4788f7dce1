/**
 * `ClickHouseConnection` (`clickhouse`): Spark through the ClickHouse JDBC driver, Node through
 * @clickhouse/client over HTTP with the columnar Native format in both directions.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import {
  InvalidArgumentError,
  JDBCConnection,
  MissingDriverError,
  splitQualifiedName,
  type ConnectionInit,
  type DatasetRef,
  type DiscoveredTable,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
  type NativeWriteContext,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { ClickHouseSession } from './session.js';
import { withServerCode } from './errors.js';
import { clickhouseDialect, quoteChParts } from './sql.js';
import { chTypeForField, sparkTypeOfCh, type ServerFeatures } from './types.js';

/** What an 18.x server offers; used until a session has asked the server. */
const OLDEST_FEATURES: ServerFeatures = { dateTime64: false, bool: false, exchange: false, lowCardinalitySetting: false };

/** Features of a server version (`major.minor…`) and database engine. */
export function featuresOf(version: string, databaseEngine: string): ServerFeatures {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
  return {
    dateTime64: atLeast(20, 1),
    bool: atLeast(22, 1),
    exchange: databaseEngine === 'Atomic' && atLeast(20, 10),
    lowCardinalitySetting: atLeast(19, 1),
  };
}

async function loadClient(connector: string): Promise<typeof import('@clickhouse/client')> {
  try {
    return await import('@clickhouse/client');
  } catch (cause) {
    throw new MissingDriverError(connector, '@clickhouse/client', cause);
  }
}

/**
 * ClickHouse OLAP (`clickhouse`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-clickhouse';
 *
 * await using ch = await getConnection('clickhouse', { config: { url: 'jdbc:clickhouse://127.0.0.1:8123/default', user: 'default' } });
 * const frame = await ch.query('SELECT number FROM system.numbers LIMIT 10');
 * ```
 */
export class ClickHouseConnection extends JDBCConnection {
  static override description = 'ClickHouse OLAP';
  static override errorHints: ErrorHints = {
    // 516 AUTHENTICATION_FAILED (new servers), 192 UNKNOWN_USER / 193 WRONG_PASSWORD / 194 REQUIRED_PASSWORD (old ones).
    authCodes: ['516', '192', '193', '194', 516, 192, 193, 194],
    // Timeouts, network errors, too many simultaneous queries or parts, unknown insert status.
    retryableCodes: ['159', '209', '210', '202', '252', '319', 159, 209, 210, 202, 252, 319],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.clickhouse.jdbc.ClickHouseDriver', subprotocol: 'clickhouse', defaultPort: 8123, lineageScheme: 'clickhouse' };

  #features: ServerFeatures | undefined;

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** Server features once a session has asked the server; the oldest server's until then. */
  get serverFeatures(): ServerFeatures {
    return this.#features ?? OLDEST_FEATURES;
  }

  override get dialect(): JdbcDialect {
    return clickhouseDialect(this.serverFeatures.exchange);
  }

  protected override async openSession(): Promise<JdbcSession> {
    const { createClient, ClickHouseLogLevel } = await loadClient(this.type);
    const info = this.connectionInfo();
    const c = this.config;
    const secure = info.params.ssl === 'true' || info.params.secure === 'true' || info.params.protocol === 'https';
    const host = info.host?.includes(':') ? `[${info.host}]` : info.host;
    const client = createClient({
      url: `${secure ? 'https' : 'http'}://${host ?? 'localhost'}:${info.port ?? 8123}`,
      username: info.user ?? 'default',
      password: info.password ?? '',
      database: info.database || 'default',
      request_timeout: c.queryTimeoutMs ?? 300_000,
      max_open_connections: 2,
      compression: { request: false, response: false },
      // The client would print every failed request; Sparkle reports errors as typed exceptions instead.
      log: { level: ClickHouseLogLevel.OFF },
      application: 'sparkle',
    });
    const deadline = AbortSignal.timeout(c.connectTimeoutMs);
    try {
      const rows = await (
        await client.query({
          query: 'SELECT version() AS version, engine FROM system.databases WHERE name = currentDatabase()',
          format: 'JSONEachRow',
          abort_signal: deadline,
        })
      ).json<{ version: string; engine: string }>();
      this.#features = featuresOf(rows[0]?.version ?? '0', rows[0]?.engine ?? '');
      if (c.sessionInitStatement) await client.command({ query: c.sessionInitStatement });
      return new ClickHouseSession(client, this.#features, this.type);
    } catch (error) {
      await client.close().catch(() => undefined);
      if (deadline.aborted && error instanceof Error && !(error as { code?: unknown }).code) {
        throw Object.assign(error, { code: 'ETIMEDOUT', message: `no answer within ${c.connectTimeoutMs} ms (${error.message})` });
      }
      throw withServerCode(error);
    }
  }

  /** Learns the server's features before the base class picks the swap statements. */
  override async nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    if (!this.#features) await this.withSession(async () => undefined, context.signal);
    return super.nativeWrite(table, batches, options, context);
  }

  override tableParts(table: string): string[] {
    const parts = super.tableParts(table);
    quoteChParts(parts); // refuses what ClickHouse would read differently
    return parts;
  }

  override quoteColumn(column: string): string {
    return quoteChParts([column]);
  }

  /** MergeTree without a sort key (`ORDER BY tuple()`), Nullable where Arrow allows nulls. */
  override createTableSql(quotedTable: string, schema: Schema): string {
    if (!schema.fields.length) throw new InvalidArgumentError('ClickHouse tables need at least one column', { connector: this.type });
    const cols = schema.fields.map((f) => `${this.quoteColumn(f.name)} ${chTypeForField(f, this.serverFeatures)}`);
    return `CREATE TABLE ${quotedTable} (${cols.join(', ')}) ENGINE = MergeTree ORDER BY tuple()`;
  }

  protected override renameSql(from: string[], to: string[]): string {
    return `RENAME TABLE ${quoteChParts(from)} TO ${quoteChParts(to)}`;
  }

  /** Tables and columns from `system.columns`, ClickHouse types mapped to Spark types. */
  override async discover(options: { schema?: string } = {}): Promise<DiscoveredTable[]> {
    return this.withSession(async (session) => {
      const q = this.dialect.columnsQuery(options.schema ?? this.config.schema);
      const rows = await session.queryRows(q.sql, q.params);
      const tables = new Map<string, DiscoveredTable>();
      for (const r of rows) {
        const key = `${String(r.schema_name)}\u0000${String(r.table_name)}`;
        if (!tables.has(key)) tables.set(key, { schema: String(r.schema_name), name: String(r.table_name), columns: [] });
        const dataType = String(r.data_type);
        tables.get(key)!.columns.push({ name: String(r.column_name), dataType, sparkType: sparkTypeOfCh(dataType), nullable: Number(r.is_nullable) === 1 });
      }
      return [...tables.values()].sort((a, b) => (a.schema + a.name < b.schema + b.name ? -1 : 1));
    });
  }

  /** OpenLineage: namespace `clickhouse://host:port`, name `database.table`. */
  override dataset(table: string): DatasetRef {
    const info = this.connectionInfo();
    const parts = splitQualifiedName(table, this.dialect.quote);
    const database = parts.length > 1 ? parts[parts.length - 2] : (this.config.schema ?? info.database ?? 'default');
    return { namespace: `clickhouse://${info.host ?? 'localhost'}:${info.port ?? 8123}`, name: [database, parts[parts.length - 1]].filter(Boolean).join('.') };
  }
}
