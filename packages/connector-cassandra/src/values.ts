/**
 * Values between the Cassandra driver and documents. Reads: `bigint` as a number when it is a
 * safe integer (else a bigint), `decimal` and `varint` as exact text / bigint, uuids and inet
 * addresses as text, `date` as a `Date` at UTC midnight, `time` as nanoseconds (bigint),
 * collections as arrays, UDTs and tuples as objects, maps as objects (or, for Arrow, as
 * `{ key, value }` entry lists: Arrow's own map layout). Writes: the reverse, checked against the
 * column's CQL type, failing with a message naming the field.
 */
import { jsonText } from '@sparkle/core';
import type { types as DriverTypes } from 'cassandra-driver';
import { CQL, type CqlType } from './cql.js';

/** The driver's `types` namespace (the driver is imported lazily). */
export type CqlTypes = typeof DriverTypes;

/** The native protocol's encoding of an empty list, set or map: an int32 element count of 0. */
const EMPTY_COLLECTION = () => Buffer.alloc(4);

const SAFE = (v: bigint) => v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);

/** A driver value as a document value, by its CQL type. */
export function fromCql(value: unknown, type: CqlType, mapsAsEntries: boolean): unknown {
  if (value === null || value === undefined) return null;
  switch (type.code) {
    case CQL.bigint:
    case CQL.counter: {
      const big = BigInt(String(value));
      return SAFE(big) ? Number(big) : big;
    }
    case CQL.varint:
      return BigInt(String(value));
    case CQL.time:
      return BigInt(String((value as DriverTypes.LocalTime).getTotalNanoseconds()));
    case CQL.date:
      return new Date(`${String(value)}T00:00:00Z`);
    case CQL.decimal:
    case CQL.uuid:
    case CQL.timeuuid:
    case CQL.inet:
    case CQL.duration:
      return String(value);
    case CQL.float:
    case CQL.double:
      return Number(value);
    case CQL.blob:
      return new Uint8Array(value as Buffer);
    case CQL.list:
    case CQL.set:
      return [...(value as Iterable<unknown>)].map((v) => fromCql(v, type.info as CqlType, mapsAsEntries));
    case CQL.map: {
      const [kt, vt] = type.info as [CqlType, CqlType];
      const entries: Array<[unknown, unknown]> = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      if (mapsAsEntries) return entries.map(([k, v]) => ({ key: fromCql(k, kt, true), value: fromCql(v, vt, true) }));
      return Object.fromEntries(entries.map(([k, v]) => [String(fromCql(k, kt, false)), fromCql(v, vt, false)]));
    }
    case CQL.udt: {
      const out: Record<string, unknown> = {};
      for (const f of (type.info as { fields: Array<{ name: string; type: CqlType }> }).fields) {
        out[f.name] = fromCql((value as Record<string, unknown>)[f.name], f.type, mapsAsEntries);
      }
      return out;
    }
    case CQL.tuple: {
      const items = (value as DriverTypes.Tuple).values();
      return Object.fromEntries((type.info as CqlType[]).map((t, i) => [`_${i + 1}`, fromCql(items[i], t, mapsAsEntries)]));
    }
    default:
      return value;
  }
}

/** Why a value cannot go into a column; the message names the field. */
export class ValueMisfit extends Error {
  constructor(readonly field: string, what: string) {
    super(`field '${field}' ${what}`);
  }
}

const INT_RANGE: Record<number, [number, number, string]> = {
  [CQL.int]: [-(2 ** 31), 2 ** 31 - 1, 'int'],
  [CQL.smallint]: [-(2 ** 15), 2 ** 15 - 1, 'smallint'],
  [CQL.tinyint]: [-128, 127, 'tinyint'],
};

function describe(value: unknown): string {
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)?.slice(0, 40)}`;
}

/** A document value for a column of `type`, as the driver encodes it; throws `ValueMisfit`. */
export function toCql(value: unknown, type: CqlType, field: string, t: CqlTypes): unknown {
  if (value === null || value === undefined) return null;
  const misfit = (cql: string) => new ValueMisfit(field, `holds ${describe(value)}, which a ${cql} column cannot store`);
  switch (type.code) {
    case CQL.text:
    case CQL.varchar:
    case CQL.ascii:
      return typeof value === 'string' ? value : jsonText(value);
    case CQL.boolean:
      if (typeof value !== 'boolean') throw misfit('boolean');
      return value;
    case CQL.bigint:
    case CQL.counter:
      if (typeof value === 'bigint') {
        if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new ValueMisfit(field, `holds ${value}, outside the range of bigint (64-bit)`);
        return t.Long.fromString(value.toString());
      }
      if (typeof value === 'number' && Number.isSafeInteger(value)) return t.Long.fromNumber(value);
      throw misfit('bigint');
    case CQL.varint:
      if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value))) {
        return t.Integer.fromString(String(value));
      }
      throw misfit('varint');
    case CQL.int:
    case CQL.smallint:
    case CQL.tinyint: {
      const [lo, hi, name] = INT_RANGE[type.code]!;
      const n = typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw misfit(name);
      if (n < lo || n > hi) throw new ValueMisfit(field, `holds ${n}, outside the range of ${name}`);
      return n;
    }
    case CQL.float:
    case CQL.double:
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint' && SAFE(value)) return Number(value);
      throw misfit('double');
    case CQL.decimal:
      if (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value))) {
        return t.BigDecimal.fromString(String(value));
      }
      throw misfit('decimal');
    case CQL.timestamp:
      if (value instanceof Date) return value;
      if (typeof value === 'number') return new Date(value);
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
      throw misfit('timestamp');
    case CQL.date:
      if (value instanceof Date) return t.LocalDate.fromDate(value);
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return t.LocalDate.fromString(value);
      throw misfit('date');
    case CQL.time:
      if (typeof value === 'bigint' || typeof value === 'number') return new t.LocalTime(t.Long.fromString(String(value)));
      if (typeof value === 'string') return t.LocalTime.fromString(value);
      throw misfit('time');
    case CQL.uuid:
    case CQL.timeuuid:
      if (typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return t.Uuid.fromString(value);
      throw misfit('uuid');
    case CQL.inet:
      if (typeof value === 'string') return t.InetAddress.fromString(value);
      throw misfit('inet');
    case CQL.blob:
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      throw misfit('blob');
    case CQL.list:
    case CQL.set:
      if (!Array.isArray(value)) throw misfit(type.code === CQL.list ? 'list' : 'set');
      // The driver encodes an empty array as null; a frozen collection can hold an empty value,
      // so send its encoding (an element count of 0) ourselves: [] stays [], null stays null.
      if (value.length === 0) return EMPTY_COLLECTION();
      return value.map((v, i) => toCql(v, type.info as CqlType, `${field}[${i}]`, t));
    case CQL.map: {
      const [kt, vt] = type.info as [CqlType, CqlType];
      const entries: Array<[unknown, unknown]> = Array.isArray(value)
        ? value.map((e: { key?: unknown; value?: unknown }) => [e?.key, e?.value])
        : typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)
          ? Object.entries(value as object)
          : (() => {
              throw misfit('map');
            })();
      if (entries.length === 0) return EMPTY_COLLECTION();
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) out[String(toCql(k, kt, `${field}.key`, t))] = toCql(v, vt, `${field}.${String(k)}`, t);
      return out;
    }
    case CQL.udt: {
      if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date || value instanceof Uint8Array) throw misfit('user-defined type');
      const fields = (type.info as { fields: Array<{ name: string; type: CqlType }> }).fields;
      const known = new Set(fields.map((f) => f.name));
      for (const [k, v] of Object.entries(value)) {
        if (!known.has(k) && v !== null && v !== undefined) throw new ValueMisfit(`${field}.${k}`, `is not a field of the type (${fields.map((f) => f.name).join(', ')})`);
      }
      return Object.fromEntries(fields.map((f) => [f.name, toCql((value as Record<string, unknown>)[f.name], f.type, `${field}.${f.name}`, t)]));
    }
    case CQL.tuple: {
      const items = (type.info as CqlType[]).map((it, i) => {
        const v = Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[`_${i + 1}`];
        return toCql(v, it, `${field}._${i + 1}`, t);
      });
      return t.Tuple.fromArray(items);
    }
    default:
      return value;
  }
}
