/** The shared connector suite: registration, aliases, config validation, redaction, Spark specs, lifecycle, failing health. */
import { testConnector } from '@sparkle/testkit';
import { AdlsConnection } from '../src/index.js';

const clientSecret = 'example-client-secret-value';

testConnector({
  type: 'adls',
  aliases: ['adls_gen2'],
  connectionClass: AdlsConnection,
  validConfig: { account: 'lake', filesystem: 'curated', format: 'parquet', auth: { type: 'servicePrincipal', tenantId: 'tenant-1', clientId: 'client-1', clientSecret } },
  invalidConfigs: [
    { name: 'no account', config: { filesystem: 'curated' }, path: 'account' },
    { name: 'an upper-case account name', config: { account: 'Lake', filesystem: 'curated' }, path: 'account' },
    { name: 'a filesystem name with a slash', config: { account: 'lake', filesystem: 'cur/ated' }, path: 'filesystem' },
    { name: 'an unknown auth type', config: { account: 'lake', filesystem: 'curated', auth: { type: 'kerberos' } }, path: 'auth.type' },
  ],
  secretFields: ['auth.clientSecret'],
  sparkSecretOptions: ['fs.azure.account.oauth2.client.secret.lake.dfs.core.windows.net'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { account: 'lake', filesystem: 'curated', endpoint: 'http://127.0.0.1:1/lake', auth: { type: 'accountKey', accountKey: 'a2V5' }, maxTries: 1 },
});
