/**
 * The shared connector conformance suite (registration, config schema, redaction of the inline
 * service-account key, Spark specs with their secret options, lifecycle, a failing network
 * tier). Its live table checks use extension-less SQL table names, partitionColumn and append on
 * every format, which files do not have: they are declared out (no service here) and covered by
 * testObjectStore against fake-gcs-server in object-store.test.ts.
 */
import { testConnector } from '@sparkle/testkit';
import { GcsConnection } from '../src/index.js';
import { SERVICE_ACCOUNT_JSON } from './helpers.js';

testConnector({
  type: 'gcs',
  aliases: [],
  connectionClass: GcsConnection,
  validConfig: { project: 'analytics', bucket: 'lake', prefix: 'raw', format: 'parquet', credentials: { serviceAccountJson: SERVICE_ACCOUNT_JSON } },
  invalidConfigs: [
    { name: 'a bucket name with capitals', config: { bucket: 'My_Bucket' }, path: 'bucket' },
    { name: 'a key that is not JSON', config: { bucket: 'lake', credentials: { serviceAccountJson: 'not json' } }, path: 'credentials.serviceAccountJson' },
    { name: 'both an inline key and a key file', config: { bucket: 'lake', credentials: { serviceAccountJson: SERVICE_ACCOUNT_JSON, keyFile: '/k.json' } }, path: 'credentials.keyFile' },
    { name: 'a prefix leaving the bucket', config: { bucket: 'lake', prefix: 'a/../..' }, path: 'prefix' },
  ],
  secretFields: ['credentials.serviceAccountJson'],
  sparkSecretOptions: ['fs.gs.auth.service.account.private.key', 'fs.gs.auth.service.account.private.key.id'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { bucket: 'lake', apiEndpoint: 'http://127.0.0.1:1' },
});
