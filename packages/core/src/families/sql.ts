/**
 * SQL building blocks shared by every SQL dialect: identifier quoting that refuses hostile
 * input, literal rendering, and Spark's JDBC stride partitioning.
 */
import { InvalidArgumentError } from '../errors.js';
import type { PartitionBound } from '../engine.js';

/** How a dialect quotes identifiers. */
export interface IdentifierStyle {
  open: string;
  close: string;
}

export const ANSI_QUOTES: IdentifierStyle = { open: '"', close: '"' };
export const BACKTICKS: IdentifierStyle = { open: '`', close: '`' };
export const BRACKETS: IdentifierStyle = { open: '[', close: ']' };

/**
 * Quotes one identifier part. The closing quote character is doubled (the SQL standard escape);
 * NUL bytes and empty names are refused outright.
 */
export function quoteIdentifier(name: string, style: IdentifierStyle = ANSI_QUOTES): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('An identifier must be a non-empty string');
  if (name.includes('\u0000')) throw new InvalidArgumentError('An identifier must not contain NUL bytes');
  if (name.length > 255) throw new InvalidArgumentError(`Identifier too long (${name.length} characters)`);
  return style.open + name.split(style.close).join(style.close + style.close) + style.close;
}

/**
 * Splits a possibly qualified, possibly quoted name (`public.customers`, `"My Schema"."t.1"`)
 * into parts. Unquoted parts are taken literally (no case folding: the caller's dialect decides).
 */
export function splitQualifiedName(name: string, style: IdentifierStyle = ANSI_QUOTES): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < name.length) {
    if (name[i] === style.open) {
      let part = '';
      i++;
      for (;;) {
        if (i >= name.length) throw new InvalidArgumentError(`Unterminated quoted identifier in '${name}'`);
        if (name[i] === style.close) {
          if (name[i + 1] === style.close) {
            part += style.close;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += name[i++];
      }
      parts.push(part);
    } else {
      const dot = name.indexOf('.', i);
      const part = name.slice(i, dot === -1 ? undefined : dot).trim();
      parts.push(part);
      i = dot === -1 ? name.length : dot;
      if (dot === -1) break;
    }
    if (name[i] === '.') i++;
    else if (i < name.length) throw new InvalidArgumentError(`Unexpected character after quoted identifier in '${name}'`);
  }
  if (parts.length === 0 || parts.some((p) => p.length === 0)) throw new InvalidArgumentError(`Invalid table name '${name}'`);
  return parts;
}

/** Quotes every part of a qualified name. */
export function quoteQualified(name: string, style: IdentifierStyle = ANSI_QUOTES): string {
  return splitQualifiedName(name, style).map((p) => quoteIdentifier(p, style)).join('.');
}

/** Renders a bound as a SQL literal. */
export function sqlLiteral(value: PartitionBound | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`Not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `'${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  return `'${value.replace(/'/g, "''")}'`;
}

type BoundKind = 'integer' | 'date' | 'timestamp';

interface NumericBound {
  kind: BoundKind;
  value: bigint;
}

const DAY_MS = 86_400_000n;

function toNumeric(bound: PartitionBound, name: string): NumericBound {
  if (typeof bound === 'bigint') return { kind: 'integer', value: bound };
  if (typeof bound === 'number') {
    if (!Number.isFinite(bound)) throw new InvalidArgumentError(`${name} must be finite`);
    return { kind: 'integer', value: BigInt(Math.trunc(bound)) };
  }
  if (bound instanceof Date) return { kind: 'timestamp', value: BigInt(bound.getTime()) * 1000n };
  if (/^-?\d+$/.test(bound.trim())) return { kind: 'integer', value: BigInt(bound.trim()) };
  if (/^\d{4}-\d{2}-\d{2}$/.test(bound.trim())) {
    return { kind: 'date', value: BigInt(Date.parse(`${bound.trim()}T00:00:00Z`)) / DAY_MS };
  }
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(bound) ? bound : `${bound.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${name} '${bound}' is not a number, date or timestamp`);
  return { kind: 'timestamp', value: BigInt(ms) * 1000n };
}

function render(kind: BoundKind, value: bigint): string {
  if (kind === 'integer') return value.toString();
  if (kind === 'date') return `'${new Date(Number(value * DAY_MS)).toISOString().slice(0, 10)}'`;
  const ms = value / 1000n;
  const micros = value % 1000n;
  const iso = new Date(Number(ms)).toISOString().replace('T', ' ').replace('Z', '');
  return `'${micros === 0n ? iso : iso + String(micros < 0n ? -micros : micros).padStart(3, '0')}'`;
}

/**
 * Spark's JDBC partitioning: WHERE clauses splitting `[lowerBound, upperBound)` into
 * `numPartitions` strides. The bounds only set the stride; the first partition also takes rows
 * below the lower bound and NULLs, the last everything above, so every row is read exactly once.
 *
 * @example
 * jdbcPartitionPredicates('"id"', 0, 100, 4)
 * // ['"id" < 25 OR "id" IS NULL', '"id" >= 25 AND "id" < 50', '"id" >= 50 AND "id" < 75', '"id" >= 75']
 */
export function jdbcPartitionPredicates(quotedColumn: string, lowerBound: PartitionBound, upperBound: PartitionBound, numPartitions: number): string[] {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new InvalidArgumentError(`numPartitions must be a positive integer, got ${numPartitions}`);
  const lower = toNumeric(lowerBound, 'lowerBound');
  const upper = toNumeric(upperBound, 'upperBound');
  const kind: BoundKind = lower.kind === upper.kind ? lower.kind : 'timestamp';
  if (lower.kind !== upper.kind) {
    // Mixed date/timestamp bounds: compare both as timestamps (micros).
    if (lower.kind === 'date') lower.value = lower.value * DAY_MS * 1000n;
    if (upper.kind === 'date') upper.value = upper.value * DAY_MS * 1000n;
  }
  if (lower.value > upper.value) throw new InvalidArgumentError(`lowerBound (${String(lowerBound)}) must not exceed upperBound (${String(upperBound)})`);
  const span = upper.value - lower.value;
  let n = BigInt(numPartitions);
  if (span < n) n = span > 0n ? span : 1n; // fewer distinct values than partitions
  if (n <= 1n) return [];
  const stride = upper.value / n - lower.value / n;
  const predicates: string[] = [];
  let current = lower.value;
  for (let i = 0n; i < n; i++) {
    const lowerClause = i === 0n ? undefined : `${quotedColumn} >= ${render(kind, current)}`;
    current += stride;
    const upperClause = i === n - 1n ? undefined : `${quotedColumn} < ${render(kind, current)}`;
    if (!lowerClause) predicates.push(`${upperClause} OR ${quotedColumn} IS NULL`);
    else if (!upperClause) predicates.push(lowerClause);
    else predicates.push(`${lowerClause} AND ${upperClause}`);
  }
  return predicates;
}
