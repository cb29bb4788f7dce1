/**
 * Salesforce field types (from `describe`) → Arrow columns, and the conversion of REST JSON values
 * and Bulk API CSV cells into what the local engine's Arrow builders take.
 */
import type { Schema } from 'apache-arrow';
import { getArrowToolkit, type ColumnSpec, type ColumnType } from '@sparkle/core';

/** The parts of a describe field this module reads. */
export interface SfField {
  name: string;
  type: string;
  nillable?: boolean;
  precision?: number;
  scale?: number;
  length?: number;
  compoundFieldName?: string | null;
  externalId?: boolean;
  createable?: boolean;
  updateable?: boolean;
}

/** How one result column is read and typed. */
export interface SfColumn {
  /** Result column name: the field name, or the dotted path of a relationship field. */
  name: string;
  /** Salesforce type (`string`, `currency`, …), or `unknown` for columns the describe does not type. */
  sfType: string;
  kind: 'bool' | 'int32' | 'int64' | 'float64' | 'decimal' | 'date' | 'timestamp' | 'utf8' | 'address' | 'location';
  precision?: number;
  scale?: number;
}

/** Compound fields: structs in REST reads; Bulk API 2.0 does not return them. */
export const COMPOUND_TYPES = new Set(['address', 'location']);

const ADDRESS_PARTS: Array<[string, ColumnType]> = [
  ['street', 'utf8'],
  ['city', 'utf8'],
  ['state', 'utf8'],
  ['stateCode', 'utf8'],
  ['postalCode', 'utf8'],
  ['country', 'utf8'],
  ['countryCode', 'utf8'],
  ['latitude', 'float64'],
  ['longitude', 'float64'],
  ['geocodeAccuracy', 'utf8'],
];
const LOCATION_PARTS: Array<[string, ColumnType]> = [
  ['latitude', 'float64'],
  ['longitude', 'float64'],
];

/** The column of a describe field, with currency/percent as configured. */
export function columnOf(field: SfField, currency: 'decimal' | 'double', name = field.name): SfColumn {
  const base = { name, sfType: field.type };
  switch (field.type) {
    case 'boolean':
      return { ...base, kind: 'bool' };
    case 'int':
      return { ...base, kind: 'int32' };
    case 'long':
      return { ...base, kind: 'int64' };
    case 'double':
      return { ...base, kind: 'float64' };
    case 'currency':
    case 'percent':
      // Salesforce precision counts all digits; Arrow's Decimal128 holds up to 38.
      return currency === 'decimal' && field.precision ? { ...base, kind: 'decimal', precision: Math.min(38, Math.max(field.precision, field.scale ?? 0, 1)), scale: field.scale ?? 0 } : { ...base, kind: 'float64' };
    case 'date':
      return { ...base, kind: 'date' };
    case 'datetime':
      return { ...base, kind: 'timestamp' };
    case 'address':
      return { ...base, kind: 'address' };
    case 'location':
      return { ...base, kind: 'location' };
    default:
      // id, reference, string, picklist, multipicklist, textarea, email, phone, url, time, base64, …
      return { ...base, kind: 'utf8' };
  }
}

/** An untyped result column (aggregates, relationship paths the describe of the root does not cover). */
export function textColumn(name: string): SfColumn {
  return { name, sfType: 'unknown', kind: 'utf8' };
}

function columnType(c: SfColumn): ColumnType {
  switch (c.kind) {
    case 'address':
      return { struct: ADDRESS_PARTS.map(([name, type]) => ({ name, type })) };
    case 'location':
      return { struct: LOCATION_PARTS.map(([name, type]) => ({ name, type })) };
    case 'decimal':
      return 'utf8'; // replaced by a Decimal field in arrowSchema
    default:
      return c.kind;
  }
}

/** The Arrow schema of the columns (Decimal128 for decimal columns, UTC microsecond timestamps). */
export async function arrowSchema(columns: readonly SfColumn[], connector: string): Promise<Schema> {
  const toolkit = await getArrowToolkit(connector);
  const specs: ColumnSpec[] = columns.map((c) => ({ name: c.name, type: columnType(c), nullable: true }));
  const schema = toolkit.schema(specs);
  if (!columns.some((c) => c.kind === 'decimal')) return schema;
  const arrow = await import('apache-arrow');
  const fields = schema.fields.map((f, i) => {
    const c = columns[i]!;
    return c.kind === 'decimal' ? new arrow.Field(f.name, new arrow.Decimal(c.scale ?? 0, c.precision ?? 18, 128), true) : f;
  });
  return new arrow.Schema(fields, schema.metadata);
}

/** `2024-01-15T10:20:30.000+0000` (Salesforce's offset without a colon) → Date. */
function parseInstant(text: string): Date {
  return new Date(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** A decimal value as exact text (REST gives JSON numbers, Bulk gives text). */
function decimalText(value: unknown, scale: number): string {
  if (typeof value === 'number') return value.toFixed(scale);
  return String(value);
}

/** Converts one REST JSON value (already picked from the record) for its column. */
export function fromJson(value: unknown, c: SfColumn): unknown {
  if (value === null || value === undefined) return null;
  switch (c.kind) {
    case 'bool':
      return typeof value === 'boolean' ? value : value === 'true';
    case 'int32':
    case 'float64':
      return typeof value === 'number' ? value : Number(value);
    case 'int64':
      return typeof value === 'number' ? BigInt(Math.trunc(value)) : BigInt(String(value));
    case 'decimal':
      return decimalText(value, c.scale ?? 0);
    case 'date':
      return new Date(`${String(value).slice(0, 10)}T00:00:00Z`);
    case 'timestamp':
      return parseInstant(String(value));
    case 'address':
    case 'location':
      return typeof value === 'object' ? value : null;
    case 'utf8':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** Converts one Bulk API CSV cell (empty = null) for its column. */
export function fromCsv(cell: string, c: SfColumn): unknown {
  if (cell === '') return null;
  switch (c.kind) {
    case 'bool':
      return cell === 'true';
    case 'int32':
    case 'float64':
      return Number(cell);
    case 'int64':
      return BigInt(cell);
    case 'decimal':
      return cell;
    case 'date':
      return new Date(`${cell.slice(0, 10)}T00:00:00Z`);
    case 'timestamp':
      return parseInstant(cell);
    default:
      return cell;
  }
}

/** A REST record's value at a dotted relationship path (`Account.Owner.Name`). */
export function pathValue(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return null;
    const obj = current as Record<string, unknown>;
    // Salesforce keeps the API name's case; SOQL is case-insensitive, so match either way.
    const key = Object.hasOwn(obj, part) ? part : Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : obj[key];
  }
  return current;
}
