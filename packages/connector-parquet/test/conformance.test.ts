import { tmpdir } from 'node:os';
import { testConnector } from '@sparkle/testkit';
import { ParquetConnection } from '../src/index.js';

// Live read/write checks of the shared suite assume SQL tables (partitionColumn, append); Parquet
// files are covered in connection.test.ts and codec.test.ts against real files instead.
testConnector({
  type: 'parquet',
  connectionClass: ParquetConnection,
  validConfig: { basePath: tmpdir(), compression: 'zstd', rowGroupSize: 1000 },
  invalidConfigs: [
    { name: 'an unknown codec', config: { compression: 'lzma' }, path: 'compression' },
    { name: 'a zero row group size', config: { rowGroupSize: 0 }, path: 'rowGroupSize' },
  ],
  secretFields: [],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
});
