/**
 * The shared conformance suite against the real CAP OData V4 service (test/cap, started by the
 * globalSetup). Reads and writes are declared false here, with reason: the suite seeds and
 * round-trips arbitrary tables, and an OData service has the entity sets its model declares;
 * both are tested against the same CAP service in sap.test.ts.
 */
import { testConnector } from '@sparkle/testkit';
import { SapConnection } from '../src/index.js';
import { CAP_WRITER } from './cap-service.js';

testConnector({
  type: 'sap',
  aliases: ['sap_odata'],
  connectionClass: SapConnection,
  validConfig: { baseUrl: 'https://gateway.example.test/sap/opu/odata/sap/API_BUSINESS_PARTNER', sapClient: '100', auth: { type: 'basic', user: 'ETL', password: 'sap-Conformance-Password-Never-Shown' } },
  invalidConfigs: [
    { name: 'a baseUrl that is not a URL', config: { baseUrl: 'not a url' }, path: 'baseUrl' },
    { name: 'an SAP client that is not three digits', config: { baseUrl: 'https://x.example.test/odata', sapClient: '1000' }, path: 'sapClient' },
    { name: 'an unknown OData version', config: { baseUrl: 'https://x.example.test/odata', version: 'v3' }, path: 'version' },
  ],
  secretFields: ['auth.password'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    const url = process.env.SPARKLE_TEST_SAP_CAP_URL;
    if (!url) return { skip: 'the CAP test service did not start (see globalSetup)' };
    return { config: { baseUrl: `${url}/odata/v4/catalog`, auth: { type: 'basic', user: CAP_WRITER.user, password: CAP_WRITER.password } } };
  },
  unreachableConfig: { baseUrl: 'http://127.0.0.1:1/odata/v4/catalog' },
});
