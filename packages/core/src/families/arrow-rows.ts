/**
 * Rows → Arrow record batches for the metadata families (directory entries, ML runs, catalog
 * listings), whose results are small lists of records rather than driver cursors. Built with the
 * local engine's Arrow toolkit (`getArrowToolkit()`), so core keeps no runtime Arrow dependency.
 */
import type { RecordBatch } from 'apache-arrow';
import { getArrowToolkit, type ColumnType } from '../engine.js';

/** The column types these families produce. */
export type RowColumnKind = 'utf8' | 'list<utf8>' | 'float64' | 'int64' | 'bool' | 'timestamp';

/** One output column. */
export interface RowColumn {
  name: string;
  kind: RowColumnKind;
  /** Default true; `false` only for columns that are always present (a DN, an id). */
  nullable?: boolean;
}

const TYPES: Record<RowColumnKind, ColumnType> = {
  utf8: 'utf8',
  'list<utf8>': { list: 'utf8' },
  float64: 'float64',
  int64: 'int64',
  bool: 'bool',
  timestamp: 'timestamp',
};

function cell(value: unknown, kind: RowColumnKind): unknown {
  if (value === undefined || value === null) return null;
  switch (kind) {
    case 'list<utf8>':
      return (Array.isArray(value) ? value : [value]).map(String);
    case 'float64':
      return typeof value === 'number' ? value : Number(value);
    case 'int64':
      return typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
    case 'bool':
      return Boolean(value);
    case 'timestamp':
      return value instanceof Date ? value : new Date(value as string | number);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * Builds one record batch of `rows` with exactly `columns` (missing values become nulls).
 *
 * @example
 * ```ts
 * const batch = await rowsToRecordBatch([{ name: 'dn', kind: 'utf8', nullable: false }, { name: 'mail', kind: 'list<utf8>' }], [
 *   { dn: 'uid=ada,ou=people,dc=example,dc=org', mail: ['ada@example.org'] },
 * ]);
 * ```
 */
export async function rowsToRecordBatch(columns: readonly RowColumn[], rows: ReadonlyArray<Record<string, unknown>>, connector?: string): Promise<RecordBatch> {
  const arrow = await getArrowToolkit(connector);
  const schema = arrow.schema(columns.map((c) => ({ name: c.name, type: TYPES[c.kind], nullable: c.nullable ?? true })));
  const converted = rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, cell(r[c.name], c.kind)])));
  // One batch holding every row: these listings are small and callers page them themselves.
  for await (const batch of arrow.rowsToBatches(converted, { schema, batchSize: Math.max(1, converted.length) })) return batch;
  throw new Error('unreachable: rowsToBatches yields at least one batch');
}
