/** The shared connector suite: registration, aliases, config validation, redaction, Spark specs, lifecycle, failing health. */
import { testConnector } from '@sparkle/testkit';
import { AzureBlobConnection } from '../src/index.js';

const accountKey = 'c2VjcmV0LWFjY291bnQta2V5LWZvci10ZXN0cw==';

testConnector({
  type: 'azure_blob',
  aliases: ['wasbs'],
  connectionClass: AzureBlobConnection,
  validConfig: { account: 'lake', container: 'raw', format: 'parquet', auth: { type: 'accountKey', accountKey } },
  invalidConfigs: [
    { name: 'no account (and no connection string naming one)', config: { container: 'raw', auth: { type: 'default' } }, path: 'account' },
    { name: 'an upper-case account name', config: { account: 'MyLake', container: 'raw' }, path: 'account' },
    { name: 'a container name with underscores', config: { account: 'lake', container: 'raw_data' }, path: 'container' },
    { name: 'an unknown auth type', config: { account: 'lake', container: 'raw', auth: { type: 'password' } }, path: 'auth.type' },
    { name: 'a service principal without its secret', config: { account: 'lake', container: 'raw', auth: { type: 'servicePrincipal', tenantId: 't', clientId: 'c' } }, path: 'auth.clientSecret' },
  ],
  secretFields: ['auth.accountKey'],
  sparkSecretOptions: ['fs.azure.account.key.lake.blob.core.windows.net'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { account: 'lake', container: 'raw', endpoint: 'http://127.0.0.1:1/lake', auth: { type: 'accountKey', accountKey }, maxTries: 1 },
});
