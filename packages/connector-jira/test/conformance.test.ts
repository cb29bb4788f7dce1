/**
 * The shared conformance suite against the in-process Jira fake. Reads and writes are declared
 * false here, with reason: the suite seeds and round-trips arbitrary tables, and Jira has issues
 * with a fixed field schema, not tables; both are tested in jira.test.ts against the fake.
 */
import { testConnector } from '@sparkle/testkit';
import { JiraConnection } from '../src/index.js';
import { API_TOKEN, EMAIL, startFakeJira } from './fake-jira.js';

testConnector({
  type: 'jira',
  aliases: ['atlassian_jira'],
  connectionClass: JiraConnection,
  validConfig: { baseUrl: 'https://example.atlassian.test', auth: { type: 'api_token', email: EMAIL, apiToken: 'jira-Conformance-Token-Never-Shown' } },
  invalidConfigs: [
    { name: 'a baseUrl that is not a URL', config: { baseUrl: 'not a url' }, path: 'baseUrl' },
    { name: 'an api_token auth without the token', config: { baseUrl: 'https://x.atlassian.test', auth: { type: 'api_token', email: EMAIL } }, path: 'auth.apiToken' },
    { name: 'a bulk batch above Jira’s 50', config: { baseUrl: 'https://x.atlassian.test', createBatchSize: 51 }, path: 'createBatchSize' },
    { name: 'a query filter with an unknown operator', config: { baseUrl: 'https://x.atlassian.test', queries: { q: { filter: { field: 'status', op: 'like', value: 'x' } } } }, path: 'queries.q.filter' },
  ],
  secretFields: ['auth.apiToken'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    const fake = await startFakeJira();
    return { config: { baseUrl: fake.url, auth: { type: 'api_token', email: EMAIL, apiToken: API_TOKEN } }, stop: fake.close };
  },
  unreachableConfig: { baseUrl: 'http://127.0.0.1:1' },
});
