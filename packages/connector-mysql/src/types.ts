/**
 * MySQL/MariaDB column definitions → Arrow fields, with Spark's JDBC conventions:
 * TINYINT(1) is a boolean, unsigned integers widen to the next signed type (BIGINT UNSIGNED
 * becomes DECIMAL(20,0)), DECIMAL stays exact, DATETIME/TIMESTAMP keep microseconds.
 */
import { Field, type DataType } from 'apache-arrow';
import { ArrowTypes } from '@sparkle/engine-local';

/** Protocol column type codes (the `MYSQL_TYPE_*` enum of the client/server protocol). */
export const MysqlType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

const NOT_NULL_FLAG = 1;
const UNSIGNED_FLAG = 32;
/** The `binary` character set number: the column holds bytes, not text. */
const BINARY_CHARSET = 63;

/** What the driver tells about a result column (a subset of mysql2's column definition). */
export interface MysqlColumn {
  name: string;
  columnType: number;
  flags: number;
  decimals: number;
  columnLength: number;
  characterSet: number;
}

/** The Arrow type a column is read as. */
export function arrowTypeOfColumn(c: MysqlColumn): DataType {
  const unsigned = (c.flags & UNSIGNED_FLAG) !== 0;
  switch (c.columnType) {
    case MysqlType.TINY:
      if (c.columnLength === 1 && !unsigned) return ArrowTypes.bool();
      return unsigned ? ArrowTypes.int16() : ArrowTypes.int8();
    case MysqlType.SHORT:
      return unsigned ? ArrowTypes.int32() : ArrowTypes.int16();
    case MysqlType.INT24:
      return ArrowTypes.int32();
    case MysqlType.LONG:
      return unsigned ? ArrowTypes.int64() : ArrowTypes.int32();
    case MysqlType.LONGLONG:
      return unsigned ? ArrowTypes.decimal(20, 0) : ArrowTypes.int64();
    case MysqlType.YEAR:
      return ArrowTypes.int16();
    case MysqlType.FLOAT:
      return ArrowTypes.float32();
    case MysqlType.DOUBLE:
      return ArrowTypes.float64();
    case MysqlType.DECIMAL:
    case MysqlType.NEWDECIMAL: {
      const scale = c.decimals;
      // columnLength counts digits plus the point (when scale > 0) and the sign (when signed).
      const precision = c.columnLength - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
      return precision >= 1 && precision <= 38 ? ArrowTypes.decimal(precision, scale) : ArrowTypes.utf8();
    }
    case MysqlType.DATE:
    case MysqlType.NEWDATE:
      return ArrowTypes.date();
    case MysqlType.DATETIME:
      return ArrowTypes.timestamp();
    case MysqlType.TIMESTAMP:
      // The session runs with time_zone '+00:00', so TIMESTAMP values arrive in UTC.
      return ArrowTypes.timestamp('UTC');
    case MysqlType.TIME:
      return ArrowTypes.utf8(); // TIME spans -838:59:59..838:59:59, wider than a time of day.
    case MysqlType.BIT:
      return c.columnLength === 1 ? ArrowTypes.bool() : ArrowTypes.binary();
    case MysqlType.TINY_BLOB:
    case MysqlType.MEDIUM_BLOB:
    case MysqlType.LONG_BLOB:
    case MysqlType.BLOB:
    case MysqlType.VAR_STRING:
    case MysqlType.STRING:
    case MysqlType.VARCHAR:
      return c.characterSet === BINARY_CHARSET ? ArrowTypes.binary() : ArrowTypes.utf8();
    case MysqlType.GEOMETRY:
      return ArrowTypes.binary();
    default:
      return ArrowTypes.utf8();
  }
}

export function arrowFieldOfColumn(c: MysqlColumn): Field {
  return new Field(c.name, arrowTypeOfColumn(c), (c.flags & NOT_NULL_FLAG) === 0);
}
