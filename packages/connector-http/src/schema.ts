/**
 * Column types in API configs: the names people know from Spark DDL and Arrow (`string`, `long`,
 * `double`, `timestamp`, `array<string>` …), turned into core's plain {@link ColumnSpec}s.
 */
import { z } from 'zod';
import { InvalidArgumentError, type ColumnSpec, type ColumnType } from '@sparkle/core';

const SCALARS: Record<string, ColumnType> = {
  string: 'utf8',
  utf8: 'utf8',
  text: 'utf8',
  json: 'utf8',
  boolean: 'bool',
  bool: 'bool',
  int: 'int32',
  integer: 'int32',
  int32: 'int32',
  long: 'int64',
  bigint: 'int64',
  int64: 'int64',
  double: 'float64',
  float: 'float64',
  float64: 'float64',
  number: 'float64',
  timestamp: 'timestamp',
  date: 'date',
  binary: 'binary',
};

/** One column type name, e.g. `long` or `array<string>`. */
export function parseColumnType(text: string): ColumnType | undefined {
  const t = text.trim().toLowerCase();
  const list = /^(?:array|list)<(.+)>$/.exec(t);
  if (list) {
    const inner = parseColumnType(list[1]!);
    return inner ? { list: inner } : undefined;
  }
  return SCALARS[t];
}

/**
 * The `schema` block of an endpoint: column name → type name, in column order.
 * @example
 * ```json
 * { "id": "long", "name": "string", "tags": "array<string>", "created_at": "timestamp" }
 * ```
 */
export const columnsConfigSchema = z.record(z.string().min(1), z.string().refine((t) => parseColumnType(t) !== undefined, {
  message: `unknown column type; use one of ${Object.keys(SCALARS).join(', ')} or array<type>`,
}));

/** The column specs of a `schema` block (all nullable: APIs leave fields out). */
export function columnsFromConfig(columns: Record<string, string>, connector?: string): ColumnSpec[] {
  return Object.entries(columns).map(([name, text]) => {
    const type = parseColumnType(text);
    if (!type) throw new InvalidArgumentError(`schema: column '${name}' has unknown type '${text}'`, { connector });
    return { name, type, nullable: true };
  });
}

/**
 * A JSON value made to fit a declared column where JSON has no native form: ISO text or epoch
 * milliseconds for `timestamp`/`date`, digits for `int64`, and base64 for `binary`.
 */
export function coerceForColumn(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'timestamp' || type === 'date') {
    if (typeof value === 'string' || typeof value === 'number') {
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? value : date;
    }
    return value;
  }
  if ((type === 'int64' || type === 'int32') && typeof value === 'string' && /^-?\d+$/.test(value)) return type === 'int64' ? BigInt(value) : Number(value);
  if (type === 'float64' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (type === 'binary' && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  if (typeof type === 'object' && 'list' in type && Array.isArray(value)) return value.map((v) => coerceForColumn(v, type.list));
  return value;
}
