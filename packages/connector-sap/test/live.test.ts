/**
 * Opt-in live suite against a real SAP OData service (an S/4HANA or Gateway system, SAP's API
 * sandbox, …): set SPARKLE_TEST_SAP_LIVE_URL (the service root) and SPARKLE_TEST_SAP_LIVE_ENTITY_SET
 * (an entity set to read), with SPARKLE_TEST_SAP_LIVE_USER + SPARKLE_TEST_SAP_LIVE_PASSWORD (basic)
 * or SPARKLE_TEST_SAP_LIVE_TOKEN (bearer, or an API key sent as SPARKLE_TEST_SAP_LIVE_APIKEY_HEADER),
 * and optionally SPARKLE_TEST_SAP_LIVE_CLIENT (sap-client). Read-only. Without them it is skipped by
 * declaration, saying why: no SAP system can run here (CAP stands in for OData in sap.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { SapConnection } from '../src/index.js';

const env = process.env;
const url = env.SPARKLE_TEST_SAP_LIVE_URL;
const set = env.SPARKLE_TEST_SAP_LIVE_ENTITY_SET;
const auth = env.SPARKLE_TEST_SAP_LIVE_USER
  ? { type: 'basic', user: env.SPARKLE_TEST_SAP_LIVE_USER, password: env.SPARKLE_TEST_SAP_LIVE_PASSWORD ?? '' }
  : env.SPARKLE_TEST_SAP_LIVE_TOKEN && env.SPARKLE_TEST_SAP_LIVE_APIKEY_HEADER
    ? { type: 'api_key', name: env.SPARKLE_TEST_SAP_LIVE_APIKEY_HEADER, value: env.SPARKLE_TEST_SAP_LIVE_TOKEN }
    : env.SPARKLE_TEST_SAP_LIVE_TOKEN
      ? { type: 'bearer', token: env.SPARKLE_TEST_SAP_LIVE_TOKEN }
      : undefined;
const ready = Boolean(url && set && auth);
const reason = 'SPARKLE_TEST_SAP_LIVE_URL, _ENTITY_SET and _USER/_PASSWORD or _TOKEN are not set: no SAP system to test against';
if (!ready) console.info(`[sap live] skipped: ${reason}`);

describe.skipIf(!ready)(`sap live (${ready ? url : reason})`, () => {
  const open = () =>
    getConnection<SapConnection>('sap', {
      config: { baseUrl: url!, auth: auth!, language: 'en', maxPages: 3, ...(env.SPARKLE_TEST_SAP_LIVE_CLIENT ? { sapClient: env.SPARKLE_TEST_SAP_LIVE_CLIENT } : {}), entitySets: { [set!]: { pageSize: 50 } } },
      dotenv: false,
      variables: {},
    });

  it('check() passes every tier (service document, $metadata)', async () => {
    await using sap = await open();
    const report = await sap.check({ timeoutMs: 30_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });

  it('discovers the entity set and counts it', async () => {
    await using sap = await open();
    const found = (await sap.discover()).find((s) => s.name === set);
    expect(found?.columns.length).toBeGreaterThan(0);
    expect(await sap.count(set!)).toBeGreaterThanOrEqual(0);
  });

  it('reads the first page into Arrow with the $metadata schema', async () => {
    await using sap = await open();
    const rows: Record<string, unknown>[] = [];
    for await (const entity of sap.entities(set!, { pageSize: 20 })) {
      rows.push(entity);
      if (rows.length >= 20) break;
    }
    expect(rows.length).toBeGreaterThanOrEqual(0);
  });
});
