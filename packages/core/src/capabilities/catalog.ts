/**
 * The catalog capability: Unity Catalog, Hive Metastore, Glue, DataHub, Atlas, Purview, Amundsen
 * and the Iceberg REST catalog — shaped after Unity Catalog's and Iceberg's REST APIs
 * (catalogs → schemas/namespaces → tables, each table with a format, a storage location, columns
 * and properties) and Spark's catalog plugin. A catalog holds metadata, not rows: a catalog
 * table resolves to a storage connector plus a table format, which is how `readTable` reads it.
 */

/** A multi-level name: `['main', 'sales']` for a Unity Catalog schema, `['db']` for Hive/Glue. */
export type Namespace = readonly string[];

/** A column as the catalog states it. */
export interface CatalogColumn {
  name: string;
  /** Spark SQL type string: `bigint`, `decimal(38,10)`, `array<struct<a:int>>`, `timestamp`. */
  type: string;
  nullable: boolean;
  comment?: string;
}

/** The table formats a catalog table can be in. */
export type TableFormat = 'delta' | 'iceberg' | 'hudi' | 'parquet' | 'csv' | 'json' | 'orc' | 'avro' | 'view' | (string & {});

/** One table's metadata. */
export interface CatalogTable {
  namespace: Namespace;
  name: string;
  /** `MANAGED`, `EXTERNAL`, `VIEW`, … as the catalog says. */
  tableType?: string;
  format?: TableFormat;
  /** Storage URI of the data: `s3://…`, `abfss://…`, `file:/…`; absent for views. */
  location?: string;
  columns: CatalogColumn[];
  partitionColumns?: string[];
  properties: Record<string, string>;
  comment?: string;
}

/** What `createTable` needs. */
export interface CatalogTableSpec {
  namespace: Namespace;
  name: string;
  format: TableFormat;
  location?: string;
  columns: CatalogColumn[];
  partitionColumns?: string[];
  properties?: Record<string, string>;
  comment?: string;
  /** `EXTERNAL` registers existing data; `MANAGED` lets the catalog own it (where allowed). */
  tableType?: 'MANAGED' | 'EXTERNAL';
}

/** A lineage edge as a catalog records it (DataHub, Purview, Atlas, Unity Catalog lineage). */
export interface CatalogLineageEdge {
  direction: 'upstream' | 'downstream';
  /** OpenLineage-style dataset identity where the catalog gives enough to build one. */
  namespace: string;
  name: string;
}

/**
 * The catalog capability (`catalog`).
 *
 * @example
 * ```ts
 * for (const ns of await uc.listNamespaces()) console.log(ns.join('.'));
 * const t = await uc.getTable(['main', 'sales', 'orders']);
 * console.log(t.format, t.location, t.columns.map((c) => `${c.name} ${c.type}`));
 * ```
 */
export interface Catalog {
  /** Child namespaces of `parent` (top level when omitted). */
  listNamespaces(parent?: Namespace, options?: { signal?: AbortSignal }): Promise<Namespace[]>;
  listTables(namespace: Namespace, options?: { signal?: AbortSignal }): Promise<string[]>;
  /** A table's metadata; `QueryError` with `details.notFound` when it does not exist. The last element is the table name. */
  getTable(name: readonly string[], options?: { signal?: AbortSignal }): Promise<CatalogTable>;
  createTable?(spec: CatalogTableSpec, options?: { signal?: AbortSignal }): Promise<CatalogTable>;
  /** Drops a table's registration (never the data of an EXTERNAL table); false when it did not exist. */
  dropTable?(name: readonly string[], options?: { signal?: AbortSignal }): Promise<boolean>;
  /** Lineage the catalog knows for a table. */
  tableLineage?(name: readonly string[], options?: { signal?: AbortSignal }): Promise<CatalogLineageEdge[]>;
}
