/**
 * A small typed column API: `col('a')`, `lit(1)`, operators, casts, sort orders, aliases and
 * function calls (`fn.sum('x')`). Columns are plan fragments ({@link Expression} messages)
 * built locally; the server resolves names and functions. Values never become SQL text:
 * a literal is sent as a typed Literal message, so nothing needs quoting or escaping.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { InvalidArgumentError } from '@sparkle/core';
import { type Expression, type Expression_Literal, Expression_SortOrder_NullOrdering, Expression_SortOrder_SortDirection, ExpressionSchema, Expression_LiteralSchema } from './gen/spark/connect/expressions_pb.js';
import { columnExpression } from './plan.js';

const CONNECTOR = 'spark-connect';

type LiteralInit = MessageInitShape<typeof Expression_LiteralSchema>['literalType'];

/** A JavaScript value {@link lit} turns into a literal. */
export type LiteralValue = null | undefined | boolean | number | bigint | string | Date | Uint8Array;

/** A value that stands for a column: a Column, or a column name. */
export type ColumnLike = Column | string;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MS_PER_DAY = 86_400_000;

function literalInit(value: LiteralValue): LiteralInit {
  if (value === null || value === undefined) return { case: 'null', value: { kind: { case: 'null', value: {} } } };
  switch (typeof value) {
    case 'boolean':
      return { case: 'boolean', value };
    case 'bigint':
      return { case: 'long', value: checkedLong(value) };
    case 'string':
      return { case: 'string', value };
    case 'number':
      // Like Spark's Python client: integral values are int when they fit, else long; the rest double.
      if (Number.isInteger(value)) return value >= INT32_MIN && value <= INT32_MAX ? { case: 'integer', value } : { case: 'long', value: checkedLong(BigInt(value)) };
      return { case: 'double', value };
    default:
      break;
  }
  if (value instanceof Date) return { case: 'timestamp', value: timestampMicros(value) };
  if (value instanceof Uint8Array) return { case: 'binary', value };
  throw new InvalidArgumentError(`lit() cannot make a Spark literal from ${Object.prototype.toString.call(value)}; use lit.decimal(), lit.date(), lit.timestamp() or a column expression`, {
    connector: CONNECTOR,
  });
}

function checkedLong(value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw new InvalidArgumentError(`${value} does not fit a Spark bigint (64-bit)`, { connector: CONNECTOR });
  return value;
}

function timestampMicros(value: Date): bigint {
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new InvalidArgumentError('lit.timestamp() got an invalid Date', { connector: CONNECTOR });
  return BigInt(ms) * 1000n;
}

/** Days since the UNIX epoch of `YYYY-MM-DD` or of a Date's UTC calendar day. */
function epochDay(value: Date | string): number {
  if (typeof value === 'string') {
    const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) throw new InvalidArgumentError(`lit.date() expects 'YYYY-MM-DD', got '${value}'`, { connector: CONNECTOR });
    return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY);
  }
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new InvalidArgumentError('lit.date() got an invalid Date', { connector: CONNECTOR });
  return Math.floor(ms / MS_PER_DAY);
}

/** Precision and scale of a decimal written as text (`-12.50` → 4, 2). */
function decimalShape(text: string): { precision: number; scale: number } {
  const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw new InvalidArgumentError(`lit.decimal() expects a decimal number as text, e.g. '12.50', got '${text}'`, { connector: CONNECTOR });
  const integer = m[1]!.replace(/^0+/, '');
  const scale = (m[2] ?? '').length;
  const precision = Math.max(integer.length + scale, 1);
  if (precision > 38) throw new InvalidArgumentError(`lit.decimal('${text}') needs ${precision} digits; Spark decimals hold at most 38`, { connector: CONNECTOR });
  return { precision, scale };
}

/**
 * A literal column.
 *
 * `null`/`undefined` → NULL, boolean → boolean, integral number → int (or bigint beyond 32
 * bits), other number → double, bigint → bigint, string → string, Date → timestamp,
 * Uint8Array → binary. The helpers on `lit` make the other types explicit.
 *
 * @example
 * ```ts
 * df.filter(col('amount').gt(lit(100))).withColumn('day', lit.date('2026-12-07'));
 * lit.decimal('12.50'); lit.long(7); lit.double(1); lit.timestamp(new Date()); lit.null('string');
 * ```
 */
export function lit(value: LiteralValue | Column): Column {
  if (value instanceof Column) return value;
  return literalColumn(literalInit(value));
}

function literalColumn(literalType: LiteralInit): Column {
  return Column.of({ case: 'literal', value: { literalType } });
}

/** A 32-bit int literal. */
lit.int = (value: number): Column => {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) throw new InvalidArgumentError(`lit.int() needs a 32-bit integer, got ${value}`, { connector: CONNECTOR });
  return literalColumn({ case: 'integer', value });
};
/** A bigint (64-bit) literal. */
lit.long = (value: number | bigint): Column => {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new InvalidArgumentError(`lit.long() needs a safe integer or a bigint, got ${value}`, { connector: CONNECTOR });
  return literalColumn({ case: 'long', value: checkedLong(BigInt(value)) });
};
/** A double literal (also for integral numbers). */
lit.double = (value: number): Column => literalColumn({ case: 'double', value });
/** A decimal literal from its text; precision and scale default to the text's own. */
lit.decimal = (value: string, precision?: number, scale?: number): Column => {
  const shape = decimalShape(value);
  return literalColumn({ case: 'decimal', value: { value, precision: precision ?? shape.precision, scale: scale ?? shape.scale } });
};
/** A date literal from `YYYY-MM-DD` or a Date (its UTC day). */
lit.date = (value: Date | string): Column => literalColumn({ case: 'date', value: epochDay(value) });
/** A timestamp (with the session time zone) literal from a Date, microsecond precision. */
lit.timestamp = (value: Date): Column => literalColumn({ case: 'timestamp', value: timestampMicros(value) });
/** A timestamp_ntz (no time zone) literal: the Date's UTC wall clock. */
lit.timestampNtz = (value: Date): Column => literalColumn({ case: 'timestampNtz', value: timestampMicros(value) });
/** A TIME literal (Spark 4.1) from `HH:MM[:SS[.fraction]]`; precision is the fraction's digits (at most 6). */
lit.time = (value: string): Column => {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(value);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) {
    throw new InvalidArgumentError(`lit.time() expects 'HH:MM:SS[.ffffff]', got '${value}'`, { connector: CONNECTOR });
  }
  const fraction = m[4] ?? '';
  const nano = ((BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3] ?? 0)) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
  return literalColumn({ case: 'time', value: { nano, precision: Math.min(Math.max(fraction.length, 0), 6) } });
};
/** A binary literal. */
lit.binary = (value: Uint8Array): Column => literalColumn({ case: 'binary', value });
/** A typed NULL (`lit.null('string')` is `CAST(NULL AS STRING)`); untyped when no type is given. */
lit.null = (type?: string): Column => (type ? lit(null).cast(type) : lit(null));

/** A column by name: `col('a')`, `col('t.a')`, `col('*')`. */
export function col(name: string): Column {
  return new Column(columnExpression(name));
}

/** A SQL expression the server parses (`expr('a + 1')`): the escape hatch for what the API lacks. */
export function expr(sql: string): Column {
  return Column.of({ case: 'expressionString', value: { expression: sql } });
}

/** The Column for a column name or Column. */
export function toColumn(value: ColumnLike): Column {
  return typeof value === 'string' ? col(value) : value;
}

/** The Column for an operand: Columns stay, anything else becomes a literal (as in Spark's clients). */
function operand(value: Column | LiteralValue): Column {
  return value instanceof Column ? value : lit(value);
}

function call(name: string, args: Column[], isDistinct = false): Column {
  return Column.of({ case: 'unresolvedFunction', value: { functionName: name, arguments: args.map((a) => a.expression), isDistinct } });
}

/** Sort direction and null placement of {@link Column.asc} and {@link Column.desc}. */
export type NullsOrder = 'first' | 'last';

/**
 * A column expression. Immutable: every method returns a new Column.
 *
 * @example
 * ```ts
 * import { col, lit, fn } from '@sparkle/spark-connect';
 *
 * df.select(col('id'), col('price').multiply(col('qty')).alias('total'))
 *   .filter(col('country').eq('NL').and(col('total').ge(100)))
 *   .orderBy(col('total').desc({ nulls: 'last' }));
 * ```
 */
export class Column {
  constructor(
    /** The expression message this column stands for. */
    readonly expression: Expression,
  ) {}

  /** @internal */
  static of(exprType: MessageInitShape<typeof ExpressionSchema>['exprType']): Column {
    return new Column(create(ExpressionSchema, { exprType }));
  }

  #binary(op: string, other: Column | LiteralValue): Column {
    return call(op, [this, operand(other)]);
  }

  /** `this = other` (SQL equality: NULL when either side is NULL). */
  eq(other: Column | LiteralValue): Column {
    return this.#binary('==', other);
  }
  /** `this <> other`. */
  ne(other: Column | LiteralValue): Column {
    return call('not', [this.eq(other)]);
  }
  /** `this <=> other` (null-safe equality). */
  eqNullSafe(other: Column | LiteralValue): Column {
    return this.#binary('<=>', other);
  }
  lt(other: Column | LiteralValue): Column {
    return this.#binary('<', other);
  }
  le(other: Column | LiteralValue): Column {
    return this.#binary('<=', other);
  }
  gt(other: Column | LiteralValue): Column {
    return this.#binary('>', other);
  }
  ge(other: Column | LiteralValue): Column {
    return this.#binary('>=', other);
  }
  plus(other: Column | LiteralValue): Column {
    return this.#binary('+', other);
  }
  minus(other: Column | LiteralValue): Column {
    return this.#binary('-', other);
  }
  multiply(other: Column | LiteralValue): Column {
    return this.#binary('*', other);
  }
  /** `this / other` (always fractional, as in SQL). */
  divide(other: Column | LiteralValue): Column {
    return this.#binary('/', other);
  }
  mod(other: Column | LiteralValue): Column {
    return this.#binary('%', other);
  }
  and(other: Column | LiteralValue): Column {
    return this.#binary('and', other);
  }
  or(other: Column | LiteralValue): Column {
    return this.#binary('or', other);
  }
  not(): Column {
    return call('not', [this]);
  }
  isNull(): Column {
    return call('isnull', [this]);
  }
  isNotNull(): Column {
    return call('isnotnull', [this]);
  }
  /** `this IN (values...)`. */
  isin(...values: (Column | LiteralValue)[]): Column {
    return call('in', [this, ...values.map(operand)]);
  }
  /** SQL LIKE with `%` and `_`. */
  like(pattern: string): Column {
    return this.#binary('like', pattern);
  }
  /** `this BETWEEN lower AND upper` (inclusive). */
  between(lower: Column | LiteralValue, upper: Column | LiteralValue): Column {
    return this.ge(lower).and(this.le(upper));
  }

  /** Casts to a Spark type given as text: `'string'`, `'bigint'`, `'decimal(10,2)'`, `'date'`. */
  cast(type: string): Column {
    return Column.of({ case: 'cast', value: { expr: this.expression, castToType: { case: 'typeStr', value: type } } });
  }

  /** Names the column (`AS name`). */
  alias(name: string): Column {
    return Column.of({ case: 'alias', value: { expr: this.expression, name: [name] } });
  }

  /** Alias of {@link alias}. */
  as(name: string): Column {
    return this.alias(name);
  }

  /** Ascending sort order; nulls first unless `{ nulls: 'last' }` (Spark's default for ascending). */
  asc(options: { nulls?: NullsOrder } = {}): Column {
    return this.#sort(Expression_SortOrder_SortDirection.ASCENDING, options.nulls ?? 'first');
  }

  /** Descending sort order; nulls last unless `{ nulls: 'first' }` (Spark's default for descending). */
  desc(options: { nulls?: NullsOrder } = {}): Column {
    return this.#sort(Expression_SortOrder_SortDirection.DESCENDING, options.nulls ?? 'last');
  }

  #sort(direction: Expression_SortOrder_SortDirection, nulls: NullsOrder): Column {
    const base = this.expression.exprType.case === 'sortOrder' ? this.expression.exprType.value.child : this.expression;
    const nullOrdering = nulls === 'first' ? Expression_SortOrder_NullOrdering.SORT_NULLS_FIRST : Expression_SortOrder_NullOrdering.SORT_NULLS_LAST;
    return Column.of({ case: 'sortOrder', value: { child: base, direction, nullOrdering } });
  }
}

/** The literal message of a value (for SQL parameters). @internal */
export function literalExpression(value: Column | LiteralValue): Expression {
  return operand(value).expression;
}

/** @internal A literal message, for tests and golden files. */
export function literalOf(value: LiteralValue): Expression_Literal {
  return create(Expression_LiteralSchema, { literalType: literalInit(value) });
}

/**
 * Spark SQL functions, resolved by name on the server. Arguments are Columns or column names.
 *
 * @example
 * ```ts
 * import { fn, col } from '@sparkle/spark-connect';
 *
 * df.groupBy('country').agg(fn.count('*').alias('n'), fn.sum('amount').alias('total'), fn.countDistinct('customer'));
 * df.select(fn.upper(col('name')), fn.call('date_trunc', lit('month'), col('ts')));
 * ```
 */
export const fn = {
  /** Any Spark SQL function by name, with Column (or literal) arguments. */
  call(name: string, ...args: (Column | LiteralValue)[]): Column {
    return call(name, args.map(operand));
  },
  /** Rows (`count('*')`) or non-null values of a column. */
  count: (column: ColumnLike): Column => call('count', [toColumn(column)]),
  /** Distinct non-null value combinations of the columns. */
  countDistinct: (column: ColumnLike, ...more: ColumnLike[]): Column => call('count', [column, ...more].map(toColumn), true),
  sum: (column: ColumnLike): Column => call('sum', [toColumn(column)]),
  sumDistinct: (column: ColumnLike): Column => call('sum', [toColumn(column)], true),
  avg: (column: ColumnLike): Column => call('avg', [toColumn(column)]),
  min: (column: ColumnLike): Column => call('min', [toColumn(column)]),
  max: (column: ColumnLike): Column => call('max', [toColumn(column)]),
  first: (column: ColumnLike): Column => call('first', [toColumn(column)]),
  last: (column: ColumnLike): Column => call('last', [toColumn(column)]),
  upper: (column: ColumnLike): Column => call('upper', [toColumn(column)]),
  lower: (column: ColumnLike): Column => call('lower', [toColumn(column)]),
  length: (column: ColumnLike): Column => call('length', [toColumn(column)]),
  abs: (column: ColumnLike): Column => call('abs', [toColumn(column)]),
  round: (column: ColumnLike, scale = 0): Column => call('round', [toColumn(column), lit(scale)]),
  coalesce: (...columns: ColumnLike[]): Column => call('coalesce', columns.map(toColumn)),
  concat: (...columns: ColumnLike[]): Column => call('concat', columns.map(toColumn)),
} as const;
