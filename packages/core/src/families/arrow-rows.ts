/**
 * Rows → Arrow record batches for the metadata families (directory entries, ML runs, catalog
 * listings), whose results are small lists of records rather than driver cursors.
 *
 * Core has no runtime dependency on apache-arrow (it is an optional peer): this module imports it
 * lazily, only when a native read of one of these families runs — and that path runs under the
 * local engine, which depends on apache-arrow itself. The engine's own row builder has no list
 * columns, which directory attributes need (LDAP attributes are multi-valued), so the batches are
 * built with apache-arrow's `vectorFromArray`.
 */
import type { RecordBatch } from 'apache-arrow';
import { MissingDriverError } from '../errors.js';

/** The column types these families produce. */
export type RowColumnKind = 'utf8' | 'list<utf8>' | 'float64' | 'int64' | 'bool' | 'timestamp';

/** One output column. */
export interface RowColumn {
  name: string;
  kind: RowColumnKind;
  /** Default true; `false` only for columns that are always present (a DN, an id). */
  nullable?: boolean;
}

type Arrow = typeof import('apache-arrow');
let arrow: Promise<Arrow> | undefined;

async function loadArrow(connector?: string): Promise<Arrow> {
  arrow ??= import('apache-arrow').catch((cause: unknown) => {
    arrow = undefined;
    throw new MissingDriverError(connector ?? 'core', 'apache-arrow', cause);
  });
  return arrow;
}

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
  const a = await loadArrow(connector);
  const typeOf = (kind: RowColumnKind) => {
    switch (kind) {
      case 'list<utf8>':
        return new a.List(new a.Field('item', new a.Utf8(), true));
      case 'float64':
        return new a.Float64();
      case 'int64':
        return new a.Int64();
      case 'bool':
        return new a.Bool();
      case 'timestamp':
        return new a.TimestampMillisecond('UTC');
      default:
        return new a.Utf8();
    }
  };
  const fields = columns.map((c) => new a.Field(c.name, typeOf(c.kind), c.nullable ?? true));
  const children = columns.map((c, i) => a.vectorFromArray(rows.map((r) => cell(r[c.name], c.kind)) as never[], fields[i]!.type as never).data[0]!);
  const schema = new a.Schema(fields);
  const data = a.makeData({ type: new a.Struct(fields), length: rows.length, nullCount: 0, children });
  return new a.RecordBatch(schema, data);
}
