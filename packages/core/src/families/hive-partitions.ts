/**
 * Hive-style partition directories (`…/day=2024-01-01/country=NO/part-0.parquet`), as Spark
 * discovers them: each `name=value` segment between the directory being read and the file is a
 * column whose value is constant for that file. Values are URL-decoded as Spark escapes them,
 * `__HIVE_DEFAULT_PARTITION__` is null, and a column's type is inferred from all of its values
 * (integers → Int64, other numbers → Float64, else text), as Spark's partition type inference does.
 */
import type { Field, RecordBatch, Schema } from 'apache-arrow';
import type { NativePartition, NativeReadPlan } from '../engine.js';
import type { ObjectInfo } from '../capabilities/object-store.js';

const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** The partition values one object's key carries below `root`, in path order. */
export function hiveValuesOf(key: string, root: string): Array<[string, string | null]> {
  if (!key.startsWith(root)) return [];
  const segments = key.slice(root.length).split('/').slice(0, -1);
  const out: Array<[string, string | null]> = [];
  for (const segment of segments) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const raw = segment.slice(eq + 1);
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
    out.push([decodeURIComponent(segment.slice(0, eq)), value === NULL_PARTITION ? null : value]);
  }
  return out;
}

/** One group of objects sharing partition values. */
export interface HiveGroup {
  values: Record<string, string | null>;
  objects: ObjectInfo[];
}

/** The partition column names (in first-seen order) and the objects grouped by their values; no columns: not partitioned. */
export function hiveGroups(objects: readonly ObjectInfo[], root: string): { columns: string[]; groups: HiveGroup[] } {
  const columns: string[] = [];
  const groups = new Map<string, HiveGroup>();
  for (const o of objects) {
    const values = hiveValuesOf(o.key, root);
    for (const [name] of values) if (!columns.includes(name)) columns.push(name);
    const record = Object.fromEntries(values);
    const id = JSON.stringify(values);
    const group = groups.get(id) ?? { values: record, objects: [] };
    group.objects.push(o);
    groups.set(id, group);
  }
  return { columns, groups: [...groups.values()] };
}

/** The type a partition column's values share: `int64`, `float64` or `utf8`. */
export function hiveTypeOf(values: ReadonlyArray<string | null>): 'int64' | 'float64' | 'utf8' {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return 'utf8';
  if (present.every((v) => /^-?\d{1,18}$/.test(v))) return 'int64';
  if (present.every((v) => v.trim() !== '' && Number.isFinite(Number(v)))) return 'float64';
  return 'utf8';
}

/**
 * Adds partition columns to a read: `planGroup` plans each group's objects (without the
 * partition columns among `columns`), and every batch gets the group's values as constant
 * columns after its own (only those `columns` asks for, when it asks).
 */
export async function planHivePartitioned(
  groups: readonly HiveGroup[],
  partitionColumns: readonly string[],
  columns: readonly string[] | undefined,
  planGroup: (objects: ObjectInfo[], dataColumns: string[] | undefined) => Promise<NativeReadPlan>,
): Promise<NativeReadPlan> {
  const arrow = await import('apache-arrow');
  const wanted = columns?.length ? partitionColumns.filter((c) => columns.includes(c)) : [...partitionColumns];
  const dataColumns = columns?.length ? columns.filter((c) => !partitionColumns.includes(c)) : undefined;
  const types = Object.fromEntries(wanted.map((c) => [c, hiveTypeOf(groups.map((g) => g.values[c] ?? null))]));
  const arrowType = (t: string) => (t === 'int64' ? new arrow.Int64() : t === 'float64' ? new arrow.Float64() : new arrow.Utf8());
  const extraFields: Field[] = wanted.map((c) => new arrow.Field(c, arrowType(types[c]!), true));

  const constant = (name: string, value: string | null, rows: number) => {
    const type = types[name]!;
    if (type === 'int64') return arrow.vectorFromArray(Array.from({ length: rows }, () => (value === null ? null : BigInt(value))), new arrow.Int64());
    if (type === 'float64') return arrow.vectorFromArray(Array.from({ length: rows }, () => (value === null ? null : Number(value))), new arrow.Float64());
    return arrow.vectorFromArray(Array.from({ length: rows }, () => value), new arrow.Utf8());
  };
  const withValues = (batch: RecordBatch, values: Record<string, string | null>): RecordBatch => {
    if (wanted.length === 0) return batch;
    const schema = new arrow.Schema([...batch.schema.fields, ...extraFields]);
    const children = [...batch.data.children, ...wanted.map((c) => constant(c, values[c] ?? null, batch.numRows).data[0]!)];
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
  };

  const partitions: NativePartition[] = [];
  let schema: Schema | undefined;
  let estimatedRows: number | undefined;
  for (const group of groups) {
    const plan = await planGroup(group.objects, dataColumns);
    schema ??= plan.schema ? new arrow.Schema([...plan.schema.fields, ...extraFields]) : undefined;
    if (plan.estimatedRows !== undefined) estimatedRows = (estimatedRows ?? 0) + plan.estimatedRows;
    for (const p of plan.partitions) {
      partitions.push({
        description: p.description,
        open: (signal) =>
          (async function* () {
            for await (const batch of p.open(signal)) yield withValues(batch, group.values);
          })(),
      });
    }
  }
  return { partitions, ...(schema ? { schema } : {}), ...(estimatedRows !== undefined ? { estimatedRows } : {}) };
}
