/** SQL Server column metadata (as mssql reports it) → Arrow fields. */
import { Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, TimestampMicrosecond, Uint8, Utf8, type DataType } from 'apache-arrow';

/** The parts of an mssql column description this connector reads. */
export interface MssqlColumn {
  name: string;
  type?: { declaration?: string };
  precision?: number;
  scale?: number;
  nullable?: boolean;
}

export function arrowTypeOfMssql(column: MssqlColumn): DataType {
  const t = (column.type?.declaration ?? '').toLowerCase();
  switch (t) {
    case 'bit':
      return new Bool();
    case 'tinyint':
      return new Uint8();
    case 'smallint':
      return new Int16();
    case 'int':
      return new Int32();
    case 'bigint':
      return new Int64();
    case 'real':
      return new Float32();
    case 'float':
      return new Float64();
    case 'decimal':
    case 'numeric':
      return new Decimal(column.scale ?? 0, Math.min(38, column.precision ?? 18), 128);
    case 'money':
    case 'smallmoney':
      return new Decimal(4, 19, 128);
    case 'date':
      return new DateDay();
    case 'datetime':
    case 'datetime2':
    case 'smalldatetime':
      return new TimestampMicrosecond();
    case 'datetimeoffset':
      return new TimestampMicrosecond('UTC');
    case 'binary':
    case 'varbinary':
    case 'image':
    case 'udt':
      return new Binary();
    default:
      // char, varchar, nchar, nvarchar, text, ntext, uniqueidentifier, xml, time, sql_variant
      return new Utf8();
  }
}

export function arrowFieldOfMssql(column: MssqlColumn): Field {
  return new Field(column.name, arrowTypeOfMssql(column), column.nullable ?? true);
}
