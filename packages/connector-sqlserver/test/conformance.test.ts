import { testConnector } from '@sparkle/testkit';
import { SqlServerConnection } from '../src/index.js';

testConnector({
  type: 'sqlserver',
  aliases: ['mssql'],
  connectionClass: SqlServerConnection,
  validConfig: { url: 'jdbc:sqlserver://db.internal:1433;databaseName=shop', user: 'app', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  // No SQL Server server runs on these machines: the live checks use SPARKLE_TEST_SQLSERVER_URL when it is set.
  service: async () => {
    const url = process.env.SPARKLE_TEST_SQLSERVER_URL;
    if (!url) return { skip: 'SPARKLE_TEST_SQLSERVER_URL is not set (no SQL Server server on this machine)' };
    return {
      config: {
        url,
        ...(process.env.SPARKLE_TEST_SQLSERVER_USER ? { user: process.env.SPARKLE_TEST_SQLSERVER_USER } : {}),
        ...(process.env.SPARKLE_TEST_SQLSERVER_PASSWORD ? { password: process.env.SPARKLE_TEST_SQLSERVER_PASSWORD } : {}),
      },
    };
  },
  unreachableConfig: { url: 'jdbc:sqlserver://127.0.0.1:1;databaseName=x' },
});
