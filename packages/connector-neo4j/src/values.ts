/**
 * Values between documents and Neo4j. Node properties hold scalars and homogeneous lists of
 * scalars only, so on write nested objects are flattened into dotted property keys
 * (`address: { city }` → `address.city`), integers are sent as Neo4j Integers (JavaScript
 * numbers would be stored as floats), dates as DateTimes, bytes as byte arrays, and a list that
 * mixes types or holds objects is stored as its JSON text (Neo4j cannot store it). Nulls are not
 * stored (Neo4j has no null property). On read the dotted keys are folded back into objects;
 * Integers become numbers when safe (else bigints), temporal values `Date`s (Date, DateTime,
 * LocalDateTime) or ISO text (Time, LocalTime, Duration), points `{ srid, x, y, z }`, and nodes
 * and relationships returned by Cypher queries their properties.
 */
import { jsonText } from '@sparkle/core';
import type * as Neo4j from 'neo4j-driver';

type Driver = typeof Neo4j;

const SAFE = (v: bigint) => v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A scalar as a driver value (or `undefined` when it is not a scalar). */
function scalarToNeo4j(value: unknown, neo4j: Driver): unknown {
  if (typeof value === 'bigint') return neo4j.int(value.toString());
  if (typeof value === 'number') return Number.isSafeInteger(value) ? neo4j.int(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return neo4j.types.DateTime.fromStandardDate(value);
  return undefined;
}

/** A filter or key value as a driver value. */
export function paramToNeo4j(value: unknown, neo4j: Driver): unknown {
  return scalarToNeo4j(value, neo4j) ?? value;
}

function kindOf(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (value instanceof Date) return 'date';
  return typeof value;
}

/** A property value: a scalar, a homogeneous list of scalars, bytes, or JSON text. */
function propertyValue(value: unknown, neo4j: Driver): unknown {
  if (value instanceof Uint8Array) return new Int8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    const kinds = new Set(value.map(kindOf));
    const scalar = value.every((v) => v !== null && v !== undefined && scalarToNeo4j(v, neo4j) !== undefined);
    // Integers and fractions mix as floats in one list (Neo4j lists are of one type).
    if (scalar && kinds.size <= 1) {
      const floats = value.some((v) => typeof v === 'number' && !Number.isInteger(v));
      return value.map((v) => (floats ? Number(v) : scalarToNeo4j(v, neo4j)));
    }
    return jsonText(value);
  }
  const scalar = scalarToNeo4j(value, neo4j);
  return scalar === undefined ? jsonText(value) : scalar;
}

/**
 * A document as node properties: nested objects flattened into dotted keys, nulls left out.
 * @example
 * ```ts
 * toProperties({ _id: 1, address: { city: 'Bern', zip: null } }, neo4j); // { _id: Integer(1), 'address.city': 'Bern' }
 * ```
 */
export function toProperties(doc: Record<string, unknown>, neo4j: Driver): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === null || v === undefined) continue;
      const key = prefix ? `${prefix}.${k}` : k;
      if (isPlainObject(v)) {
        if (Object.keys(v).length === 0) out[key] = '{}';
        else walk(v, key);
      } else out[key] = propertyValue(v, neo4j);
    }
  };
  walk(doc, '');
  return out;
}

/** A driver value as a document value. */
export function fromNeo4j(value: unknown, neo4j: Driver): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return SAFE(value) ? Number(value) : value;
  if (neo4j.isInt(value)) {
    const big = BigInt((value as Neo4j.Integer).toString());
    return SAFE(big) ? Number(big) : big;
  }
  if (Array.isArray(value)) return value.map((v) => fromNeo4j(v, neo4j));
  if (value instanceof Int8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (neo4j.isDateTime(value) || neo4j.isDate(value)) return (value as Neo4j.DateTime).toStandardDate();
  if (neo4j.isLocalDateTime(value)) return new Date(`${(value as Neo4j.LocalDateTime).toString()}Z`);
  if (neo4j.isTime(value) || neo4j.isLocalTime(value) || neo4j.isDuration(value)) return String(value);
  if (neo4j.isPoint(value)) {
    const p = value as Neo4j.Point;
    return { srid: Number(p.srid), x: p.x, y: p.y, ...(p.z !== undefined ? { z: p.z } : {}) };
  }
  if (neo4j.isNode(value) || neo4j.isRelationship(value)) return fromProperties((value as Neo4j.Node).properties, neo4j);
  if (neo4j.isPath(value)) return jsonText((value as Neo4j.Path).segments.map((s) => [fromNeo4j(s.start, neo4j), fromNeo4j(s.relationship, neo4j), fromNeo4j(s.end, neo4j)]));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromNeo4j(v, neo4j)]));
  return value;
}

/** Node properties as a document: dotted keys folded back into nested objects. */
export function fromProperties(props: Record<string, unknown>, neo4j: Driver): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(props).sort()) {
    const value = fromNeo4j(props[key], neo4j);
    const parts = key.split('.');
    let into = out;
    for (const part of parts.slice(0, -1)) {
      const next = into[part];
      if (!isPlainObject(next)) into[part] = {};
      into = into[part] as Record<string, unknown>;
    }
    into[parts.at(-1)!] = value;
  }
  return out;
}
