/**
 * The shared conformance suite (registration, config schema, redaction, health tiers, lineage,
 * lifecycle) against the real SOAP server of server.ts.
 *
 * `read` and `write` are declared false, with reason: the suite seeds and round-trips tables of
 * its own columns, while a SOAP operation's records have the fixed shape of its WSDL types.
 * Reads and writes are tested against the server in soap.test.ts.
 */
import { testConnector } from '@sparkle/testkit';
import { SoapConnection } from '../src/index.js';
import { PASSWORD, startSoapServer, USER, WSDL, type SoapTestServer } from './server.js';

let server: SoapTestServer | undefined;

testConnector({
  type: 'soap',
  aliases: [],
  connectionClass: SoapConnection,
  validConfig: { wsdl: 'https://crm.example.test/service?wsdl', security: { type: 'usernameToken', username: 'u', password: 'soap-Conformance-Password-Never-Shown' }, operations: { customers: { operation: 'ListCustomers', resultPath: '/customers/customer' } } },
  invalidConfigs: [
    { name: 'a resultPath that is not a JSON pointer', config: { wsdl: WSDL, operations: { a: { operation: 'Op', resultPath: 'customers.customer' } } }, path: 'operations.a.resultPath' },
    { name: 'an endpoint that is not http(s)', config: { wsdl: WSDL, endpoint: 'ftp://x.example.test/soap' }, path: 'endpoint' },
    { name: 'an unknown security type', config: { wsdl: WSDL, security: { type: 'x509', username: 'u', password: 'p' } }, path: 'security.type' },
  ],
  secretFields: ['security.password'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    server = await startSoapServer([{ id: 1, name: 'Ada', balance: 1, active: true, region: 'eu' }]);
    return {
      config: { wsdl: WSDL, endpoint: server.endpoint, security: { type: 'usernameToken', username: USER, password: PASSWORD }, healthOperation: 'ListCustomers', healthArgs: { region: 'eu' } },
      stop: () => server!.close(),
    };
  },
  unreachableConfig: { wsdl: WSDL, endpoint: 'http://127.0.0.1:1/soap/customers' },
});
