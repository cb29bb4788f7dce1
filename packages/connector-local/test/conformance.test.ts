import { tmpdir } from 'node:os';
import { testConnector } from '@sparkle/testkit';
import { LocalFileConnection } from '../src/index.js';

// The shared suite's live checks use extension-less SQL table names, partitionColumn and
// append on every format, which files do not have; they are declared out (no service) and the
// file behaviour is covered in connection.test.ts against real files.
testConnector({
  type: 'local',
  aliases: ['file'],
  connectionClass: LocalFileConnection,
  validConfig: { basePath: tmpdir(), format: 'csv', csv: { header: true, delimiter: ';' } },
  invalidConfigs: [
    { name: 'an unknown format', config: { basePath: tmpdir(), format: 'xlsx' }, path: 'format' },
    { name: 'a two-character delimiter', config: { basePath: tmpdir(), csv: { delimiter: ';;' } }, path: 'csv.delimiter' },
  ],
  secretFields: [],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
});
