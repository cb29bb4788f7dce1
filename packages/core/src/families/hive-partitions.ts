/**
 * Hive-style partition directories (`day=2024-01-01/country=NO/part-….parquet`), as Spark writes
 * them with `partitionBy` and discovers them on read: the object-store base writes a table
 * partitioned this way natively, and reads partition values back as columns.
 *
 * Values are escaped as Hive does (`%XX` for `/`, `=`, `%`, `:` and other unsafe characters);
 * null is Hive's `__HIVE_DEFAULT_PARTITION__`. Apache Arrow is imported lazily (it is an
 * optional peer of core).
 */
import type { Field, RecordBatch } from 'apache-arrow';

/** The directory name Hive and Spark use for a null partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// Characters Hive's FileUtils escapes in partition paths (plus control characters).
const UNSAFE = /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g;

/**
 * A partition value as one path segment.
 * @example
 * ```ts
 * escapePartitionValue('a/b=c'); // 'a%2Fb%3Dc'
 * escapePartitionValue(null);    // '__HIVE_DEFAULT_PARTITION__'
 * ```
 */
export function escapePartitionValue(value: unknown): string {
  if (value === null || value === undefined) return HIVE_DEFAULT_PARTITION;
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  if (text === '') return HIVE_DEFAULT_PARTITION;
  return text.replace(UNSAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The value of an escaped segment; `null` for the default partition. */
export function unescapePartitionValue(segment: string): string | null {
  if (segment === HIVE_DEFAULT_PARTITION) return null;
  return segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The `column=value` directories of a key relative to a table's root, in order (the file name
 * itself is not a directory and is ignored).
 * @example
 * ```ts
 * partitionValuesOf('day=2024-01-01/country=NO/part-0.parquet'); // [['day', '2024-01-01'], ['country', 'NO']]
 * ```
 */
export function partitionValuesOf(relativeKey: string): Array<[string, string | null]> {
  const dirs = relativeKey.split('/').slice(0, -1);
  const out: Array<[string, string | null]> = [];
  for (const dir of dirs) {
    const at = dir.indexOf('=');
    if (at <= 0) continue;
    out.push([unescapePartitionValue(dir.slice(0, at)) ?? '', unescapePartitionValue(dir.slice(at + 1))]);
  }
  return out;
}

/** Rows of one batch grouped by their partition values: the Hive path of each group and its rows, partition columns dropped. */
export interface PartitionSlice {
  /** `col=value/col2=value2` (escaped). */
  path: string;
  batch: RecordBatch;
}

/**
 * Splits each batch by the values of `columns` into one batch per partition without those
 * columns (as Spark stores them: in the path, not in the files). Memory is one input batch.
 *
 * @example
 * ```ts
 * for await (const { path, batch } of splitByPartition(batches, ['day'])) await write(`out/${path}/part-0.parquet`, batch);
 * ```
 */
export async function* splitByPartition(batches: AsyncIterable<RecordBatch>, columns: readonly string[]): AsyncGenerator<PartitionSlice> {
  const arrow = await import('apache-arrow');
  for await (const batch of batches) {
    const fields = batch.schema.fields;
    const missing = columns.filter((c) => !fields.some((f) => f.name === c));
    if (missing.length) throw new Error(`partitionBy names columns the data does not have: ${missing.join(', ')} (columns: ${fields.map((f) => f.name).join(', ')})`);
    const partitionVectors = columns.map((c) => batch.getChild(c)!);
    const groups = new Map<string, number[]>();
    for (let row = 0; row < batch.numRows; row++) {
      const path = columns.map((c, i) => `${escapePartitionValue(c)}=${escapePartitionValue(partitionVectors[i]!.get(row))}`).join('/');
      let rows = groups.get(path);
      if (!rows) groups.set(path, (rows = []));
      rows.push(row);
    }
    const kept = fields.filter((f) => !columns.includes(f.name));
    const schema = new arrow.Schema(kept);
    for (const [path, rows] of groups) {
      const children = kept.map((f: Field) => {
        const source = batch.getChild(f.name)!;
        return arrow.vectorFromArray(rows.map((r) => source.get(r)), f.type).data[0]!;
      });
      const data = arrow.makeData({ type: new arrow.Struct(kept), length: rows.length, children, nullCount: 0 });
      yield { path, batch: new arrow.RecordBatch(schema, data) };
    }
  }
}

/** Arrow type of a partition column from its values: Int64 when every value is an integer, else Utf8. */
export async function partitionField(name: string, values: ReadonlyArray<string | null>): Promise<Field> {
  const arrow = await import('apache-arrow');
  const integers = values.every((v) => v === null || /^-?\d{1,18}$/.test(v));
  return new arrow.Field(name, integers && values.some((v) => v !== null) ? new arrow.Int64() : new arrow.Utf8(), true);
}

/** Appends constant partition columns to every batch of a stream. */
export async function* withPartitionColumns(batches: AsyncIterable<RecordBatch>, columns: ReadonlyArray<{ field: Field; value: string | null }>): AsyncGenerator<RecordBatch> {
  const arrow = await import('apache-arrow');
  for await (const batch of batches) {
    const fields = [...batch.schema.fields, ...columns.map((c) => c.field)];
    const children = [
      ...batch.schema.fields.map((_, i) => batch.getChildAt(i)!.data[0]!),
      ...columns.map(({ field, value }) => {
        const typed = value === null ? null : arrow.DataType.isInt(field.type) ? BigInt(value) : value;
        return arrow.vectorFromArray(Array.from({ length: batch.numRows }, () => typed), field.type).data[0]!;
      }),
    ];
    const data = arrow.makeData({ type: new arrow.Struct(fields), length: batch.numRows, children, nullCount: 0 });
    yield new arrow.RecordBatch(new arrow.Schema(fields), data);
  }
}
