/**
 * `MemoryCatalogConnection`: the in-memory reference of the catalog capability. Namespaces,
 * tables and lineage edges live in a named store; tables in the `memory` format keep their rows
 * (Arrow batches) in the store too, so `readTable` runs the real resolution path of
 * `CatalogConnection` — `getTable`, then the table's format — end to end.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { z } from 'zod';
import {
  CatalogConnection,
  catalogConfigSchema,
  InvalidArgumentError,
  QueryError,
  WriteError,
  type CatalogLineageEdge,
  type CatalogTable,
  type CatalogTableSpec,
  type Namespace,
  type NativeReadPlan,
  type ReadTableOptions,
  type ResolvedTableRead,
} from '@sparkle/core';
import { memoryState } from './memory-store.js';

export const memoryCatalogConfigSchema = catalogConfigSchema.extend({
  /** Name of the shared in-memory store. */
  store: z.string().min(1).default('default'),
});

export type MemoryCatalogConfig = z.output<typeof memoryCatalogConfigSchema>;

interface CatalogState {
  namespaces: Set<string>;
  tables: Map<string, CatalogTable>;
  data: Map<string, { schema: Schema; batches: RecordBatch[] }>;
  lineage: Map<string, CatalogLineageEdge[]>;
}

const key = (parts: readonly string[]) => JSON.stringify(parts);

/**
 * The catalog reference.
 *
 * @example
 * ```ts
 * const uc = new MemoryCatalogConnection({ type: 'memory_catalog', config: { store: 'test' } });
 * uc.putData('memory://orders', sampleTable());
 * await uc.createTable({ namespace: ['main', 'sales'], name: 'orders', format: 'memory', location: 'memory://orders', columns: [] });
 * const frame = await uc.readTable('main.sales.orders');
 * ```
 */
export class MemoryCatalogConnection extends CatalogConnection<MemoryCatalogConfig> {
  static override schema: z.ZodType = memoryCatalogConfigSchema;
  static override description = 'In-memory catalog (reference implementation)';
  static override lineageScheme = 'memcatalog';

  private get state(): CatalogState {
    return memoryState<CatalogState>('catalog', this.config.store, () => ({ namespaces: new Set(), tables: new Map(), data: new Map(), lineage: new Map() }));
  }

  /** Creates a namespace and its parents. */
  createNamespace(namespace: Namespace): void {
    if (namespace.length === 0 || namespace.some((p) => !p)) throw new InvalidArgumentError('a namespace needs non-empty parts', { connector: this.type });
    for (let i = 1; i <= namespace.length; i++) this.state.namespaces.add(key(namespace.slice(0, i)));
  }

  /** Stores the rows of a `memory`-format table location. */
  putData(location: string, table: { schema: Schema; batches: RecordBatch[] }): void {
    this.state.data.set(location, { schema: table.schema, batches: [...table.batches] });
  }

  /** Records a lineage edge the catalog "knows" for a table. */
  addLineage(name: readonly string[], edge: CatalogLineageEdge): void {
    const k = key(name);
    this.state.lineage.set(k, [...(this.state.lineage.get(k) ?? []), edge]);
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    this.assertOpen();
    if (parent.length && !this.state.namespaces.has(key(parent))) throw notFound(this.type, `namespace '${parent.join('.')}'`);
    return [...this.state.namespaces]
      .map((k) => JSON.parse(k) as string[])
      .filter((ns) => ns.length === parent.length + 1 && parent.every((p, i) => ns[i] === p))
      .sort((a, b) => a.join('.').localeCompare(b.join('.')));
  }

  async listTables(namespace: Namespace): Promise<string[]> {
    this.assertOpen();
    if (!this.state.namespaces.has(key(namespace))) throw notFound(this.type, `namespace '${namespace.join('.')}'`);
    return [...this.state.tables.values()]
      .filter((t) => key(t.namespace) === key(namespace))
      .map((t) => t.name)
      .sort();
  }

  async getTable(name: readonly string[]): Promise<CatalogTable> {
    this.assertOpen();
    const table = this.state.tables.get(key(name));
    if (!table) throw notFound(this.type, `table '${name.join('.')}'`);
    return structuredClone(table);
  }

  async createTable(spec: CatalogTableSpec): Promise<CatalogTable> {
    return this.metadataChange([...spec.namespace, spec.name], 'createTable', async () => this.register(spec));
  }

  private register(spec: CatalogTableSpec): CatalogTable {
    const name = [...spec.namespace, spec.name];
    if (!this.state.namespaces.has(key(spec.namespace))) throw notFound(this.type, `namespace '${spec.namespace.join('.')}'`);
    if (this.state.tables.has(key(name))) {
      throw new WriteError(`${this.type}: table '${name.join('.')}' already exists`, { connector: this.type, details: { exists: true, committed: false } });
    }
    const table: CatalogTable = {
      namespace: [...spec.namespace],
      name: spec.name,
      tableType: spec.tableType ?? (spec.location ? 'EXTERNAL' : 'MANAGED'),
      format: spec.format,
      location: spec.location,
      columns: spec.columns.map((c) => ({ ...c })),
      partitionColumns: spec.partitionColumns ? [...spec.partitionColumns] : undefined,
      properties: { ...spec.properties },
      comment: spec.comment,
    };
    this.state.tables.set(key(name), table);
    return structuredClone(table);
  }

  async dropTable(name: readonly string[]): Promise<boolean> {
    return this.metadataChange(name, 'dropTable', async () => this.state.tables.delete(key(name)));
  }

  async tableLineage(name: readonly string[]): Promise<CatalogLineageEdge[]> {
    this.assertOpen();
    if (!this.state.tables.has(key(name))) throw notFound(this.type, `table '${name.join('.')}'`);
    return [...(this.state.lineage.get(key(name)) ?? [])];
  }

  /** `memory` tables read their stored batches; every other format goes through the registered readers. */
  protected override async resolveTableRead(table: CatalogTable, signal?: AbortSignal): Promise<ResolvedTableRead> {
    if (table.format !== 'memory') return super.resolveTableRead(table, signal);
    const data = table.location ? this.state.data.get(table.location) : undefined;
    if (!data) throw notFound(this.type, `data at '${table.location ?? '(no location)'}'`);
    const source = {
      async nativeRead(_table: string, options: ReadTableOptions): Promise<NativeReadPlan> {
        const columns = options.columns;
        return {
          schema: columns?.length ? data.schema.select(columns) : data.schema,
          partitions: [
            {
              description: table.location!,
              async *open() {
                for (const batch of data.batches) yield columns?.length ? batch.select(columns) : batch;
              },
            },
          ],
        };
      },
      nativeWrite(): never {
        throw new InvalidArgumentError('memory table data is read-only through the catalog');
      },
    };
    return { source, table: table.location! };
  }
}

function notFound(connector: string, what: string): QueryError {
  return new QueryError(`${connector}: ${what} does not exist`, { connector, details: { notFound: true } });
}
