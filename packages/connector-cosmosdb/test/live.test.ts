/**
 * Opt-in: the document-store conformance suite and the health check against a REAL Cosmos DB
 * account (or the emulator elsewhere). Set
 *
 * - `SPARKLE_TEST_COSMOS_LIVE_ENDPOINT` (e.g. `https://myaccount.documents.azure.com:443/`),
 * - `SPARKLE_TEST_COSMOS_LIVE_KEY` (the account key),
 * - optionally `SPARKLE_TEST_COSMOS_LIVE_DATABASE` (default `sparkle_live`, created if missing)
 *   and `SPARKLE_TEST_COSMOS_LIVE_CA_FILE` (the emulator's certificate).
 *
 * Without them the suite is skipped and says why. Containers it creates (`sparkle_live_*`) are
 * deleted at the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { testDocumentStore } from '@sparkle/testkit';
import type { CosmosdbConnection } from '../src/index.js';

const endpoint = process.env.SPARKLE_TEST_COSMOS_LIVE_ENDPOINT;
const key = process.env.SPARKLE_TEST_COSMOS_LIVE_KEY;
const reason = !endpoint || !key ? 'SPARKLE_TEST_COSMOS_LIVE_ENDPOINT and SPARKLE_TEST_COSMOS_LIVE_KEY are not set (no Cosmos DB can run here; the fake suite ran instead)' : '';
if (reason) console.warn(`[cosmosdb live] skipped: ${reason}`);

const config = () => ({
  endpoint: endpoint!,
  key: key!,
  database: process.env.SPARKLE_TEST_COSMOS_LIVE_DATABASE ?? 'sparkle_live',
  keyFields: ['_id'],
  ...(process.env.SPARKLE_TEST_COSMOS_LIVE_CA_FILE ? { caFile: process.env.SPARKLE_TEST_COSMOS_LIVE_CA_FILE } : {}),
});

testDocumentStore({
  type: 'azure_cosmosdb',
  namePrefix: 'sparkle_live',
  service: async () => (reason ? { skip: reason } : { config: config() }),
  failingDocument: { name: 'no key' },
});

describe.skipIf(Boolean(reason))(`cosmosdb live account${reason ? ` (${reason})` : ''}`, () => {
  afterAll(async () => {
    await using conn = await getConnection<CosmosdbConnection>('cosmosdb', { config: config(), dotenv: false, variables: {} });
    const client = await (conn as unknown as { client(): Promise<import('@azure/cosmos').CosmosClient> }).client();
    for (const name of await conn.listCollections().catch(() => [] as string[])) {
      if (name.startsWith('sparkle_live')) await client.database(config().database).container(name).delete().catch(() => undefined);
    }
  });

  it('check() passes every tier and discover() names partition key paths', async () => {
    await using conn = await getConnection<CosmosdbConnection>('cosmosdb', { config: config(), dotenv: false, variables: {} });
    await conn.upsertDocuments('sparkle_live_check', [{ _id: 1, v: 'x' }]);
    const report = await conn.check({ timeoutMs: 30_000 });
    expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
    const [found] = await conn.discover({ collections: ['sparkle_live_check'] });
    expect(found?.partitionKeyPaths).toEqual(['/id']);
    expect((await conn.documentPartitions('sparkle_live_check', { partitions: 4 })).length).toBeGreaterThanOrEqual(1);
  });
});
