/**
 * Opt-in live suite against a real Vertica server: set SPARKLE_TEST_VERTICA_URL (a JDBC URL),
 * and SPARKLE_TEST_VERTICA_USER / SPARKLE_TEST_VERTICA_PASSWORD when the URL carries no credentials.
 * Without the URL it is skipped by declaration and says why.
 */
import { describe, expect, it } from 'vitest';
import { getConnection, type JDBCConnection } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';
import '../src/index.js';

const url = process.env.SPARKLE_TEST_VERTICA_URL;
const reason = 'SPARKLE_TEST_VERTICA_URL is not set: no Vertica server to test against (none can run on this machine)';
if (!url) console.info(`[vertica live] skipped: ${reason}`);

describe.skipIf(!url)(`vertica live (${url ? 'SPARKLE_TEST_VERTICA_URL' : reason})`, () => {
  const config = () => ({
    url: url!,
    ...(process.env.SPARKLE_TEST_VERTICA_USER ? { user: process.env.SPARKLE_TEST_VERTICA_USER } : {}),
    ...(process.env.SPARKLE_TEST_VERTICA_PASSWORD ? { password: process.env.SPARKLE_TEST_VERTICA_PASSWORD } : {}),
  });

  it('check() passes every tier', async () => {
    await using conn = await getConnection('vertica', { config: config() });
    const report = await conn.check({ timeoutMs: 30_000 });
    expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('round-trips a table through the local engine and finds it with discover()', async () => {
    await using conn = (await getConnection('vertica', { config: config() })) as JDBCConnection;
    const table = `sparkle_live_${Date.now().toString(36)}`;
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `row ${i + 1}`, amount: (i + 1) / 4 }));
    try {
      expect((await conn.writeTable(rows, table, { mode: 'overwrite' })).rows).toBe(50);
      await conn.writeTable(rows.slice(0, 10), table, { mode: 'overwrite' });
      const frame = await conn.readTable<LocalFrame>(table, { partitionColumn: 'id', numPartitions: 3 });
      expect(await frame.count()).toBe(10);
      const tables = await conn.discover();
      expect(tables.some((t) => t.name.toLowerCase() === table.toLowerCase())).toBe(true);
    } finally {
      await conn.withSession((s) => s.execute(`DROP TABLE ${conn.quoteTable(table)}`)).catch(() => undefined);
    }
  }, 120_000);
});
