/**
 * Opt-in live suite against a real Db2 server: set SPARKLE_TEST_DB2_URL (a JDBC URL),
 * and SPARKLE_TEST_DB2_USER / SPARKLE_TEST_DB2_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { liveJdbcSuite } from '@sparkle/testkit';
import '../src/index.js';

liveJdbcSuite({ type: 'db2', product: 'Db2' });
