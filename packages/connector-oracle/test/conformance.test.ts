import { testConnector } from '@sparkle/testkit';
import { OracleConnection } from '../src/index.js';

testConnector({
  type: 'oracle',
  aliases: [],
  connectionClass: OracleConnection,
  validConfig: { url: 'jdbc:oracle:thin:@//db.internal:1521/ORCLPDB1', user: 'app', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  // No Oracle server runs on these machines: the live checks use SPARKLE_TEST_ORACLE_URL when it is set.
  service: async () => {
    const url = process.env.SPARKLE_TEST_ORACLE_URL;
    if (!url) return { skip: 'SPARKLE_TEST_ORACLE_URL is not set (no Oracle server on this machine)' };
    return {
      config: {
        url,
        ...(process.env.SPARKLE_TEST_ORACLE_USER ? { user: process.env.SPARKLE_TEST_ORACLE_USER } : {}),
        ...(process.env.SPARKLE_TEST_ORACLE_PASSWORD ? { password: process.env.SPARKLE_TEST_ORACLE_PASSWORD } : {}),
      },
    };
  },
  unreachableConfig: { url: 'jdbc:oracle:thin:@//127.0.0.1:1/X' },
});
