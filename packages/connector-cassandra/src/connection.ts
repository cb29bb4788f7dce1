/**
 * `CassandraConnection`: Apache Cassandra through `cassandra-driver`, a document store whose
 * collections are the tables of one keyspace. `NoSQLConnection` makes tables readable and
 * writable as Arrow; this class speaks CQL: typed filters become WHERE restrictions with bound
 * values (key columns; others only with `allowFiltering`), projections become the SELECT list,
 * reads split into token ranges as the Spark Cassandra connector splits them, and writes are
 * prepared INSERTs sent with bounded concurrency (an UNLOGGED batch only for rows of one
 * partition). ScyllaDB reuses this class (`@sparkle/connector-scylladb`).
 */
import type { Client, types as DriverTypes } from 'cassandra-driver';
import {
  InvalidArgumentError,
  inferDocumentColumns,
  MissingDriverError,
  NoSQLConnection,
  type BulkItemError,
  type BulkWriteResult,
  type ColumnSpec,
  type DatasetRef,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type Endpoint,
  type FindDocumentsOptions,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkSource,
  type SparkWriteSpec,
  type UpsertDocumentsOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import { z } from 'zod';
import { cassandraConfigSchema, type CassandraConfig } from './config.js';

/** The driver's names of the consistency levels. */
const CONSISTENCY_KEYS = {
  ANY: 'any', ONE: 'one', TWO: 'two', THREE: 'three', QUORUM: 'quorum', ALL: 'all', LOCAL_QUORUM: 'localQuorum', EACH_QUORUM: 'eachQuorum', LOCAL_ONE: 'localOne',
} as const;
import { columnTypeOf, cqlTypeText, filterToCql, qualified, quoteIdent, tokenRanges, type CqlType, type TableShape } from './cql.js';
import { sparkTypeOfCql } from './discover.js';
import { cassandraError, isRetryableCassandraError } from './errors.js';
import { fromCql, toCql, ValueMisfit, type CqlTypes } from './values.js';

type Driver = typeof import('cassandra-driver');

/** A table as this connection knows it: its key columns and every column's CQL type, in order. */
interface Table extends TableShape {
  keyspace: string;
  ordered: Array<{ name: string; type: CqlType }>;
}

/** Rows per write chunk when the write does not say `batchSize`. */
const DEFAULT_WRITE_CHUNK = 500;
/** Rows per page of a read when the read does not say `pageSize`/`fetchSize`. */
const DEFAULT_PAGE_SIZE = 1000;

/**
 * The `cassandra` connection.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-cassandra';
 *
 * await using conn = await getConnection('cassandra', {
 *   config: { contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1', keyspace: 'shop', username: 'app', password: '${CASSANDRA_PASSWORD}' },
 * });
 * const frame = await conn.readTable('orders', { filter: where.eq('customer_id', 42), columns: ['order_id', 'total'], numPartitions: 8 });
 * ```
 */
export class CassandraConnection extends NoSQLConnection<CassandraConfig> implements SparkSource {
  static override schema: z.ZodType = cassandraConfigSchema;
  static override family = 'nosql';
  static override description = 'Apache Cassandra (CQL native protocol, cassandra-driver)';
  /** Spark data source of the DataStax Spark Cassandra connector. */
  static sparkFormat = 'org.apache.spark.sql.cassandra';
  /** OpenLineage namespace scheme of datasets (`cassandra://host:port`). */
  static lineageScheme = 'cassandra';
  /** What the product is called in messages. */
  static productName = 'Cassandra';

  #driver: Driver | undefined;
  #client: Promise<Client> | undefined;

  protected get product(): string {
    return (this.constructor as typeof CassandraConnection).productName;
  }

  // -------------------------------------------------------------------------------------------
  // Driver and client
  // -------------------------------------------------------------------------------------------

  /** The driver module, imported on first use. */
  protected async driver(): Promise<Driver> {
    if (this.#driver) return this.#driver;
    try {
      const mod = (await import('cassandra-driver')) as Driver & { default?: Driver };
      this.#driver = mod.default ?? mod;
      return this.#driver;
    } catch (cause) {
      throw new MissingDriverError(this.type, 'cassandra-driver', cause);
    }
  }

  /** The driver's client options from the config (exposed for subclasses that tune defaults). */
  protected async clientOptions(): Promise<import('cassandra-driver').ClientOptions> {
    const c = this.config;
    const driver = await this.driver();
    const tls = c.tls === false ? undefined : c.tls === true ? {} : { ...(c.tls.ca ? { ca: [c.tls.ca] } : {}), rejectUnauthorized: c.tls.rejectUnauthorized, ...(c.tls.serverName ? { servername: c.tls.serverName } : {}) };
    return {
      contactPoints: c.contactPoints,
      localDataCenter: c.localDataCenter,
      protocolOptions: { port: c.port },
      socketOptions: { connectTimeout: c.connectTimeoutMs, readTimeout: c.requestTimeoutMs },
      ...(c.username !== undefined ? { credentials: { username: c.username, password: c.password ?? '' } } : {}),
      ...(tls ? { sslOptions: tls } : {}),
      queryOptions: {
        prepare: true,
        ...(c.consistency ? { consistency: driver.types.consistencies[CONSISTENCY_KEYS[c.consistency]] } : {}),
      },
      // One attempt per contact point, no reconnection storms: errors surface as typed errors.
      policies: { reconnection: new driver.policies.reconnection.ConstantReconnectionPolicy(2000) },
    };
  }

  /** The connected client (one per connection, shut down on close). */
  protected async client(): Promise<Client> {
    this.assertOpen();
    if (!this.#client) {
      const pending = (async () => {
        const driver = await this.driver();
        const client = new driver.Client(await this.clientOptions());
        try {
          await client.connect();
        } catch (error) {
          await client.shutdown().catch(() => undefined);
          throw cassandraError(error, this.type, `connect to ${this.product}`, (t) => this.redact(t));
        }
        this.onClose(() => client.shutdown());
        return client;
      })();
      this.#client = pending;
      pending.catch(() => {
        if (this.#client === pending) this.#client = undefined;
      });
    }
    return this.#client;
  }

  protected async types(): Promise<CqlTypes> {
    return (await this.driver()).types;
  }

  /** The configured keyspace, or a clear error naming the field. */
  protected keyspace(): string {
    const ks = this.config.keyspace;
    if (!ks) {
      throw new InvalidArgumentError(`${this.type}: no keyspace configured; set "keyspace" in the connection config (its tables are the collections)`, { connector: this.type, details: { field: 'keyspace' } });
    }
    return ks;
  }

  /** Runs one statement, mapping driver errors to typed ones. */
  protected async run(cql: string, params: unknown[], what: string, options: Record<string, unknown> = {}): Promise<DriverTypes.ResultSet> {
    const client = await this.client();
    try {
      return await client.execute(cql, params, { prepare: true, ...options });
    } catch (error) {
      throw cassandraError(error, this.type, what, (t) => this.redact(t));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Health, lineage
  // -------------------------------------------------------------------------------------------

  protected override endpoints(): Endpoint[] {
    return this.config.contactPoints.map((point) => {
      const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(point);
      return { host: m?.[1] ?? point, port: m?.[2] ? Number(m[2]) : this.config.port };
    });
  }

  /** Auth tier: a session opened with the configured credentials. */
  protected override async checkAuth(): Promise<string> {
    const client = await this.client();
    const version = client.getState().getConnectedHosts()[0]?.cassandraVersion;
    return `connected${this.config.username ? ` as ${this.config.username}` : ''}${version ? ` (${this.product} ${version})` : ''}`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const endpoint = this.endpoints()[0]!;
    const scheme = (this.constructor as typeof CassandraConnection).lineageScheme;
    return { namespace: `${scheme}://${endpoint.host}:${endpoint.port}`, name: `${this.config.keyspace ?? ''}.${collection}` };
  }

  // -------------------------------------------------------------------------------------------
  // Schema
  // -------------------------------------------------------------------------------------------

  async listCollections(options?: { signal?: AbortSignal }): Promise<string[]> {
    const ks = this.keyspace();
    options?.signal?.throwIfAborted();
    const keyspaces = await this.run('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [ks], `look up keyspace ${ks}`);
    if (!keyspaces.rows.length) {
      throw new InvalidArgumentError(`${this.product} keyspace '${ks}' does not exist; create it (CREATE KEYSPACE) or fix "keyspace" in the connection config`, { connector: this.type, details: { keyspace: ks } });
    }
    const tables = await this.run('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [ks], `list tables of ${ks}`);
    return tables.rows.map((r) => String(r.table_name)).sort();
  }

  /**
   * The keyspace's tables with their columns: CQL type, the Spark type the Spark Cassandra
   * connector gives it, and nullability (key columns are not nullable).
   * @example
   * ```ts
   * const tables = await conn.discover(); // [{ schema: 'shop', name: 'orders', columns: [{ name: 'id', dataType: 'uuid', sparkType: 'string', nullable: false }, …] }]
   * ```
   */
  async discover(options: { keyspace?: string; signal?: AbortSignal } = {}): Promise<Array<{ schema: string; name: string; columns: Array<{ name: string; dataType: string; sparkType: string; nullable: boolean }> }>> {
    const ks = options.keyspace ?? this.keyspace();
    quoteIdent(ks, 'keyspace');
    options.signal?.throwIfAborted();
    const udts = await this.run('SELECT type_name, field_names, field_types FROM system_schema.types WHERE keyspace_name = ?', [ks], `describe types of ${ks}`);
    const udtFields = new Map(udts.rows.map((r) => [String(r.type_name), (r.field_names as string[]).map((n, i) => [n, (r.field_types as string[])[i]!] as [string, string])]));
    const columns = await this.run('SELECT table_name, column_name, type, kind, position FROM system_schema.columns WHERE keyspace_name = ?', [ks], `describe tables of ${ks}`);
    const rank = (kind: string) => (kind === 'partition_key' ? 0 : kind === 'clustering' ? 1 : 2);
    const tables = new Map<string, Array<{ name: string; dataType: string; sparkType: string; nullable: boolean; order: [number, number, string] }>>();
    for (const r of columns.rows) {
      const table = String(r.table_name);
      const kind = String(r.kind);
      const list = tables.get(table) ?? [];
      list.push({ name: String(r.column_name), dataType: String(r.type), sparkType: sparkTypeOfCql(String(r.type), udtFields), nullable: rank(kind) === 2, order: [rank(kind), Number(r.position), String(r.column_name)] });
      tables.set(table, list);
    }
    return [...tables.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, cols]) => ({
        schema: ks,
        name,
        columns: cols
          .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || (a.order[2] < b.order[2] ? -1 : 1))
          .map(({ order: _order, ...c }) => c),
      }));
  }

  /** The table's keys and column types, or `undefined` when it does not exist. */
  protected async findTable(collection: string): Promise<Table | undefined> {
    const ks = this.keyspace();
    quoteIdent(collection, 'table');
    const client = await this.client();
    let meta: Awaited<ReturnType<Client['metadata']['getTable']>>;
    try {
      meta = await client.metadata.getTable(ks, collection);
    } catch (error) {
      throw cassandraError(error, this.type, `describe ${ks}.${collection}`, (t) => this.redact(t));
    }
    if (!meta) return undefined;
    const partitionKeys = meta.partitionKeys.map((c) => c.name);
    const clusteringKeys = meta.clusteringKeys.map((c) => c.name);
    const keys = [...partitionKeys, ...clusteringKeys];
    const byName = new Map(meta.columns.map((c) => [c.name, c.type as CqlType]));
    const ordered = [...keys, ...meta.columns.map((c) => c.name).filter((n) => !keys.includes(n))].map((name) => ({ name, type: byName.get(name)! }));
    return { keyspace: ks, name: collection, partitionKeys, clusteringKeys, columns: byName, ordered };
  }

  /** Like {@link findTable}, failing clearly when the table does not exist. */
  protected async table(collection: string): Promise<Table> {
    const table = await this.findTable(collection);
    if (table) return table;
    const existing = await this.listCollections();
    throw new InvalidArgumentError(
      `${this.product} table '${this.keyspace()}.${collection}' does not exist (tables: ${existing.slice(0, 20).join(', ') || 'none'})`,
      { connector: this.type, details: { keyspace: this.keyspace(), table: collection } },
    );
  }

  /** Cassandra knows its columns: reads use the table's schema, no sampling. */
  protected override async collectionColumns(collection: string, _options: ReadTableOptions): Promise<ColumnSpec[]> {
    const table = await this.table(collection);
    return table.ordered.map((c) => ({ name: c.name, type: columnTypeOf(c.type), nullable: !table.partitionKeys.includes(c.name) && !table.clusteringKeys.includes(c.name) }));
  }

  // -------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------

  /** SELECT list and the dotted paths to keep per top-level column. */
  #selectList(table: Table, projection: readonly string[] | undefined): { list: string; top: string[] } {
    if (!projection?.length) return { list: '*', top: [] };
    const top = [...new Set(projection.map((p) => p.split('.')[0]!))];
    for (const name of top) {
      if (!table.columns.has(name)) {
        throw new InvalidArgumentError(`projection: '${name}' is not a column of '${table.keyspace}.${table.name}' (columns: ${table.ordered.map((c) => c.name).join(', ')})`, {
          connector: this.type,
          details: { field: name },
        });
      }
    }
    return { list: top.map((n) => quoteIdent(n, 'column')).join(', '), top };
  }

  async *#select(table: Table, options: FindDocumentsOptions, extra: { clauses: string[]; params: unknown[] } | undefined, mapsAsEntries: boolean): AsyncGenerator<Document> {
    const where = filterToCql(options.filter, table, this.config.allowFiltering);
    if (options.native !== undefined) throw new InvalidArgumentError(`${this.type} takes typed filters only ('native' is not supported)`, { connector: this.type });
    const { list } = this.#selectList(table, options.projection);
    const clauses = [...where.clauses, ...(extra?.clauses ?? [])];
    const params = [...where.params, ...(extra?.params ?? [])];
    let cql = `SELECT ${list} FROM ${qualified(table.keyspace, table.name)}`;
    if (clauses.length) cql += ` WHERE ${clauses.join(' AND ')}`;
    if (options.limit !== undefined) {
      cql += ' LIMIT ?';
      params.push(Math.max(0, Math.floor(options.limit)));
    }
    if (where.needsFiltering) cql += ' ALLOW FILTERING';
    if (options.limit === 0) return;
    const client = await this.client();
    const what = `read of ${table.keyspace}.${table.name}`;
    const page = (pageState?: string) => {
      const request = client.execute(cql, params, { prepare: true, fetchSize: options.pageSize ?? DEFAULT_PAGE_SIZE, isIdempotent: true, ...(pageState ? { pageState } : {}) });
      request.catch(() => undefined); // awaited below; a prefetch left behind by an early stop must not go unhandled
      return request;
    };
    let next: Promise<DriverTypes.ResultSet> | undefined = page();
    while (next) {
      options.signal?.throwIfAborted();
      let result: DriverTypes.ResultSet;
      try {
        result = await next;
      } catch (error) {
        throw cassandraError(error, this.type, what, (t) => this.redact(t));
      }
      // The next page is asked for before this one is converted, so the server works meanwhile.
      next = result.pageState ? page(result.pageState) : undefined;
      for (const row of result.rows) yield this.#document(row, result.columns, options.projection, mapsAsEntries);
    }
  }

  /** A row as a document: null columns left out (CQL has no "missing"), dotted projections trimmed. */
  #document(row: DriverTypes.Row, columns: Array<{ name: string; type: CqlType }>, projection: readonly string[] | undefined, mapsAsEntries: boolean): Document {
    const doc: Document = {};
    for (const column of columns) {
      const value = fromCql(row[column.name], column.type, mapsAsEntries);
      if (value !== null) doc[column.name] = value;
    }
    return projection?.some((p) => p.includes('.')) ? pickPaths(doc, projection) : doc;
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncIterable<Document> {
    const table = await this.table(collection);
    yield* this.#select(table, options, undefined, false);
  }

  /**
   * Token-range partitions (the Spark Cassandra connector's split): the Murmur3 ring cut into
   * `partitions` ranges, each read with `token(pk) > ? AND token(pk) <= ?`. A filter that fixes
   * the whole partition key reads one partition. Maps come as `{ key, value }` entry lists here
   * (the Arrow map layout); `findDocuments` gives them as objects.
   */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const table = await this.table(collection);
    const where = filterToCql(options.filter, table, this.config.allowFiltering);
    const count = where.partitionKeyBound ? 1 : (options.partitions ?? this.config.defaultPartitions);
    if (count <= 1) return [{ description: `${table.keyspace}.${table.name}`, find: (o) => this.#select(table, o, undefined, true) }];
    const t = await this.types();
    const token = `token(${table.partitionKeys.map((k) => quoteIdent(k, 'column')).join(', ')})`;
    return tokenRanges(count).map(([lower, upper]) => ({
      description: `${table.keyspace}.${table.name} ${token} in (${lower}, ${upper}]`,
      find: (o: FindDocumentsOptions) =>
        this.#select(table, o, { clauses: [`${token} > ?`, `${token} <= ?`], params: [t.Long.fromString(lower.toString()), t.Long.fromString(upper.toString())] }, true),
    }));
  }

  /** The WHERE restrictions selecting one row by its primary key. */
  async #keyWhere(table: Table, key: DocumentKey): Promise<{ clauses: string[]; params: unknown[] }> {
    const t = await this.types();
    const keys = [...table.partitionKeys, ...table.clusteringKeys];
    const values: Record<string, unknown> =
      key !== null && typeof key === 'object' ? (key as Record<string, unknown>) : keys.length === 1 ? { [keys[0]!]: key } : {};
    const missing = keys.filter((k) => values[k] === undefined || values[k] === null);
    if (missing.length) {
      throw new InvalidArgumentError(`key of '${table.name}' must give ${keys.join(', ')} (missing: ${missing.join(', ')}); pass an object { ${keys.map((k) => `${k}: …`).join(', ')} }`, {
        connector: this.type,
        details: { missing },
      });
    }
    try {
      return { clauses: keys.map((k) => `${quoteIdent(k, 'column')} = ?`), params: keys.map((k) => toCql(values[k], table.columns.get(k)!, k, t)) };
    } catch (error) {
      if (error instanceof ValueMisfit) throw new InvalidArgumentError(`key of '${table.name}': ${error.message}`, { connector: this.type });
      throw error;
    }
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const table = await this.table(collection);
    const { list } = this.#selectList(table, options.projection);
    const where = await this.#keyWhere(table, key);
    const result = await this.run(`SELECT ${list} FROM ${qualified(table.keyspace, table.name)} WHERE ${where.clauses.join(' AND ')} LIMIT 1`, where.params, `get from ${table.keyspace}.${table.name}`);
    const row = result.rows[0];
    return row ? this.#document(row, result.columns, options.projection, false) : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  /**
   * Creates a table for documents: columns inferred from `sample` by core's document rule
   * (nested objects as frozen user-defined types, arrays as frozen lists, mixed values as text),
   * the key fields as the partition key.
   */
  protected async createTable(collection: string, sample: readonly Document[], keyFields: readonly string[]): Promise<Table> {
    const ks = this.keyspace();
    const columns = inferDocumentColumns(sample);
    for (const k of keyFields) {
      const column = columns.find((c) => c.name === k);
      if (!column) throw new InvalidArgumentError(`cannot create '${ks}.${collection}': key field '${k}' is in none of the first ${sample.length} documents`, { connector: this.type });
      if (typeof column.type === 'object') throw new InvalidArgumentError(`cannot create '${ks}.${collection}': key field '${k}' holds lists or objects; a key must be a scalar`, { connector: this.type });
    }
    const types: string[] = [];
    const udtFor = (path: string, fields: readonly ColumnSpec[]): string => {
      // UDT names are capped at 48 characters like tables: a short hash of table and path.
      const name = `u_${fnv(`${collection}/${path}`)}_${path.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24)}`;
      const body = fields.map((f) => `${quoteIdent(f.name, 'field')} ${cqlTypeText(f.type, udtFor, `${path}.${f.name}`)}`).join(', ');
      types.push(`CREATE TYPE IF NOT EXISTS ${qualified(ks, name)} (${body})`);
      return qualified(ks, name);
    };
    const defs = columns.map((c) => `${quoteIdent(c.name, 'column')} ${cqlTypeText(c.type, udtFor, c.name)}`);
    const ddl = `CREATE TABLE IF NOT EXISTS ${qualified(ks, collection)} (${defs.join(', ')}, PRIMARY KEY ((${keyFields.map((k) => quoteIdent(k, 'column')).join(', ')})))`;
    for (const statement of [...types, ddl]) await this.run(statement, [], `create ${ks}.${collection}`, { prepare: false });
    const table = await this.findTable(collection);
    if (!table) throw new InvalidArgumentError(`${ks}.${collection} was created but its metadata is not visible yet; retry the write`, { connector: this.type, retryable: true });
    return table;
  }

  /**
   * Upserts documents as prepared INSERTs of every column (so a row is replaced: columns the
   * document lacks become null). Rows go in chunks of `batchSize`; within a chunk, rows of one
   * partition go as one UNLOGGED batch, and at most `writeConcurrency` requests are in flight.
   * A missing table is created from the first chunk (unless `createTables` is false).
   * Retryable failures (Unavailable, WriteTimeout, Overloaded) are retried `itemRetries` times
   * with backoff, then reported per item with `retryable: true`.
   */
  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    const ks = this.keyspace();
    quoteIdent(collection, 'table');
    const chunkSize = Math.max(1, options.batchSize ?? DEFAULT_WRITE_CHUNK);
    const retries = options.itemRetries ?? 3;
    const t = await this.types();
    const client = await this.client();
    let table = await this.findTable(collection);
    const failed: BulkItemError[] = [];
    let written = 0;
    let index = 0;
    let insert = '';
    const flush = async (chunk: Array<{ index: number; doc: Document }>) => {
      if (!table) {
        if (!this.config.createTables) {
          throw new InvalidArgumentError(`${this.product} table '${ks}.${collection}' does not exist and "createTables" is false; create it first`, { connector: this.type });
        }
        table = await this.createTable(collection, chunk.map((c) => c.doc), options.keyFields?.length ? options.keyFields : ['_id']);
      }
      const tbl = table;
      const keys = [...tbl.partitionKeys, ...tbl.clusteringKeys];
      if (options.keyFields?.length && options.keyFields.join(',') !== keys.join(',') && options.keyFields.join(',') !== tbl.partitionKeys.join(',')) {
        throw new InvalidArgumentError(`keyFields (${options.keyFields.join(', ')}) differ from the primary key of '${ks}.${collection}' (${keys.join(', ')}); Cassandra upserts by the primary key`, {
          connector: this.type,
        });
      }
      insert ||= `INSERT INTO ${qualified(ks, collection)} (${tbl.ordered.map((c) => quoteIdent(c.name, 'column')).join(', ')}) VALUES (${tbl.ordered.map(() => '?').join(', ')})`;
      const groups = new Map<string, Array<{ index: number; key: DocumentKey | undefined; params: unknown[] }>>();
      for (const { index: i, doc } of chunk) {
        const key = keyOf(doc, keys);
        try {
          const missing = keys.filter((k) => doc[k] === undefined || doc[k] === null);
          if (missing.length) throw new ValueMisfit(missing[0]!, `is missing: it is part of the primary key (${keys.join(', ')})`);
          for (const [field, value] of Object.entries(doc)) {
            if (!tbl.columns.has(field) && value !== undefined && value !== null) {
              throw new ValueMisfit(field, `is not a column of ${ks}.${collection} (add it with ALTER TABLE … ADD, or leave it out)`);
            }
          }
          const params = tbl.ordered.map((c) => toCql(doc[c.name], c.type, c.name, t));
          const group = JSON.stringify(tbl.partitionKeys.map((k) => String(doc[k])));
          groups.set(group, [...(groups.get(group) ?? []), { index: i, key, params }]);
        } catch (error) {
          if (!(error instanceof ValueMisfit)) throw error;
          failed.push({ index: i, ...(key !== undefined ? { key } : {}), message: error.message, retryable: false });
        }
      }
      const tasks = [...groups.values()].map((rows) => async () => {
        for (let attempt = 0; ; attempt++) {
          options.signal?.throwIfAborted();
          try {
            if (rows.length === 1) await client.execute(insert, rows[0]!.params, { prepare: true, isIdempotent: true });
            else await client.batch(rows.map((r) => ({ query: insert, params: r.params })), { prepare: true, logged: false, isIdempotent: true });
            written += rows.length;
            return;
          } catch (error) {
            const retryable = isRetryableCassandraError(error);
            if (retryable && attempt < retries) {
              await sleep(100 * 2 ** attempt, options.signal);
              continue;
            }
            const message = cassandraError(error, this.type, `write to ${ks}.${collection}`, (x) => this.redact(x), true).message;
            for (const r of rows) failed.push({ index: r.index, ...(r.key !== undefined ? { key: r.key } : {}), message, retryable });
            return;
          }
        }
      });
      await pool(tasks, this.config.writeConcurrency);
      options.onProgress?.(written);
    };
    let chunk: Array<{ index: number; doc: Document }> = [];
    for await (const doc of documents) {
      chunk.push({ index: index++, doc });
      if (chunk.length >= chunkSize) {
        await flush(chunk);
        chunk = [];
      }
    }
    if (chunk.length) await flush(chunk);
    failed.sort((a, b) => a.index - b.index);
    return { written, failed };
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const table = await this.table(collection);
    const target = qualified(table.keyspace, table.name);
    const keyColumns = [...table.partitionKeys, ...table.clusteringKeys].map((k) => quoteIdent(k, 'column')).join(', ');
    let existed = 0;
    await pool(
      keys.map((key) => async () => {
        options.signal?.throwIfAborted();
        const where = await this.#keyWhere(table, key);
        const found = await this.run(`SELECT ${keyColumns} FROM ${target} WHERE ${where.clauses.join(' AND ')} LIMIT 1`, where.params, `delete from ${table.keyspace}.${table.name}`);
        if (!found.rows.length) return;
        await this.run(`DELETE FROM ${target} WHERE ${where.clauses.join(' AND ')}`, where.params, `delete from ${table.keyspace}.${table.name}`, { isIdempotent: true });
        existed++;
      }),
      this.config.writeConcurrency,
    );
    return existed;
  }

  // -------------------------------------------------------------------------------------------
  // Spark (DataStax Spark Cassandra connector)
  // -------------------------------------------------------------------------------------------

  /** The options every Spark read and write carries. */
  protected sparkOptions(table: string): Record<string, string> {
    const c = this.config;
    const endpoints = this.endpoints();
    const options: Record<string, string> = {
      keyspace: this.keyspace(),
      table,
      'spark.cassandra.connection.host': endpoints.map((e) => e.host).join(','),
      'spark.cassandra.connection.port': String(endpoints[0]?.port ?? c.port),
      'spark.cassandra.connection.localDC': c.localDataCenter,
    };
    if (c.username !== undefined) options['spark.cassandra.auth.username'] = c.username;
    if (c.password !== undefined) options['spark.cassandra.auth.password'] = c.password;
    if (c.tls !== false) options['spark.cassandra.connection.ssl.enabled'] = 'true';
    if (c.consistency) {
      options['spark.cassandra.input.consistency.level'] = c.consistency;
      options['spark.cassandra.output.consistency.level'] = c.consistency;
    }
    return options;
  }

  /**
   * The Spark read of a table: format `org.apache.spark.sql.cassandra` with `keyspace`, `table`
   * and the `spark.cassandra.*` connection options (the password marked secret).
   */
  sparkRead(table: string, _options: ReadTableOptions = {}): SparkReadSpec {
    quoteIdent(table, 'table');
    return { format: (this.constructor as typeof CassandraConnection).sparkFormat, options: this.sparkOptions(table), secretOptions: ['spark.cassandra.auth.password'] };
  }

  /**
   * The Spark write of a table. The Spark connector truncates on `overwrite` only with
   * `confirm.truncate=true`, which the caller must pass in `options.options` knowingly.
   */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    quoteIdent(table, 'table');
    // Sparkle's document-write options in the Spark connector's words: the key is the table's
    // primary key there, and null fields are skipped with `ignoreNulls`.
    const { idFieldList: _key, ignoreNullValues, ...rest } = options.options ?? {};
    return {
      format: (this.constructor as typeof CassandraConnection).sparkFormat,
      options: { ...rest, ...(ignoreNullValues === 'true' ? { 'spark.cassandra.output.ignoreNulls': 'true' } : {}), ...this.sparkOptions(table) },
      mode: options.mode ?? 'errorIfExists',
      secretOptions: ['spark.cassandra.auth.password'],
    };
  }
}

/** A document's key as reported in per-item errors. */
function keyOf(doc: Document, keys: readonly string[]): DocumentKey | undefined {
  if (keys.length === 1) {
    const v = doc[keys[0]!];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? v : undefined;
  }
  return Object.fromEntries(keys.map((k) => [k, doc[k]]));
}

/** Keeps only the projected paths of a document (`address.city` keeps `{ address: { city } }`). */
function pickPaths(doc: Document, projection: readonly string[]): Document {
  const out: Document = {};
  for (const path of projection) {
    const parts = path.split('.');
    let from: unknown = doc;
    for (const p of parts) from = from !== null && typeof from === 'object' ? (from as Record<string, unknown>)[p] : undefined;
    if (from === undefined || from === null) continue;
    let into = out;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) into[p] = from;
      else into = (into[p] ??= {}) as Document;
    });
  }
  return out;
}

/** Runs tasks with at most `limit` in flight; the first thrown error stops new ones and is rethrown. */
async function pool(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== undefined) throw failure;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** A short stable hash (FNV-1a, 32 bit, hex) for generated type names. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
