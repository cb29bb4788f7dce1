// {{banner}}
/**
 * `{{className}}`: {{description}}, a catalog. `CatalogConnection` owns the shared behaviour —
 * `readTable('cat.schema.table')` through the table's format, Spark's named-table mapping,
 * catalog lineage names, the namespace-listing health probe; this class adds the API client.
 */
import { z } from 'zod';
import {
  CatalogConnection,
  catalogConfigSchema,
  UnsupportedOperationError,
  type Catalog,
  type CatalogLineageEdge,
  type CatalogTable,
  type CatalogTableSpec,
  type ConnectionInit,
  type Namespace,
} from '@sparkle/core';

/** Config of the `{{type}}` connection: the catalog shape (url or host/port, token, defaultNamespace). */
export const {{schemaName}} = catalogConfigSchema.extend({});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/** What this connection needs from the catalog's API: the calls of the `Catalog` capability. */
export type {{clientName}} = Catalog;

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { url: 'https://catalog.example.com/api' } });
 * for (const ns of await conn.listNamespaces()) console.log(ns.join('.'));
 * ```
 */
export class {{className}} extends CatalogConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';
{{#port}}
  static override defaultPort = {{port}};
{{/port}}
  readonly #client: {{clientName}} | undefined;

  /** `client` replaces the API client (tests pass an in-memory catalog). */
  constructor(init: ConnectionInit & { client?: {{clientName}} }) {
    super(init);
    this.#client = init.client;
  }

  /** The API client. TODO: call the catalog's REST API here (list/get/create/drop). */
  protected async client(): Promise<{{clientName}}> {
    if (this.#client) return this.#client;
    throw new UnsupportedOperationError(`${this.type}: the API client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  async listNamespaces(parent?: Namespace, options?: { signal?: AbortSignal }): Promise<Namespace[]> {
    return (await this.client()).listNamespaces(parent, options);
  }

  async listTables(namespace: Namespace, options?: { signal?: AbortSignal }): Promise<string[]> {
    return (await this.client()).listTables(namespace, options);
  }

  async getTable(name: readonly string[], options?: { signal?: AbortSignal }): Promise<CatalogTable> {
    return (await this.client()).getTable(name, options);
  }

  async createTable(spec: CatalogTableSpec, options?: { signal?: AbortSignal }): Promise<CatalogTable> {
    const client = await this.client();
    if (!client.createTable) throw new UnsupportedOperationError(`${this.type}: registering tables is not supported`, { connector: this.type });
    return this.metadataChange([...spec.namespace, spec.name], 'createTable', () => client.createTable!(spec, options));
  }

  async dropTable(name: readonly string[], options?: { signal?: AbortSignal }): Promise<boolean> {
    const client = await this.client();
    if (!client.dropTable) throw new UnsupportedOperationError(`${this.type}: dropping tables is not supported`, { connector: this.type });
    return this.metadataChange(name, 'dropTable', () => client.dropTable!(name, options));
  }

  async tableLineage(name: readonly string[], options?: { signal?: AbortSignal }): Promise<CatalogLineageEdge[]> {
    const client = await this.client();
    return client.tableLineage ? client.tableLineage(name, options) : [];
  }
}
