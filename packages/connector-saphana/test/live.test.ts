/**
 * Opt-in live suite against a real SAP HANA server: set SPARKLE_TEST_SAPHANA_URL (a JDBC URL),
 * and SPARKLE_TEST_SAPHANA_USER / SPARKLE_TEST_SAPHANA_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { liveJdbcSuite } from '@sparkle/testkit';
import '../src/index.js';

liveJdbcSuite({ type: 'saphana', product: 'SAP HANA' });
