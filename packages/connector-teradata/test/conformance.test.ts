import { testConnector } from '@sparkle/testkit';
import { TeradataConnection } from '../src/index.js';

testConnector({
  type: 'teradata',
  aliases: [],
  connectionClass: TeradataConnection,
  validConfig: { url: 'jdbc:teradata://td.internal/DATABASE=sales', user: 'etl', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  // No Teradata server runs on these machines: the live checks use SPARKLE_TEST_TERADATA_URL when it is set.
  service: async () => {
    const url = process.env.SPARKLE_TEST_TERADATA_URL;
    if (!url) return { skip: 'SPARKLE_TEST_TERADATA_URL is not set (no Teradata server on this machine)' };
    return {
      config: {
        url,
        ...(process.env.SPARKLE_TEST_TERADATA_USER ? { user: process.env.SPARKLE_TEST_TERADATA_USER } : {}),
        ...(process.env.SPARKLE_TEST_TERADATA_PASSWORD ? { password: process.env.SPARKLE_TEST_TERADATA_PASSWORD } : {}),
      },
    };
  },
  unreachableConfig: { url: 'jdbc:teradata://127.0.0.1/DBS_PORT=1' },
});
