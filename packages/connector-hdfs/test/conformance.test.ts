/**
 * The shared connector conformance suite (registration, config schema, redaction of the
 * delegation token, Spark specs, lifecycle, a failing network tier). Its live table checks use
 * extension-less SQL table names, partitionColumn and append on every format, which files do not
 * have: they are declared out (no service here) and covered by testObjectStore against the real
 * HDFS in object-store.test.ts.
 */
import { testConnector } from '@sparkle/testkit';
import { HdfsConnection } from '../src/index.js';

testConnector({
  type: 'hdfs',
  aliases: [],
  connectionClass: HdfsConnection,
  validConfig: { namenodes: ['http://nn1.example.internal:9870'], path: '/data/lake', format: 'parquet', delegationToken: 'HAAEaGRmcwRoZGZzAIoBkJ2b-example-token' },
  invalidConfigs: [
    { name: 'no NameNode', config: { namenodes: [] }, path: 'namenodes' },
    { name: 'an hdfs:// URL where WebHDFS is asked for', config: { namenodes: ['hdfs://nn1:8020'] }, path: 'namenodes[0]' },
    { name: 'a relative root path', config: { namenodes: ['http://nn1:9870'], path: 'data' }, path: 'path' },
    { name: 'Kerberos', config: { namenodes: ['http://nn1:9870'], auth: 'kerberos' }, path: 'auth' },
  ],
  secretFields: ['delegationToken'],
  sparkSecretOptions: [],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { namenodes: ['http://127.0.0.1:1'] },
});
