import { testConnector } from '@sparkle/testkit';
import { Db2Connection } from '../src/index.js';

testConnector({
  type: 'db2',
  aliases: [],
  connectionClass: Db2Connection,
  validConfig: { url: 'jdbc:db2://db2.internal:50000/SAMPLE', user: 'db2inst1', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  // No Db2 server runs on these machines: the live checks use SPARKLE_TEST_DB2_URL when it is set.
  service: async () => {
    const url = process.env.SPARKLE_TEST_DB2_URL;
    if (!url) return { skip: 'SPARKLE_TEST_DB2_URL is not set (no Db2 server on this machine)' };
    return {
      config: {
        url,
        ...(process.env.SPARKLE_TEST_DB2_USER ? { user: process.env.SPARKLE_TEST_DB2_USER } : {}),
        ...(process.env.SPARKLE_TEST_DB2_PASSWORD ? { password: process.env.SPARKLE_TEST_DB2_PASSWORD } : {}),
      },
    };
  },
  unreachableConfig: { url: 'jdbc:db2://127.0.0.1:1/X' },
});
