/**
 * `HBaseConnection`: Apache HBase as a document/key-value store, through HBase's REST gateway
 * (Stargate) over core's shared HTTP client — no maintained Node HBase client exists.
 *
 * A collection is a table of the configured namespace; a document is a row. Without a declared
 * schema, each top-level field is a cell `<family>:<field>` holding JSON (types kept, see
 * `codec.ts`); with `tables.<name>.columns` declared, fields are typed cells (`utf8`, `int64`,
 * `double`, `binary`, HBase `Bytes` encodings) and the row key has a declared type.
 *
 * Reads are scanners: filters on the key field become row gets (`eq`, `in`), a `PrefixFilter`
 * with its start row (`prefix`) or a row range (`gt`/`gte`/`lt`/`lte` on text keys); projections
 * become the scanner's columns; everything else is evaluated client-side with core's
 * `matchesFilter` (HBase has no query language over JSON values). Reads split one partition per
 * region, as hbase-spark and TableInputFormat split them. Writes are multi-row puts, a bounded
 * number in flight; an upsert replaces the row (cells the new document no longer has are deleted).
 */
import {
  InvalidArgumentError,
  NoSQLConnection,
  QueryError,
  UnsupportedOperationError,
  basicAuth,
  createHttpClient,
  discoverCollections,
  fieldValue,
  matchesFilter,
  upsertInBatches,
  type BulkItem,
  type BulkItemFailure,
  type BulkWriteResult,
  type ColumnSpec,
  type ConnectionInit,
  type DatasetRef,
  type DiscoveredCollection,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type Endpoint,
  type Filter,
  type FindDocumentsOptions,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type UpsertDocumentsOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import { hbaseConfigSchema, NAME, type DeclaredTable, type HBaseConfig } from './config.js';
import { columnTypeOf, compareKeys, decodeField, decodeTyped, encodeField, encodeTyped, keyText, prefixEnd, text, utf8, type CellType } from './codec.js';
import { HBaseRest, type HBasePut, type HBaseRow, type ScanSpec } from './rest.js';

/** A table found by {@link HBaseConnection.discover}: its namespace and column families too. */
export interface DiscoveredHBaseTable extends DiscoveredCollection {
  namespace: string;
  families: string[];
}

/** What a filter says about row keys. */
type KeyPushdown = { keys: unknown[] } | { range: { start?: Uint8Array; end?: Uint8Array; prefix?: Uint8Array } } | undefined;

type PutItem = BulkItem & { put: HBasePut };

/** hbase-spark's type names for declared cell types. */
const SPARK_TYPES: Record<CellType, string> = { utf8: 'STRING', int64: 'LONG', double: 'DOUBLE', binary: 'BINARY' };

/** Runs `run` over `items` with at most `limit` at once. */
async function bounded<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await run(items[i]!);
      }
    }),
  );
  return out;
}

/** Picks dotted paths out of a document, keeping their nesting. */
function project(doc: Document, projection: readonly string[] | undefined): Document {
  if (!projection?.length) return doc;
  const out: Document = {};
  for (const path of projection) {
    const value = fieldValue(doc, path);
    if (value === undefined) continue;
    const parts = path.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Document;
    target[parts.at(-1)!] = value;
  }
  return out;
}

/** Top-level fields a filter reads. */
function filterFields(filter: Filter | undefined): string[] {
  if (!filter) return [];
  if ('and' in filter) return filter.and.flatMap(filterFields);
  if ('or' in filter) return filter.or.flatMap(filterFields);
  if ('not' in filter) return filterFields(filter.not);
  return [filter.field.split('.')[0]!];
}

/**
 * The `hbase` connection.
 *
 * @example
 * ```ts
 * import { getConnection, where } from '@sparkle/core';
 * import '@sparkle/connector-hbase';
 * await using hbase = await getConnection('hbase', { config: { url: 'http://127.0.0.1:8070', namespace: 'default' } });
 * await hbase.upsertDocuments('orders', [{ _id: 'o-1', status: 'open', total: 12.5 }]);
 * const frame = await hbase.readTable('orders', { filter: where.prefix('_id', 'o-') });
 * ```
 */
export class HBaseConnection extends NoSQLConnection<HBaseConfig> {
  static override schema = hbaseConfigSchema;
  static override family = 'nosql';
  static override description = 'Apache HBase through its REST gateway: tables as collections, rows as documents (JSON cells or declared typed columns)';
  readonly #rest: HBaseRest;
  /** Column families of tables seen or created by this connection. */
  readonly #known = new Map<string, string[]>();

  constructor(init: ConnectionInit) {
    super(init);
    const { url, user, password, timeoutMs, namespace } = this.config;
    const http = createHttpClient({
      baseUrl: url,
      connector: this.type,
      timeoutMs,
      maxErrorBodyChars: 2000,
      retry: { attempts: 3, baseDelayMs: 200 },
      ...(user !== undefined && password !== undefined ? { auth: basicAuth(user, password) } : {}),
    });
    this.#rest = new HBaseRest(http, this.type, namespace);
  }

  protected override endpoints(): Endpoint[] {
    const u = new URL(this.config.url);
    return [{ host: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 }];
  }

  /** Auth tier: the cluster's version and status (`/version/cluster`, `/status/cluster`). */
  protected override async checkAuth(): Promise<string> {
    this.assertOpen();
    const version = await this.#rest.versionCluster();
    const status = await this.#rest.statusCluster();
    return `HBase ${version.Version ?? '(version unknown)'}, ${status.LiveNodes?.length ?? 0} live / ${status.DeadNodes?.length ?? 0} dead region server(s)`;
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    const u = new URL(this.config.url);
    return { namespace: `hbase://${u.host}`, name: `${this.config.namespace}:${collection}` };
  }

  /** Validates a table name: HBase qualifier characters only, so no name can reach another path. */
  #table(name: string): string {
    if (!NAME.test(name)) {
      throw new InvalidArgumentError(`Invalid HBase table name '${name.slice(0, 80)}': use letters, digits, '_', '.', '-' (set the namespace with 'namespace' in the config)`, {
        connector: this.type,
      });
    }
    return name;
  }

  #declared(table: string): DeclaredTable | undefined {
    return this.config.tables[table];
  }

  /** Families of an existing table; a clear error when the table does not exist. */
  async #families(table: string, signal?: AbortSignal): Promise<string[]> {
    const families = await this.#rest.families(table, signal);
    if (!families) {
      throw new QueryError(`HBase table '${this.#rest.qualified(table)}' does not exist; check 'namespace' in the config, or list tables with discover()`, {
        connector: this.type,
        details: { table: this.#rest.qualified(table) },
      });
    }
    this.#known.set(table, families);
    return families;
  }

  /** The families a table's documents use: the document family, or the declared columns' families. */
  #familiesOf(table: string): string[] {
    const declared = this.#declared(table);
    if (!declared) return [this.config.family];
    return [...new Set(Object.values(declared.columns).map((c) => c.column.split(':')[0]!))];
  }

  /** Refuses a read or write of a declared column whose family the table lacks. */
  #checkFamilies(table: string, families: readonly string[]): void {
    const missing = this.#familiesOf(table).filter((f) => !families.includes(f));
    if (missing.length) {
      throw new QueryError(
        `HBase table '${this.#rest.qualified(table)}' has no column famil${missing.length > 1 ? 'ies' : 'y'} ${missing.map((f) => `'${f}'`).join(', ')} (it has ${families.map((f) => `'${f}'`).join(', ') || 'none'}); ` +
          (this.#declared(table) ? `fix tables.${table}.columns in the config` : `set 'family' in the config to one of them`),
        { connector: this.type, details: { table: this.#rest.qualified(table), missing, families } },
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Rows ↔ documents
  // -------------------------------------------------------------------------------------------

  /** The row key bytes of a document key. */
  #rowKey(table: string, key: DocumentKey, keyFields: readonly string[] = [this.config.keyField]): Uint8Array {
    const declared = this.#declared(table);
    let value: unknown = key;
    if (key !== null && typeof key === 'object') {
      const record = key as Record<string, unknown>;
      if (keyFields.length === 1) value = record[keyFields[0]!];
      else {
        if (declared) throw new Error(`a declared table's row key is one field ('${this.config.keyField}'), not ${keyFields.join(', ')}`);
        return utf8(keyFields.map((f) => keyText(record[f])).join(':'));
      }
    }
    if (!declared || declared.rowKey === 'utf8') {
      if (declared && typeof value !== 'string') throw new Error(`the row key of '${table}' is declared utf8: field '${this.config.keyField}' must hold a string`);
      return utf8(keyText(value));
    }
    return encodeTyped(this.config.keyField, value, declared.rowKey);
  }

  /** A row as a document. */
  #document(table: string, row: HBaseRow): Document {
    const declared = this.#declared(table);
    const doc: Document = {};
    if (declared) {
      doc[this.config.keyField] = declared.rowKey === 'utf8' ? text(row.key) : decodeTyped(row.key, declared.rowKey);
      for (const [field, { column, type }] of Object.entries(declared.columns)) {
        const bytes = row.cells.get(column);
        if (bytes === undefined) continue;
        try {
          doc[field] = decodeTyped(bytes, type);
        } catch (cause) {
          throw new QueryError(
            `HBase table '${this.#rest.qualified(table)}', row '${text(row.key)}', column '${column}': ${(cause as Error).message}; tables.${table}.columns.${field}.type does not match the stored value (use 'binary' to read it as is)`,
            { connector: this.type, cause, details: { table: this.#rest.qualified(table), column } },
          );
        }
      }
      return doc;
    }
    const prefix = `${this.config.family}:`;
    for (const [column, bytes] of row.cells) {
      if (!column.startsWith(prefix)) continue;
      try {
        doc[column.slice(prefix.length)] = decodeField(bytes);
      } catch (cause) {
        throw new QueryError(
          `HBase table '${this.#rest.qualified(table)}', row '${text(row.key)}', column '${column}' does not hold a JSON document field (${(cause as Error).message}); declare the table's typed columns under tables.${table}.columns to read raw cells`,
          { connector: this.type, cause, details: { table: this.#rest.qualified(table), column } },
        );
      }
    }
    return doc;
  }

  /** A document's cells. Throws a plain `Error` naming the field for a value that does not fit. */
  #cells(table: string, doc: Document): HBasePut['cells'] {
    const declared = this.#declared(table);
    const cells: HBasePut['cells'] = [];
    for (const [field, value] of Object.entries(doc)) {
      if (value === undefined) continue;
      if (!declared) {
        cells.push({ column: `${this.config.family}:${field}`, value: encodeField(value) });
        continue;
      }
      if (field === this.config.keyField) continue; // it is the row key
      const column = declared.columns[field];
      if (!column) throw new Error(`field '${field}' is not a declared column of '${table}' (tables.${table}.columns)`);
      if (value === null) continue; // no cell: HBase has no null
      cells.push({ column: column.column, value: encodeTyped(field, value, column.type) });
    }
    return cells;
  }

  /** Scanner columns for a projection (plus the fields a filter needs); `undefined` reads whole families. */
  #columns(table: string, projection: readonly string[] | undefined, filter: Filter | undefined): string[] {
    const families = this.#familiesOf(table);
    if (!projection?.length) return families;
    const fields = new Set([...projection.map((p) => p.split('.')[0]!), ...filterFields(filter)]);
    const declared = this.#declared(table);
    const columns = [...fields].flatMap((f) => (declared ? (f === this.config.keyField ? [] : declared.columns[f] ? [declared.columns[f].column] : []) : [`${this.config.family}:${f}`]));
    // Only the row key projected: any one column still finds the rows (HBase has no key-only scan here).
    return columns.length ? columns : families;
  }

  /** Key filters that become gets, a prefix or a row range. */
  #keyPushdown(table: string, filter: Filter | undefined): KeyPushdown {
    if (!filter) return undefined;
    const key = this.config.keyField;
    const declared = this.#declared(table);
    const textKeys = !declared || declared.rowKey === 'utf8';
    const parts = 'and' in filter ? filter.and : [filter];
    const range: { start?: Uint8Array; end?: Uint8Array; prefix?: Uint8Array } = {};
    for (const part of parts) {
      if (!('field' in part) || part.field !== key) continue;
      const ok = (v: unknown) => v !== null && v !== undefined && (typeof v !== 'number' || Number.isFinite(v));
      if (part.op === 'eq' && ok(part.value)) return { keys: [part.value] };
      if (part.op === 'in' && part.values.every(ok)) return { keys: [...new Set(part.values)] };
      if (!textKeys) continue;
      // Byte order is text order only for strings: numbers stored as text do not range-scan.
      if (part.op === 'prefix') range.prefix = utf8(part.value);
      else if ((part.op === 'gte' || part.op === 'gt') && typeof part.value === 'string') range.start = utf8(part.value);
      else if (part.op === 'lt' && typeof part.value === 'string') range.end = utf8(part.value);
      else if (part.op === 'lte' && typeof part.value === 'string') range.end = Uint8Array.from([...utf8(part.value), 0]);
    }
    return Object.keys(range).length ? { range } : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // DocumentStore
  // -------------------------------------------------------------------------------------------

  async listCollections(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    this.assertOpen();
    return this.#rest.tables(options.signal);
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[]; signal?: AbortSignal } = {}): Promise<Document | undefined> {
    const table = this.#table(collection);
    this.#checkFamilies(table, await this.#families(table, options.signal));
    const [row] = await this.#getRows(table, [key], this.#columns(table, options.projection, undefined), options.signal);
    return row ? project(this.#document(table, row), options.projection) : undefined;
  }

  /** Rows by document key: a multi-get for text keys, a one-row scanner each for binary ones. */
  async #getRows(table: string, keys: readonly unknown[], columns: readonly string[], signal?: AbortSignal): Promise<HBaseRow[]> {
    const rowKeys = keys.map((k) => this.#keyBytes(table, k));
    const declared = this.#declared(table);
    if (!declared || declared.rowKey === 'utf8') {
      const out: HBaseRow[] = [];
      for (let i = 0; i < rowKeys.length; i += 100) out.push(...(await this.#rest.multiGet(table, rowKeys.slice(i, i + 100).map(text), columns, signal)));
      return out.sort((a, b) => compareKeys(a.key, b.key));
    }
    const rows = await bounded(rowKeys, this.config.writeConcurrency, async (k) => {
      for await (const row of this.#rest.scan(table, { startRow: k, endRow: Uint8Array.from([...k, 0]), columns, batch: this.config.scanBatch }, signal)) return row;
      return undefined;
    });
    return rows.filter((r): r is HBaseRow => r !== undefined).sort((a, b) => compareKeys(a.key, b.key));
  }

  #keyBytes(table: string, key: unknown): Uint8Array {
    try {
      return this.#rowKey(table, key as DocumentKey);
    } catch (cause) {
      throw new InvalidArgumentError(`${(cause as Error).message}`, { connector: this.type, cause });
    }
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    yield* this.#find(this.#table(collection), options);
  }

  /** Finds documents, optionally within one region's row range. */
  async *#find(table: string, options: FindDocumentsOptions, region?: { start: Uint8Array; end: Uint8Array }): AsyncGenerator<Document> {
    if (options.native !== undefined) {
      throw new UnsupportedOperationError('HBase has no query language over values: use a typed filter (key-field filters become row gets, prefixes and ranges)', { connector: this.type });
    }
    this.#checkFamilies(table, await this.#families(table, options.signal));
    const columns = this.#columns(table, options.projection, options.filter);
    const pushdown = this.#keyPushdown(table, options.filter);
    let rows: AsyncIterable<HBaseRow>;
    if (pushdown && 'keys' in pushdown) {
      const found = await this.#getRows(table, pushdown.keys, columns, options.signal);
      rows = (async function* () {
        yield* found;
      })();
    } else {
      const spec = this.#scanSpec(pushdown?.range, region, columns, options.pageSize);
      if (!spec) return;
      rows = this.#rest.scan(table, spec, options.signal);
    }
    let n = 0;
    for await (const row of rows) {
      const doc = this.#document(table, row);
      if (options.filter && !matchesFilter(doc, options.filter)) continue;
      if (options.limit !== undefined && n >= options.limit) return;
      n++;
      yield project(doc, options.projection);
      if (options.limit !== undefined && n >= options.limit) return;
    }
  }

  /** The scan of a key range within a region; `undefined` when they do not overlap. */
  #scanSpec(range: { start?: Uint8Array; end?: Uint8Array; prefix?: Uint8Array } | undefined, region: { start: Uint8Array; end: Uint8Array } | undefined, columns: readonly string[], pageSize?: number): ScanSpec | undefined {
    const starts = [range?.start, range?.prefix, region?.start].filter((k): k is Uint8Array => Boolean(k?.length));
    const ends = [range?.end, range?.prefix ? prefixEnd(range.prefix) : undefined, region?.end].filter((k): k is Uint8Array => Boolean(k?.length));
    const start = starts.sort(compareKeys).at(-1);
    const end = ends.sort(compareKeys)[0];
    if (start && end && compareKeys(start, end) >= 0) return undefined;
    return { ...(start ? { startRow: start } : {}), ...(end ? { endRow: end } : {}), ...(range?.prefix ? { prefix: range.prefix } : {}), columns, batch: pageSize ?? this.config.scanBatch };
  }

  /**
   * One partition per region (`/<table>/regions`), as hbase-spark splits a scan; a read by
   * exact keys is one partition. `partitions` is not used: regions decide.
   */
  override async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    const table = this.#table(collection);
    await this.#families(table, options.signal);
    const pushdown = this.#keyPushdown(table, options.filter);
    if (pushdown && 'keys' in pushdown) return [{ description: `${table} (row gets)`, find: (o) => this.#find(table, o) }];
    const regions = await this.#rest.regions(table, options.signal);
    return regions.map((r) => ({
      description: `${table} region ${r.name} on ${r.location}`,
      find: (o: FindDocumentsOptions) => this.#find(table, o, { start: r.startKey, end: r.endKey }),
    }));
  }

  /** Creates a missing table with the families its documents use. */
  async #ensureTable(table: string, signal?: AbortSignal): Promise<void> {
    const families = this.#known.get(table) ?? (await this.#rest.families(table, signal));
    if (families) {
      this.#checkFamilies(table, families);
      this.#known.set(table, families);
      return;
    }
    await this.#rest.createTable(table, this.#familiesOf(table), signal);
    this.#known.set(table, this.#familiesOf(table));
  }

  /**
   * Upserts by row key in multi-row puts of `batchSize`, up to `writeConcurrency` in flight. A
   * document replaces its row: cells of the families it uses that the new document lacks are
   * deleted after the put. A put the gateway refuses for a bad request is retried row by row to
   * name the rows at fault; transient failures (5xx, network) are retried whole.
   */
  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    const table = this.#table(collection);
    this.assertOpen();
    await this.#ensureTable(table, options.signal);
    const keyFields = options.keyFields?.length ? options.keyFields : [this.config.keyField];
    const batchSize = options.batchSize ?? this.config.batchSize;
    const concurrency = this.config.writeConcurrency;
    return upsertInBatches<PutItem>(documents, {
      keyFields,
      batchSize: batchSize * concurrency,
      backoff: { baseMs: 100, maxMs: 5000 },
      ...(options.itemRetries !== undefined ? { itemRetries: options.itemRetries } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      toItem: (doc, index, key) => ({ index, key, doc, put: { key: this.#rowKey(table, key, keyFields), cells: this.#cells(table, doc) } }),
      send: async (items) => {
        const chunks: PutItem[][] = [];
        for (let i = 0; i < items.length; i += batchSize) chunks.push(items.slice(i, i + batchSize));
        const failures = (await bounded(chunks, concurrency, (chunk) => this.#putChunk(table, chunk, options.signal))).flat();
        const failed = new Set(failures.map((f) => f.item));
        await this.#dropStaleCells(table, items.filter((i) => !failed.has(i)), options.signal);
        return failures;
      },
    });
  }

  async #putChunk(table: string, chunk: PutItem[], signal?: AbortSignal): Promise<Array<BulkItemFailure<PutItem>>> {
    try {
      await this.#rest.put(table, chunk.map((i) => i.put), signal);
      return [];
    } catch (error) {
      const typed = this.#rest.error(error, `putting ${chunk.length} row(s) into '${this.#rest.qualified(table)}'`, table);
      if (typed.retryable || chunk.length === 1) return chunk.map((item) => ({ item, message: this.redact(typed.message), retryable: typed.retryable }));
      // Refused whole: find the rows at fault one by one (the gateway applies a CellSet as one batch).
      return (await bounded(chunk, this.config.writeConcurrency, (item) => this.#putChunk(table, [item], signal))).flat();
    }
  }

  /** Deletes the cells a replaced row no longer has (rows with text keys; declared binary keys are only overwritten). */
  async #dropStaleCells(table: string, items: PutItem[], signal?: AbortSignal): Promise<void> {
    const declared = this.#declared(table);
    if (!items.length || (declared && declared.rowKey !== 'utf8')) return;
    const families = this.#familiesOf(table);
    const existing = new Map<string, HBaseRow>();
    for (let i = 0; i < items.length; i += 100) {
      for (const row of await this.#rest.multiGet(table, items.slice(i, i + 100).map((it) => text(it.put.key)), families, signal)) existing.set(text(row.key), row);
    }
    const stale = items.flatMap((item) => {
      const row = existing.get(text(item.put.key));
      if (!row) return [];
      const written = new Set(item.put.cells.map((c) => c.column));
      const drop = [...row.cells.keys()].filter((c) => !written.has(c));
      return drop.length ? [{ key: text(item.put.key), drop }] : [];
    });
    await bounded(stale, this.config.writeConcurrency, ({ key, drop }) => this.#rest.deleteRow(table, key, drop, signal));
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const table = this.#table(collection);
    const declared = this.#declared(table);
    if (declared && declared.rowKey !== 'utf8') {
      throw new UnsupportedOperationError(`deleting rows of '${table}' by ${declared.rowKey} row key: the REST gateway takes row keys in paths as UTF-8 text only`, { connector: this.type });
    }
    await this.#families(table, options.signal);
    const rows = await this.#getRows(table, keys, this.#familiesOf(table), options.signal);
    await bounded(rows, this.config.writeConcurrency, (row) => this.#rest.deleteRow(table, text(row.key), undefined, options.signal));
    return rows.length;
  }

  // -------------------------------------------------------------------------------------------
  // Tables through the local engine
  // -------------------------------------------------------------------------------------------

  /** Declared tables read with their declared types; others are inferred from a sample. */
  protected override async collectionColumns(collection: string): Promise<ColumnSpec[] | undefined> {
    const declared = this.#declared(collection);
    if (!declared) return undefined;
    return [
      { name: this.config.keyField, type: declared.rowKey, nullable: false },
      ...Object.entries(declared.columns).map(([name, c]) => ({ name, type: columnTypeOf(c.type) })),
    ];
  }

  /** A read is also refused early when the table is missing (before sampling). */
  override async nativeRead(collection: string, options: ReadTableOptions) {
    const table = this.#table(collection);
    this.#checkFamilies(table, await this.#families(table, options.signal));
    return super.nativeRead(table, options);
  }

  /**
   * Namespaces visible, and every table of the configured namespace with its column families and
   * columns (declared, or inferred from a sample of rows).
   * @example
   * ```ts
   * import type { HBaseConnection } from '@sparkle/connector-hbase';
   * declare const hbase: HBaseConnection;
   * for (const t of await hbase.discover({ sampleSize: 50 })) console.log(t.namespace, t.name, t.families, t.columns);
   * ```
   */
  async discover(options: { sampleSize?: number; collections?: readonly string[]; signal?: AbortSignal } = {}): Promise<DiscoveredHBaseTable[]> {
    const names = options.collections ?? (await this.listCollections(options.signal ? { signal: options.signal } : {}));
    const out: DiscoveredHBaseTable[] = [];
    for (const name of names) {
      const families = (await this.#rest.families(name, options.signal)) ?? [];
      const declaredColumns = await this.collectionColumns(name);
      const usable = this.#familiesOf(name).every((f) => families.includes(f));
      const [found] = declaredColumns || !usable ? [undefined] : await discoverCollections(this, { collections: [name], ...(options.sampleSize ? { sampleSize: options.sampleSize } : {}) });
      out.push({ name, namespace: this.config.namespace, families, columns: declaredColumns ?? found?.columns ?? [], sampled: found?.sampled ?? 0 });
    }
    return out;
  }

  /** Every namespace the gateway lists. */
  async namespaces(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    this.assertOpen();
    return this.#rest.namespaces(options.signal);
  }

  // -------------------------------------------------------------------------------------------
  // Spark: hbase-spark (`org.apache.hadoop.hbase.spark`)
  // -------------------------------------------------------------------------------------------

  /** hbase-spark options of a declared table: its column mapping (`name TYPE family:qualifier`, the key as `:key`). */
  #sparkOptions(table: string): Record<string, string> {
    this.#table(table);
    const declared = this.#declared(table);
    if (!declared) {
      throw new UnsupportedOperationError(
        `hbase-spark needs typed columns: declare tables.${table}.columns (and rowKey) in the config; JSON document cells have no Spark type`,
        { connector: this.type },
      );
    }
    const key = `${this.config.keyField} ${SPARK_TYPES[declared.rowKey]} :key`;
    const mapping = [key, ...Object.entries(declared.columns).map(([name, c]) => `${name} ${SPARK_TYPES[c.type]} ${c.column}`)].join(', ');
    return {
      'hbase.table': this.#rest.qualified(table),
      'hbase.columns.mapping': mapping,
      // The Spark server reads hbase-site.xml (ZooKeeper quorum) itself; no HBaseContext from a driver.
      'hbase.spark.use.hbasecontext': 'false',
      'hbase.spark.pushdown.columnfilter': 'true',
    };
  }

  /** An hbase-spark read of a declared table. */
  sparkRead(table: string, options: ReadTableOptions = {}): SparkReadSpec {
    return {
      format: 'org.apache.hadoop.hbase.spark',
      options: {
        ...this.#sparkOptions(table),
        'hbase.spark.query.batchsize': String(options.fetchSize ?? this.config.scanBatch),
        'hbase.spark.query.cachedrows': String(options.fetchSize ?? this.config.scanBatch),
      },
      secretOptions: [],
    };
  }

  /** An hbase-spark write into a declared table (puts by row key: every mode appends/upserts on the HBase side). */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    return {
      format: 'org.apache.hadoop.hbase.spark',
      options: { ...this.#sparkOptions(table), ...options.options },
      mode: options.mode ?? 'errorIfExists',
      secretOptions: [],
    };
  }
}

