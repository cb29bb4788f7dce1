/**
 * Opt-in live suite against a real SQL Server server: set SPARKLE_TEST_SQLSERVER_URL (a JDBC URL),
 * and SPARKLE_TEST_SQLSERVER_USER / SPARKLE_TEST_SQLSERVER_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { liveJdbcSuite } from '@sparkle/testkit';
import '../src/index.js';

liveJdbcSuite({ type: 'sqlserver', product: 'SQL Server' });
