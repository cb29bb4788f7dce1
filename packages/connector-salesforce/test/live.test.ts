/**
 * Opt-in live suite against a real Salesforce org (a Developer Edition org or a sandbox). No
 * Salesforce server can run on the test machine, so without these variables it is skipped by
 * declaration, saying why:
 *
 * - SPARKLE_TEST_SALESFORCE_LIVE_LOGIN_URL — `https://login.salesforce.com`, `https://test.salesforce.com`
 *   or a My Domain URL;
 * - SPARKLE_TEST_SALESFORCE_LIVE_USERNAME, SPARKLE_TEST_SALESFORCE_LIVE_CLIENT_ID;
 * - either SPARKLE_TEST_SALESFORCE_LIVE_PRIVATE_KEY (JWT bearer, PEM) or
 *   SPARKLE_TEST_SALESFORCE_LIVE_PASSWORD + SPARKLE_TEST_SALESFORCE_LIVE_CLIENT_SECRET
 *   (+ SPARKLE_TEST_SALESFORCE_LIVE_SECURITY_TOKEN);
 * - SPARKLE_TEST_SALESFORCE_LIVE_WRITE=1 also inserts and deletes two Contact records (tagged
 *   with a run id in LastName).
 */
import { describe, expect, it } from 'vitest';
import { getConnection, where } from '@sparkle/core';
import '../src/index.js';
import type { SalesforceConnection } from '../src/index.js';

const env = (name: string) => process.env[`SPARKLE_TEST_SALESFORCE_LIVE_${name}`] || undefined;
const loginUrl = env('LOGIN_URL');
const username = env('USERNAME');
const clientId = env('CLIENT_ID');
const privateKey = env('PRIVATE_KEY');
const password = env('PASSWORD');
const clientSecret = env('CLIENT_SECRET');
const auth = privateKey
  ? { type: 'jwt', username, clientId, privateKey }
  : password && clientSecret
    ? { type: 'password', username, password, clientId, clientSecret, ...(env('SECURITY_TOKEN') ? { securityToken: env('SECURITY_TOKEN') } : {}) }
    : undefined;
const ready = Boolean(loginUrl && username && clientId && auth);
const reason = 'SPARKLE_TEST_SALESFORCE_LIVE_LOGIN_URL, _USERNAME, _CLIENT_ID and _PRIVATE_KEY (or _PASSWORD + _CLIENT_SECRET) are not set: no Salesforce org to test against';
if (!ready) console.info(`[salesforce live] skipped: ${reason}`);

describe.skipIf(!ready)(`salesforce live (${ready ? String(loginUrl) : reason})`, () => {
  const open = (extra: Record<string, unknown> = {}) => getConnection<SalesforceConnection>('salesforce', { config: { loginUrl, auth, ...extra }, dotenv: false, variables: {} });

  it('check() passes every tier (login, limits)', async () => {
    await using sf = await open();
    const report = await sf.check({ timeoutMs: 30_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });

  it('reads Users through REST and through a Bulk API 2.0 job with the same rows', async () => {
    await using rest = await open({ bulk: false });
    await using bulk = await open({ bulk: true });
    const options = { columns: ['Id', 'Username', 'IsActive', 'CreatedDate'], filter: where.eq('IsActive', true) };
    const viaRest = await ((await rest.readTable('User', options)) as { toArray(): Promise<Array<Record<string, unknown>>> }).toArray();
    const viaBulk = await ((await bulk.readTable('User', options)) as { toArray(): Promise<Array<Record<string, unknown>>> }).toArray();
    expect(viaRest.length).toBeGreaterThan(0);
    const ids = (rows: Array<Record<string, unknown>>) => rows.map((r) => r.Id).sort();
    expect(ids(viaBulk)).toEqual(ids(viaRest));
  });

  it('discover() describes Account', async () => {
    await using sf = await open();
    const [account] = await sf.discover({ objects: ['Account'] });
    expect(account!.columns.map((c) => c.name)).toContain('Name');
  });

  it.skipIf(!env('WRITE'))('inserts two Contacts with a Bulk ingest job, reads them back and deletes them', async () => {
    await using sf = await open();
    const run = `sparkle-live-${Date.now().toString(36)}`;
    const [insert] = await sf.ingest('Contact', [{ LastName: `${run}-a` }, { LastName: `${run}-b` }], { operation: 'insert' });
    expect(insert!.failed).toEqual([]);
    try {
      const back = await ((await sf.readTable('Contact', { columns: ['Id', 'LastName'], filter: { field: 'LastName', op: 'prefix', value: run } })) as { toArray(): Promise<unknown[]> }).toArray();
      expect(back.length).toBe(2);
    } finally {
      await sf.ingest('Contact', insert!.successful.map((s) => ({ Id: s.id })), { operation: 'delete' });
    }
  });
});
