/**
 * Opt-in live suite against a real Trino server: set SPARKLE_TEST_TRINO_URL (a JDBC URL),
 * and SPARKLE_TEST_TRINO_USER / SPARKLE_TEST_TRINO_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { liveJdbcSuite } from '@sparkle/testkit';
import '../src/index.js';

liveJdbcSuite({ type: 'trino', product: 'Trino' });
