/**
 * The shared suites for `cosmosdb`: testkit's `testConnector` (registration, config schema,
 * secrets, Spark specs, health failures, lifecycle) and `testDocumentStore` with the REAL
 * `@azure/cosmos` client against the in-process gateway fake (test/fake-cosmos.ts). A file of
 * its own so it runs beside test/cosmosdb.test.ts: the client pauses about a second at the end
 * of every bulk call, and two files overlap those waits.
 */
import { afterAll } from 'vitest';
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { CosmosdbConnection } from '../src/index.js';
import { FakeCosmos, FAKE_KEY } from './fake-cosmos.js';

const fake = new FakeCosmos();
let fakeUrl: Promise<string> | undefined;
afterAll(() => fake.stop());

testConnector({
  type: 'cosmosdb',
  aliases: ['azure_cosmosdb'],
  connectionClass: CosmosdbConnection,
  validConfig: { endpoint: 'https://shop-account.documents.azure.com:443/', key: 'c2hvcC1hY2NvdW50LWtleS1leGFtcGxl', database: 'shop' },
  invalidConfigs: [
    { name: 'no database', config: { endpoint: 'https://a.documents.azure.com:443/', key: 'k' }, path: 'database' },
    { name: 'an endpoint that is not a URL', config: { endpoint: 'a.documents.azure.com', key: 'k', database: 'd' }, path: 'endpoint' },
    { name: 'a connection string next to a key', config: { connectionString: 'AccountEndpoint=https://a/;AccountKey=k;', key: 'k2', database: 'd' }, path: 'connectionString' },
    { name: 'no credential at all', config: { endpoint: 'https://a.documents.azure.com:443/', database: 'd' }, path: 'key' },
  ],
  secretFields: ['key'],
  sparkSecretOptions: ['spark.cosmos.accountKey'],
  sparkWriteMode: 'append',
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { endpoint: 'http://127.0.0.1:1/', key: FAKE_KEY, database: 'x', requestTimeoutMs: 1500, throttleRetries: 0 },
});

// The capability suite against the REAL client talking to the in-process fake.
testDocumentStore({ type: 'cosmosdb', service: async () => ({ config: { endpoint: await (fakeUrl ??= fake.start()), key: FAKE_KEY, database: 'suite', keyFields: ['_id'] } }), failingDocument: { name: 'no key' } });

