/**
 * Opt-in live suite against a real Presto server: set SPARKLE_TEST_PRESTO_URL (a JDBC URL),
 * and SPARKLE_TEST_PRESTO_USER / SPARKLE_TEST_PRESTO_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { liveJdbcSuite } from '@sparkle/testkit';
import '../src/index.js';

liveJdbcSuite({ type: 'presto', product: 'Presto' });
