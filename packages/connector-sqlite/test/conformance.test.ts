/** The shared conformance suite against a real SQLite file in a temp dir. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, testConnector } from '@sparkle/testkit';
import { SQLiteConnection } from '../src/index.js';

testConnector({
  type: 'sqlite',
  connectionClass: SQLiteConnection,
  validConfig: { url: 'jdbc:sqlite:/data/app.db', user: 'reader', password: 'sqlite-Pass-Never-Shown' },
  invalidConfigs: [
    { name: 'a non-JDBC url', config: { url: 'sqlite:/x.db' }, path: 'url' },
    { name: 'a wrong busyTimeoutMs type', config: { path: '/x.db', busyTimeoutMs: 'soon-ish' }, path: 'busyTimeoutMs' },
  ],
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  booleanAs: 'number',
  async service() {
    const dir = await tempDir('sparkle-sqlite-');
    const path = join(dir.path, 'conformance.db');
    writeFileSync(path, ''); // an empty file is a valid, empty SQLite database
    return { config: { url: `jdbc:sqlite:${path}` }, stop: dir.cleanup };
  },
  unreachableConfig: { path: '/nonexistent-sparkle-dir/missing.db', create: false },
});
