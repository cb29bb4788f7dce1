/**
 * Presto/Trino column types → Arrow, and the JSON cells of the HTTP protocol → values the
 * Arrow row builder takes. The protocol sends decimals as strings, timestamps as
 * `YYYY-MM-DD HH:MM:SS.fff[ zone]` text, varbinary as base64 and NaN/Infinity as strings.
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  TimestampMicrosecond,
  Utf8,
  type DataType,
} from 'apache-arrow';
import type { StatementColumn } from './client.js';

/** Converts one protocol cell into what the Arrow builder for its field accepts. */
export type CellConverter = (value: unknown) => unknown;

interface Mapped {
  type: DataType;
  convert: CellConverter;
}

const identity: CellConverter = (v) => v;

const floatCell: CellConverter = (v) => (typeof v === 'string' ? (v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v)) : v);

/** `2024-01-31 12:00:00.123456[ UTC|+01:00|Europe/Paris]` → epoch milliseconds. */
export function timestampTextToMs(text: string): number {
  const m = /^(-?\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(?:\s*(.*))?$/.exec(text.trim());
  if (!m) return Date.parse(text);
  const frac = (m[3] ?? '').slice(0, 4).padEnd(4, '0'); // '.123' → millis
  const zone = (m[4] ?? '').trim();
  const offset = zone === '' || zone === 'UTC' || zone === 'Z' ? 'Z' : /^[+-]\d{2}:\d{2}$/.test(zone) ? zone : 'Z';
  const ms = Date.parse(`${m[1]}T${m[2]!.length === 5 ? `${m[2]}:00` : m[2]}${frac}${offset}`);
  return ms;
}

/** The Arrow type and converter for a protocol type text. */
export function mapType(typeText: string): Mapped {
  const t = typeText.toLowerCase().trim();
  if (t === 'boolean') return { type: new Bool(), convert: identity };
  if (t === 'tinyint') return { type: new Int8(), convert: identity };
  if (t === 'smallint') return { type: new Int16(), convert: identity };
  if (t === 'integer' || t === 'int') return { type: new Int32(), convert: identity };
  // JSON numbers beyond 2^53 lose precision in JSON.parse; the protocol gives us no other form.
  if (t === 'bigint') return { type: new Int64(), convert: (v) => (typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(String(v))) };
  if (t === 'real') return { type: new Float32(), convert: floatCell };
  if (t === 'double') return { type: new Float64(), convert: floatCell };
  const decimal = /^decimal\((\d+)\s*,\s*(\d+)\)$/.exec(t);
  if (decimal) return { type: new Decimal(Number(decimal[2]), Number(decimal[1]), 128), convert: (v) => String(v) };
  if (t === 'date') return { type: new DateDay(), convert: (v) => Date.parse(`${String(v)}T00:00:00Z`) };
  if (t.startsWith('timestamp')) {
    const zoned = t.includes('with time zone');
    return { type: new TimestampMicrosecond(zoned ? 'UTC' : null), convert: (v) => timestampTextToMs(String(v)) };
  }
  if (t === 'varbinary') return { type: new Binary(), convert: (v) => new Uint8Array(Buffer.from(String(v), 'base64')) };
  if (t.startsWith('varchar') || t.startsWith('char') || t === 'uuid' || t.startsWith('time') || t === 'ipaddress' || t.startsWith('interval')) {
    return { type: new Utf8(), convert: (v) => String(v) };
  }
  // json, array, map, row and anything new: their JSON text.
  return { type: new Utf8(), convert: (v) => (typeof v === 'string' ? v : JSON.stringify(v)) };
}

/** Arrow fields and per-column converters for a result's columns. */
export function mapColumns(columns: readonly StatementColumn[]): { fields: Field[]; converters: CellConverter[] } {
  const fields: Field[] = [];
  const converters: CellConverter[] = [];
  for (const c of columns) {
    const m = mapType(c.type);
    fields.push(new Field(c.name, m.type, true));
    converters.push(m.convert);
  }
  return { fields, converters };
}
