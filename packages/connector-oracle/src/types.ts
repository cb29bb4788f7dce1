/** Oracle column metadata → Arrow fields (NUMBER keeps its precision; it is fetched as text). */
import { Binary, Bool, Decimal, Field, Float32, Float64, Int64, TimestampMicrosecond, Utf8, type DataType } from 'apache-arrow';

/** The parts of oracledb's `metaData` entries this connector reads. */
export interface OracleColumn {
  name: string;
  dbTypeName?: string;
  precision?: number;
  scale?: number;
  nullable?: boolean;
}

/** Arrow type of an Oracle column, following Spark's Oracle mapping where it is exact. */
export function arrowTypeOfOracle(column: OracleColumn): DataType {
  const t = (column.dbTypeName ?? '').toUpperCase();
  if (t === 'NUMBER' || t === 'FLOAT') {
    const p = column.precision ?? 0;
    const s = column.scale ?? 0;
    if (t === 'NUMBER' && p > 0 && s === 0 && p <= 18) return new Int64();
    if (t === 'NUMBER' && p > 0 && p <= 38 && s >= 0) return new Decimal(s, p, 128);
    // NUMBER without precision: Spark reads it as decimal(38,10).
    if (t === 'NUMBER' && s !== -127) return new Decimal(10, 38, 128);
    return new Float64();
  }
  if (t === 'BINARY_FLOAT') return new Float32();
  if (t === 'BINARY_DOUBLE') return new Float64();
  if (t === 'BOOLEAN') return new Bool();
  if (t === 'DATE' || t === 'TIMESTAMP') return new TimestampMicrosecond();
  if (t.startsWith('TIMESTAMP')) return new TimestampMicrosecond('UTC');
  if (t === 'RAW' || t === 'LONG RAW' || t === 'BLOB') return new Binary();
  return new Utf8();
}

export function arrowFieldOfOracle(column: OracleColumn): Field {
  return new Field(column.name, arrowTypeOfOracle(column), column.nullable ?? true);
}
