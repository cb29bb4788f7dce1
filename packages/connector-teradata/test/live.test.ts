/**
 * Opt-in live suite against a real Teradata server: set SPARKLE_TEST_TERADATA_URL (a JDBC URL),
 * and SPARKLE_TEST_TERADATA_USER / SPARKLE_TEST_TERADATA_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { liveJdbcSuite } from '@sparkle/testkit';
import '../src/index.js';

liveJdbcSuite({ type: 'teradata', product: 'Teradata' });
