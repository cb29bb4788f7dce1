/**
 * `CatalogConnection`: the family base of catalogs (Unity Catalog, Hive Metastore, Glue, the
 * Iceberg REST catalog, DataHub, …). A catalog holds metadata, not rows: `readTable('main.sales.orders')`
 * looks the table up (`getTable`) and hands the read to the storage connection and table format
 * its metadata names — through a reader registered for that format, or a connector's own
 * `resolveTableRead()`.
 */
import { z } from 'zod';
import type { Catalog, CatalogTable, Namespace } from '../capabilities/catalog.js';
import { SparkleConnection } from '../connection.js';
import type { NativeReadPlan, NativeSource, ReadTableOptions, SparkReadSpec, SparkSource, SparkWriteSpec, WriteTableOptions } from '../engine.js';
import { InvalidArgumentError, SparkleError, UnsupportedOperationError } from '../errors.js';
import type { Endpoint } from '../health.js';
import type { DatasetRef } from '../lineage/types.js';
import { datasetNamespace } from '../lineage/naming.js';
import { serviceConfigSchema, serviceEndpoints } from './service.js';
import { BACKTICKS, splitQualifiedName } from './sql.js';

/** Config of every catalog connection: the service shape plus the default catalog/namespace. */
export const catalogConfigSchema = serviceConfigSchema.extend({
  /** Namespace prefix for names with fewer parts than the catalog's depth (`main` for Unity Catalog). */
  defaultNamespace: z.string().optional(),
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;

/** Where a catalog table's rows are read from: a native source and the name to read there. */
export interface ResolvedTableRead {
  /** A connection (or any native source) that reads the data: a storage or table-format connection. */
  source: NativeSource;
  /** The table or path to pass it (`s3://lake/orders`, `orders/`). */
  table: string;
  /** Options merged over the caller's (a format, a snapshot version). */
  options?: ReadTableOptions;
  /** Releases what resolving opened; runs when the catalog connection closes. */
  close?: () => Promise<void> | void;
}

/** Resolves a table of one format to a reader. Table-format packages register one. */
export type TableFormatReader = (table: CatalogTable, context: { catalog: CatalogConnection; signal?: AbortSignal }) => Promise<ResolvedTableRead>;

const READERS_KEY = Symbol.for('sparkle.table-format-readers.v1');

function readers(): Map<string, TableFormatReader> {
  const g = globalThis as Record<symbol, unknown>;
  g[READERS_KEY] ??= new Map<string, TableFormatReader>();
  return g[READERS_KEY] as Map<string, TableFormatReader>;
}

/**
 * Registers how catalog tables of a format are read (last registration wins). Lives on a
 * `globalThis` key, as the connection registry does, so every installed copy of core sees it.
 *
 * @example
 * ```ts
 * registerTableFormatReader('delta', async (table, { catalog }) => {
 *   const delta = await getConnection('delta', { config: { location: table.location } });
 *   return { source: delta as unknown as NativeSource, table: table.location!, close: () => delta.close() };
 * });
 * ```
 */
export function registerTableFormatReader(format: string, reader: TableFormatReader): void {
  readers().set(format.toLowerCase(), reader);
}

/** The reader registered for a format, if any. */
export function tableFormatReader(format: string): TableFormatReader | undefined {
  return readers().get(format.toLowerCase());
}

/** Removes a format's reader (tests). */
export function unregisterTableFormatReader(format: string): boolean {
  return readers().delete(format.toLowerCase());
}

/**
 * Base class of catalog connections. A connector implements the three `Catalog` listing methods
 * (and `createTable`/`dropTable`/`tableLineage` where its API has them); the base gives it
 * `readTable` through the table's format, Spark's named-table read, catalog dataset names for
 * lineage, and a health probe that lists the top-level namespaces.
 *
 * @example
 * ```ts
 * class UnityCatalogConnection extends CatalogConnection {
 *   static override description = 'Databricks Unity Catalog';
 *   async listNamespaces(parent?: Namespace) { … GET /catalogs or /schemas?catalog_name= … }
 *   async listTables(ns: Namespace) { … GET /tables?catalog_name=&schema_name= … }
 *   async getTable(name: readonly string[]) { … GET /tables/{full_name} … }
 * }
 * const orders = await uc.readTable('main.sales.orders'); // read from its storage location, by its format
 * ```
 */
export abstract class CatalogConnection<TConfig extends CatalogConfig = CatalogConfig>
  extends SparkleConnection<TConfig>
  implements Catalog, NativeSource, SparkSource
{
  static override schema: z.ZodType = catalogConfigSchema;
  static override family = 'catalog';
  /** The catalog holds metadata: rows are written through the storage connector, not here. */
  static withoutCapabilities: readonly string[] = ['write'];
  /** Scheme of this catalog's lineage namespace (`hive`, `glue`, `unity`); default the type. */
  static lineageScheme?: string;
  /** Default port when config gives a host without one. */
  static defaultPort?: number;

  abstract listNamespaces(parent?: Namespace, options?: { signal?: AbortSignal }): Promise<Namespace[]>;
  abstract listTables(namespace: Namespace, options?: { signal?: AbortSignal }): Promise<string[]>;
  abstract getTable(name: readonly string[], options?: { signal?: AbortSignal }): Promise<CatalogTable>;

  protected override endpoints(): Endpoint[] {
    return serviceEndpoints(this.config, (this.constructor as typeof CatalogConnection).defaultPort);
  }

  /**
   * A table name's parts: dotted, with backticks around parts that contain dots
   * (`` main.`sales.eu`.orders ``), prefixed by `defaultNamespace` when configured and the name is
   * unqualified.
   */
  tableName(table: string): string[] {
    const parts = splitQualifiedName(table, BACKTICKS);
    if (parts.length === 0 || parts.some((p) => p.length === 0)) {
      throw new InvalidArgumentError(`Invalid catalog table name '${table}': use dotted parts like 'catalog.schema.table'.`, { connector: this.type });
    }
    const prefix = this.config.defaultNamespace;
    return parts.length === 1 && prefix ? [...splitQualifiedName(prefix, BACKTICKS), ...parts] : parts;
  }

  /**
   * Lineage names a catalog table by the catalog, as OpenLineage's naming does for metastore
   * tables: namespace `<scheme>://<host>:<port>` of the catalog service, name the dotted table.
   */
  override dataset(table: string): DatasetRef {
    const scheme = (this.constructor as typeof CatalogConnection).lineageScheme ?? this.type;
    // Named from config, not from the network tier: a connection with no network check still has an identity.
    const endpoint = serviceEndpoints(this.config, (this.constructor as typeof CatalogConnection).defaultPort)[0];
    let name: string;
    try {
      name = this.tableName(table).join('.');
    } catch {
      name = table;
    }
    return { namespace: datasetNamespace({ scheme, host: endpoint?.host, port: endpoint?.port }), name };
  }

  /**
   * Where a catalog table's rows come from. Default: the reader registered for the table's
   * format. Views and tables without a location are refused — they are read through Spark,
   * whose session resolves them in the catalog itself.
   */
  protected async resolveTableRead(table: CatalogTable, signal?: AbortSignal): Promise<ResolvedTableRead> {
    const qualified = [...table.namespace, table.name].join('.');
    if (table.format === 'view' || table.tableType === 'VIEW') {
      throw new UnsupportedOperationError(`${this.type}: '${qualified}' is a view; the local engine reads only tables with a storage location. Read it through Spark (getConnection(..., { spark })).`, {
        connector: this.type,
      });
    }
    const format = table.format ?? 'unknown';
    const reader = tableFormatReader(format);
    if (!reader) {
      throw new UnsupportedOperationError(
        `${this.type}: table '${qualified}' is stored as '${format}'${table.location ? ` at ${table.location}` : ''}, and no reader is registered for the '${format}' format. ` +
          `Install and import the connector for that table format (it calls registerTableFormatReader('${format}', …)), override resolveTableRead(), or read it through Spark.`,
        { connector: this.type, details: { table: qualified, format } },
      );
    }
    return reader(table, { catalog: this as unknown as CatalogConnection, signal });
  }

  /** Resolves the table through `getTable`, then plans the read on its storage source. */
  async nativeRead(table: string, options: ReadTableOptions = {}): Promise<NativeReadPlan> {
    const meta = await this.getTable(this.tableName(table), { signal: options.signal });
    const resolved = await this.resolveTableRead(meta, options.signal);
    if (resolved.close) this.onClose(resolved.close);
    return resolved.source.nativeRead(resolved.table, { ...options, ...resolved.options, options: { ...options.options, ...resolved.options?.options } });
  }

  nativeWrite(): never {
    throw new UnsupportedOperationError(
      `${this.type} is a catalog: it registers tables but does not write rows. Write through the storage or table-format connector, then register the table (createTable).`,
      { connector: this.type },
    );
  }

  /** Spark reads a catalog table by name: the session's catalog (configured for this catalog) resolves it. */
  sparkRead(table: string, _options: ReadTableOptions = {}): SparkReadSpec {
    return { format: 'table', namedTable: this.tableName(table).join('.'), options: {}, secretOptions: [] };
  }

  /** Spark writes a catalog table with `saveAsTable`; the format defaults to the table's own (options.format, else delta). */
  sparkWrite(table: string, options: WriteTableOptions = {}): SparkWriteSpec {
    return {
      format: options.options?.format ?? 'delta',
      options: Object.fromEntries(Object.entries(options.options ?? {}).filter(([k]) => k !== 'format')),
      mode: options.mode ?? 'errorIfExists',
      table: { name: this.tableName(table).join('.'), saveMethod: 'saveAsTable' },
      partitionBy: options.partitionBy,
      secretOptions: [],
    };
  }

  /**
   * Runs a catalog change (register, drop, alter) as a lineage `metadata` run whose output is
   * the table, so registrations show up in lineage like writes do. Connectors call it from
   * `createTable`/`dropTable`.
   *
   * @example
   * ```ts
   * async createTable(spec: CatalogTableSpec) {
   *   return this.metadataChange([...spec.namespace, spec.name], 'createTable', () => this.api.post('/tables', spec));
   * }
   * ```
   */
  protected async metadataChange<T>(table: readonly string[], action: string, change: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const run = this.lineageRun('metadata', table.map((p) => (p.includes('.') ? `\`${p}\`` : p)).join('.'), { action });
    await run.start();
    try {
      const result = await change();
      await run.complete();
      return result;
    } catch (error) {
      const e = SparkleError.isInstance(error) ? error : this.wrapError(error, action);
      await run.fail(e);
      throw e;
    }
  }

  /**
   * The family's health probe: list the top-level namespaces. It needs credentials, so a wrong
   * token fails here. Override for catalogs with a cheaper call.
   */
  protected async probeCatalog(signal: AbortSignal): Promise<string> {
    const namespaces = await this.listNamespaces(undefined, { signal });
    return `listed ${namespaces.length} top-level namespace${namespaces.length === 1 ? '' : 's'}`;
  }

  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    return this.probeCatalog(signal);
  }
}
