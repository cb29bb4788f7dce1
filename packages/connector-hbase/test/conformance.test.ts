// The shared suites against the REAL HBase (standalone master + region server and its REST
// gateway) started by tools/services/ensure-hbase.sh.
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { HBaseConnection } from '../src/index.js';
import { liveConfig } from './live-config.js';

const declared = { rowKey: 'utf8', columns: { name: { column: 'd:name', type: 'utf8' }, n: { column: 'd:n', type: 'int64' } } };

// Registration, config schema, redaction, Spark specs, failing health, lifecycle (the live
// round trips are the document suite's below: a table here is a collection keyed by '_id').
testConnector({
  type: 'hbase',
  aliases: ['apache_hbase'],
  connectionClass: HBaseConnection,
  validConfig: { url: 'https://hbase-rest.example:8443', namespace: 'shop', auth: 'basic', user: 'etl', password: 'example-secret-pw', tables: { sparkle_ct_spark: declared } },
  invalidConfigs: [
    { name: 'a non-HTTP URL', config: { url: 'hbase://zk1:2181' }, path: 'url' },
    { name: 'a hostile namespace', config: { namespace: 'a/../b' }, path: 'namespace' },
    { name: 'Kerberos', config: { auth: 'kerberos' }, path: 'auth' },
    { name: 'an unknown cell type', config: { tables: { t: { columns: { a: { column: 'd:a', type: 'int32' } } } } }, path: 'tables' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: [],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { url: 'http://127.0.0.1:1', timeoutMs: 2000 },
});

// The document capability suite: key-field filters are pushed down (gets, prefix, ranges), the
// rest evaluated client-side; overwrite is refused (no atomic table swap through the gateway).
testDocumentStore({ type: 'hbase', config: liveConfig(), failingDocument: { name: 'no key' } });
