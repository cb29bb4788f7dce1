/**
 * The shared conformance suite against the in-process fake org (test/fake-salesforce.ts), logged
 * in with the OAuth username-password flow. The suite's table is seeded straight into the fake as
 * an sObject with the sample's fields.
 *
 * `write` is declared false, with reason: the suite's write checks are save-mode round trips of a
 * table (errorIfExists on an existing table, ignore, overwrite), which a Bulk ingest job into an
 * sObject has no meaning for — the connector appends (insert/update/upsert/delete) and refuses the
 * others. Its writes are tested in salesforce.test.ts (every operation, per-row failures).
 */
import type { Table } from 'apache-arrow';
import { testConnector } from '@sparkle/testkit';
import { SalesforceConnection } from '../src/index.js';
import { accountObject, CLIENT_ID, CLIENT_SECRET, PASSWORD, SECURITY_TOKEN, startFakeSalesforce, USERNAME, type FakeSalesforce } from './fake-salesforce.js';

let fake: FakeSalesforce | undefined;

const passwordAuth = { type: 'password', username: USERNAME, password: PASSWORD, securityToken: SECURITY_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };

testConnector({
  type: 'salesforce',
  aliases: ['sfdc'],
  connectionClass: SalesforceConnection,
  validConfig: { loginUrl: 'https://test.salesforce.com', auth: passwordAuth },
  invalidConfigs: [
    { name: 'an unknown auth type', config: { auth: { type: 'saml' } }, path: 'auth.type' },
    { name: 'an access token without the instance URL', config: { auth: { type: 'access_token', accessToken: 'x' } }, path: 'instanceUrl' },
    { name: 'an upsert without an external id field', config: { auth: passwordAuth, write: { operation: 'upsert' } }, path: 'write.externalIdField' },
    { name: 'a malformed API version', config: { auth: passwordAuth, apiVersion: 'v62' }, path: 'apiVersion' },
  ],
  secretFields: ['auth.password', 'auth.securityToken', 'auth.clientSecret'],
  capabilities: { read: true, write: false, query: true, discover: true, spark: false, health: true, partitionedRead: false },
  async service() {
    fake = await startFakeSalesforce();
    fake.objects.set('Account', accountObject([{ Id: '001000000000001AAA', Name: 'Probe' }]));
    fake.settings.pageSize = 2;
    return { config: { loginUrl: fake.url, auth: passwordAuth, pollIntervalMs: 5 }, stop: fake.close };
  },
  async seedTable(_config, table, sample: Table) {
    const records = sample.toArray().map((r) => ({ ...(r as { toJSON(): Record<string, unknown> }).toJSON() }));
    fake!.objects.set(table, {
      fields: [
        { name: 'id', type: 'int' },
        { name: 'name', type: 'string' },
        { name: 'score', type: 'double' },
        { name: 'active', type: 'boolean' },
      ],
      records,
    });
  },
  probeQuery: 'SELECT Id, Name FROM Account',
  unreachableConfig: { loginUrl: 'http://127.0.0.1:1', auth: passwordAuth },
});
