import { Decimal, Field, Int64, Schema, TimestampMicrosecond } from 'apache-arrow';
import { RowBatchBuilder } from '@sparkle/engine-local';

const b = new RowBatchBuilder(new Schema([
  new Field('id', new Int64()),
  new Field('at', new TimestampMicrosecond()),
  new Field('price', new Decimal(10, 38, 128)),
]));
b.append({ id: 9007199254740993n, at: '2024-02-29 23:59:59.123456', price: '-0.0000000001' });
const batch = b.flush(); // every digit kept; '0.00000000001' would throw "Column 'price' … more than 10 fractional digits"
export {};
