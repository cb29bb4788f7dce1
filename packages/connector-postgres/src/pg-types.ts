/**
 * PostgreSQL type OIDs and how each maps onto an Arrow column. These OIDs are fixed in the
 * server's catalog (`pg_type`) for built-in types and have never changed across releases.
 */

export const PgOid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  xml: 142,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** How one result column is decoded from binary COPY into Arrow. */
export type ColumnKind =
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'decimal'
  | 'utf8'
  | 'jsonb'
  | 'uuid'
  | 'binary'
  | 'bool'
  | 'date'
  | 'timestamp'
  | 'timestamptz';

/** A result column: its name, its server type, and how we decode it. */
export interface PgColumn {
  name: string;
  oid: number;
  typmod: number;
  /** `undefined` when the type has no binary decoder here: the query casts it to text. */
  kind: ColumnKind | undefined;
  precision?: number;
  scale?: number;
}

/** Precision and scale of a `numeric(p,s)` type modifier; undefined for unconstrained numeric. */
export function numericTypmod(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const t = typmod - 4;
  const precision = (t >> 16) & 0xffff;
  // Since PostgreSQL 15 the scale is an 11-bit signed field (negative scales are allowed).
  let scale = t & 0x7ff;
  if (scale & 0x400) scale -= 0x800;
  return { precision, scale };
}

/** Decides how a column with this OID/typmod is read. */
export function columnFor(name: string, oid: number, typmod: number): PgColumn {
  const base = { name, oid, typmod };
  switch (oid) {
    case PgOid.int2:
      return { ...base, kind: 'int16' };
    case PgOid.int4:
      return { ...base, kind: 'int32' };
    case PgOid.int8:
      return { ...base, kind: 'int64' };
    case PgOid.float4:
      return { ...base, kind: 'float32' };
    case PgOid.float8:
      return { ...base, kind: 'float64' };
    case PgOid.numeric: {
      const t = numericTypmod(typmod);
      // Arrow's Decimal128 holds 38 digits; unconstrained or wider numerics travel as exact text.
      if (!t || t.precision > 38 || t.precision < 1 || t.scale < 0 || t.scale > t.precision) return { ...base, kind: undefined };
      return { ...base, kind: 'decimal', precision: t.precision, scale: t.scale };
    }
    case PgOid.text:
    case PgOid.varchar:
    case PgOid.bpchar:
    case PgOid.name:
    case PgOid.json:
    case PgOid.xml:
      return { ...base, kind: 'utf8' };
    case PgOid.jsonb:
      return { ...base, kind: 'jsonb' };
    case PgOid.uuid:
      return { ...base, kind: 'uuid' };
    case PgOid.bytea:
      return { ...base, kind: 'binary' };
    case PgOid.bool:
      return { ...base, kind: 'bool' };
    case PgOid.date:
      return { ...base, kind: 'date' };
    case PgOid.timestamp:
      return { ...base, kind: 'timestamp' };
    case PgOid.timestamptz:
      return { ...base, kind: 'timestamptz' };
    default:
      return { ...base, kind: undefined };
  }
}
