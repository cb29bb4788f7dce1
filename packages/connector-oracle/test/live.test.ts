/**
 * Opt-in live suite against a real Oracle server: set SPARKLE_TEST_ORACLE_URL (a JDBC URL),
 * and SPARKLE_TEST_ORACLE_USER / SPARKLE_TEST_ORACLE_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { liveJdbcSuite } from '@sparkle/testkit';
import '../src/index.js';

liveJdbcSuite({ type: 'oracle', product: 'Oracle' });
