/**
 * `Neo4jConnection`: Neo4j through `neo4j-driver` (Bolt), a document store whose collections are
 * node labels: a document is a node's properties. Reads are Cypher with parameters — label
 * matches with typed filters translated to WHERE (see `cypher.ts`), or the caller's own
 * `{ cypher, params }` — split into SKIP/LIMIT partitions over `ORDER BY elementId(n)` as the
 * Neo4j Spark connector splits label reads. Writes are `UNWIND $rows … MERGE` on the key
 * property in bounded batches, each batch one write transaction.
 */
import type * as Neo4j from 'neo4j-driver';
import {
  InvalidArgumentError,
  MissingDriverError,
  NoSQLConnection,
  type BulkItemError,
  type BulkWriteResult,
  type DatasetRef,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type Endpoint,
  type FilterValue,
  type FindDocumentsOptions,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkSource,
  type SparkWriteSpec,
  type UpsertDocumentsOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import { z } from 'zod';
import { neo4jConfigSchema, type Neo4jConfig } from './config.js';
import { filterToCypher, quoteLabel, quoteProperty } from './cypher.js';
import { neo4jError } from './errors.js';
import { fromNeo4j, fromProperties, paramToNeo4j, toProperties } from './values.js';

type Driver = typeof Neo4j;

/** A Cypher query with parameters, the `native` query of `findDocuments`. */
export interface CypherQuery {
  cypher: string;
  params?: Record<string, unknown>;
}

function isCypherQuery(value: unknown): value is CypherQuery {
  return typeof value === 'object' && value !== null && typeof (value as CypherQuery).cypher === 'string';
}

/**
 * The `neo4j` connection.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-neo4j';
 *
 * await using conn = await getConnection('neo4j', { config: { uri: 'bolt://localhost:7687', username: 'neo4j', password: '${NEO4J_PASSWORD}' } });
 * for await (const person of conn.findDocuments('Person', { filter: where.gte('age', 30), projection: ['name'] })) console.log(person);
 * for await (const row of conn.findDocuments('Person', { native: { cypher: 'MATCH (p:Person)-[:KNOWS]->(f) WHERE p.name = $name RETURN f.name AS friend', params: { name: 'Ada' } } })) console.log(row);
 * ```
 */
export class Neo4jConnection extends NoSQLConnection<Neo4jConfig> implements SparkSource {
  static override schema: z.ZodType = neo4jConfigSchema;
  static override family = 'nosql';
  static override description = 'Neo4j graph database (Bolt, neo4j-driver): labels as collections, Cypher with parameters';

  #neo4j: Driver | undefined;
  #driver: Neo4j.Driver | undefined;

  protected async neo4j(): Promise<Driver> {
    if (this.#neo4j) return this.#neo4j;
    try {
      const mod = (await import('neo4j-driver')) as Driver & { default?: Driver };
      this.#neo4j = mod.default ?? mod;
      return this.#neo4j;
    } catch (cause) {
      throw new MissingDriverError(this.type, 'neo4j-driver', cause);
    }
  }

  /** The driver (one pool per connection, closed on close). */
  protected async driver(): Promise<Neo4j.Driver> {
    this.assertOpen();
    if (this.#driver) return this.#driver;
    const neo4j = await this.neo4j();
    const c = this.config;
    const driver = neo4j.driver(c.uri, neo4j.auth.basic(c.username, c.password ?? ''), {
      useBigInt: true,
      connectionTimeout: c.connectTimeoutMs,
      connectionAcquisitionTimeout: c.connectTimeoutMs * 2,
      maxConnectionPoolSize: c.maxConnectionPoolSize,
      maxTransactionRetryTime: 15_000,
      // The driver would log to the console; errors reach callers as typed errors instead.
      logging: { level: 'error', logger: () => undefined },
    });
    this.#driver = driver;
    this.onClose(() => driver.close());
    return driver;
  }

  protected async session(mode: 'READ' | 'WRITE'): Promise<Neo4j.Session> {
    const neo4j = await this.neo4j();
    return (await this.driver()).session({ defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE, ...(this.config.database ? { database: this.config.database } : {}) });
  }

  /** Runs one statement in a managed transaction; driver errors become typed errors. */
  protected async run(mode: 'READ' | 'WRITE', cypher: string, params: Record<string, unknown>, what: string): Promise<Neo4j.Record[]> {
    const session = await this.session(mode);
    try {
      const work = (tx: Neo4j.ManagedTransaction) => tx.run(cypher, params).then((r) => r.records);
      return await (mode === 'READ' ? session.executeRead(work) : session.executeWrite(work));
    } catch (error) {
      throw neo4jError(error, this.type, what, (t) => this.redact(t), mode === 'WRITE');
    } finally {
      await session.close();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Health, lineage
  // -------------------------------------------------------------------------------------------

  protected override endpoints(): Endpoint[] {
    const url = new URL(this.config.uri);
    return [{ host: url.hostname, port: url.port ? Number(url.port) : 7687 }];
  }

  /** Auth tier: a Bolt session authenticated with the configured credentials (server info). */
  protected override async checkAuth(): Promise<string> {
    try {
      const info = await (await this.driver()).getServerInfo(this.config.database ? { database: this.config.database } : {});
      return `authenticated as ${this.config.username} (${info.agent ?? 'Neo4j'}, Bolt ${info.protocolVersion ?? '?'})`;
    } catch (error) {
      throw neo4jError(error, this.type, 'authenticate', (t) => this.redact(t));
    }
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const endpoint = this.endpoints()[0]!;
    return { namespace: `neo4j://${endpoint.host}:${endpoint.port}`, name: `${this.config.database ?? 'neo4j'}.${collection}` };
  }

  #toParam = (neo4j: Driver) => (v: FilterValue | unknown) => paramToNeo4j(v, neo4j);

  // -------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------

  /** Labels in use. */
  async listCollections(options?: { signal?: AbortSignal }): Promise<string[]> {
    options?.signal?.throwIfAborted();
    const records = await this.run('READ', 'CALL db.labels() YIELD label RETURN label ORDER BY label', {}, 'list labels');
    return records.map((r) => String(r.get('label')));
  }

  /**
   * Labels with their properties as Neo4j's schema procedure sees them (`db.schema.nodeTypeProperties`):
   * the Neo4j type names, the Spark type the Neo4j Spark connector gives them, and whether every
   * node has the property. Nested document fields show as their stored dotted keys.
   * @example
   * ```ts
   * const labels = await graph.discover(); // [{ schema: 'neo4j', name: 'Person', columns: [{ name: 'age', dataType: 'Long', sparkType: 'bigint', nullable: false }, …] }]
   * ```
   */
  async discover(_options: { signal?: AbortSignal } = {}): Promise<Array<{ schema: string; name: string; columns: Array<{ name: string; dataType: string; sparkType: string; nullable: boolean }> }>> {
    const records = await this.run(
      'READ',
      'CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName, propertyTypes, mandatory RETURN nodeLabels, propertyName, propertyTypes, mandatory',
      {},
      'discover labels',
    );
    const labels = new Map<string, Array<{ name: string; dataType: string; sparkType: string; nullable: boolean }>>();
    for (const r of records) {
      const property = r.get('propertyName') as string | null;
      for (const label of r.get('nodeLabels') as string[]) {
        const list = labels.get(label) ?? [];
        labels.set(label, list);
        if (!property || list.some((c) => c.name === property)) continue;
        const types = (r.get('propertyTypes') as string[] | null) ?? [];
        list.push({ name: property, dataType: types.join(' | '), sparkType: types.length === 1 ? sparkTypeOfNeo4j(types[0]!) : 'string', nullable: !(r.get('mandatory') as boolean) });
      }
    }
    return [...labels.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, columns]) => ({ schema: this.config.database ?? 'neo4j', name, columns: columns.sort((a, b) => (a.name < b.name ? -1 : 1)) }));
  }

  /** `MATCH … WHERE … RETURN` of one label read (properties projected server-side). */
  async #labelQuery(label: string, options: FindDocumentsOptions, page?: { skip: number; limit: number }): Promise<{ cypher: string; params: Record<string, unknown> }> {
    const neo4j = await this.neo4j();
    const where = filterToCypher(options.filter, this.#toParam(neo4j));
    const params: Record<string, unknown> = { ...where.params };
    let ret = 'properties(n) AS props';
    if (options.projection?.length) {
      for (const p of options.projection) quoteProperty(p);
      params.exact = [...options.projection];
      params.prefixes = options.projection.map((p) => `${p}.`);
      ret = '[k IN keys(n) WHERE k IN $exact OR any(p IN $prefixes WHERE k STARTS WITH p) | [k, n[k]]] AS pairs';
    }
    let cypher = `MATCH (n:${quoteLabel(label)}) WHERE ${where.text} RETURN ${ret}`;
    let limit = options.limit;
    if (page) {
      cypher += ' ORDER BY elementId(n) SKIP $skip';
      params.skip = neo4j.int(page.skip);
      limit = limit === undefined ? page.limit : Math.min(limit, page.limit);
    }
    if (limit !== undefined) {
      cypher += ' LIMIT $limit';
      params.limit = neo4j.int(Math.max(0, Math.floor(limit)));
    }
    return { cypher, params };
  }

  /** Streams the records of a read query as documents. */
  async *#stream(cypher: string, params: Record<string, unknown>, what: string, signal: AbortSignal | undefined, toDoc: (r: Neo4j.Record) => Document): AsyncGenerator<Document> {
    const session = await this.session('READ');
    try {
      const result = session.run(cypher, params);
      for await (const record of result) {
        signal?.throwIfAborted();
        yield toDoc(record);
      }
    } catch (error) {
      throw neo4jError(error, this.type, what, (t) => this.redact(t));
    } finally {
      await session.close();
    }
  }

  async *#find(label: string, options: FindDocumentsOptions, page?: { skip: number; limit: number }): AsyncGenerator<Document> {
    const neo4j = await this.neo4j();
    if (options.native !== undefined) {
      if (!isCypherQuery(options.native)) {
        throw new InvalidArgumentError(`${this.type}: 'native' must be { cypher: string, params?: object }`, { connector: this.type });
      }
      if (options.filter || options.projection?.length) {
        throw new InvalidArgumentError(`${this.type}: a native Cypher query cannot be combined with 'filter' or 'projection'; put them in the Cypher (as $parameters)`, { connector: this.type });
      }
      const params = Object.fromEntries(Object.entries(options.native.params ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => paramToNeo4j(x, neo4j)) : paramToNeo4j(v, neo4j)]));
      let n = 0;
      const limit = options.limit;
      for await (const doc of this.#stream(options.native.cypher, params, 'Cypher query', options.signal, (r) => recordDocument(r, neo4j))) {
        if (limit !== undefined && n++ >= limit) return;
        yield doc;
      }
      return;
    }
    if (options.limit === 0) return;
    const { cypher, params } = await this.#labelQuery(label, options, page);
    yield* this.#stream(cypher, params, `read of :${label}`, options.signal, (r) =>
      options.projection?.length
        ? fromProperties(Object.fromEntries((r.get('pairs') as Array<[string, unknown]>).map(([k, v]) => [k, v])), neo4j)
        : fromProperties(r.get('props') as Record<string, unknown>, neo4j),
    );
  }

  /**
   * Nodes of a label as documents (dotted property keys folded into objects). `options.native`
   * runs `{ cypher, params }` instead: each record becomes a document of its columns (a record
   * of one node column becomes that node's properties).
   */
  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncIterable<Document> {
    if (options.native === undefined) quoteLabel(collection);
    yield* this.#find(collection, options);
  }

  /**
   * SKIP/LIMIT partitions over `ORDER BY elementId(n)`, sized from a count of the matching nodes
   * (the Neo4j Spark connector's split of label reads). A native query reads as one partition.
   * Partitions read in separate transactions: writes during the read can shift rows between them.
   */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const wanted = options.partitions ?? this.config.defaultPartitions;
    if (options.native !== undefined || wanted <= 1) return [{ description: `:${collection}`, find: (o) => this.#find(collection, o) }];
    const neo4j = await this.neo4j();
    const where = filterToCypher(options.filter, this.#toParam(neo4j));
    const [record] = await this.run('READ', `MATCH (n:${quoteLabel(collection)}) WHERE ${where.text} RETURN count(n) AS c`, where.params, `count of :${collection}`);
    const count = Number(record?.get('c') ?? 0);
    const size = Math.max(1, Math.ceil(count / wanted));
    const parts = Math.max(1, Math.min(wanted, Math.ceil(count / size)));
    return Array.from({ length: parts }, (_, i) => ({
      description: `:${collection} ORDER BY elementId SKIP ${i * size} LIMIT ${i === parts - 1 ? 'rest' : size}`,
      // The last partition reads to the end, so nodes added since the count are not lost.
      find: (o: FindDocumentsOptions) => this.#find(collection, o, { skip: i * size, limit: i === parts - 1 ? Number.MAX_SAFE_INTEGER : size }),
    }));
  }

  /** `n.k = $key…` for a key: a value of the key property, or an object of key properties. */
  async #keyMatch(key: DocumentKey, prefix: string): Promise<{ text: string; params: Record<string, unknown> }> {
    const neo4j = await this.neo4j();
    const values: Record<string, unknown> = key !== null && typeof key === 'object' ? (key as Record<string, unknown>) : { [this.config.keyProperty]: key };
    const entries = Object.entries(values);
    if (!entries.length) throw new InvalidArgumentError(`${this.type}: an empty key`, { connector: this.type });
    return {
      text: entries.map(([k], i) => `n.${quoteProperty(k)} = $${prefix}${i}`).join(' AND '),
      params: Object.fromEntries(entries.map(([, v], i) => [`${prefix}${i}`, paramToNeo4j(v, neo4j)])),
    };
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const neo4j = await this.neo4j();
    const match = await this.#keyMatch(key, 'k');
    const projection = options.projection?.length ? options.projection : undefined;
    if (projection) for (const p of projection) quoteProperty(p);
    const ret = projection ? '[k IN keys(n) WHERE k IN $exact OR any(p IN $prefixes WHERE k STARTS WITH p) | [k, n[k]]] AS pairs' : 'properties(n) AS props';
    const records = await this.run(
      'READ',
      `MATCH (n:${quoteLabel(collection)}) WHERE ${match.text} RETURN ${ret} LIMIT 1`,
      { ...match.params, ...(projection ? { exact: [...projection], prefixes: projection.map((p) => `${p}.`) } : {}) },
      `get from :${collection}`,
    );
    const r = records[0];
    if (!r) return undefined;
    return projection ? fromProperties(Object.fromEntries(r.get('pairs') as Array<[string, unknown]>), neo4j) : fromProperties(r.get('props') as Record<string, unknown>, neo4j);
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  /**
   * Upserts nodes: `UNWIND $rows AS row MERGE (n:Label {key: row.key}) SET n = row.props` in
   * batches of `batchSize` (default `writeBatchSize`), one write transaction each (the driver
   * retries transient failures). `SET n =` replaces every property, so an upsert replaces the
   * document. A batch that fails is retried row by row so the failing rows are reported (with
   * Neo4j's message) and the others written.
   */
  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    const neo4j = await this.neo4j();
    const label = quoteLabel(collection);
    const keys = options.keyFields?.length ? [...options.keyFields] : [this.config.keyProperty];
    const mergeKey = keys.map((k, i) => `${quoteProperty(k)}: row.k[${i}]`).join(', ');
    const cypher = `UNWIND $rows AS row MERGE (n:${label} {${mergeKey}}) SET n = row.props`;
    const batchSize = Math.max(1, options.batchSize ?? this.config.writeBatchSize);
    const failed: BulkItemError[] = [];
    let written = 0;
    const write = async (rows: Array<{ index: number; key: DocumentKey | undefined; row: { k: unknown[]; props: Record<string, unknown> } }>) => {
      const session = await this.session('WRITE');
      try {
        await session.executeWrite((tx) => tx.run(cypher, { rows: rows.map((r) => r.row) }));
        written += rows.length;
      } catch (error) {
        if (rows.length > 1) {
          await session.close();
          for (const r of rows) await write([r]);
          return;
        }
        const e = neo4jError(error, this.type, `write to :${collection}`, (t) => this.redact(t), true);
        failed.push({ index: rows[0]!.index, ...(rows[0]!.key !== undefined ? { key: rows[0]!.key } : {}), message: e.message, retryable: e.retryable });
      } finally {
        await session.close();
      }
    };
    let batch: Parameters<typeof write>[0] = [];
    let index = 0;
    for await (const doc of documents) {
      const i = index++;
      const keyValues = keys.map((k) => doc[k]);
      const key = keys.length === 1 ? (keyValues[0] as DocumentKey | undefined) : (Object.fromEntries(keys.map((k, j) => [k, keyValues[j]])) as DocumentKey);
      const missing = keys.filter((_, j) => keyValues[j] === null || keyValues[j] === undefined);
      const notScalar = keys.filter((_, j) => keyValues[j] !== null && typeof keyValues[j] === 'object' && !(keyValues[j] instanceof Date));
      if (missing.length || notScalar.length) {
        failed.push({
          index: i,
          ...(key !== undefined && !missing.length ? { key } : {}),
          message: missing.length ? `key property '${missing[0]}' is missing (nodes are merged on ${keys.join(', ')})` : `key property '${notScalar[0]}' must be a scalar`,
          retryable: false,
        });
        continue;
      }
      batch.push({ index: i, key, row: { k: keyValues.map((v) => paramToNeo4j(v, neo4j)), props: toProperties(doc, neo4j) } });
      if (batch.length >= batchSize) {
        options.signal?.throwIfAborted();
        await write(batch);
        batch = [];
        options.onProgress?.(written);
      }
    }
    if (batch.length) {
      await write(batch);
      options.onProgress?.(written);
    }
    failed.sort((a, b) => a.index - b.index);
    return { written, failed };
  }

  /** Deletes nodes (and their relationships: DETACH DELETE) by key; returns how many existed. */
  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    options.signal?.throwIfAborted();
    const neo4j = await this.neo4j();
    const label = quoteLabel(collection);
    if (!keys.length) return 0;
    const maps = keys.map((key) => (key !== null && typeof key === 'object' ? (key as Record<string, unknown>) : { [this.config.keyProperty]: key }));
    const props = Object.keys(maps[0]!);
    const cond = props.map((p, i) => `n.${quoteProperty(p)} = key[${i}]`).join(' AND ');
    const records = await this.run(
      'WRITE',
      `UNWIND $keys AS key MATCH (n:${label}) WHERE ${cond} DETACH DELETE n RETURN count(*) AS deleted`,
      { keys: maps.map((m) => props.map((p) => paramToNeo4j(m[p], neo4j))) },
      `delete from :${collection}`,
    );
    return Number(records[0]?.get('deleted') ?? 0);
  }

  // -------------------------------------------------------------------------------------------
  // Spark (Neo4j Connector for Apache Spark)
  // -------------------------------------------------------------------------------------------

  protected sparkOptions(): Record<string, string> {
    const c = this.config;
    return {
      url: c.uri,
      'authentication.type': 'basic',
      'authentication.basic.username': c.username,
      ...(c.password !== undefined ? { 'authentication.basic.password': c.password } : {}),
      ...(c.database ? { database: c.database } : {}),
    };
  }

  /**
   * The Spark read of a label (`labels: ':Label'`), or of a Cypher query when
   * `options.options.query` is given (the connector's `query` option).
   */
  sparkRead(collection: string, options: ReadTableOptions = {}): SparkReadSpec {
    const query = options.options?.query;
    return {
      format: 'org.neo4j.spark.DataSource',
      options: { ...this.sparkOptions(), ...(query ? { query } : { labels: `:${quoteLabel(collection).slice(1, -1)}` }) },
      secretOptions: ['authentication.basic.password'],
    };
  }

  /** The Spark write of nodes of a label, merged on `node.keys` (`idFieldList`, else `keyProperty`). */
  sparkWrite(collection: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const { idFieldList, ...rest } = options.options ?? {};
    const keys = (idFieldList ?? this.config.keyProperty).split(',').map((k) => k.trim()).filter(Boolean);
    return {
      format: 'org.neo4j.spark.DataSource',
      options: { ...rest, ...this.sparkOptions(), labels: `:${quoteLabel(collection).slice(1, -1)}`, 'node.keys': keys.join(',') },
      mode: options.mode ?? 'errorIfExists',
      secretOptions: ['authentication.basic.password'],
    };
  }
}

const NEO4J_SPARK: Record<string, string> = {
  Long: 'bigint', Integer: 'bigint', Double: 'double', Float: 'double', String: 'string', Boolean: 'boolean', Date: 'date',
  DateTime: 'timestamp', LocalDateTime: 'timestamp', Time: 'string', LocalTime: 'string', Duration: 'string',
  Point: 'struct<srid:bigint,x:double,y:double>', ByteArray: 'binary',
};

/** The Spark type of a Neo4j property type name (`StringArray` → `array<string>`). */
export function sparkTypeOfNeo4j(type: string): string {
  if (type !== 'ByteArray' && type.endsWith('Array')) return `array<${sparkTypeOfNeo4j(type.slice(0, -'Array'.length))}>`;
  return NEO4J_SPARK[type] ?? 'string';
}

/** A record of a native query as a document: one node column → its properties; else column → value. */
function recordDocument(record: Neo4j.Record, neo4j: Driver): Document {
  if (record.keys.length === 1) {
    const only = record.get(0) as unknown;
    if (neo4j.isNode(only)) return fromProperties((only as Neo4j.Node).properties as Record<string, unknown>, neo4j);
  }
  const doc: Document = {};
  for (const key of record.keys) doc[String(key)] = fromNeo4j(record.get(key), neo4j);
  return doc;
}
