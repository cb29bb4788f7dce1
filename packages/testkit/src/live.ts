/**
 * The opt-in live suite for JDBC connectors whose servers cannot run on the test machine:
 * `SPARKLE_TEST_<TYPE>_URL` (a JDBC URL), plus `SPARKLE_TEST_<TYPE>_USER` / `_PASSWORD` when the
 * URL carries no credentials. Without the URL the suite is skipped by declaration and says why.
 */
import { describe, expect, it } from 'vitest';
import { getConnection, type JDBCConnection } from '@sparkle/core';
import type { LocalFrame } from '@sparkle/engine-local';

export interface LiveJdbcSuiteOptions {
  /** Connection type, e.g. `db2`; the variables are `SPARKLE_TEST_DB2_*`. */
  type: string;
  /** Product name for messages, e.g. `Db2`. */
  product: string;
}

/**
 * Registers the live suite: `check()` passes every tier, and a table round-trips through the
 * local engine (overwrite twice, partitioned read) and is found by `discover()`.
 * @example
 * // packages/connector-db2/test/live.test.ts
 * import { liveJdbcSuite } from '@sparkle/testkit';
 * import '../src/index.js';
 * liveJdbcSuite({ type: 'db2', product: 'Db2' });
 */
export function liveJdbcSuite({ type, product }: LiveJdbcSuiteOptions): void {
  const prefix = `SPARKLE_TEST_${type.toUpperCase()}`;
  const url = process.env[`${prefix}_URL`];
  const reason = `${prefix}_URL is not set: no ${product} server to test against (none can run on this machine)`;
  if (!url) console.info(`[${type} live] skipped: ${reason}`);

  describe.skipIf(!url)(`${type} live (${url ? `${prefix}_URL` : reason})`, () => {
    const config = () => ({
      url: url!,
      ...(process.env[`${prefix}_USER`] ? { user: process.env[`${prefix}_USER`] } : {}),
      ...(process.env[`${prefix}_PASSWORD`] ? { password: process.env[`${prefix}_PASSWORD`] } : {}),
    });

    it('check() passes every tier', async () => {
      await using conn = await getConnection(type, { config: config() });
      const report = await conn.check({ timeoutMs: 30_000 });
      expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
      expect(report.ok).toBe(true);
    });

    it('round-trips a table through the local engine and finds it with discover()', async () => {
      await using conn = (await getConnection(type, { config: config() })) as JDBCConnection;
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
}
