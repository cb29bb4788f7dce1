import { testConnector } from '@sparkle/testkit';
import { SapHanaConnection } from '../src/index.js';

testConnector({
  type: 'saphana',
  aliases: ['hana'],
  connectionClass: SapHanaConnection,
  validConfig: { url: 'jdbc:sap://hana.internal:39015/?databaseName=HXE', user: 'SYSTEM', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  // No SAP HANA server runs on these machines: the live checks use SPARKLE_TEST_SAPHANA_URL when it is set.
  service: async () => {
    const url = process.env.SPARKLE_TEST_SAPHANA_URL;
    if (!url) return { skip: 'SPARKLE_TEST_SAPHANA_URL is not set (no SAP HANA server on this machine)' };
    return {
      config: {
        url,
        ...(process.env.SPARKLE_TEST_SAPHANA_USER ? { user: process.env.SPARKLE_TEST_SAPHANA_USER } : {}),
        ...(process.env.SPARKLE_TEST_SAPHANA_PASSWORD ? { password: process.env.SPARKLE_TEST_SAPHANA_PASSWORD } : {}),
      },
    };
  },
  unreachableConfig: { url: 'jdbc:sap://127.0.0.1:1/' },
});
