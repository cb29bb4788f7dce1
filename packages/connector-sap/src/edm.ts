/**
 * Edm types → Arrow, and values between OData JSON (V2 and V4) and Arrow rows.
 *
 * | Edm | Arrow |
 * |---|---|
 * | String, Guid, TimeOfDay, Time, Duration | Utf8 |
 * | Byte, SByte, Int16, Int32 | Int32 |
 * | Int64 | Int64 |
 * | Decimal with Precision (≤ 38) and a numeric Scale | Decimal128(precision, scale) |
 * | Decimal without them (`variable`, `floating`) | Utf8 (exact text) |
 * | Single, Double | Float64 |
 * | Boolean | Bool |
 * | Date, V2 DateTime with `sap:display-format="Date"` | Date32 |
 * | DateTime (V2), DateTimeOffset | Timestamp (µs, UTC) |
 * | Binary | Binary |
 * | anything else (complex types, collections) | Utf8 (JSON text) |
 */
import { Decimal, Field, Schema } from 'apache-arrow';
import { InvalidArgumentError, type ArrowToolkit, type ColumnSpec, type ColumnType } from '@sparkle/core';
import type { EdmProperty } from './metadata.js';

const INT32 = new Set(['Edm.Byte', 'Edm.SByte', 'Edm.Int16', 'Edm.Int32']);

/** The decimal facets of a property when Arrow can hold it exactly. */
export function decimalFacets(p: EdmProperty): { precision: number; scale: number } | undefined {
  if (p.type !== 'Edm.Decimal' || p.precision === undefined || p.precision > 38) return undefined;
  const scale = typeof p.scale === 'number' ? p.scale : p.scale === undefined ? 0 : undefined;
  return scale === undefined || scale > p.precision ? undefined : { precision: p.precision, scale };
}

/** True for properties read as dates. */
export function isDate(p: EdmProperty): boolean {
  return p.type === 'Edm.Date' || (p.type === 'Edm.DateTime' && p.displayFormat?.toLowerCase() === 'date');
}

/** The core column type of a property (decimals are swapped in by {@link arrowSchema}). */
export function columnTypeOf(p: EdmProperty): ColumnType {
  if (INT32.has(p.type)) return 'int32';
  if (isDate(p)) return 'date';
  switch (p.type) {
    case 'Edm.Int64':
      return 'int64';
    case 'Edm.Single':
    case 'Edm.Double':
      return 'float64';
    case 'Edm.Boolean':
      return 'bool';
    case 'Edm.DateTime':
    case 'Edm.DateTimeOffset':
      return 'timestamp';
    case 'Edm.Binary':
      return 'binary';
    default:
      return 'utf8';
  }
}

/** The Arrow schema of the properties, with exact decimals. */
export function arrowSchema(arrow: ArrowToolkit, properties: readonly EdmProperty[]): Schema {
  const specs: ColumnSpec[] = properties.map((p) => ({ name: p.name, type: columnTypeOf(p), nullable: p.nullable }));
  const base = arrow.schema(specs);
  return new Schema(
    base.fields.map((field, i) => {
      const facets = decimalFacets(properties[i]!);
      return facets ? new Field(field.name, new Decimal(facets.scale, facets.precision, 128), field.nullable) : field;
    }),
  );
}

/** `/Date(1714644060000)/` or `/Date(1714644060000+0000)/` (V2 JSON) → epoch ms. */
function v2Date(text: string): number | undefined {
  const m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function toDate(value: unknown, where: string): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = String(value);
  const ms = v2Date(text);
  if (ms !== undefined) return new Date(ms);
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`${where}: '${text.slice(0, 40)}' is not an OData date/time`, { connector: 'sap' });
  return d;
}

/** An OData JSON value as its Arrow row value. */
export function readValue(p: EdmProperty, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (INT32.has(p.type)) return typeof value === 'number' ? value : Number(value);
  if (isDate(p) || p.type === 'Edm.DateTime' || p.type === 'Edm.DateTimeOffset') return toDate(value, where);
  switch (p.type) {
    case 'Edm.Int64':
      return typeof value === 'bigint' ? value : BigInt(typeof value === 'number' ? Math.trunc(value) : String(value));
    case 'Edm.Decimal':
      // Exact text: IEEE754Compatible (V4) and V2 both send decimals as strings.
      return typeof value === 'number' ? String(value) : String(value);
    case 'Edm.Single':
    case 'Edm.Double':
      return typeof value === 'number' ? value : Number(value);
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? value : String(value) === 'true';
    case 'Edm.Binary':
      return new Uint8Array(Buffer.from(String(value), 'base64'));
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An Arrow row value as OData JSON for a POST body (Int64 and Decimal as strings; IEEE754Compatible). */
export function writeValue(p: EdmProperty, value: unknown, version: 'v2' | 'v4'): unknown {
  if (value === null || value === undefined) return null;
  if (INT32.has(p.type)) return Number(value);
  if (isDate(p)) {
    const d = toDate(value, p.name);
    const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    return version === 'v4' ? day : `/Date(${Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())})/`;
  }
  switch (p.type) {
    case 'Edm.Int64':
    case 'Edm.Decimal':
      return typeof value === 'string' ? value : String(value);
    case 'Edm.Single':
    case 'Edm.Double':
      return Number(value);
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? value : String(value) === 'true';
    case 'Edm.DateTime':
    case 'Edm.DateTimeOffset': {
      const d = toDate(value, p.name);
      if (version === 'v4') return d.toISOString();
      return p.type === 'Edm.DateTime' ? `/Date(${d.getTime()})/` : `/Date(${d.getTime()}+0000)/`;
    }
    case 'Edm.Binary':
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
    default:
      return typeof value === 'string' ? value : typeof value === 'object' ? value : String(value);
  }
}
