/**
 * `JDBCConnection`: the family base of the 16 JDBC databases.
 *
 * From the seed's config shape (`url`, `driver`, `user`, `password`, `properties`) it derives
 * both the Spark JDBC data source options and the native driver's settings, and it implements
 * the local engine's partitioned reads and atomic writes once, in SQL, on top of a tiny
 * per-driver `JdbcSession`. A connector adds its dialect and its driver glue.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { z } from 'zod';
import { SparkleConnection, type ConnectionInit } from '../connection.js';
import type {
  NativePartition,
  NativeReadPlan,
  NativeSource,
  NativeWriteContext,
  ReadTableOptions,
  SparkReadSpec,
  SparkSource,
  SparkWriteSpec,
  WriteResult,
  WriteTableOptions,
} from '../engine.js';
import { InvalidArgumentError, MissingDriverError, SparkleError, UnsupportedOperationError, WriteError } from '../errors.js';
import { HealthSkip, type Endpoint } from '../health.js';
import type { DatasetRef } from '../lineage/types.js';
import { looksSecret, redactText, secret } from '../secrets.js';
import { ANSI_TYPE_NAMES, sparkTypeOfSql, sqlTypeFor, type SqlTypeKind } from './arrow-sql.js';
import { parseJdbcUrl, redactUrlForMessage, type JdbcUrlParts } from './jdbc-url.js';
import { ANSI_QUOTES, jdbcPartitionPredicates, quoteIdentifier, splitQualifiedName, type IdentifierStyle } from './sql.js';
import { raceSignal } from '../util/async.js';
import { newWriteToken, parseLeftoverTableName, removeStaleLeftovers, stagingTableName, takeWriterLease, type Leftover, type LeftoverCleaner } from '../leftovers.js';

export { insertInChunks, parameterizedInsertSql, type ChunkInsertOptions } from './jdbc-bulk.js';
export { fetchPages, RenameJournal } from './jdbc-session-helpers.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** Config of every JDBC connection: the seed's shape plus host/port/database as an alternative to `url`. */
export const jdbcConfigSchema = z
  .looseObject({
    /** `jdbc:<subprotocol>://host:port/database?k=v` */
    url: z.string().startsWith('jdbc:', { message: "must start with 'jdbc:'" }).optional(),
    host: z.string().min(1).optional(),
    port: z.coerce.number().int().min(1).max(65535).optional(),
    database: z.string().optional(),
    user: z.string().optional(),
    password: secret(z.string()).optional(),
    /** JDBC driver class for Spark (defaulted per connector). */
    driver: z.string().optional(),
    /** Driver properties, passed to Spark as options and mapped to native settings where they mean the same. */
    properties: z.record(z.string(), scalar).default({}),
    /** Default schema for unqualified table names. */
    schema: z.string().optional(),
    fetchSize: z.coerce.number().int().positive().optional(),
    batchSize: z.coerce.number().int().positive().optional(),
    isolationLevel: z.enum(['NONE', 'READ_UNCOMMITTED', 'READ_COMMITTED', 'REPEATABLE_READ', 'SERIALIZABLE']).optional(),
    sessionInitStatement: z.string().optional(),
    connectTimeoutMs: z.coerce.number().int().positive().default(10_000),
    queryTimeoutMs: z.coerce.number().int().positive().optional(),
    /** Connections the native engine may open at once (parallel partitions). */
    maxConnections: z.coerce.number().int().positive().default(4),
  });

export type JdbcConfig = z.output<typeof jdbcConfigSchema>;

/** A transaction isolation level as the seed's config spells it (`NONE` means: leave the server default). */
export type JdbcIsolationLevel = NonNullable<JdbcConfig['isolationLevel']>;

/**
 * The SQL words of an isolation level: `READ_COMMITTED` → `READ COMMITTED`.
 *
 * @example
 * ```ts
 * isolationLevelWords('REPEATABLE_READ'); // 'REPEATABLE READ'
 * ```
 */
export function isolationLevelWords(level: Exclude<JdbcIsolationLevel, 'NONE'>): string {
  return level.replace('_', ' ');
}

/** Settings a native driver needs, derived from url + fields + properties. */
export interface JdbcConnectionInfo {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** File path for embedded databases. */
  path?: string;
  /** Everything else: URL params then `properties` (properties win). */
  params: Record<string, string>;
}

/** Options of {@link JdbcSession.bulkInsert}. */
export interface JdbcBulkInsertOptions {
  signal: AbortSignal;
  /** Rows per round trip, when the write set `batchSize`. */
  batchSize?: number;
  /** Progress: rows and (estimated) Arrow bytes inserted since the last call. */
  onRows: (rows: number, bytes: number) => void;
}

/** What {@link JdbcSession.bulkInsert} inserted. */
export interface JdbcBulkInsertResult {
  rows: number;
  bytes: number;
}

/**
 * The per-driver glue the JDBC base needs for native reads and writes.
 * Implementations stream Arrow batches; they do not interpret modes or partitions.
 */
export interface JdbcSession {
  /** Streams a query's result as Arrow record batches (at least one, possibly empty). */
  queryArrow(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncIterable<RecordBatch>;
  /** Runs a small query and returns plain rows (bounds, metadata). */
  queryRows(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Runs a statement; returns affected rows when known. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Inserts batches into an existing table, using the database's fastest bulk path. */
  bulkInsert(quotedTable: string, schema: Schema, batches: AsyncIterable<RecordBatch>, options: JdbcBulkInsertOptions): Promise<JdbcBulkInsertResult>;
  close(): Promise<void>;
  /**
   * Transaction hooks for drivers whose transactions are API calls rather than SQL statements
   * (mssql, oracledb). When absent, the dialect's `begin`/`commit`/`rollback` SQL is executed.
   */
  begin?(): Promise<void>;
  commit?(): Promise<void>;
  rollback?(): Promise<void>;
}

/** What a JDBC dialect says about its SQL. */
export interface JdbcDialect {
  name: string;
  quote: IdentifierStyle;
  typeNames: Record<SqlTypeKind, string>;
  /** Statements starting/committing/rolling back a transaction. */
  begin: string;
  commit: string;
  rollback: string;
  /** True when DDL (CREATE/DROP/RENAME) can be rolled back inside a transaction. */
  transactionalDdl: boolean;
  /** Statements that atomically replace `target` with `staging` (both quoted, qualified). */
  swapTables(target: string[], staging: string[]): string[];
  /** A query returning one row when the table exists. */
  tableExists(parts: string[]): { sql: string; params: unknown[] };
  /** Query listing schema, table and column metadata (for discover()). */
  columnsQuery(schema?: string): { sql: string; params: unknown[] };
  /**
   * Query listing the tables of a schema (columns `schema_name`, `table_name`), the session's
   * current schema when none is given; used to find leftover staging tables. Absent: the
   * base lists them from {@link JdbcDialect.columnsQuery} (slower on wide schemas).
   */
  tablesQuery?(schema?: string): { sql: string; params: unknown[] };
  /**
   * How the database stores names written without quotes: `'upper'` (Db2, Oracle, HANA,
   * Netezza: `orders` is `ORDERS`) or `'lower'`. Absent: names are used exactly as written.
   * The base's `tableParts()`/`quoteColumn()` fold accordingly; a quoted name is never folded.
   */
  unquotedCase?: 'upper' | 'lower';
  /**
   * The parts a qualified table name may have, outermost first: `['database', 'table']` for
   * MySQL, where a schema is a database and `a.b.c` is not a table name. A longer name is refused
   * with an error naming this form before any SQL is built. Absent: no limit here (the server
   * judges).
   */
  nameParts?: readonly string[];
  /**
   * The cheapest read-only query `check()` runs in its probe tier, for databases where a bare
   * `SELECT 1` is not valid SQL (`SELECT 1 FROM SYSIBM.SYSDUMMY1`, `SELECT 1 FROM DUAL`).
   * Absent: `SELECT 1 AS ok`.
   */
  probeSql?: string;
  /**
   * The statement that sets a session's isolation level, run by `JDBCConnection.initSession()`
   * when `isolationLevel` is configured; `undefined` for a level the database cannot set per
   * session (the server default then applies). Absent: the level is not applied natively.
   */
  isolationStatement?(level: Exclude<JdbcIsolationLevel, 'NONE'>): string | undefined;
}

/**
 * A qualified name's parts as a database that folds unquoted names stores them: split on dots,
 * and folded to `unquotedCase` unless the name contains a quote character.
 *
 * @example
 * ```ts
 * foldedNameParts('app.orders', ANSI_QUOTES, 'upper');   // ['APP', 'ORDERS']
 * foldedNameParts('"app"."Mixed"', ANSI_QUOTES, 'upper'); // ['app', 'Mixed']
 * ```
 */
export function foldedNameParts(name: string, style: IdentifierStyle, unquotedCase?: 'upper' | 'lower'): string[] {
  const parts = splitQualifiedName(name, style);
  return !unquotedCase || name.includes(style.open) ? parts : parts.map((p) => foldName(p, unquotedCase));
}

function foldName(name: string, unquotedCase?: 'upper' | 'lower'): string {
  return unquotedCase === 'upper' ? name.toUpperCase() : unquotedCase === 'lower' ? name.toLowerCase() : name;
}

/**
 * Spark options with every secret accounted for: a secret parameter written into the JDBC URL
 * (`?password=…`, `;password=…`) moves out of `url` into its own option — Spark hands every
 * option to the driver as a connection property, so it still logs in — and `secretOptions` lists
 * every option holding a secret (`password`, `sslpassword`, a token…), plus `url` itself when
 * something secret is left in it (user-info `//user:pw@host`). Engines keep those out of plans,
 * lineage and messages.
 *
 * @example
 * ```ts
 * sparkSecrets({ url: 'jdbc:postgresql://h/db?ssl=true&password=pw' });
 * // → { options: { url: 'jdbc:postgresql://h/db?ssl=true', password: 'pw' }, secretOptions: ['password'] }
 * ```
 */
export function sparkSecrets(input: Record<string, string>): { options: Record<string, string>; secretOptions: string[] } {
  const options = { ...input };
  if (typeof options.url === 'string') {
    const { url, moved } = moveUrlSecrets(options.url);
    options.url = url;
    // A value set on its own (config `password`) wins over the one the URL carried.
    for (const [k, v] of Object.entries(moved)) if (options[k] === undefined) options[k] = v;
  }
  const secretOptions = Object.keys(options).filter((k) => k !== 'url' && looksSecret(k));
  if (typeof options.url === 'string' && redactText(options.url) !== options.url) secretOptions.push('url');
  return { options, secretOptions };
}

/** Splits secret `name=value` parameters (query `?a&b` and `;a;b` styles) out of a JDBC URL. */
function moveUrlSecrets(url: string): { url: string; moved: Record<string, string> } {
  const moved: Record<string, string> = {};
  const keep = (param: string, decode: boolean): boolean => {
    const eq = param.indexOf('=');
    if (eq <= 0) return true;
    const name = param.slice(0, eq).trim();
    if (!looksSecret(name)) return true;
    const raw = param.slice(eq + 1);
    let value = raw;
    if (decode) {
      try {
        value = decodeURIComponent(raw);
      } catch {
        value = raw;
      }
    }
    moved[name] = value;
    return false;
  };
  const q = url.indexOf('?');
  let base = q === -1 ? url : url.slice(0, q);
  let query = q === -1 ? undefined : url.slice(q + 1);
  const [head, ...semis] = base.split(';');
  base = [head!, ...semis.filter((p) => keep(p, false))].join(';');
  if (query !== undefined) {
    const params = query.split('&').filter((p) => keep(p, true));
    query = params.length ? params.join('&') : undefined;
  }
  return { url: query === undefined ? base : `${base}?${query}`, moved };
}

function quoteParts(parts: string[], style: IdentifierStyle): string {
  return parts.map((p) => quoteIdentifier(p, style)).join('.');
}

/** The ANSI dialect: double quotes, transactional DDL, information_schema. */
export const ansiDialect: JdbcDialect = {
  name: 'ansi',
  quote: ANSI_QUOTES,
  typeNames: ANSI_TYPE_NAMES,
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  transactionalDdl: true,
  swapTables(target, staging) {
    const last = target[target.length - 1]!;
    return [`DROP TABLE ${quoteParts(target, ANSI_QUOTES)}`, `ALTER TABLE ${quoteParts(staging, ANSI_QUOTES)} RENAME TO ${quoteIdentifier(last, ANSI_QUOTES)}`];
  },
  tableExists(parts) {
    const table = parts[parts.length - 1]!;
    const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
    return schema
      ? { sql: 'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', params: [schema, table] }
      : { sql: 'SELECT 1 FROM information_schema.tables WHERE table_name = $1', params: [table] };
  },
  columnsQuery(schema) {
    return {
      sql:
        'SELECT table_schema AS schema_name, table_name, column_name, data_type, is_nullable FROM information_schema.columns' +
        (schema ? ' WHERE table_schema = $1' : " WHERE table_schema NOT IN ('information_schema', 'pg_catalog')") +
        ' ORDER BY table_schema, table_name, ordinal_position',
      params: schema ? [schema] : [],
    };
  },
};

/** One column found by `discover()`. */
export interface DiscoveredColumn {
  name: string;
  dataType: string;
  sparkType: string;
  nullable: boolean;
}

export interface DiscoveredTable {
  schema: string;
  name: string;
  columns: DiscoveredColumn[];
}

/** Static JDBC facts a connector declares. */
export interface JdbcDefaults {
  /** Spark/JDBC driver class. */
  driver: string;
  /** JDBC subprotocol (`postgresql`). */
  subprotocol: string;
  defaultPort?: number;
  /** OpenLineage namespace scheme (`postgres`, `mysql`). */
  lineageScheme?: string;
}

/**
 * Base class of JDBC connections. Subclass it to add a database: set `static jdbc` defaults, a
 * `dialect` (quoting, types, `probeSql`, `isolationStatement`, `unquotedCase`), and the native
 * driver glue — `static driverPackage` plus `connectSession()` (log in via `importDriver()`), and
 * `setupStatements()` when fresh sessions need settings. The base applies `isolationLevel` and
 * `sessionInitStatement`, probes, names lineage datasets, and runs partitioned reads and atomic
 * writes. (Overriding `openSession()` instead still works: the connector then owns the session setup.)
 * A database without a Node driver extends {@link NoNativeDriverConnection}.
 *
 * @example
 * ```ts
 * class MyDatabaseConnection extends JDBCConnection {
 *   static override jdbc = { driver: 'com.mydb.Driver', subprotocol: 'mydb', defaultPort: 5000, lineageScheme: 'mydb' };
 *   static override driverPackage = 'mydb-client';
 *   protected override async connectSession(): Promise<JdbcSession> {
 *     const client = await this.importDriver<{ connect(o: object): Promise<MyClient> }>('connect');
 *     return new MySession(await client.connect(this.connectionInfo()));
 *   }
 * }
 * registerConnection('mydb', MyDatabaseConnection);
 * const conn = await getConnection('mydb', { config: { url: 'jdbc:mydb://localhost:5000/app', user: 'me' } });
 * conn.sparkRead('orders', {}).options.driver; // 'com.mydb.Driver'
 * ```
 */
export class JDBCConnection<TConfig extends JdbcConfig = JdbcConfig> extends SparkleConnection<TConfig> implements SparkSource, NativeSource, LeftoverCleaner {
  static override schema: z.ZodType = jdbcConfigSchema;
  static override family = 'jdbc';
  static jdbc: JdbcDefaults = { driver: '', subprotocol: '' };
  /**
   * The package of the native Node driver (`ibm_db`, `oracledb`), imported on first connect by
   * {@link JDBCConnection.importDriver}; a `MissingDriverError` names it when it cannot be loaded.
   */
  static driverPackage?: string;
  /** The module specifier actually imported; defaults to `driverPackage` (tests point it elsewhere to simulate a missing driver). */
  static driverModule?: string;

  constructor(init: ConnectionInit) {
    super(init);
    const c = this.config as JdbcConfig;
    if (!c.url && !c.host && !this.allowsNoHost()) {
      throw new InvalidArgumentError(
        `The ${this.type} connection needs either 'url' (jdbc:${this.jdbcDefaults.subprotocol || '<db>'}://host:port/database) or 'host'.`,
        { connector: this.type },
      );
    }
  }

  /** JDBC facts of the concrete class. */
  get jdbcDefaults(): JdbcDefaults {
    return (this.constructor as typeof JDBCConnection).jdbc;
  }

  /** The SQL dialect; ANSI unless the connector overrides it. */
  get dialect(): JdbcDialect {
    return ansiDialect;
  }

  /** Embedded databases (SQLite) need no host. */
  protected allowsNoHost(): boolean {
    return false;
  }

  /** The parsed `url`, when one was configured. */
  protected urlParts(): JdbcUrlParts | undefined {
    const url = (this.config as JdbcConfig).url;
    return url ? parseJdbcUrl(url) : undefined;
  }

  /** Native driver settings: URL first, then explicit fields, then `properties` for params. */
  connectionInfo(): JdbcConnectionInfo {
    const c = this.config as JdbcConfig;
    const parts = this.urlParts();
    const params = { ...(parts?.params ?? {}), ...c.properties };
    return {
      host: c.host ?? parts?.host,
      port: c.port ?? parts?.port ?? this.jdbcDefaults.defaultPort,
      database: c.database ?? parts?.database,
      user: c.user ?? params.user,
      password: c.password ?? params.password,
      path: parts?.path,
      params,
    };
  }

  /** The JDBC URL given to Spark: the configured one, or one built from host/port/database. */
  jdbcUrl(): string {
    const c = this.config as JdbcConfig;
    if (c.url) return c.url;
    const info = this.connectionInfo();
    const host = info.host?.includes(':') ? `[${info.host}]` : info.host;
    return `jdbc:${this.jdbcDefaults.subprotocol}://${host}${info.port ? `:${info.port}` : ''}/${info.database ?? ''}`;
  }

  protected override endpoints(): Endpoint[] {
    const info = this.connectionInfo();
    return info.host && info.port ? [{ host: info.host, port: info.port }] : [];
  }

  /**
   * OpenLineage dataset naming for JDBC sources: namespace `<scheme>://host:port` (scheme from
   * `static jdbc.lineageScheme`, port defaulted from `static jdbc.defaultPort`), name
   * `database.schema.table` with the table's parts as {@link JDBCConnection.tableParts} resolves
   * them (default schema applied, case folded where the connector folds it).
   *
   * @example
   * ```ts
   * new Db2Connection({ type: 'db2', config: { host: 'db2', database: 'SAMPLE', schema: 'app' } }).dataset('employee');
   * // { namespace: 'db2://db2:50000', name: 'SAMPLE.APP.EMPLOYEE' }
   * ```
   */
  override dataset(table: string): DatasetRef {
    const info = this.connectionInfo();
    const scheme = this.jdbcDefaults.lineageScheme || this.jdbcDefaults.subprotocol || this.type;
    const name = [this.lineageDatabase(), ...this.tableParts(table)].filter(Boolean).join('.');
    return { namespace: `${scheme}://${info.host ?? 'localhost'}${info.port ? `:${info.port}` : ''}`, name };
  }

  /** The database part of lineage names (Oracle uses its service name or SID). */
  protected lineageDatabase(): string | undefined {
    return this.connectionInfo().database;
  }

  // -------------------------------------------------------------------------------------------
  // SQL helpers
  // -------------------------------------------------------------------------------------------

  /**
   * Table name split into parts as the database stores them (folded per the dialect's
   * `unquotedCase`), with {@link JDBCConnection.defaultSchema} applied to an unqualified name.
   */
  tableParts(table: string): string[] {
    const { quote, unquotedCase, nameParts } = this.dialect;
    const parts = foldedNameParts(table, quote, unquotedCase);
    if (nameParts && parts.length > nameParts.length) {
      throw new InvalidArgumentError(
        `'${table}' has ${parts.length} name parts; a ${this.type} table is named ${nameParts.join('.')} (at most ${nameParts.length} parts)`,
        { connector: this.type, details: { table, parts: parts.length, form: nameParts.join('.') } },
      );
    }
    const schema = this.defaultSchema();
    return parts.length === 1 && schema ? [foldName(schema, unquotedCase), parts[0]!] : parts;
  }

  /** The schema of unqualified table names: `schema` (connectors add their URL property, e.g. Db2's `currentSchema`). */
  protected defaultSchema(): string | undefined {
    return (this.config as JdbcConfig).schema;
  }

  quoteTable(table: string): string {
    return quoteParts(this.tableParts(table), this.dialect.quote);
  }

  /** A quoted column name; folded per the dialect's `unquotedCase` unless written with quotes. */
  quoteColumn(column: string): string {
    const { quote, unquotedCase } = this.dialect;
    if (!unquotedCase) return quoteIdentifier(column, quote);
    return quoteIdentifier(column.includes(quote.open) ? splitQualifiedName(column, quote)[0]! : foldName(column, unquotedCase), quote);
  }

  /** `SELECT <cols> FROM <table> [WHERE …]` for a read with pushed-down projection and filter. */
  selectSql(table: string, options: Pick<ReadTableOptions, 'columns' | 'where'>, extraPredicate?: string): string {
    const cols = options.columns?.length ? options.columns.map((c) => this.quoteColumn(c)).join(', ') : '*';
    const conditions = [options.where, extraPredicate].filter((c): c is string => Boolean(c && c.trim()));
    const where = conditions.length ? ` WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '';
    return `SELECT ${cols} FROM ${this.quoteTable(table)}${where}`;
  }

  /** The WHERE clauses of a partitioned read (empty: one unpartitioned read). */
  async partitionPredicates(table: string, options: ReadTableOptions, session?: JdbcSession): Promise<string[]> {
    if (options.predicates?.length) {
      if (options.partitionColumn) throw new InvalidArgumentError('Use either predicates or partitionColumn, not both', { connector: this.type });
      return options.predicates;
    }
    if (!options.partitionColumn) return [];
    const n = options.numPartitions ?? 1;
    if (n <= 1) return [];
    let { lowerBound, upperBound } = options;
    if (lowerBound === undefined || upperBound === undefined) {
      if (!session) throw new InvalidArgumentError('lowerBound and upperBound are required here', { connector: this.type });
      const col = this.quoteColumn(options.partitionColumn);
      const rows = await session.queryRows(`SELECT MIN(${col}) AS lo, MAX(${col}) AS hi FROM ${this.quoteTable(table)}${options.where ? ` WHERE (${options.where})` : ''}`);
      const lo = rows[0]?.lo;
      const hi = rows[0]?.hi;
      if (lo === null || lo === undefined || hi === null || hi === undefined) return [];
      lowerBound ??= lo as never;
      upperBound ??= (typeof hi === 'number' ? hi + 1 : typeof hi === 'bigint' ? hi + 1n : hi) as never;
    }
    return jdbcPartitionPredicates(this.quoteColumn(options.partitionColumn), lowerBound!, upperBound!, n);
  }

  // -------------------------------------------------------------------------------------------
  // Spark (declarative)
  // -------------------------------------------------------------------------------------------

  /** Spark JDBC options common to reads and writes. */
  protected sparkBaseOptions(): Record<string, string> {
    const c = this.config as JdbcConfig;
    const info = this.connectionInfo();
    const options: Record<string, string> = { ...c.properties, url: this.jdbcUrl() };
    const driver = c.driver ?? this.jdbcDefaults.driver;
    if (driver) options.driver = driver;
    if (info.user) options.user = info.user;
    if (info.password) options.password = info.password;
    if (c.isolationLevel) options.isolationLevel = c.isolationLevel;
    if (c.sessionInitStatement) options.sessionInitStatement = c.sessionInitStatement;
    if (c.queryTimeoutMs) options.queryTimeout = String(Math.ceil(c.queryTimeoutMs / 1000));
    return options;
  }

  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    const c = this.config as JdbcConfig;
    const o: Record<string, string> = { ...this.sparkBaseOptions(), ...(options.options ?? {}) };
    // A projection or filter becomes a derived table, which (unlike Spark's `query`) works with partitioning.
    o.dbtable = options.columns?.length || options.where ? `(${this.selectSql(table, options)}) sparkle_src` : this.quoteTable(table);
    const fetch = options.fetchSize ?? c.fetchSize ?? (c.properties.fetchsize ? Number(c.properties.fetchsize) : undefined);
    if (fetch) o.fetchsize = String(fetch);
    delete o.fetchSize;
    if (options.partitionColumn && !options.predicates?.length) {
      if (options.lowerBound === undefined || options.upperBound === undefined || !options.numPartitions) {
        throw new InvalidArgumentError('Spark needs partitionColumn, lowerBound, upperBound and numPartitions together', { connector: this.type });
      }
      o.partitionColumn = this.quoteColumn(options.partitionColumn);
      o.lowerBound = boundString(options.lowerBound);
      o.upperBound = boundString(options.upperBound);
      o.numPartitions = String(options.numPartitions);
    } else if (options.numPartitions) {
      o.numPartitions = String(options.numPartitions);
    }
    return { format: 'jdbc', ...sparkSecrets(o), predicates: options.predicates };
  }

  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const c = this.config as JdbcConfig;
    const o: Record<string, string> = { ...this.sparkBaseOptions(), ...(options.options ?? {}), dbtable: this.quoteTable(table) };
    const batch = options.batchSize ?? c.batchSize;
    if (batch) o.batchsize = String(batch);
    return { format: 'jdbc', ...sparkSecrets(o), mode: options.mode ?? 'errorIfExists' };
  }

  // -------------------------------------------------------------------------------------------
  // Native (local engine)
  // -------------------------------------------------------------------------------------------

  /**
   * Opens one ready-to-use native session: {@link JDBCConnection.connectSession} (the driver's
   * login) then {@link JDBCConnection.initSession} (session settings), closing the session when
   * the settings fail. Connectors normally implement those two hooks; a connector that overrides
   * `openSession()` itself owns the whole sequence (the base then runs no settings of its own).
   */
  protected async openSession(): Promise<JdbcSession> {
    const session = await this.connectSession();
    try {
      await this.initSession(session);
      return session;
    } catch (error) {
      await session.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The driver glue: log in with the native driver and wrap the connection in a `JdbcSession`.
   * Connectors without a Node driver leave this unsupported.
   *
   * @example
   * ```ts
   * protected override async connectSession(): Promise<JdbcSession> {
   *   const driver = await this.importDriver<{ connect(o: object): Promise<Conn> }>('connect');
   *   return new MySession(await driver.connect(this.driverOptions()));
   * }
   * ```
   */
  protected async connectSession(): Promise<JdbcSession> {
    throw new UnsupportedOperationError(
      `The ${this.type} connection has no native Node driver; use it through Spark (getConnection('${this.type}', { spark }))`,
      { connector: this.type },
    );
  }

  /**
   * Statements a fresh session runs before the configured settings (time zone, date formats,
   * autocommit modes the connector relies on). None by default.
   */
  protected setupStatements(): string[] {
    return [];
  }

  /**
   * Applies session settings after login: {@link JDBCConnection.setupStatements}, then the
   * dialect's `isolationStatement(isolationLevel)`, then `sessionInitStatement` — the order
   * Spark's JDBC source uses, so the user's init statement can override the others.
   */
  protected async initSession(session: JdbcSession): Promise<void> {
    const c = this.config as JdbcConfig;
    for (const sql of this.setupStatements()) await session.execute(sql);
    const level = c.isolationLevel && c.isolationLevel !== 'NONE' ? this.dialect.isolationStatement?.(c.isolationLevel) : undefined;
    if (level) await session.execute(level);
    if (c.sessionInitStatement) await session.execute(c.sessionInitStatement);
  }

  /**
   * Imports the native driver (`static driverPackage`, or `static driverModule` when set) on first
   * use, so the driver stays an optional peer dependency. `entry` names an export the driver
   * module has (`'getConnection'`); when only its default export has it (CommonJS interop), the
   * default export is returned.
   *
   * @throws MissingDriverError naming the package when it is not installed or fails to load
   * (including a native part that was never built).
   * @example
   * ```ts
   * const oracledb = await this.importDriver<typeof import('oracledb')>('getConnection');
   * ```
   */
  protected async importDriver<TDriver>(entry: string): Promise<TDriver> {
    const statics = this.constructor as typeof JDBCConnection;
    const pkg = statics.driverPackage;
    if (!pkg) throw new UnsupportedOperationError(`The ${this.type} connection declares no native driver package`, { connector: this.type });
    try {
      const mod = (await import(/* @vite-ignore */ statics.driverModule ?? pkg)) as Record<string, unknown> & { default?: TDriver };
      return (typeof mod[entry] === 'function' ? mod : mod.default ?? mod) as TDriver;
    } catch (cause) {
      throw new MissingDriverError(this.type, pkg, cause);
    }
  }

  /** Opens a session, mapping driver failures to typed, redacted errors. */
  async session(signal?: AbortSignal): Promise<JdbcSession> {
    this.assertOpen();
    const opening = this.openSession();
    try {
      return signal ? await raceSignal(opening, signal, `connect to ${this.type}`, this.type) : await opening;
    } catch (error) {
      opening.then((s) => s.close()).catch(() => undefined);
      throw this.wrapError(error, `connect to ${this.type}`);
    }
  }

  /** Runs `fn` with a fresh session, always closing it. */
  async withSession<T>(fn: (session: JdbcSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const session = await this.session(signal);
    try {
      return await fn(session);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  protected override async checkAuth(signal: AbortSignal): Promise<string | HealthSkip> {
    const session = await this.session(signal);
    await session.close();
    const info = this.connectionInfo();
    return `logged in${info.user ? ` as ${info.user}` : ''}`;
  }

  /** Runs the dialect's `probeSql` (default `SELECT 1`) on a fresh session. */
  protected override async checkProbe(signal: AbortSignal): Promise<string | HealthSkip> {
    const probe = this.dialect.probeSql;
    return this.withSession(async (s) => {
      await raceSignal(s.queryRows(probe ?? 'SELECT 1 AS ok'), signal, 'probe query', this.type);
      return `${probe ?? 'SELECT 1'} succeeded`;
    }, signal);
  }

  async nativeRead(table: string, options: ReadTableOptions = {}): Promise<NativeReadPlan> {
    if (options.filter) {
      // Typed filters are the language of document stores; SQL sources take `where` (never both silently).
      throw new UnsupportedOperationError(`${this.type} reads take a SQL 'where' predicate, not a typed 'filter'; pass { where: "status = 'open'" }`, { connector: this.type });
    }
    const needsBounds = Boolean(options.partitionColumn && (options.lowerBound === undefined || options.upperBound === undefined) && (options.numPartitions ?? 1) > 1);
    const predicates = needsBounds
      ? await this.withSession((s) => this.partitionPredicates(table, options, s), options.signal)
      : await this.partitionPredicates(table, options);
    const fetchSize = options.fetchSize ?? (this.config as JdbcConfig).fetchSize;
    const slices = predicates.length ? predicates : [undefined];
    const partitions: NativePartition[] = slices.map((predicate) => {
      const sql = this.selectSql(table, options, predicate);
      return {
        description: predicate ?? 'all rows',
        open: (signal: AbortSignal) => this.streamQuery(sql, [], { signal, fetchSize }),
      };
    });
    return { partitions };
  }

  nativeQuery(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncIterable<RecordBatch> {
    return this.streamQuery(sql, params, options);
  }

  /** Streams one query on its own session, closing it when the consumer stops. */
  protected async *streamQuery(sql: string, params: readonly unknown[], options: { signal: AbortSignal; fetchSize?: number }): AsyncGenerator<RecordBatch> {
    const session = await this.session(options.signal);
    try {
      for await (const batch of session.queryArrow(sql, params, options)) yield batch;
    } catch (error) {
      throw this.wrapError(error, `read from ${this.type}`);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  async tableExists(session: JdbcSession, table: string): Promise<boolean> {
    const q = this.dialect.tableExists(this.tableParts(table));
    return (await session.queryRows(q.sql, q.params)).length > 0;
  }

  /** `CREATE TABLE` for an Arrow schema in this dialect. */
  createTableSql(quotedTable: string, schema: Schema): string {
    const cols = schema.fields.map((f) => `${this.quoteColumn(f.name)} ${sqlTypeFor(f, this.dialect.typeNames)}${f.nullable ? '' : ' NOT NULL'}`);
    return `CREATE TABLE ${quotedTable} (${cols.join(', ')})`;
  }

  /**
   * Writes batches with Spark's save modes. `append` runs in one transaction; `overwrite` and
   * new tables load a staging table and swap it in atomically, so a failure halfway leaves the
   * previous table (or no table) exactly as it was.
   */
  async nativeWrite(table: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    const iterator = batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new InvalidArgumentError('Nothing to write: the source produced no batches (not even a schema)', { connector: this.type });
    const schema = first.value.schema;
    const all = (async function* () {
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })();
    const batchSize = options.batchSize ?? (this.config as JdbcConfig).batchSize;
    const dialect = this.dialect;
    const target = this.tableParts(table);
    const quotedTarget = quoteParts(target, dialect.quote);
    return this.withSession(async (session) => {
      const exists = await this.tableExists(session, table);
      if (exists && mode === 'errorIfExists') {
        throw new SparkleError('TABLE_EXISTS', `Table ${quotedTarget} already exists (mode 'errorIfExists'); use mode 'append', 'overwrite' or 'ignore'`, {
          connector: this.type,
        });
      }
      if (exists && mode === 'ignore') return { table, mode, rows: 0, written: false };
      await this.removeStaleStagingTables(session, target);
      const load = { signal: context.signal, batchSize, onRows: context.onRows };
      if (exists && mode === 'append') {
        await transaction(session, dialect, 'begin');
        try {
          const { rows, bytes } = await session.bulkInsert(quotedTarget, schema, all, load);
          await transaction(session, dialect, 'commit');
          return { table, mode, rows, bytes, written: true };
        } catch (error) {
          await transaction(session, dialect, 'rollback').catch(() => undefined);
          throw this.writeFailure(error, quotedTarget, 'append');
        }
      }
      // New table or overwrite: load a staging table, then swap it in. Its name carries a write
      // token and this process holds a lease on it, so if we are killed mid-write the next write
      // (or `sparkle clean`) can tell our leftover from a live writer's and remove it.
      const token = newWriteToken();
      const staging = [...target.slice(0, -1), stagingTableName(target[target.length - 1]!, token)];
      const quotedStaging = quoteParts(staging, dialect.quote);
      const lease = await takeWriterLease(token, { connector: this.type, target: quotedTarget });
      try {
        await session.execute(this.createTableSql(quotedStaging, schema));
        try {
          const { rows, bytes } = await session.bulkInsert(quotedStaging, schema, all, load);
          context.signal.throwIfAborted();
          await transaction(session, dialect, 'begin');
          try {
            if (exists) for (const sql of dialect.swapTables(target, staging)) await session.execute(sql);
            else await session.execute(this.renameSql(staging, target));
            await transaction(session, dialect, 'commit');
          } catch (error) {
            await transaction(session, dialect, 'rollback').catch(() => undefined);
            throw error;
          }
          return { table, mode, rows, bytes, written: true };
        } catch (error) {
          await session.execute(`DROP TABLE IF EXISTS ${quotedStaging}`).catch(() => undefined);
          throw this.writeFailure(error, quotedTarget, exists ? 'overwrite' : 'create');
        }
      } finally {
        await lease.release();
      }
    }, context.signal);
  }

  /** Tables of `schema` (the session's current schema when absent), as schema and name. */
  protected async listTables(session: JdbcSession, schema?: string): Promise<Array<{ schema: string; name: string }>> {
    const q = this.dialect.tablesQuery?.(schema) ?? this.dialect.columnsQuery(schema);
    const seen = new Map<string, { schema: string; name: string }>();
    for (const r of await session.queryRows(q.sql, q.params)) {
      const entry = { schema: String(r.schema_name ?? ''), name: String(r.table_name) };
      seen.set(`${entry.schema}\u0000${entry.name}`, entry);
    }
    return [...seen.values()];
  }

  /** Leftovers of interrupted writes to `target` (its staging tables), removed when no live writer owns them. */
  private async removeStaleStagingTables(session: JdbcSession, target: string[]): Promise<void> {
    try {
      const schema = target.length > 1 ? target[target.length - 2] : undefined;
      const prefix = target[target.length - 1]!.slice(0, 35);
      const found = (await this.leftoverTables(session, schema)).filter((l) => parseLeftoverTableName(l.parts![l.parts!.length - 1]!)?.targetPrefix === prefix);
      await removeStaleLeftovers(found, (l) => session.execute(`DROP TABLE ${quoteParts([...l.parts!], this.dialect.quote)}`).then(() => undefined));
    } catch {
      // Best effort: a leftover that cannot be listed or dropped now is left for `sparkle clean`.
    }
  }

  private async leftoverTables(session: JdbcSession, schema?: string): Promise<Leftover[]> {
    const found: Leftover[] = [];
    for (const t of await this.listTables(session, schema)) {
      const parsed = parseLeftoverTableName(t.name);
      if (!parsed) continue;
      const parts = t.schema ? [t.schema, t.name] : [t.name];
      found.push({ kind: 'table', name: parts.join('.'), parts, target: [...parts.slice(0, -1), parsed.targetPrefix].join('.'), token: parsed.token });
    }
    return found;
  }

  /**
   * Staging tables (`<table>__sparkle_stg_<token>`) and tables moved aside mid-swap
   * (`__sparkle_old_`) that interrupted writes left in `scope` (a schema; the session's
   * current one when absent). Judge and remove them with `cleanLeftovers()` or `sparkle clean`.
   */
  async findLeftovers(options: { scope?: string; signal?: AbortSignal } = {}): Promise<Leftover[]> {
    const scope = options.scope ?? (this.config as JdbcConfig).schema;
    return this.withSession((session) => this.leftoverTables(session, scope), options.signal);
  }

  /** Drops one leftover table found by {@link JDBCConnection.findLeftovers}; refuses a table that is not one. */
  async removeLeftover(leftover: Leftover, options: { signal?: AbortSignal } = {}): Promise<void> {
    const parts = leftover.parts ? [...leftover.parts] : this.tableParts(leftover.name);
    if (leftover.kind !== 'table' || !parseLeftoverTableName(parts[parts.length - 1]!)) {
      throw new InvalidArgumentError(`${leftover.name} is not a leftover of a Sparkle write (no __sparkle_stg_/__sparkle_old_ marker and token): not dropped`, { connector: this.type });
    }
    await this.withSession((session) => session.execute(`DROP TABLE ${quoteParts(parts, this.dialect.quote)}`), options.signal);
  }

  /** `ALTER TABLE staging RENAME TO target` in this dialect. */
  protected renameSql(from: string[], to: string[]): string {
    return `ALTER TABLE ${quoteParts(from, this.dialect.quote)} RENAME TO ${quoteIdentifier(to[to.length - 1]!, this.dialect.quote)}`;
  }

  private writeFailure(error: unknown, quotedTarget: string, what: string): SparkleError {
    const cause = this.wrapError(error, `${what} ${quotedTarget}`);
    return new WriteError(`Write to ${quotedTarget} failed (${what}); nothing was committed and the previous table is unchanged: ${cause.message}`, {
      connector: this.type,
      cause,
      retryable: cause.retryable,
      details: { committed: false, table: quotedTarget },
    });
  }

  /** Schemas, tables and columns, with types mapped to Spark SQL types. */
  async discover(options: { schema?: string } = {}): Promise<DiscoveredTable[]> {
    return this.withSession(async (session) => {
      const q = this.dialect.columnsQuery(options.schema ?? (this.config as JdbcConfig).schema);
      const rows = await session.queryRows(q.sql, q.params);
      const tables = new Map<string, DiscoveredTable>();
      for (const r of rows) {
        const schema = String(r.schema_name ?? '');
        const name = String(r.table_name);
        const key = `${schema}\u0000${name}`;
        if (!tables.has(key)) tables.set(key, { schema, name, columns: [] });
        const dataType = String(r.data_type);
        tables.get(key)!.columns.push({
          name: String(r.column_name),
          dataType,
          sparkType: sparkTypeOfSql(dataType),
          nullable: r.is_nullable === true || r.is_nullable === 'YES' || r.is_nullable === 1,
        });
      }
      return [...tables.values()];
    });
  }

  override toString(): string {
    return super.toString().replace(/jdbc:[^"\s,]*/g, (u) => redactUrlForMessage(this.redact(u)));
  }
}

/** Starts, commits or rolls back through the session's hook when it has one, else the dialect's SQL. */
function transaction(session: JdbcSession, dialect: JdbcDialect, step: 'begin' | 'commit' | 'rollback'): Promise<unknown> {
  const hook = session[step];
  return hook ? hook.call(session) : session.execute(dialect[step]);
}

function boundString(bound: NonNullable<ReadTableOptions['lowerBound']>): string {
  if (bound instanceof Date) return bound.toISOString().replace('T', ' ').replace('Z', '');
  return String(bound);
}

/**
 * Base of JDBC databases that no maintained Node driver can talk to: reads and writes run under
 * Spark's JDBC data source; natively `check()` verifies the config and reaches the server over
 * DNS + TCP, and reports authentication and the probe as skipped with `static noDriverReason`.
 * Native reads and writes fail with an `UnsupportedOperationError` that says to pass a Spark session.
 *
 * @example
 * ```ts
 * class NetezzaConnection extends NoNativeDriverConnection {
 *   static override jdbc = { driver: 'org.netezza.Driver', subprotocol: 'netezza', defaultPort: 5480, lineageScheme: 'netezza' };
 *   static override noDriverReason = 'no maintained Node.js driver speaks the Netezza protocol';
 * }
 * ```
 */
export class NoNativeDriverConnection<TConfig extends JdbcConfig = JdbcConfig> extends JDBCConnection<TConfig> {
  /** Inherited native methods it cannot serve: only the Spark mapping is real. */
  static withoutCapabilities: readonly string[] = ['read', 'write', 'query', 'discover'];
  /** Why there is no native driver, shown in `check()` skips and in native read/write errors. */
  static noDriverReason = 'no maintained Node.js driver speaks this database\'s protocol; authentication and queries run through Spark';
  /** The database's display name in errors (defaults to `static description`). */
  private get productName(): string {
    const statics = this.constructor as typeof NoNativeDriverConnection;
    return statics.description || this.type;
  }

  private get noDriverReason(): string {
    return (this.constructor as typeof NoNativeDriverConnection).noDriverReason;
  }

  protected override async checkAuth(): Promise<string | HealthSkip> {
    return new HealthSkip(this.noDriverReason);
  }

  protected override async checkProbe(): Promise<string | HealthSkip> {
    return new HealthSkip(this.noDriverReason);
  }

  override async nativeRead(): Promise<NativeReadPlan> {
    throw this.noNative('read');
  }

  override async nativeWrite(): Promise<Omit<WriteResult, 'elapsedMs'>> {
    throw this.noNative('write');
  }

  private noNative(what: string): UnsupportedOperationError {
    return new UnsupportedOperationError(`Cannot ${what} ${this.productName} natively: ${this.noDriverReason}. Pass a Spark session: getConnection('${this.type}', { spark })`, {
      connector: this.type,
    });
  }
}
