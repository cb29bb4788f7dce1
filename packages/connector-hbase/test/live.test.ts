/**
 * The opt-in live suite: the document suite and a health check against an HBase REST gateway
 * you name with SPARKLE_TEST_HBASE_LIVE_URL (plus SPARKLE_TEST_HBASE_LIVE_USER / _PASSWORD for a
 * gateway behind basic auth, SPARKLE_TEST_HBASE_LIVE_NAMESPACE for a namespace other than
 * `default`). Without the URL it is skipped by declaration, saying why.
 */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { testDocumentStore } from '@sparkle/testkit';
import '../src/index.js';

const env = process.env;
const url = env.SPARKLE_TEST_HBASE_LIVE_URL;
const reason = 'SPARKLE_TEST_HBASE_LIVE_URL is not set: no HBase cluster of your own to test against (the suites above use the local one)';
if (!url) console.info(`[hbase live] skipped: ${reason}`);
const config = {
  url,
  ...(env.SPARKLE_TEST_HBASE_LIVE_NAMESPACE ? { namespace: env.SPARKLE_TEST_HBASE_LIVE_NAMESPACE } : {}),
  ...(env.SPARKLE_TEST_HBASE_LIVE_USER ? { auth: 'basic', user: env.SPARKLE_TEST_HBASE_LIVE_USER, password: env.SPARKLE_TEST_HBASE_LIVE_PASSWORD } : {}),
};

describe.skipIf(!url)(`hbase live (${url ? 'SPARKLE_TEST_HBASE_LIVE_URL' : reason})`, () => {
  it('check() passes every tier', async () => {
    await using conn = await getConnection('hbase', { config, dotenv: false, variables: {} });
    const report = await conn.check({ timeoutMs: 30_000 });
    expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
  });
});

if (url) testDocumentStore({ type: 'hbase', config, namePrefix: 'sparkle_live', failingDocument: { name: 'no key' } });
