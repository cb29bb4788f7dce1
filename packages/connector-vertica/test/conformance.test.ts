import { testConnector } from '@sparkle/testkit';
import { VerticaConnection } from '../src/index.js';

testConnector({
  type: 'vertica',
  aliases: [],
  connectionClass: VerticaConnection,
  validConfig: { url: 'jdbc:vertica://vertica.internal:5433/analytics', user: 'dbadmin', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  // No Vertica server runs on these machines: the live checks use SPARKLE_TEST_VERTICA_URL when it is set.
  service: async () => {
    const url = process.env.SPARKLE_TEST_VERTICA_URL;
    if (!url) return { skip: 'SPARKLE_TEST_VERTICA_URL is not set (no Vertica server on this machine)' };
    return {
      config: {
        url,
        ...(process.env.SPARKLE_TEST_VERTICA_USER ? { user: process.env.SPARKLE_TEST_VERTICA_USER } : {}),
        ...(process.env.SPARKLE_TEST_VERTICA_PASSWORD ? { password: process.env.SPARKLE_TEST_VERTICA_PASSWORD } : {}),
      },
    };
  },
  unreachableConfig: { url: 'jdbc:vertica://127.0.0.1:1/x' },
});
